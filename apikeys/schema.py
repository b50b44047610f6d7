"""How the integration API documents itself in /api/schema/: the Bearer scheme, and the error
body on every status an endpoint can answer with besides its success."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    path = serializers.CharField(
        allow_blank=True,
        help_text="The field at fault, dotted and indexed (`invitations.2.email`); empty when "
        "the error is about the request as a whole.",
    )
    message = serializers.CharField(help_text="What is wrong, in a sentence.")


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)


_ERRORS = {
    400: "The request is malformed or a field is invalid; `errors` names each field.",
    401: "No API key, or an unknown, revoked or expired one.",
    403: "The key lacks the scope, or its owner the role, that this endpoint needs.",
    404: "No such object among those the key's owner may see.",
    415: "The body is not JSON.",
    422: "The Idempotency-Key was already used for a different request.",
    429: "Too many requests for this key; retry after the `Retry-After` header's seconds.",
}


class IntegrationSchema(AutoSchema):
    """Adds the error responses every integration endpoint may give."""

    def _is_list_view(self, serializer=None) -> bool:
        # A view's GET is a (cursor-paged) list when the view says so: see IntegrationView.
        if self.method == "GET" and getattr(self.view, "is_list", False):
            return True
        return super()._is_list_view(serializer)

    def _error_codes(self) -> list[int]:
        codes = [401, 403, 429]
        if "{" in self.path:
            codes.append(404)
        if self.method == "POST":
            codes += [400, 415, 422]
        elif self.method == "GET" and (self._is_list_view() or self.get_override_parameters()):
            codes.append(400)  # a filter or cursor that does not parse
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(
                str(code),
                self._get_response_for_code(ErrorSerializer, str(code), direction=direction)
                | {"description": _ERRORS[code]},
            )
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response") -> dict:
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
            }
        return headers


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`skp_…`) from the admin or `manage.py create_api_key`.",
        }
