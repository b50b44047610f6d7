"""Assessment documents as YAML files: a stable writer and a reader that knows line numbers.

The writer is deterministic (key order from the serialiser, block style for multi-line text,
fixed width), so export → import → export gives identical bytes. The reader keeps the composed
YAML node tree, so every problem found in a document can name the line it comes from.

The reader refuses anchors and aliases (``&name`` / ``*name``) outright, before anything refers
to anything: an alias repeats a whole subtree, so a few hundred bytes of nested aliases stand
for gigabytes of document (the "billion laughs"), and no assessment needs them (the writer
never emits one).
"""

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from assessments.documents import Problem, document_problems, json_path
from assessments.exceptions import MESSAGE_LIMIT, InvalidDocument, shorten

YAML_WIDTH = 100


class _Dumper(yaml.SafeDumper):
    """Indented block sequences; multi-line strings as literal blocks; a part that appears twice
    is written twice (no anchors: the reader refuses them)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


FLOW_LIST_WIDTH = 80
_SCALARS = (str, int, float, bool, type(None))


def _represent_list(dumper: yaml.SafeDumper, value: list):
    # Short lists of plain values (table rows, labels, phrasings) read best on one line.
    flow = (
        bool(value)
        and all(isinstance(v, _SCALARS) for v in value)
        and not any(isinstance(v, str) and "\n" in v for v in value)
        and sum(len(str(v)) + 2 for v in value) <= FLOW_LIST_WIDTH
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)

# Key order of each kind of mapping in the document, as CONTENT_FORMAT.md writes it. JSON
# columns (PostgreSQL jsonb) do not keep key order, so exports put it back.
_ORDER = {
    "document": (
        "format", "slug", "title", "role", "description", "time_limit_minutes",
        "validity_days", "skills", "pass_rules", "start", "steps",
    ),
    "skill": ("id", "name", "description", "alignments"),
    "alignment": ("framework", "code", "name", "url"),
    "pass_rules": ("overall_threshold", "skill_thresholds", "certifies"),
    "step": ("id", "title", "context", "prompt", "data", "item", "next", "rules", "criteria"),
    "data": ("kind", "columns", "rows", "messages", "lines"),
    "message": ("from", "to", "date", "subject", "body"),
    "item": (
        "type", "mode", "scale", "options", "min_select", "max_select", "key", "key_order",
        "answer", "tolerance", "tolerance_kind", "partial_tolerance", "unit", "max_length",
    ),
    "scale": ("min", "max", "labels"),
    "option": ("id", "text", "points", "key", "rationale", "next"),
    "key": ("best", "worst"),
    "rule": ("when", "next"),
    "when": ("option", "op", "value"),
    "criterion": (
        "id", "skill", "weight", "confidence_threshold", "concepts", "reference_answer", "levels",
    ),
    "concept": ("id", "label", "phrasings"),
    "level": ("points", "label", "descriptor", "feedback", "min_coverage", "exemplars"),
}  # fmt: skip


def _ordered(value, kind: str):
    if not isinstance(value, dict):
        return value
    keys = _ORDER[kind]
    return {key: value[key] for key in keys if key in value} | {
        key: item for key, item in value.items() if key not in keys
    }


def _each(values, kind: str) -> list:
    return [_ordered(value, kind) for value in values] if isinstance(values, list) else values


def ordered_document(document: dict) -> dict:
    """The document with every mapping's keys in the format's order (values untouched)."""
    doc = _ordered(document, "document")
    skills = doc.get("skills") if isinstance(doc.get("skills"), list) else []
    doc["skills"] = (
        [
            _ordered(skill, "skill") | {"alignments": _each(skill["alignments"], "alignment")}
            if isinstance(skill, dict) and "alignments" in skill
            else _ordered(skill, "skill")
            for skill in skills
        ]
        if "skills" in doc
        else doc.get("skills")
    )
    rules = doc.get("pass_rules")
    if isinstance(rules, dict):
        rules = _ordered(rules, "pass_rules")
        thresholds = rules.get("skill_thresholds")
        if isinstance(thresholds, dict):
            rank = {s.get("id"): i for i, s in enumerate(skills) if isinstance(s, dict)}
            rules["skill_thresholds"] = dict(
                sorted(thresholds.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))
            )
        doc["pass_rules"] = rules
    if isinstance(doc.get("steps"), list):
        doc["steps"] = [_ordered_step(step) for step in doc["steps"]]
    return doc


def _ordered_step(step):
    step = _ordered(step, "step")
    if not isinstance(step, dict):
        return step
    data = step.get("data")
    if isinstance(data, dict):
        data = _ordered(data, "data")
        if "messages" in data:
            data["messages"] = _each(data["messages"], "message")
        step["data"] = data
    item = step.get("item")
    if isinstance(item, dict):
        item = _ordered(item, "item")
        for key, kind in (("scale", "scale"), ("key", "key")):
            if key in item:
                item[key] = _ordered(item[key], kind)
        if "options" in item:
            item["options"] = _each(item["options"], "option")
        step["item"] = item
    if "rules" in step:
        step["rules"] = (
            [
                _ordered(rule, "rule") | {"when": _ordered(rule["when"], "when")}
                if isinstance(rule, dict) and "when" in rule
                else rule
                for rule in step["rules"]
            ]
            if isinstance(step["rules"], list)
            else step["rules"]
        )
    if isinstance(step.get("criteria"), list):
        step["criteria"] = [_ordered_criterion(c) for c in step["criteria"]]
    return step


def _ordered_criterion(criterion):
    criterion = _ordered(criterion, "criterion")
    if isinstance(criterion, dict):
        if "concepts" in criterion:
            criterion["concepts"] = _each(criterion["concepts"], "concept")
        if "levels" in criterion:
            criterion["levels"] = _each(criterion["levels"], "level")
    return criterion


def dump_document(document: dict) -> str:
    """The document as YAML text, the same bytes for the same document every time."""
    return yaml.dump(
        ordered_document(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=YAML_WIDTH,
        indent=2,
    )


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases, and a key written twice in one mapping
    (YAML keeps the last)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key!r} twice",
                    key_node.start_mark,
                )
            seen[key] = True
        return super().construct_mapping(node, deep=deep)


class DocumentFileError(InvalidDocument):
    """A file that cannot become a draft; each error names a document path and a line."""


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def line_of(root: Node | None, path) -> int | None:
    """The line of the YAML node at ``path`` (or of its nearest existing parent)."""
    node = root
    if node is None:
        return None
    for part in path:
        child = None
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    child = value_node
                    break
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return _line(node)


def describe(problem: Problem, root: Node | None) -> str:
    """``steps[3].options[1].next: ... (line 87)``, the line kept when the message is cut."""
    line = line_of(root, problem.path)
    where = f" (line {line})" if line else ""
    return shorten(str(problem), MESSAGE_LIMIT - len(where)) + where


def parse_document_text(text: str) -> tuple[dict, Node]:
    """Read YAML text into a document and its node tree, or raise DocumentFileError."""
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            document = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" (line {mark.line + 1})" if mark else ""
        problem = " ".join(filter(None, [error.context, error.problem]))
        raise DocumentFileError([f"(document): not readable as YAML: {problem}{where}"]) from error
    except yaml.YAMLError as error:
        raise DocumentFileError([f"(document): not readable as YAML: {error}"]) from error
    if not isinstance(document, dict):
        raise DocumentFileError(
            [f"{json_path(())}: expected an assessment document (a mapping) at the top level"]
        )
    return document, root


def read_document(text: str) -> dict:
    """A valid document from YAML text; DocumentFileError names every problem's path and line."""
    document, root = parse_document_text(text)
    problems = document_problems(document)
    if problems:
        error = DocumentFileError([describe(problem, root) for problem in problems])
        error.problems = problems
        raise error
    return document
