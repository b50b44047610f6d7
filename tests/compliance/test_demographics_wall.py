"""Demographic answers are walled off: no import from assessments or scoring, no admin page,
no relation an Attempt could follow, and nothing outside compliance imports the module."""

import ast
from pathlib import Path

import pytest
from django.contrib import admin

from assessments.models import Attempt
from compliance.models import Demographics

ROOT = Path(__file__).resolve().parents[2]
WALLED_MODULE = "compliance.demographics"
WALLED_MODEL = "Demographics"


def forbidden_imports(source: str, *, strict: bool) -> list[str]:
    """What in ``source`` reaches the demographics. ``strict`` (assessments, scoring) also
    forbids the model and the whole compliance.models module, and the model's name as a string
    (``apps.get_model("compliance", "Demographics")``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == WALLED_MODULE or (strict and alias.name == "compliance.models"):
                    found.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = {alias.name for alias in node.names}
            if module == WALLED_MODULE or (module == "compliance" and "demographics" in names):
                found.append(f"from {module} import {', '.join(sorted(names))}")
            if strict and module == "compliance.models" and names & {WALLED_MODEL, "*"}:
                found.append(f"from compliance.models import {', '.join(sorted(names))}")
            if strict and module == "compliance" and "models" in names:
                found.append("from compliance import models")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.lower()
            # importlib.import_module("compliance.demographics"), a raw SQL table name, or
            # apps.get_model("compliance", "Demographics").
            by_name = "compliance_demographics" in text or node.value == WALLED_MODEL
            if WALLED_MODULE in text or (strict and by_name):
                found.append(f"string {node.value!r}")
    return found


def _modules(*folders: str) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


@pytest.mark.parametrize(
    "source",
    [
        "import compliance.demographics",
        "from compliance import demographics",
        "from compliance.demographics import bias_audit_records",
        "from compliance.models import Demographics",
        "from compliance.models import *",
        "import compliance.models",
        "from compliance import models",
        "apps.get_model('compliance', 'Demographics')",
        "cursor.execute('SELECT sex FROM compliance_demographics')",
        "importlib.import_module('compliance.demographics')",
    ],
)
def test_the_checker_catches_each_way_in(source):
    assert forbidden_imports(source, strict=True)


def test_the_checker_lets_the_audit_chain_through():
    source = "from audit.services import Action, record_event\nfrom audit import services"
    assert forbidden_imports(source, strict=True) == []


def test_assessments_and_scoring_never_reach_the_demographics():
    modules = _modules("assessments", "scoring")
    assert len(modules) > 20  # the walk really covers the apps
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in modules
        if (found := forbidden_imports(path.read_text(encoding="utf-8"), strict=True))
    }
    assert offenders == {}


def test_nothing_outside_compliance_imports_the_demographics_module():
    folders = [
        name
        for name in ("assessments", "scoring", "credentials", "hiring", "bench", "tests")
        if (ROOT / name).is_dir()
    ]
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in _modules(*folders)
        if "compliance" not in path.relative_to(ROOT).parts
        and (found := forbidden_imports(path.read_text(encoding="utf-8"), strict=False))
    }
    assert offenders == {}


def test_demographics_have_no_admin_page():
    assert Demographics not in admin.site._registry


def test_an_attempt_has_no_relation_to_the_demographics():
    related = {field.related_model for field in Attempt._meta.get_fields() if field.is_relation}
    assert Demographics not in related
    assert not [field for field in Demographics._meta.get_fields() if field.is_relation]
