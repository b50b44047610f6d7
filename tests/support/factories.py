"""Test data created through the services, the same way the product creates it."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group, User
from factory.django import DjangoModelFactory

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


class StaffFactory(DjangoModelFactory):
    """A staff user (password "pw"); ``roles`` puts them in those role groups, created if a
    transactional test flushed the ones the migration made."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("pw")
    is_staff = True

    @factory.post_generation
    def roles(self, create, roles, **kwargs):
        for role in roles or ():
            self.groups.add(Group.objects.get_or_create(name=role.value)[0])


def staff_in_roles(username: str, *roles, **fields):
    """A staff user named ``username`` in these role groups (``fields`` override the rest)."""
    return StaffFactory(username=username, roles=roles, **fields)
