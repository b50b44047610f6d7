"""Signed tree heads outside the database: signing, publishing, and tampering with the file."""

import base64
import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization

from audit import tasks
from audit.anchors import (
    TREE_HEAD_FORMAT,
    load_signing_key,
    read_anchors,
    signing_key_path,
)
from audit.merkle import MerkleTree
from audit.models import AuditEvent, TreeHead
from audit.selectors import latest_tree_head
from audit.services import publish_tree_heads, sequence_pending_events
from audit.verify import verify_audit_chain
from tests.audit.helpers import record

pytestmark = pytest.mark.django_db


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_nothing_is_signed_while_the_log_is_empty(anchor_files):
    assert sequence_pending_events() == 0
    assert not anchor_files.exists()
    assert latest_tree_head() is None


def test_a_tree_head_is_signed_over_canonical_json_and_appended_as_one_line(anchor_files):
    record(3)
    sequence_pending_events()
    (line,) = _lines(anchor_files)
    assert line["format"] == TREE_HEAD_FORMAT and line["key_id"].startswith("ed25519:")
    leaves = AuditEvent.objects.order_by("seq").values_list("leaf_hash", flat=True)
    root = MerkleTree([bytes.fromhex(leaf) for leaf in leaves]).root().hex()
    assert (line["tree_size"], line["root_hash"]) == (3, root)
    # The signed bytes are exactly {"root_hash","timestamp","tree_size"}: sorted, no spaces.
    message = f'{{"root_hash":"{root}","timestamp":{line["timestamp"]},"tree_size":3}}'.encode()
    public_key = load_signing_key().public_key()
    public_key.verify(base64.b64decode(line["signature"]), message)  # raises when it fails


def test_the_signing_key_is_private_and_its_public_half_is_published():
    record(1)
    sequence_pending_events()
    path = signing_key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = serialization.load_pem_public_key(path.with_suffix(".pem.pub").read_bytes())
    assert public == load_signing_key().public_key()


def test_the_anchor_file_is_only_ever_appended_to(anchor_files):
    record(1)
    sequence_pending_events()
    before = anchor_files.read_bytes()
    record(1, start=2)
    sequence_pending_events()
    assert anchor_files.read_bytes().startswith(before)
    assert [line["tree_size"] for line in _lines(anchor_files)] == [1, 2]


def test_a_head_stored_but_not_published_is_published_by_the_next_run(anchor_files, monkeypatch):
    record(2)
    monkeypatch.setattr("audit.services.publish_tree_heads", lambda: 0)
    sequence_pending_events()  # killed, as it were, between the commit and the file
    monkeypatch.undo()
    assert not anchor_files.exists() and TreeHead.objects.count() == 1
    assert verify_audit_chain().ok  # sequenced events beyond the last published head are fine
    assert publish_tree_heads() == 1
    assert publish_tree_heads() == 0  # never twice
    assert [line["tree_size"] for line in _lines(anchor_files)] == [2]


def test_an_edited_tree_head_line_does_not_verify(anchor_files):
    record(2)
    sequence_pending_events()
    data = json.loads(anchor_files.read_text())
    data["tree_size"] = 1
    anchor_files.write_text(json.dumps(data) + "\n")
    verification = verify_audit_chain()
    assert not verification.ok
    assert verification.problem == "anchor line 1: the signature does not verify."


def test_reordered_tree_head_lines_are_detected(anchor_files):
    for i in range(1, 4):
        record(1, start=i)
        sequence_pending_events()
    lines = anchor_files.read_text().splitlines()
    anchor_files.write_text("\n".join([lines[0], lines[2], lines[1]]) + "\n")
    verification = verify_audit_chain()
    assert not verification.ok
    assert "anchor line 3: the tree goes back from 3 to 2 events" in verification.problem


def test_a_tree_head_signed_with_another_key_is_not_trusted():
    record(1)
    sequence_pending_events()
    signing_key_path().unlink()
    load_signing_key(create=True)  # a new key: the old heads are no longer trusted
    verification = verify_audit_chain()
    assert not verification.ok
    assert "not the trusted key" in verification.problem


def test_a_missing_key_is_reported_when_heads_exist():
    record(1)
    sequence_pending_events()
    signing_key_path().unlink()
    verification = verify_audit_chain()
    assert not verification.ok
    assert "there is no audit signing key" in verification.problem.lower()


def test_beat_task_sequences_and_is_a_no_op_when_nothing_is_pending():
    record(2)
    assert tasks.sequence_audit_log() == 2
    assert tasks.sequence_audit_log() == 0
    assert latest_tree_head().tree_size == 2
    assert read_anchors().last.tree_size == 2
