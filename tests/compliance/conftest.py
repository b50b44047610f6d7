"""Compliance fixtures: staff users and scored attempts (audit keys: tests/conftest.py)."""

import pytest

from tests.compliance.helpers import ScoredAttempts


@pytest.fixture
def scored(db) -> ScoredAttempts:
    """Attempts taken through the services and scored by the real engine."""
    return ScoredAttempts()
