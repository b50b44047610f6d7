"""Assessment documents: the frozen JSON a version holds, validated before it is published."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from assessments.exceptions import InvalidDocument

SCHEMA_PATH = Path(__file__).parent / "schema" / "assessment.schema.json"


@cache
def schema_validator() -> Draft202012Validator:
    """The JSON Schema validator for assessment documents (loaded once)."""
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def json_path(parts) -> str:
    """``steps[3].options[1].next`` from a jsonschema error path."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def schema_errors(document: dict) -> list[str]:
    """Every schema violation, each prefixed with the path it concerns."""
    errors = sorted(schema_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    return [f"{json_path(error.path)}: {error.message}" for error in errors]


def validate_document(document: dict) -> None:
    """Raise InvalidDocument listing every problem; return quietly when the document is sound."""
    errors = schema_errors(document)
    if errors:
        raise InvalidDocument(errors)
