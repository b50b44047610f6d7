"""Checks on the demo assessment documents in ``assessments/demo/*.yaml``.

Plain pytest, no database: every document validates against the JSON Schema, its step graph
is sound (targets exist, every step reachable, no cycles, every path ends and covers every
skill the pass rules name), ids are unique, keys refer to real options, and the demo
scenarios have the size and exemplar coverage a real assessment needs. The graph checks are
small functions here on purpose; the application's validator is the place for the real thing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "assessments" / "schema" / "assessment.schema.json"
DEMO_DIR = ROOT / "assessments" / "demo"
DEMO_FILES = sorted(DEMO_DIR.glob("*.yaml"))

# Compact fixtures that exercise the format rather than model a real scenario.
FIXTURES = {"all-item-types"}
TEXT_TYPES = {"short_text", "long_text"}
MIN_STEPS, MAX_STEPS = 6, 12
MIN_SKILLS, MAX_SKILLS = 3, 5
MIN_EXEMPLARS = 40
MIN_EXEMPLARS_PER_LEVEL = 5


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


SCENARIO_FILES = [path for path in DEMO_FILES if path.stem not in FIXTURES]


@pytest.fixture(params=DEMO_FILES, ids=[path.stem for path in DEMO_FILES])
def doc(request) -> dict:
    return load(request.param)


@pytest.fixture(params=SCENARIO_FILES, ids=[path.stem for path in SCENARIO_FILES])
def scenario(request) -> dict:
    """A demo scenario shown to hiring managers (the round-trip fixture is not one)."""
    return load(request.param)


def is_fixture(doc: dict) -> bool:
    return doc.get("slug") in FIXTURES


# --- graph helpers ---------------------------------------------------------------------------


def steps_by_id(doc: dict) -> dict[str, dict]:
    return {step["id"]: step for step in doc["steps"]}


def successors(step: dict) -> set[str | None]:
    """Where the attempt can go after this step; ``None`` means the assessment ends.

    Precedence: a chosen option's ``next``, then the first matching rule, then the step's
    ``next``. Single choice is resolved per option; for other items any rule may match or
    none may, so every rule target and the step's ``next`` are possible.
    """
    item = step["item"]
    rules = step.get("rules") or []
    if item["type"] == "single_choice":
        result: set[str | None] = set()
        for option in item["options"]:
            if option.get("next"):
                result.add(option["next"])
                continue
            matching = [rule for rule in rules if rule["when"].get("option") == option["id"]]
            result.add(matching[0]["next"] if matching else step["next"])
        return result
    return {rule["next"] for rule in rules} | {step["next"]}


def all_targets(doc: dict) -> list[tuple[str, str]]:
    """Every (step id, target id) named by start, step next, rules and option next."""
    targets = [("<start>", doc["start"])]
    for step in doc["steps"]:
        if step["next"] is not None:
            targets.append((step["id"], step["next"]))
        targets += [(step["id"], rule["next"]) for rule in step.get("rules") or []]
        targets += [
            (step["id"], option["next"])
            for option in step["item"].get("options", [])
            if option.get("next")
        ]
    return targets


def reachable(doc: dict) -> set[str]:
    steps = steps_by_id(doc)
    seen: set[str] = set()
    todo = [doc["start"]]
    while todo:
        current = todo.pop()
        if current in seen or current not in steps:
            continue
        seen.add(current)
        todo += [target for target in successors(steps[current]) if target is not None]
    return seen


def find_cycle(doc: dict) -> list[str] | None:
    """A cycle of step ids, or None when the graph is acyclic."""
    steps = steps_by_id(doc)
    state: dict[str, str] = {}  # "open" while on the DFS stack, "done" after

    def visit(step_id: str, trail: list[str]) -> list[str] | None:
        state[step_id] = "open"
        for target in successors(steps[step_id]):
            if target is None or target not in steps:
                continue
            if state.get(target) == "open":
                return [*trail[trail.index(target) :], target] if target in trail else [target]
            if target not in state and (cycle := visit(target, [*trail, target])):
                return cycle
        state[step_id] = "done"
        return None

    for step_id in steps:
        if step_id not in state and (cycle := visit(step_id, [step_id])):
            return cycle
    return None


def all_paths(doc: dict) -> list[list[str]]:
    """Every path from start to an end of the assessment (the graph must be acyclic)."""
    steps = steps_by_id(doc)
    paths: list[list[str]] = []

    def walk(step_id: str, trail: list[str]) -> None:
        for target in sorted(successors(steps[step_id]), key=lambda t: (t is None, t or "")):
            if target is None:
                paths.append(trail)
            else:
                walk(target, [*trail, target])

    walk(doc["start"], [doc["start"]])
    return paths


def skills_scored(step: dict) -> set[str]:
    return {criterion["skill"] for criterion in step["criteria"]}


def required_skills(doc: dict) -> set[str]:
    rules = doc["pass_rules"]
    return set(rules["certifies"]) | set(rules["skill_thresholds"])


def duplicates(values) -> list:
    return [value for value, count in Counter(values).items() if count > 1]


def text_criteria(doc: dict):
    for step in doc["steps"]:
        if step["item"]["type"] in TEXT_TYPES:
            for criterion in step["criteria"]:
                yield step, criterion


# --- tests ---------------------------------------------------------------------------------


def test_demo_documents_exist():
    assert DEMO_FILES, f"no demo documents in {DEMO_DIR}"


def test_schema_is_a_valid_draft_2020_12_schema(schema):
    Draft202012Validator.check_schema(schema)


def test_validates_against_schema(doc, schema):
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda error: list(error.absolute_path))
    messages = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]
    assert not messages, "\n".join(messages[:20])


@pytest.mark.parametrize("path", DEMO_FILES, ids=[path.stem for path in DEMO_FILES])
def test_slug_matches_file_name(path):
    assert load(path)["slug"] == path.stem


def test_ids_are_unique(doc):
    assert not duplicates(skill["id"] for skill in doc["skills"]), "duplicate skill ids"
    assert not duplicates(step["id"] for step in doc["steps"]), "duplicate step ids"
    for step in doc["steps"]:
        options = step["item"].get("options", [])
        assert not duplicates(o["id"] for o in options), f"{step['id']}: duplicate option ids"
        criteria = step["criteria"]
        assert not duplicates(c["id"] for c in criteria), f"{step['id']}: duplicate criterion ids"
        for criterion in criteria:
            concepts = [concept["id"] for concept in criterion.get("concepts", [])]
            assert not duplicates(concepts), f"{step['id']}/{criterion['id']}: duplicate concepts"


def test_skill_references_exist(doc):
    skills = {skill["id"] for skill in doc["skills"]}
    assert required_skills(doc) <= skills, required_skills(doc) - skills
    for step in doc["steps"]:
        assert skills_scored(step) <= skills, f"{step['id']}: {skills_scored(step) - skills}"


def test_size(scenario):
    doc = scenario
    assert MIN_STEPS <= len(doc["steps"]) <= MAX_STEPS
    assert MIN_SKILLS <= len(doc["skills"]) <= MAX_SKILLS
    free_text = [step for step in doc["steps"] if step["item"]["type"] in TEXT_TYPES]
    assert len(free_text) >= 2, "at least two free-text steps"


def test_free_text_exemplars(doc):
    for step, criterion in text_criteria(doc):
        where = f"{step['id']}/{criterion['id']}"
        per_level = [len(level["exemplars"]) for level in criterion["levels"]]
        every = [text for level in criterion["levels"] for text in level["exemplars"]]
        assert not duplicates(every), f"{where}: exemplar listed twice"
        if is_fixture(doc):
            assert all(per_level), f"{where}: a level without exemplars"
            continue
        assert sum(per_level) >= MIN_EXEMPLARS, f"{where}: {sum(per_level)} exemplars"
        assert min(per_level) >= MIN_EXEMPLARS_PER_LEVEL, f"{where}: per level {per_level}"


def concept_matches(concept: dict, text: str) -> bool:
    """Whether any phrasing of the concept occurs (case-insensitive, on word boundaries)."""
    return any(
        re.search(rf"\b(?:{phrasing})\b", text, re.IGNORECASE) for phrasing in concept["phrasings"]
    )


def coverage(criterion: dict, text: str) -> float:
    concepts = criterion["concepts"]
    return sum(concept_matches(concept, text) for concept in concepts) / len(concepts)


def test_exemplars_are_consistent_with_their_level(doc):
    """An exemplar fits its item and reaches its level's min_coverage; every concept is used."""
    for step, criterion in text_criteria(doc):
        where = f"{step['id']}/{criterion['id']}"
        every = []
        for level in criterion["levels"]:
            for text in level["exemplars"]:
                every.append(text)
                assert len(text) <= step["item"]["max_length"], f"{where}: too long: {text[:40]}"
                reached = coverage(criterion, text)
                assert reached >= level["min_coverage"], (
                    f"{where} level {level['points']}: coverage {reached:.2f} "
                    f"< {level['min_coverage']} for {text[:60]!r}"
                )
        for concept in criterion["concepts"]:
            assert any(concept_matches(concept, text) for text in every), (
                f"{where}: no exemplar expresses concept {concept['id']!r}"
            )


def test_levels_ascend(doc):
    for step in doc["steps"]:
        for criterion in step["criteria"]:
            points = [level["points"] for level in criterion["levels"]]
            assert points == sorted(set(points)), f"{step['id']}/{criterion['id']}: {points}"
            coverage = [level.get("min_coverage", 0) for level in criterion["levels"]]
            assert coverage == sorted(coverage), f"{step['id']}/{criterion['id']}: {coverage}"


def test_phrasings_are_lower_case_regexes(doc):
    for step, criterion in text_criteria(doc):
        for concept in criterion["concepts"]:
            for phrasing in concept["phrasings"]:
                where = f"{step['id']}/{criterion['id']}/{concept['id']}: {phrasing!r}"
                assert phrasing == phrasing.lower(), where
                re.compile(rf"\b(?:{phrasing})\b", re.IGNORECASE)


def test_item_keys_refer_to_options(doc):
    for step in doc["steps"]:
        item, where = step["item"], step["id"]
        option_ids = [option["id"] for option in item.get("options", [])]
        for rule in step.get("rules") or []:
            if "option" in rule["when"]:
                assert rule["when"]["option"] in option_ids, f"{where}: rule option"
        if item["type"] == "single_choice":
            assert any(option["points"] > 0 for option in item["options"]), where
        elif item["type"] == "multiple_choice":
            assert item["min_select"] <= item["max_select"] <= len(option_ids), where
            assert any(option["points"] > 0 for option in item["options"]), where
        elif item["type"] == "ranking":
            assert sorted(item["key_order"]) == sorted(option_ids), f"{where}: key_order"
        elif item["type"] == "sjt" and item["mode"] == "best_worst":
            key = item["key"]
            assert key["best"] in option_ids and key["worst"] in option_ids, where
            assert key["best"] != key["worst"], where
        elif item["type"] == "sjt":
            scale = item["scale"]
            assert scale["min"] < scale["max"], where
            assert len(scale["labels"]) == scale["max"] - scale["min"] + 1, f"{where}: labels"
            for option in item["options"]:
                assert scale["min"] <= option["key"] <= scale["max"], f"{where}/{option['id']}"
        elif item["type"] == "numeric" and "partial_tolerance" in item:
            assert item["partial_tolerance"] >= item["tolerance"], where


def test_table_rows_match_columns(doc):
    for step in doc["steps"]:
        data = step.get("data")
        if data and data["kind"] == "table":
            widths = {len(row) for row in data["rows"]}
            assert widths <= {len(data["columns"])}, f"{step['id']}: row widths {widths}"


def test_step_targets_exist(doc):
    steps = steps_by_id(doc)
    missing = [(source, target) for source, target in all_targets(doc) if target not in steps]
    assert not missing, f"unknown step ids: {missing}"


def test_every_step_is_reachable(doc):
    unreachable = set(steps_by_id(doc)) - reachable(doc)
    assert not unreachable, f"unreachable steps: {sorted(unreachable)}"


def test_no_cycles(doc):
    assert find_cycle(doc) is None, f"cycle: {find_cycle(doc)}"


def test_every_path_ends_and_covers_required_skills(doc):
    assert find_cycle(doc) is None, "cannot enumerate paths of a cyclic graph"
    steps = steps_by_id(doc)
    paths = all_paths(doc)
    assert paths, "no path reaches an end"
    needed = required_skills(doc)
    for path in paths:
        covered = set().union(*(skills_scored(steps[step_id]) for step_id in path))
        assert needed <= covered, f"path {' -> '.join(path)} never scores {needed - covered}"


def test_branching_scenario(scenario):
    """Real scenarios branch and reconverge: more than one path, all through a shared step."""
    doc = scenario
    paths = all_paths(doc)
    assert len(paths) >= 2, "the scenario never branches"
    shared = set(paths[0]).intersection(*map(set, paths[1:])) - {doc["start"]}
    assert shared, "branches never reconverge"


# --- the helpers themselves ----------------------------------------------------------------


def _step(step_id, next_=None, options=None, rules=None):
    item = {"type": "single_choice", "options": options} if options else {"type": "long_text"}
    return {"id": step_id, "item": item, "next": next_, "rules": rules or [], "criteria": []}


def test_helpers_follow_option_and_rule_precedence():
    options = [{"id": "x", "next": "c"}, {"id": "y"}, {"id": "z"}]
    rules = [{"when": {"option": "y"}, "next": "b"}, {"when": {"option": "x"}, "next": "b"}]
    assert successors(_step("a", "d", options, rules)) == {"c", "b", "d"}
    assert successors(_step("a", None)) == {None}


def test_helpers_find_cycles_and_paths():
    cyclic = {"start": "a", "steps": [_step("a", "b"), _step("b", "a")]}
    assert find_cycle(cyclic) is not None
    options = [{"id": "x", "next": "b"}, {"id": "y", "next": "c"}]
    branching = {
        "start": "a",
        "steps": [_step("a", "b", options), _step("b", "d"), _step("c", "d"), _step("d")],
    }
    assert find_cycle(branching) is None
    assert all_paths(branching) == [["a", "b", "d"], ["a", "c", "d"]]
    assert reachable(branching) == {"a", "b", "c", "d"}
