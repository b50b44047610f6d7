"""Assessment uploads: YAML anchors and aliases are refused before anything expands, and no
validation message grows with what was uploaded."""

import time

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessments.authoring.files import dump_document
from assessments.documents import document_problems
from assessments.models import Assessment
from tests.support.documents import small_document


def _alias_bomb() -> str:
    """Six levels of aliases, each repeating the one below nine times: 9**6 copies of 'lol'."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for below, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{below}"] * 9) + "]")
    return "\n".join([*lines, "steps: *g", ""])


def _import(tmp_path, text: str) -> tuple[float, list[str]]:
    """Seconds the import_assessment command took and the problems it wrote."""
    path = tmp_path / "upload.yaml"
    path.write_text(text, encoding="utf-8")
    errors = []
    started = time.perf_counter()
    with pytest.raises(CommandError):
        call_command("import_assessment", str(path), stderr=_Lines(errors))
    return time.perf_counter() - started, errors


class _Lines:
    """A stderr that keeps each line written to it."""

    def __init__(self, lines: list[str]):
        self.lines = lines

    def write(self, text: str) -> None:
        self.lines.append(text)

    def flush(self) -> None:
        pass


@pytest.mark.django_db
def test_a_yaml_alias_bomb_is_refused_at_once_with_a_short_message(tmp_path):
    bomb = _alias_bomb()
    assert len(bomb.encode()) < 304
    seconds, errors = _import(tmp_path, bomb)
    assert seconds < 0.5
    (error,) = errors
    assert "anchors and aliases (&name, *name) are not allowed (line 1)" in error
    assert len(error) < 300
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_a_single_anchor_is_refused_too(tmp_path):
    document = small_document()
    text = dump_document(document).replace("title: Small support scenario", "title: &t Small")
    _, errors = _import(tmp_path, text)
    assert any("anchors and aliases" in error for error in errors)


def test_the_writer_never_emits_an_anchor_for_a_repeated_part():
    document = small_document()
    document["steps"][0]["criteria"][0]["levels"] = document["steps"][1]["criteria"][0]["levels"]
    text = dump_document(document)
    assert "&" not in text and "*id" not in text
    assert yaml.safe_load(text) == document


@pytest.mark.django_db
def test_every_validation_message_is_cut_to_a_sane_length(tmp_path):
    document = small_document(title=["x" * 100_000])  # the schema message quotes the value
    long_key = {f"k{'y' * 50_000}": 1}
    document["steps"][0].update(long_key)  # the path names the key
    problems = document_problems(document)
    assert len(problems) == 2
    for problem in problems:
        assert len(problem.message) <= 300 and len(str(problem)) <= 300
    assert any(str(problem).endswith("…") for problem in problems)
    _, errors = _import(tmp_path, dump_document(small_document(title=["x" * 100_000])))
    (error,) = errors
    message = error.strip().removeprefix(f"{tmp_path / 'upload.yaml'}: ")
    assert len(message) <= 300 and message.endswith("… (line 4)")
