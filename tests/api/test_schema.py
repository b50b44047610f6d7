"""Schemathesis against the generated OpenAPI schema, inside the suite: every /api/v1/
operation called with generated requests (valid and not) by a key holding every scope; no
answer may be a 5xx, an undocumented status, or a body, content type or header that breaks
the schema. Bounded: a handful of examples per operation, derandomised."""

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apikeys.models import ApiKey
from apikeys.services import create_api_key
from assessments.services import publish_document
from tests.api.conftest import ALL_SCOPES
from tests.support.documents import small_document
from tests.support.factories import staff_in_roles

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 12


def _schema() -> schemathesis.BaseSchema:
    """The schema /api/schema/ serves (generated here: collection may not touch the database),
    with calls sent to the WSGI application in this process."""
    from hiring.wsgi import application

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    loaded = schemathesis.openapi.from_dict(document).include(path_regex=r"^/api/v1/")
    loaded.app = application
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def connection_kept_open():
    """As Django's test client does: the calls run inside the test's transaction, so the end of
    a request must not close the connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(db, settings):
    """A key with every scope for a superuser (every role), the small assessment published."""
    settings.WEBHOOK_ALLOW_PRIVATE = False  # generated URLs must not reach anything
    cache.clear()  # the rate limit counts per key; examples stay well under it
    owner = staff_in_roles("integrator")
    owner.is_superuser = True
    owner.save()
    publish_document(small_document(), user=owner)
    _, key = create_api_key(name="schemathesis", owner=owner, scopes=ALL_SCOPES)
    ApiKey.objects.update(rate_per_minute=100_000)
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, bearer):
    # Each call in a savepoint: a refused request must not poison the test's transaction.
    with transaction.atomic():
        case.call_and_validate(headers=bearer, checks=CHECKS)
