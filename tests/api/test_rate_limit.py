"""Per-key rate limits: 429 with Retry-After, counted per key in the shared cache."""

import pytest
from django.core.cache import cache

from apikeys.models import ApiKey
from tests.api.conftest import client_with, key_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_a_key_over_its_rate_gets_429_with_retry_after(recruiter):
    key = key_for(recruiter, ["results:read"])
    ApiKey.objects.update(rate_per_minute=3)
    client = client_with(key)
    assert [client.get("/api/v1/attempts").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/attempts")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["errors"][0]["message"].startswith("Request was throttled")
    # Another key of the same owner has its own count.
    other_key = client_with(key_for(recruiter, ["results:read"]))
    assert other_key.get("/api/v1/attempts").status_code == 200


def test_the_default_rate_comes_from_settings(recruiter, settings):
    settings.API_KEY_RATE_PER_MINUTE = 2
    client = client_with(key_for(recruiter, ["results:read"]))
    statuses = [client.get("/api/v1/attempts").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
