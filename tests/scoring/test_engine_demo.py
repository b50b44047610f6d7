"""The engine on whatever demo documents exist: every free-text exemplar scores without error."""

from pathlib import Path

import pytest
import yaml

from scoring.engine import score
from scoring.engine.training import exemplars_of

DEMO_DIR = Path(__file__).resolve().parents[2] / "assessments" / "demo"
DEMO_FILES = sorted(DEMO_DIR.glob("*.yaml")) if DEMO_DIR.is_dir() else []
TEXT_TYPES = {"short_text", "long_text"}


def test_demo_directory_has_documents_when_it_exists():
    if DEMO_DIR.is_dir():
        assert DEMO_FILES, "assessments/demo exists but holds no YAML document"


@pytest.mark.parametrize("path", DEMO_FILES, ids=[path.stem for path in DEMO_FILES])
def test_every_demo_text_exemplar_scores_within_bounds(path):
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    scored = 0
    for step in content["steps"]:
        if step["item"]["type"] not in TEXT_TYPES:
            continue
        for criterion in step.get("criteria") or []:
            for text, labelled_level in exemplars_of(criterion):
                breakdown = score(content, {step["id"]: {"text": text}}, {})
                result = breakdown.criterion(f"{step['id']}/{criterion['id']}")
                assert result.method in ("concept", "model")
                assert 0.0 <= result.points <= result.max_points
                assert 0 <= result.level.index < len(criterion["levels"])
                assert labelled_level < len(criterion["levels"])
                breakdown.canonical_json()
                scored += 1
    has_text = any(step["item"]["type"] in TEXT_TYPES for step in content["steps"])
    assert scored > 0 or not has_text
