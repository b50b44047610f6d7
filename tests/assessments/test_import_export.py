"""Assessments as YAML files: round trips, commands, and bad files that change nothing."""

# ruff: noqa: F811 -- pytest fixtures imported from authoring_support

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessments.authoring.files import DocumentFileError, dump_document, read_document
from assessments.authoring.models import AssessmentDraft
from assessments.authoring.services import (
    export_text,
    import_draft,
    new_draft_from_version,
    publish_draft,
)
from assessments.models import AssessmentVersion
from tests.assessments.authoring_support import ALL_ITEM_TYPES, DEMO_DIR, recruiter  # noqa: F401

FILES = sorted(DEMO_DIR.glob("*.yaml"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_every_demo_file_round_trips_through_a_draft(path: Path):
    text = path.read_text(encoding="utf-8")
    original = yaml.safe_load(text)
    exported = export_text(import_draft(text))
    assert yaml.safe_load(exported) == original
    again = export_text(import_draft(exported))
    assert again.encode("utf-8") == exported.encode("utf-8")


@pytest.mark.django_db
def test_all_item_types_round_trips_through_publish_and_new_draft(recruiter):
    text = ALL_ITEM_TYPES.read_text(encoding="utf-8")
    version = publish_draft(import_draft(text), user=recruiter)
    assert version.content == yaml.safe_load(text)
    exported = export_text(version)
    assert export_text(new_draft_from_version(version)) == exported
    assert exported == dump_document(yaml.safe_load(text))


def test_item_types_fixture_exercises_every_item_type_and_data_kind():
    document = yaml.safe_load(ALL_ITEM_TYPES.read_text(encoding="utf-8"))
    kinds = {(s["item"]["type"], s["item"].get("mode")) for s in document["steps"]}
    assert kinds == {
        ("single_choice", None),
        ("multiple_choice", None),
        ("sjt", "rate"),
        ("sjt", "best_worst"),
        ("ranking", None),
        ("numeric", None),
        ("short_text", None),
        ("long_text", None),
    }
    assert {s["data"]["kind"] for s in document["steps"] if "data" in s} == {
        "table",
        "email",
        "log",
    }


@pytest.mark.django_db
def test_export_then_import_commands_give_identical_bytes(tmp_path, recruiter):
    publish_draft(import_draft(ALL_ITEM_TYPES.read_text(encoding="utf-8")), user=recruiter)
    first = tmp_path / "first.yaml"
    call_command("export_assessment", "all-item-types", "-o", str(first))
    out = io.StringIO()
    call_command("import_assessment", str(first), stdout=out)
    assert "Created draft" in out.getvalue()
    second = tmp_path / "second.yaml"
    call_command("export_assessment", "all-item-types", "--draft", "-o", str(second))
    assert second.read_bytes() == first.read_bytes()
    stdout = io.StringIO()
    call_command("export_assessment", "all-item-types", "--number", "1", stdout=stdout)
    assert stdout.getvalue().encode("utf-8") == first.read_bytes()


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("find", "replace", "needle", "expected"),
    [
        (
            "          next: rate-replies\n        - id: ask-for-proof",
            "          next: escalate-2\n        - id: ask-for-proof",
            "next: escalate-2",
            "steps[1].item.options[0].next: step 'choose-path' option 'confirm-and-own' "
            "points to no step 'escalate-2'",
        ),
        (
            "        skill: numeracy\n        weight: 0.5",
            "        skill: arithmetic\n        weight: 0.5",
            "skill: arithmetic",
            "steps[7].criteria[0].skill: step 'recheck' criterion 'total' scores unknown skill "
            "'arithmetic'",
        ),
        (
            "      max_length: 300",
            "      max_length: lots",
            "max_length: lots",
            "steps[0].item.max_length: 'lots' is not of type 'integer' (step 'briefing')",
        ),
        (
            "time_limit_minutes: 20",
            "time_limit_minutes: 0",
            "time_limit_minutes: 0",
            "time_limit_minutes: 0 is less than or equal to the minimum of 0",
        ),
    ],
    ids=["dangling-option-next", "unknown-skill", "wrong-type", "top-level"],
)
def test_bad_file_changes_nothing_and_names_path_and_line(find, replace, needle, expected):
    text = ALL_ITEM_TYPES.read_text(encoding="utf-8").replace(find, replace)
    with pytest.raises(DocumentFileError) as caught:
        import_draft(text)
    assert f"{expected} (line {line_of(text, needle)})" in caught.value.errors
    assert not AssessmentDraft.objects.exists()
    assert not AssessmentVersion.objects.exists()


def test_missing_key_names_the_line_of_its_parent():
    text = ALL_ITEM_TYPES.read_text(encoding="utf-8").replace("    title: First move\n", "")
    with pytest.raises(DocumentFileError) as caught:
        read_document(text)
    line = line_of(text, "  - id: choose-path")
    assert caught.value.errors == [
        f"steps[1]: 'title' is a required property (step 'choose-path') (line {line})"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: [unclosed\n", "not readable as YAML"),
        ("- just\n- a list\n", "expected an assessment document (a mapping)"),
        ("slug: a\nslug: b\n", "found the key 'slug' twice (line 2)"),
    ],
    ids=["syntax", "not-a-mapping", "duplicate-key"],
)
def test_unreadable_files_are_refused(text, expected):
    with pytest.raises(DocumentFileError) as caught:
        read_document(text)
    assert expected in caught.value.errors[0]


@pytest.mark.django_db
def test_import_command_reports_errors_and_creates_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = ALL_ITEM_TYPES.read_text(encoding="utf-8").replace("start: briefing", "start: intro")
    bad.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_assessment", str(bad), stderr=err)
    line = line_of(text, "start: intro")
    assert f"start: the start points to no step 'intro' (line {line})" in err.getvalue()
    assert not AssessmentDraft.objects.exists()
