"""Fixtures of the integration API tests: keys for staff in each role, and a client that sends
them as `Authorization: Bearer`."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apikeys.models import Scope
from apikeys.services import create_api_key
from assessments import services
from tests.support.documents import small_document

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def small_version(recruiter):
    """The small test assessment, owned by the recruiter fixture."""
    return services.publish_document(small_document(), user=recruiter)


def key_for(user, scopes=ALL_SCOPES, **kwargs) -> str:
    """A new API key acting for ``user``."""
    return create_api_key(name=f"{user.username} ATS", owner=user, scopes=scopes, **kwargs)[1]


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def recruiter_api(recruiter) -> APIClient:
    """A client with every scope, acting for the recruiter who owns ``small_version``."""
    return client_with(key_for(recruiter))


def invite(client: APIClient, assessment: str = "small-support", **fields):
    """POST one invitation; ``HTTP_…`` arguments are request headers, the rest body fields."""
    headers = {name: value for name, value in fields.items() if name.startswith("HTTP_")}
    body = {"assessment": assessment, "name": "Ada Candidate", "email": "ada@example.com"}
    body |= {name: value for name, value in fields.items() if name not in headers}
    return client.post("/api/v1/invitations", body, format="json", **headers)


__all__ = ["ALL_SCOPES", "client_with", "invite", "key_for", "timedelta"]
