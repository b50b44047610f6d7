"""Results fixtures: staff in each role, an owned assessment with candidates scored for real."""

import pytest
from django.contrib.auth.models import User

from audit.roles import Role
from tests.compliance.helpers import ScoredAttempts
from tests.support.factories import staff_in_roles


@pytest.fixture
def other_recruiter(db) -> User:
    return staff_in_roles("other-recruiter", Role.RECRUITER)


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
