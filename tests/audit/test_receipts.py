"""Receipts, checked the way an outsider would: with the public key and RFC 9162, not our code.

The verifier below is written here from the RFC's definitions (§2.1.1 hashes, §2.1.3.1 the
audit path), independently of audit.merkle, and uses no database.
"""

import base64
import hashlib
import io
import json

import base58
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from audit.selectors import audit_receipt
from audit.services import Action, sequence_pending_events
from tests.audit.helpers import audit_trigger_disabled, recompute_log, record

pytestmark = pytest.mark.django_db


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """The root that PATH(index, D[size]) leads to from ``leaf``, per its definition: the
    last node of the path is the sibling of the subtree at the top split."""
    if size == 1:
        return None if path else leaf
    if not path:
        return None
    split = 1 << ((size - 1).bit_length() - 1)
    *rest, sibling = path
    if index < split:
        left = _root_from_path(leaf, index, split, rest)
        return None if left is None else _sha256(b"\x01" + left + sibling)
    right = _root_from_path(leaf, index - split, size - split, rest)
    return None if right is None else _sha256(b"\x01" + sibling + right)


def receipt_holds(receipt: dict) -> bool:
    """Every entry is in the tree whose root the operator's key signed."""
    head = receipt["signed_tree_head"]
    multikey = base58.b58decode(head["public_key_multibase"][1:])
    assert multikey[:2] == b"\xed\x01"  # an Ed25519 public key
    signed = json.dumps(
        {
            "root_hash": head["root_hash"],
            "timestamp": head["timestamp"],
            "tree_size": head["tree_size"],
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    try:
        Ed25519PublicKey.from_public_bytes(multikey[2:]).verify(
            base64.b64decode(head["signature"]), signed
        )
    except InvalidSignature:
        return False
    if (receipt["tree_size"], receipt["root_hash"]) != (head["tree_size"], head["root_hash"]):
        return False
    root = bytes.fromhex(head["root_hash"])
    for entry in receipt["entries"]:
        leaf = _sha256(b"\x00" + base64.b64decode(entry["event_bytes"]))
        if leaf.hex() != entry["leaf_hash"]:
            return False
        path = [bytes.fromhex(node) for node in entry["inclusion_proof"]]
        if _root_from_path(leaf, entry["leaf_index"], head["tree_size"], path) != root:
            return False
    return True


def _receipt(subject: str) -> dict:
    out = io.StringIO()
    call_command("audit_receipt", subject, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def log():
    """Seven events, two of them about thing:3, one of them still pending."""
    record(5)
    record(1, start=3)
    sequence_pending_events()
    record(1, start=3)  # pending: the command sequences it before answering


def test_a_receipt_holds_every_event_of_its_subject_and_verifies_without_the_database(log):
    receipt = _receipt("thing:3")
    assert receipt["tree_size"] == 7
    assert [entry["leaf_index"] for entry in receipt["entries"]] == [2, 5, 6]
    for entry in receipt["entries"]:
        event = json.loads(base64.b64decode(entry["event_bytes"]))
        assert event["subject"] == "thing:3" and event["seq"] == entry["leaf_index"] + 1
    assert receipt_holds(receipt)


def test_receipts_of_every_subject_and_size_verify():
    for i in range(1, 12):
        record(1, start=i)
        sequence_pending_events()
        assert all(receipt_holds(_receipt(f"thing:{j}")) for j in range(1, i + 1))


def test_a_receipt_with_an_edited_event_does_not_verify(log):
    receipt = _receipt("thing:3")
    entry = receipt["entries"][0]
    event = json.loads(base64.b64decode(entry["event_bytes"]))
    event["actor"] = "user:666"
    entry["event_bytes"] = base64.b64encode(json.dumps(event).encode()).decode()
    assert not receipt_holds(receipt)
    # Recomputing the leaf hash to match does not help: the path no longer leads to the root.
    entry["leaf_hash"] = _sha256(b"\x00" + base64.b64decode(entry["event_bytes"])).hex()
    assert not receipt_holds(receipt)


def test_the_receipt_of_an_event_edited_in_the_database_does_not_verify(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=3).update(actor="user:666")
    recompute_log()  # chain, leaves and stored tree roots recomputed; the signature cannot be
    assert not receipt_holds(audit_receipt("thing:3"))
    # Nor will the sequencer sign a new tree head over the changed log.
    with pytest.raises(CommandError, match="no longer have the root signed"):
        _receipt("thing:3")


def test_a_receipt_with_a_forged_signature_does_not_verify(log):
    receipt = _receipt("thing:3")
    receipt["signed_tree_head"]["timestamp"] += 1
    assert not receipt_holds(receipt)


def test_no_receipt_for_a_subject_the_log_never_saw(log):
    with pytest.raises(CommandError, match="no event about 'thing:99'"):
        _receipt("thing:99")


@pytest.fixture
def auditor(client, compliance_user):
    client.force_login(compliance_user)
    return client


def test_compliance_downloads_an_attempts_receipt_and_the_download_is_recorded(auditor, scored):
    attempt = scored.take()
    slug = scored.version.assessment.slug
    url = reverse("compliance:audit-receipt", kwargs={"slug": slug, "public_id": attempt.public_id})
    response = auditor.post(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-receipt-')
    receipt = response.json()
    actions = [
        json.loads(base64.b64decode(entry["event_bytes"]))["action"] for entry in receipt["entries"]
    ]
    assert actions == [
        Action.CONSENT_GIVEN,
        Action.ATTEMPT_STARTED,
        Action.ATTEMPT_SUBMITTED,
        Action.SCORE_RUN_STORED,
    ]
    assert receipt_holds(receipt)
    download = AuditEvent.objects.order_by("-id").first()
    assert (download.action, download.subject) == (
        Action.REPORT_EXPORTED,
        f"attempt:{attempt.public_id}",
    )


def test_a_receipt_is_for_compliance_staff_and_for_the_assessments_own_attempts(
    client, recruiter, compliance_user, scored
):
    attempt = scored.take()
    slug = scored.version.assessment.slug
    kwargs = {"slug": slug, "public_id": attempt.public_id}
    url = reverse("compliance:audit-receipt", kwargs=kwargs)
    assert client.post(url).status_code == 302  # to sign in
    client.force_login(recruiter)
    assert client.post(url).status_code == 403
    client.force_login(compliance_user)
    assert client.get(url).status_code == 405
    other = reverse(
        "compliance:audit-receipt",
        kwargs={"slug": slug, "public_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert client.post(other).status_code == 404


def test_the_candidates_data_download_includes_their_receipts(client, scored):
    attempt = scored.take()
    data = client.get(reverse("compliance:my-data", kwargs={"token": attempt.token})).json()
    (attempt_data,) = data["attempts"]
    receipt = attempt_data["audit_receipt"]
    assert len(receipt["entries"]) == 4
    assert receipt_holds(receipt)
