"""`Authorization: Bearer <key>` for the integration API."""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apikeys.selectors import key_by_hash, key_refusal
from apikeys.services import hash_key, note_key_used

MAX_KEY_LENGTH = 200


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates as the key's owner; ``request.auth`` is the ApiKey (scopes, rate)."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2 or len(header[1]) > MAX_KEY_LENGTH:
            raise AuthenticationFailed("Send the key as `Authorization: Bearer <key>`.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise AuthenticationFailed("Unknown API key.") from error
        api_key = key_by_hash(hash_key(key))
        refusal = key_refusal(api_key)
        if refusal:
            raise AuthenticationFailed(refusal)
        note_key_used(api_key)
        return api_key.owner, api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 without a key.
        return 'Bearer realm="api"'
