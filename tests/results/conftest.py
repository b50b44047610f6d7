"""Results fixtures: staff in each role, an owned assessment with candidates scored for real."""

import pytest
from django.contrib.auth.models import Group, User

from audit.roles import Role
from tests.compliance.helpers import ScoredAttempts


def _staff(username: str, *roles: Role) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    for role in roles:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def recruiter(db) -> User:
    return _staff("recruiter", Role.RECRUITER)


@pytest.fixture
def other_recruiter(db) -> User:
    return _staff("other-recruiter", Role.RECRUITER)


@pytest.fixture
def reviewer(db) -> User:
    return _staff("reviewer", Role.REVIEWER)


@pytest.fixture
def compliance_user(db) -> User:
    return _staff("auditor", Role.COMPLIANCE)


@pytest.fixture
def scored(db, recruiter) -> ScoredAttempts:
    """The small test assessment, owned by ``recruiter``; take() makes scored candidates."""
    attempts = ScoredAttempts()
    assessment = attempts.version.assessment
    assessment.owner = recruiter
    assessment.save(update_fields=["owner"])
    return attempts


@pytest.fixture
def cohort(scored):
    """Four candidates with known answers: judgement 100, 100, 50 and 0."""
    return {
        "ada": scored.take(name="Ada Lovelace", email="ada@example.com", option="check"),
        "grace": scored.take(
            name="Grace Hopper", email="grace@example.com", option="check", text="whatever"
        ),
        "alan": scored.take(name="Alan Turing", email="alan@example.com", option="refund"),
        "edsger": scored.take(
            name="Edsger Dijkstra", email="=cmd|' /C calc'!A0", option="ignore", text="whatever"
        ),
    }
