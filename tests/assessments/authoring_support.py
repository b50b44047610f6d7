"""Helpers for the authoring tests: staff users by role and drafts built from documents."""

from pathlib import Path

import pytest

from assessments.authoring.files import dump_document
from assessments.authoring.services import import_draft
from audit.roles import Role
from tests.support.factories import staff_in_roles

DEMO_DIR = Path(__file__).resolve().parents[2] / "assessments" / "demo"
ALL_ITEM_TYPES = DEMO_DIR / "all-item-types.yaml"


def draft_from(document: dict, user=None):
    """A draft holding ``document`` (imported the way a recruiter's file is)."""
    return import_draft(dump_document(document), user=user)


@pytest.fixture
def recruiter(db):
    return staff_in_roles("rita", Role.RECRUITER)


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client
