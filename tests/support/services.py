"""Checks that the real services are there, with a message saying how to get them."""

import pytest
import redis
from django.db import connection


def require_postgres() -> None:
    """Fail (not skip) unless the tests run on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "The tests need PostgreSQL: run `make test`, or set "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/skillproof.",
            pytrace=False,
        )


def require_redis(url: str) -> None:
    """Fail (not skip) unless Redis answers at ``url``."""
    if not url.startswith("redis://"):
        pytest.fail(
            f"The tests need Redis as the broker (got {url!r}): set REDIS_URL.", pytrace=False
        )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis does not answer at {url} ({error}): start it or set REDIS_URL.", pytrace=False
        )
