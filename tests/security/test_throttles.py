"""Verification throttles count in the shared cache, per real client address, for the API and
the page together: a client cannot reset its count by sending its own X-Forwarded-For."""

import secrets

import pytest
import redis
from django.test import RequestFactory

API = "/api/credentials/verify"


def fresh_address() -> str:
    """An address no other test uses, so counts left in Redis by earlier runs do not matter."""
    return f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"


@pytest.fixture
def client_ip() -> str:
    return fresh_address()


@pytest.fixture
def three_per_minute(settings):
    settings.VERIFY_API_RATE = "3/min"
    settings.NUM_PROXIES = 0


def verify_api(client, ip: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(API, "{}", content_type="application/json", **extra)


def test_a_spoofed_forwarded_for_does_not_reset_the_count(client, db, three_per_minute, client_ip):
    for attempt in range(3):
        assert verify_api(client, client_ip, f"198.51.100.{attempt}").status_code == 200
    response = verify_api(client, client_ip, "198.51.100.99")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"]


def test_behind_one_proxy_the_address_it_saw_is_the_client(
    client, db, three_per_minute, client_ip, settings
):
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.5"
    for attempt in range(3):
        # The client prepends whatever it likes; our proxy appends the address it saw.
        spoofed = f"203.0.113.{attempt}, {client_ip}"
        assert verify_api(client, proxy, spoofed).status_code == 200
    assert verify_api(client, proxy, f"203.0.113.77, {client_ip}").status_code == 429
    # Another client behind the same proxy has a count of its own.
    assert verify_api(client, proxy, fresh_address()).status_code == 200


def test_client_address_ignores_forwarded_for_unless_proxies_are_configured(settings):
    from web.clients import client_address

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10"
    )
    settings.NUM_PROXIES = 0
    assert client_address(request) == "10.0.0.5"
    settings.NUM_PROXIES = 1
    assert client_address(request) == "192.0.2.10"
    settings.NUM_PROXIES = 2
    assert client_address(request) == "6.6.6.6"
    # Fewer entries than proxies: the request did not come through ours; its header is not used.
    settings.NUM_PROXIES = 3
    assert client_address(request) == "10.0.0.5"


def test_the_verify_page_is_throttled_and_shares_the_api_count(
    client, db, three_per_minute, client_ip
):
    for _ in range(2):
        assert verify_api(client, client_ip).status_code == 200
    page = client.post("/verify/", {"credential": "{}"}, REMOTE_ADDR=client_ip)
    assert page.status_code == 200
    page = client.post("/verify/", {"credential": "{}"}, REMOTE_ADDR=client_ip)
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert "Too many verifications" in page.context["error"]
    assert page.context["report"] is None  # nothing was checked
    assert verify_api(client, client_ip).status_code == 429


def test_the_count_is_kept_in_redis_where_every_process_sees_it(
    client, db, three_per_minute, client_ip, redis_url
):
    assert verify_api(client, client_ip).status_code == 200
    # Read back with a connection of our own, as another web process would.
    stored = redis.Redis.from_url(redis_url).keys(f"*throttle_credential-verify_{client_ip}")
    assert len(stored) == 1
