"""The import contracts in pyproject.toml hold, and they catch a violation of each kind.

`make test` runs `lint-imports` before pytest; these tests check the contract file itself: a
copy of the project with one bad import injected must fail the contract it breaks.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONFIG = PYPROJECT["tool"]["importlinter"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "500"},  # one line per contract in the report
        capture_output=True,
        text=True,
        timeout=120,
    )


def contract_named(start: str) -> str:
    (name,) = [c["name"] for c in CONFIG["contracts"] if c["name"].startswith(start)]
    return name


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The project's packages and pyproject.toml, Python files only."""
    copy = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "pyproject.toml", copy)
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package,
            copy / package,
            ignore=lambda folder, names: [
                name
                for name in names
                if name == "__pycache__"
                or not (name.endswith(".py") or (Path(folder) / name).is_dir())
            ],
        )
    return copy


def test_the_project_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"Contracts: {len(CONFIG['contracts'])} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract", "importer"),
    [
        (
            "audit/services.py",
            "from assessments import models",
            "The ground floor",
            "audit.services",
        ),
        (
            "scoring/engine/breakdown.py",
            "import django.db",
            "The scoring engine imports no Django",
            "scoring.engine.breakdown",
        ),
        (
            "scoring/views.py",
            "from compliance import simulation",
            "Demographics never leave compliance",
            "scoring.views",
        ),
        (
            "assessments/models.py",
            "import results.models",
            "Apps in one order",
            "assessments.models",
        ),
    ],
)
def test_a_bad_import_breaks_its_contract(project_copy, module, bad_import, contract, importer):
    path = project_copy / module
    original = path.read_text(encoding="utf-8")
    path.write_text(f"{original}\n{bad_import}  # injected by the test\n", encoding="utf-8")
    try:
        result = lint_imports(project_copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout[-4000:]
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert f"{contract_named(contract)} BROKEN" in result.stdout
    assert importer in broken
