"""Learner records are keyed by a keyed HMAC of the address, re-keyed by migration, and the
record (hash and all) goes with the last invitation to its address."""

import hashlib
import importlib

import pytest
from django.apps import apps

from assessments import services as assessment_services
from compliance.services import erase_candidate
from credentials import services
from credentials.models import Credential, LearnerRecord
from credentials.verification import verify_credential
from tests.credentials.conftest import (
    issue_for,
    issuer_settings,  # noqa: F401 (autouse: the issuer and keys of the credentials tests)
    keyed_document,
    take_attempt,
)
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db

MIGRATION = "credentials.migrations.0003_learner_email_hmac"


@pytest.fixture(autouse=True)
def audit_keys(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors" / "audit-anchors.jsonl"
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit-signing-key.pem"


def _unkeyed(email: str) -> str:
    """What anyone can compute from a guessed address: the key records had before."""
    return hashlib.sha256(f"skillproof-ler\x1f{email}".encode()).hexdigest()


def test_the_record_key_cannot_be_computed_from_the_address_alone(settings):
    record = services.record_for_email(" Ada@Example.com ")
    assert record.email_hash not in (
        _unkeyed("ada@example.com"),
        hashlib.sha256(b"ada@example.com").hexdigest(),
    )
    assert services.request_ler_link("ada@example.com")  # found by the address typed in
    settings.LER_EMAIL_HASH_KEY = "another deployment's key"
    assert services.learner_email_hash("ada@example.com") != record.email_hash
    assert not services.request_ler_link("ada@example.com")


def test_the_migration_rekeys_records_from_invitations_and_drops_erased_ones():
    version = published_version(keyed_document())
    kept = LearnerRecord.objects.create(email_hash=_unkeyed("ada@example.com"))
    invitation_for(version, email="ADA@example.com")
    left_behind = LearnerRecord.objects.create(email_hash=_unkeyed("gone@example.com"))
    erased, _ = invitation_for(version, email="gone@example.com")
    assessment_services.erase_invitation_personal_data(erased)

    importlib.import_module(MIGRATION).forwards(apps, None)

    kept.refresh_from_db()
    assert kept.email_hash == services.learner_email_hash("ada@example.com")
    assert not LearnerRecord.objects.filter(pk=left_behind.pk).exists()


def test_erasing_the_last_invitation_deletes_the_record_and_its_hash():
    version = published_version(keyed_document())
    attempt, run = take_attempt(version, email="ada@example.com")
    credential = issue_for(run)
    key = credential.record.email_hash
    erase_candidate(attempt.invitation)
    assert not LearnerRecord.objects.filter(email_hash=key).exists()
    assert not LearnerRecord.objects.exists()
    credential = Credential.objects.get(pk=credential.pk)
    assert credential.record is None
    assert verify_credential(credential.document).verified  # employers' copies still verify
