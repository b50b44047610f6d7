"""Shared fixtures. Tests use the real services: PostgreSQL, Redis, Celery workers, Chromium."""

import os

import pytest
import redis
from django.conf import settings

from tests.support.factories import staff_in_roles
from tests.support.services import require_postgres, require_redis


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Fail loudly, never skip, when the test database is not PostgreSQL."""
    require_postgres()
    return django_db_setup


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The broker the tests use; it must answer."""
    url = os.environ.get("REDIS_URL") or settings.CELERY_BROKER_URL
    require_redis(url)
    return url


@pytest.fixture(autouse=True)
def anchor_files(settings, tmp_path):
    """Every test signs audit tree heads into its own folder, never into var/."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors" / "audit-anchors.jsonl"
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit-signing-key.pem"
    return settings.AUDIT_ANCHOR_FILE


@pytest.fixture
def clean_broker(redis_url):
    """An empty queue: messages left by an earlier test must not leak into this one."""
    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


@pytest.fixture
def celery_worker(transactional_db, clean_broker):
    """A real worker process sharing this test's (committed) database and Redis."""
    from tests.support.worker import running_worker

    with running_worker(clean_broker) as worker:
        yield worker


@pytest.fixture
def recruiter(db):
    from audit.roles import Role

    return staff_in_roles("recruiter", Role.RECRUITER)


@pytest.fixture
def reviewer(db):
    from audit.roles import Role

    return staff_in_roles("reviewer", Role.REVIEWER)


@pytest.fixture
def compliance_user(db):
    from audit.roles import Role

    return staff_in_roles("auditor", Role.COMPLIANCE)


# Browser fixtures are shared by tests/browser and the credential pages' tests.
from tests.support.browser import browser, context, page  # noqa: E402, F401
