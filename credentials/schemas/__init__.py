"""The official Open Badges 3.0 JSON Schemas (1EdTech), bundled: nothing is fetched to validate.

achievementcredential.json — an OB 3.0 AchievementCredential / OpenBadgeCredential;
profile.json — an OB 3.0 Profile (the issuer's published profile).
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

SCHEMA_DIR = Path(__file__).resolve().parent
ACHIEVEMENT_CREDENTIAL = "achievementcredential.json"
PROFILE = "profile.json"


@cache
def validator(name: str) -> Draft201909Validator:
    """A validator for one bundled schema (loaded once per process)."""
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def _path(parts) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def schema_errors(document: Any, name: str = ACHIEVEMENT_CREDENTIAL, limit: int = 10) -> list[str]:
    """Up to `limit` violations of the schema `name`, each as `<path>: <message>`."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(map(str, e.path)))
    return [f"{_path(error.absolute_path)}: {error.message[:300]}" for error in errors[:limit]]
