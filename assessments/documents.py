"""Assessment documents: the frozen JSON a version holds, validated before it is published.

Validation has two layers. The JSON Schema checks shape; ``semantic_problems`` checks what a
schema cannot: that every reference names something that exists (steps, options, skills),
that ids are unique, and that the step graph is sound — every step reachable from the start,
no cycles, every path ends, and no path skips a skill the pass rules need. Each problem
carries the document path it concerns (``steps[3].options[1].next``) so the admin can show it
next to the field and an import can name the YAML line.
"""

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from assessments.exceptions import InvalidDocument, shorten
from phrasings import phrasing_problem

SCHEMA_PATH = Path(__file__).parent / "schema" / "assessment.schema.json"
FORMAT = "skillproof/assessment@1"
# A phrasing quoted in a message is cut to this, so the reason after it is still read.
PHRASING_QUOTE_LIMIT = 80

PathPart = str | int


@cache
def schema_validator() -> Draft202012Validator:
    """The JSON Schema validator for assessment documents (loaded once)."""
    return Draft202012Validator(
        json.loads(SCHEMA_PATH.read_text(encoding="utf-8")),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def json_path(parts) -> str:
    """``steps[3].options[1].next`` from a jsonschema error path."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (a path into it) and what, shortened."""

    path: tuple[PathPart, ...]
    message: str

    def __post_init__(self):
        object.__setattr__(self, "message", shorten(self.message))

    def __str__(self) -> str:
        return shorten(f"{json_path(self.path)}: {self.message}")


def _schema_message(document: dict, error) -> str:
    message = error.message
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        steps = document.get("steps") or []
        step = steps[path[1]] if path[1] < len(steps) else None
        if isinstance(step, dict) and isinstance(step.get("id"), str):
            message = f"{message} (step '{step['id']}')"
    return message


def schema_problems(document) -> list[Problem]:
    """Every schema violation, each with the path it concerns."""
    errors = sorted(
        schema_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
    )
    return [Problem(tuple(e.absolute_path), _schema_message(document, e)) for e in errors]


def schema_errors(document: dict) -> list[str]:
    """Every schema violation, each prefixed with the path it concerns."""
    return [str(problem) for problem in schema_problems(document)]


# --- the step graph ------------------------------------------------------------------------

END = None  # a successor of None means "this step can end the assessment"


def successors(step: dict) -> list[tuple[tuple[PathPart, ...], str | None]]:
    """Where an attempt can go after ``step``, each with the path of the field that says so.

    Single choice is resolved per option (option ``next``, then the first rule naming the
    option, then the step's ``next``); for other items any rule may match, or none.
    """
    item = step["item"]
    rules = step.get("rules") or []
    result: list[tuple[tuple[PathPart, ...], str | None]] = []
    if item["type"] == "single_choice":
        for index, option in enumerate(item["options"]):
            if option.get("next"):
                result.append((("item", "options", index, "next"), option["next"]))
                continue
            for rule_index, rule in enumerate(rules):
                if rule["when"].get("option") == option["id"]:
                    result.append((("rules", rule_index, "next"), rule["next"]))
                    break
            else:
                result.append((("next",), step["next"]))
        return result
    result += [(("rules", index, "next"), rule["next"]) for index, rule in enumerate(rules)]
    result.append((("next",), step["next"]))
    return result


def required_skills(document: dict) -> list[str]:
    """Skills the pass rules need: those certified and those with a threshold."""
    rules = document["pass_rules"]
    needed = list(rules["certifies"])
    needed += [skill for skill in rules["skill_thresholds"] if skill not in needed]
    return needed


class _Checker:
    """Collects the semantic problems of a schema-valid document."""

    def __init__(self, document: dict):
        self.document = document
        self.problems: list[Problem] = []
        self.steps = document["steps"]
        self.index = {}
        for position, step in enumerate(self.steps):
            self.index.setdefault(step["id"], position)
        self.skill_ids = {skill["id"] for skill in document["skills"]}

    def add(self, path, message: str) -> None:
        self.problems.append(Problem(tuple(path), message))

    def run(self) -> list[Problem]:
        self.unique_ids()
        self.references()
        for position, step in enumerate(self.steps):
            self.item_keys(position, step)
            self.criteria(position, step)
            self.data(position, step)
        if not self.problems:  # the graph checks need every target to exist
            self.graph()
        return self.problems

    # ids and references

    def _duplicates(self, path_prefix, entries, what: str, where: str = "") -> None:
        counts = Counter(entry["id"] for entry in entries)
        seen: set[str] = set()
        for position, entry in enumerate(entries):
            if counts[entry["id"]] > 1 and entry["id"] in seen:
                self.add(
                    (*path_prefix, position, "id"),
                    f"{what} id '{entry['id']}' is used twice{where}",
                )
            seen.add(entry["id"])

    def unique_ids(self) -> None:
        self._duplicates(("skills",), self.document["skills"], "skill")
        self._duplicates(("steps",), self.steps, "step")
        for position, step in enumerate(self.steps):
            where = f" in step '{step['id']}'"
            options = step["item"].get("options") or []
            self._duplicates(("steps", position, "item", "options"), options, "option", where)
            self._duplicates(("steps", position, "criteria"), step["criteria"], "criterion", where)
            for index, criterion in enumerate(step["criteria"]):
                self._duplicates(
                    ("steps", position, "criteria", index, "concepts"),
                    criterion.get("concepts") or [],
                    "concept",
                    f"{where}, criterion '{criterion['id']}'",
                )

    def _target(self, path, target, source: str) -> None:
        if target is not None and target not in self.index:
            self.add(path, f"{source} points to no step '{target}'")

    def references(self) -> None:
        self._target(("start",), self.document["start"], "the start")
        rules = self.document["pass_rules"]
        for index, skill in enumerate(rules["certifies"]):
            if skill not in self.skill_ids:
                self.add(("pass_rules", "certifies", index), f"unknown skill '{skill}'")
        for skill in rules["skill_thresholds"]:
            if skill not in self.skill_ids:
                self.add(("pass_rules", "skill_thresholds", skill), f"unknown skill '{skill}'")
        for position, step in enumerate(self.steps):
            name = f"step '{step['id']}'"
            base = ("steps", position)
            self._target((*base, "next"), step["next"], name)
            option_ids = {option["id"] for option in step["item"].get("options") or []}
            for index, rule in enumerate(step.get("rules") or []):
                self._target(
                    (*base, "rules", index, "next"), rule["next"], f"{name} rule {index + 1}"
                )
                chosen = rule["when"].get("option")
                if chosen is not None and chosen not in option_ids:
                    self.add(
                        (*base, "rules", index, "when", "option"),
                        f"{name} has no option '{chosen}'",
                    )
                if chosen is None and step["item"]["type"] != "numeric":
                    self.add(
                        (*base, "rules", index, "when"),
                        f"{name}: numeric rules apply to numeric items only",
                    )
            for index, option in enumerate(step["item"].get("options") or []):
                if option.get("next"):
                    self._target(
                        (*base, "item", "options", index, "next"),
                        option["next"],
                        f"{name} option '{option['id']}'",
                    )
            for index, criterion in enumerate(step["criteria"]):
                if criterion["skill"] not in self.skill_ids:
                    self.add(
                        (*base, "criteria", index, "skill"),
                        f"{name} criterion '{criterion['id']}' scores unknown skill "
                        f"'{criterion['skill']}'",
                    )

    # items, rubrics and data

    def item_keys(self, position: int, step: dict) -> None:
        item = step["item"]
        base = ("steps", position, "item")
        name = f"step '{step['id']}'"
        options = item.get("options") or []
        option_ids = [option["id"] for option in options]
        kind = item["type"]
        if kind in {"single_choice", "multiple_choice"} and not any(
            option["points"] > 0 for option in options
        ):
            self.add((*base, "options"), f"{name}: no option earns points")
        if kind == "multiple_choice":
            if item["min_select"] > item["max_select"]:
                self.add((*base, "min_select"), f"{name}: min_select is above max_select")
            if item["max_select"] > len(options):
                self.add(
                    (*base, "max_select"),
                    f"{name}: max_select is {item['max_select']} but there are "
                    f"{len(options)} options",
                )
        if kind == "ranking":
            for index, option_id in enumerate(item["key_order"]):
                if option_id not in option_ids:
                    self.add((*base, "key_order", index), f"{name} has no option '{option_id}'")
            missing = [option_id for option_id in option_ids if option_id not in item["key_order"]]
            if missing:
                self.add(
                    (*base, "key_order"),
                    f"{name}: the expert order leaves out {', '.join(map(repr, missing))}",
                )
        if kind == "sjt" and item["mode"] == "best_worst":
            for which in ("best", "worst"):
                if item["key"][which] not in option_ids:
                    self.add((*base, "key", which), f"{name} has no option '{item['key'][which]}'")
            if item["key"]["best"] == item["key"]["worst"]:
                self.add((*base, "key", "worst"), f"{name}: best and worst are the same option")
        if kind == "sjt" and item["mode"] == "rate":
            scale = item["scale"]
            if scale["min"] >= scale["max"]:
                self.add((*base, "scale", "max"), f"{name}: the scale's max must exceed its min")
            elif len(scale["labels"]) != scale["max"] - scale["min"] + 1:
                self.add(
                    (*base, "scale", "labels"),
                    f"{name}: {len(scale['labels'])} labels for a scale of "
                    f"{scale['max'] - scale['min'] + 1} points",
                )
            for index, option in enumerate(options):
                if not scale["min"] <= option["key"] <= scale["max"]:
                    self.add(
                        (*base, "options", index, "key"),
                        f"{name} option '{option['id']}': rating {option['key']} is off the scale",
                    )
        partial = item.get("partial_tolerance")
        if kind == "numeric" and partial is not None and partial < item["tolerance"]:
            self.add(
                (*base, "partial_tolerance"), f"{name}: partial tolerance is below the tolerance"
            )

    def criteria(self, position: int, step: dict) -> None:
        name = f"step '{step['id']}'"
        for index, criterion in enumerate(step["criteria"]):
            base = ("steps", position, "criteria", index)
            where = f"{name} criterion '{criterion['id']}'"
            points = [level["points"] for level in criterion["levels"]]
            for level_index in range(1, len(points)):
                if points[level_index] <= points[level_index - 1]:
                    self.add(
                        (*base, "levels", level_index, "points"),
                        f"{where}: level points must go up ({points[level_index - 1]:g} then "
                        f"{points[level_index]:g})",
                    )
            coverage = [level.get("min_coverage", 0) for level in criterion["levels"]]
            for level_index in range(1, len(coverage)):
                if coverage[level_index] < coverage[level_index - 1]:
                    self.add(
                        (*base, "levels", level_index, "min_coverage"),
                        f"{where}: min coverage must not go down between levels",
                    )
            for concept_index, concept in enumerate(criterion.get("concepts") or []):
                for phrasing_index, phrasing in enumerate(concept["phrasings"]):
                    problem = phrasing_problem(phrasing)
                    if problem:
                        self.add(
                            (*base, "concepts", concept_index, "phrasings", phrasing_index),
                            f"{where} concept '{concept['id']}': phrasing "
                            f"{shorten(repr(phrasing), PHRASING_QUOTE_LIMIT)} {problem}",
                        )

    def data(self, position: int, step: dict) -> None:
        data = step.get("data")
        if data and data["kind"] == "table":
            for index, row in enumerate(data["rows"]):
                if len(row) != len(data["columns"]):
                    self.add(
                        ("steps", position, "data", "rows", index),
                        f"step '{step['id']}': row {index + 1} has {len(row)} cells for "
                        f"{len(data['columns'])} columns",
                    )

    # the graph

    def graph(self) -> None:
        start = self.document["start"]
        by_id = {step["id"]: step for step in self.steps}
        edges = {
            step["id"]: [(path, target) for path, target in successors(step)] for step in self.steps
        }
        reachable = self._walk([start], lambda step_id: [t for _, t in edges[step_id]])
        for position, step in enumerate(self.steps):
            if step["id"] not in reachable:
                self.add(
                    ("steps", position),
                    f"step '{step['id']}' cannot be reached from the start step '{start}'",
                )
        # Steps from which some end can be reached; the rest loop for ever.
        can_end = {s for s, out in edges.items() if any(t is END for _, t in out)}
        changed = True
        while changed:
            changed = False
            for step_id, out in edges.items():
                if step_id not in can_end and any(t in can_end for _, t in out):
                    can_end.add(step_id)
                    changed = True
        for position, step in enumerate(self.steps):
            if step["id"] in reachable and step["id"] not in can_end:
                self.add(
                    ("steps", position),
                    f"no path from step '{step['id']}' ever ends: every way on loops back",
                )
        cycle = self._find_cycle(edges)
        if cycle is not None:
            closing_step, path = cycle[-2], cycle[-1]
            loop = " → ".join(cycle[:-2])
            self.add(
                ("steps", self.index[closing_step], *path),
                f"step '{closing_step}' closes a cycle: {loop}",
            )
            return  # the skill check walks paths, which needs an acyclic graph
        for skill in required_skills(self.document):
            self._path_without(skill, start, by_id, edges)

    @staticmethod
    def _walk(roots, following) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            current = todo.pop()
            if current is END or current in seen:
                continue
            seen.add(current)
            todo += following(current)
        return seen

    def _find_cycle(self, edges) -> list | None:
        """Step ids around the first cycle found, ending with the closing edge's field path."""
        state: dict[str, str] = {}
        for root in [step["id"] for step in self.steps]:
            if root in state:
                continue
            stack = [(root, iter(edges[root]))]
            trail = [root]
            state[root] = "open"
            while stack:
                node, out = stack[-1]
                advanced = False
                for path, target in out:
                    if target is END:
                        continue
                    if state.get(target) == "open":
                        loop = [*trail[trail.index(target) :], target]
                        return [*loop, node, path]
                    if target not in state:
                        state[target] = "open"
                        stack.append((target, iter(edges[target])))
                        trail.append(target)
                        advanced = True
                        break
                if not advanced:
                    state[node] = "done"
                    stack.pop()
                    trail.pop()
        return None

    def _path_without(self, skill: str, start: str, by_id, edges) -> None:
        """Report a path from start to an end that never scores ``skill``, if there is one."""

        def scores(step_id: str) -> bool:
            return any(c["skill"] == skill for c in by_id[step_id]["criteria"])

        if scores(start):
            return
        parent: dict[str, str | None] = {start: None}
        todo = [start]
        while todo:
            current = todo.pop(0)
            for _, target in edges[current]:
                if target is END:
                    trail = [current]
                    while parent[trail[-1]] is not None:
                        trail.append(parent[trail[-1]])
                    trail.reverse()
                    self.add(
                        ("steps", self.index[current]),
                        f"the path {' → '.join(trail)} ends at step '{current}' without "
                        f"scoring skill '{skill}', which the pass rules need",
                    )
                    return
                if target not in parent and not scores(target):
                    parent[target] = current
                    todo.append(target)


def semantic_problems(document: dict) -> list[Problem]:
    """Problems a schema cannot see; the document must already satisfy the schema."""
    return _Checker(document).run()


def document_problems(document) -> list[Problem]:
    """Every problem of a document: schema first; cross-references and graph once it has shape."""
    problems = schema_problems(document)
    if problems:
        return problems
    return semantic_problems(document)


def validate_document(document: dict) -> None:
    """Raise InvalidDocument listing every problem; return quietly when the document is sound."""
    problems = document_problems(document)
    if problems:
        error = InvalidDocument([str(problem) for problem in problems])
        error.problems = problems
        raise error
