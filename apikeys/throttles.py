"""Per-key rate limits, counted in the shared cache so every web process counts together."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apikeys.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per minute per key (the key's own rate, else API_KEY_RATE_PER_MINUTE).

    DRF answers a refused request with 429 and a `Retry-After` header."""

    scope = "api-key"

    def get_rate(self) -> str:
        return f"{settings.API_KEY_RATE_PER_MINUTE}/min"

    def allow_request(self, request, view) -> bool:
        api_key = request.auth
        if isinstance(api_key, ApiKey) and api_key.rate_per_minute:
            self.num_requests = api_key.rate_per_minute
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}
