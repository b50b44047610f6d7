"""Helpers for the authoring tests: staff users by role and drafts built from documents."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from assessments.authoring.files import dump_document
from assessments.authoring.services import import_draft
from audit.roles import Role

DEMO_DIR = Path(__file__).resolve().parents[2] / "assessments" / "demo"
ALL_ITEM_TYPES = DEMO_DIR / "all-item-types.yaml"


def staff(username: str, role: Role | None, *, is_staff: bool = True):
    """A user in one role group (or none)."""
    user = get_user_model().objects.create_user(username=username, password="pw", is_staff=is_staff)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


def draft_from(document: dict, user=None):
    """A draft holding ``document`` (imported the way a recruiter's file is)."""
    return import_draft(dump_document(document), user=user)


@pytest.fixture
def recruiter(db):
    return staff("rita", Role.RECRUITER)


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client
