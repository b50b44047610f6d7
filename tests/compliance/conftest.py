"""Compliance fixtures: staff users and scored attempts (audit keys: tests/conftest.py)."""

import pytest
from django.contrib.auth.models import Group, User

from audit.roles import Role
from tests.compliance.helpers import ScoredAttempts


def _staff(username: str, role: Role | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def recruiter(db) -> User:
    return _staff("recruiter", Role.RECRUITER)


@pytest.fixture
def reviewer(db) -> User:
    return _staff("reviewer", Role.REVIEWER)


@pytest.fixture
def compliance_user(db) -> User:
    return _staff("auditor", Role.COMPLIANCE)


@pytest.fixture
def scored(db) -> ScoredAttempts:
    """Attempts taken through the services and scored by the real engine."""
    return ScoredAttempts()
