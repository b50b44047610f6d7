"""How often one client may ask for a verification.

The API and the verification page share one count per client address, kept in the shared cache
(Redis, or the database cache), so every web process counts together and a client that rotates
its own `X-Forwarded-For` header is still the same client (see `web.clients`).
"""

from rest_framework.throttling import SimpleRateThrottle

from credentials import conf
from web.clients import client_address


class VerifyThrottle(SimpleRateThrottle):
    """Verifications per client address (VERIFY_API_RATE), whether signed in or not."""

    scope = "credential-verify"

    def get_rate(self) -> str:
        return conf.verify_rate()

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}
