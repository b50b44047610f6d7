"""Signed anchors outside the database: signing, appending, and tampering with the file."""

import json
import stat

import pytest
from django.core.management import call_command

from audit import tasks
from audit.anchors import (
    ANCHOR_FORMAT,
    append_anchor,
    load_signing_key,
    read_anchors,
    signing_key_path,
    verify_audit_chain,
)
from audit.services import chain_head, record_event

pytestmark = pytest.mark.django_db


def _event(i: int = 0):
    return record_event("test.event", actor="system", subject=f"thing:{i}", payload={"i": i})


def test_nothing_is_anchored_while_the_chain_is_empty(anchor_files):
    assert append_anchor() is None
    assert not anchor_files.exists()


def test_an_anchor_signs_the_head_and_is_appended_as_one_json_line(anchor_files):
    _event(1)
    head = _event(2)
    anchor = append_anchor()
    assert (anchor.seq, anchor.event_hash) == (2, head.event_hash)
    lines = anchor_files.read_text().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["format"] == ANCHOR_FORMAT
    assert data["seq"] == 2 and data["event_hash"] == head.event_hash
    assert data["key_id"].startswith("ed25519:")
    assert read_anchors().anchors[0].signature == data["signature"]
    assert read_anchors().problems == ()


def test_the_signing_key_is_private_and_its_public_half_is_published():
    _event()
    append_anchor()
    path = signing_key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.with_suffix(".pem.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")


def test_an_unchanged_head_is_not_anchored_twice(anchor_files):
    _event()
    assert append_anchor() is not None
    assert append_anchor() is None
    _event(2)
    assert append_anchor().seq == 2
    assert len(anchor_files.read_text().splitlines()) == 2


def test_anchors_are_linked_to_the_line_before():
    _event(1)
    first = append_anchor()
    _event(2)
    second = append_anchor()
    assert second.prev_anchor == first.body_hash


def test_an_edited_anchor_line_does_not_verify(anchor_files):
    _event(1)
    append_anchor()
    data = json.loads(anchor_files.read_text())
    data["event_hash"] = "f" * 64
    anchor_files.write_text(json.dumps(data) + "\n")
    verification = verify_audit_chain()
    assert not verification.ok
    assert any("signature does not verify" in problem for problem in verification.problems)


def test_a_removed_anchor_line_is_detected(anchor_files):
    for i in range(3):
        _event(i)
        append_anchor()
    lines = anchor_files.read_text().splitlines()
    anchor_files.write_text("\n".join([lines[0], lines[2]]) + "\n")
    verification = verify_audit_chain()
    assert not verification.ok
    assert any("does not follow the line before" in p for p in verification.problems)


def test_an_anchor_signed_with_another_key_is_not_trusted(anchor_files):
    _event(1)
    append_anchor()
    signing_key_path().unlink()
    load_signing_key(create=True)  # a new key: the old anchors are no longer trusted
    verification = verify_audit_chain()
    assert not verification.ok
    assert any("not the trusted key" in p for p in verification.problems)


def test_a_missing_key_is_reported_when_anchors_exist():
    _event(1)
    append_anchor()
    signing_key_path().unlink()
    verification = verify_audit_chain()
    assert not verification.ok
    assert "no audit signing key" in verification.problems[0].lower()


def test_the_anchor_file_is_only_ever_appended_to(anchor_files):
    _event(1)
    append_anchor()
    before = anchor_files.read_bytes()
    _event(2)
    append_anchor()
    assert anchor_files.read_bytes().startswith(before)


def test_command_anchors_the_head(capsys, anchor_files):
    _event(1)
    call_command("anchor_audit_chain")
    assert "Anchored sequence 1" in capsys.readouterr().out
    call_command("anchor_audit_chain")
    assert "Nothing new to anchor" in capsys.readouterr().out


def test_beat_task_anchors_the_head():
    _event(1)
    assert tasks.anchor_audit_chain() == chain_head().seq
    assert tasks.anchor_audit_chain() is None
