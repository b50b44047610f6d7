"""Test data created through the services, the same way the product creates it."""

from datetime import timedelta

from django.contrib.auth.models import Group, User

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


def staff_in_roles(username: str, *roles):
    """A staff user in these role groups (created if a transactional test flushed them)."""
    user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user
