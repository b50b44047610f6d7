"""Test data created through the services, the same way the product creates it."""

from datetime import timedelta

from assessments import services
from tests.support.documents import small_document


def published_version(document: dict | None = None):
    """Publish ``document`` (default: the small test document) and return the version."""
    return services.publish_document(document or small_document())


def invitation_for(
    version, *, name: str = "Ada Candidate", email: str = "ada@example.com", **kwargs
):
    """An invitation and its token."""
    kwargs.setdefault("ttl", timedelta(days=7))
    return services.create_invitation(version, name=name, email=email, **kwargs)
