"""Learner records are keyed by an HMAC of the address (LER_EMAIL_HASH_KEY), not a plain hash.

Each record is re-keyed from the addresses of the invitations that still hold one: the old key
was a plain sha256 of the address, so the address that hashes to it is the record's. A record
no live invitation leads to was left behind by the erasure of the last invitation to its
address (erasure used to keep it); it is deleted now, as erasure does from now on. Its
credentials stay, signed, without a record. Going back re-keys the records that remain.
"""

import hashlib

from django.db import migrations

from assessments.selectors import ERASED_EMAIL_DOMAIN
from credentials.services import learner_email_hash


def _plain_hash(email: str) -> str:
    """The key records had before this migration."""
    return hashlib.sha256(f"skillproof-ler\x1f{email.strip().lower()}".encode()).hexdigest()


def _rekey(apps, old_key, new_key, *, delete_unmatched: bool) -> None:
    LearnerRecord = apps.get_model("credentials", "LearnerRecord")
    Invitation = apps.get_model("assessments", "Invitation")
    record_by_key = dict(LearnerRecord.objects.values_list("email_hash", "pk"))
    new_keys = {}
    addresses = (
        Invitation.objects.exclude(candidate_email__endswith=ERASED_EMAIL_DOMAIN)
        .values_list("candidate_email", flat=True)
        .distinct()
    )
    for email in addresses.iterator():
        pk = record_by_key.get(old_key(email))
        if pk is not None:
            new_keys[pk] = new_key(email)
    if delete_unmatched:
        LearnerRecord.objects.exclude(pk__in=list(new_keys)).delete()
    for pk, key in new_keys.items():
        LearnerRecord.objects.filter(pk=pk).update(email_hash=key)


def forwards(apps, schema_editor):
    _rekey(apps, _plain_hash, learner_email_hash, delete_unmatched=True)


def backwards(apps, schema_editor):
    _rekey(apps, learner_email_hash, _plain_hash, delete_unmatched=False)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_authoring_drafts"),
        ("credentials", "0002_share_token_hash_erasable_record"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
