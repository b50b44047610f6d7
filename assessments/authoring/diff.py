"""What changed between two assessment documents, in words a recruiter reads before publishing."""

from dataclasses import dataclass, field

SHORT = 60
_LABELS = {
    "title": "title",
    "role": "role",
    "description": "description",
    "time_limit_minutes": "time limit (minutes)",
    "validity_days": "credential validity (days)",
    "start": "start step",
    "overall_threshold": "overall pass threshold",
    "next": "next step",
    "min_select": "fewest picks",
    "max_select": "most picks",
    "key_order": "expert order",
}


_SINGULAR = {
    "skills": "skill",
    "alignments": "alignment",
    "options": "option",
    "criteria": "criterion",
    "concepts": "concept",
    "steps": "step",
}


@dataclass
class Section:
    """Changes to one part of the assessment (the assessment itself, a skill, a step)."""

    title: str
    changes: list[str] = field(default_factory=list)


def _show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def _is_short(value) -> bool:
    return (
        not isinstance(value, dict | list) and len(_show(value)) <= SHORT and "\n" not in str(value)
    )


def _keyed(entries) -> bool:
    return bool(entries) and all(isinstance(e, dict) and "id" in e for e in entries)


def _label(key) -> str:
    return _LABELS.get(key, str(key).replace("_", " "))


def _diff(where: str, old, new, out: list[str]) -> None:
    """Append a sentence for each difference between ``old`` and ``new`` found under ``where``."""
    if old == new:
        return
    prefix = f"{where}: " if where else ""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *[k for k in new if k not in old]]:
            inner = f"{where} {_label(key)}".strip()
            if key not in new:
                out.append(f"{inner} removed")
            elif key not in old:
                shown = f" ({_show(new[key])})" if _is_short(new[key]) else ""
                out.append(f"{inner} added{shown}")
            else:
                _diff(inner, old[key], new[key], out)
        return
    if isinstance(old, list) and isinstance(new, list):
        if _keyed(old) or _keyed(new):
            old_ids = [e["id"] for e in old if isinstance(e, dict)]
            new_ids = [e["id"] for e in new if isinstance(e, dict)]
            last = where.split()[-1] if where else ""
            singular = _SINGULAR.get(last, last or "entry")
            base = " ".join(where.split()[:-1])
            base = f"{base} " if base else ""
            for entry in new:
                if entry["id"] not in old_ids:
                    out.append(f"{base}{singular} '{entry['id']}' added")
            for entry in old:
                if entry["id"] not in new_ids:
                    out.append(f"{base}{singular} '{entry['id']}' removed")
            by_id = {e["id"]: e for e in old}
            for entry in new:
                if entry["id"] in by_id:
                    _diff(f"{base}{singular} '{entry['id']}'", by_id[entry["id"]], entry, out)
            kept_old = [i for i in old_ids if i in new_ids]
            kept_new = [i for i in new_ids if i in old_ids]
            if kept_old != kept_new:
                out.append(f"{where}: order changed")
            return
        if all(isinstance(e, str) for e in old + new):
            added = [e for e in new if e not in old]
            removed = [e for e in old if e not in new]
            if added or removed:
                parts = [f"{len(added)} added"] if added else []
                parts += [f"{len(removed)} removed"] if removed else []
                out.append(f"{prefix}{', '.join(parts)}")
            else:
                out.append(f"{prefix}order changed")
            return
        if len(old) == len(new) and all(isinstance(e, dict) for e in old + new):
            for index, (before, after) in enumerate(zip(old, new, strict=True)):
                name = before.get("label") or after.get("label") or index + 1
                _diff(
                    f"{where} {_show(name) if isinstance(name, str) else name}", before, after, out
                )
            return
        out.append(f"{prefix}{len(old)} → {len(new)} entries")
        return
    if _is_short(old) and _is_short(new):
        out.append(f"{prefix}{_show(old)} → {_show(new)}")
    else:
        out.append(f"{prefix}changed")


def summarise_changes(old: dict | None, new: dict) -> list[Section]:
    """Sections of plain sentences saying how ``new`` differs from ``old`` (None: all new)."""
    if old is None:
        steps = len(new.get("steps", []))
        skills = len(new.get("skills", []))
        return [Section("Assessment", [f"first version: {steps} steps, {skills} skills"])]
    sections: list[Section] = []
    general = Section("Assessment")
    for key in ("title", "role", "description", "time_limit_minutes", "validity_days", "start"):
        _diff(_label(key), old.get(key), new.get(key), general.changes)
    _diff("", old.get("pass_rules"), new.get("pass_rules"), general.changes)
    sections.append(general)
    skills = Section("Skills")
    _diff("skills", old.get("skills", []), new.get("skills", []), skills.changes)
    sections.append(skills)
    old_steps = {step["id"]: step for step in old.get("steps", [])}
    new_ids = [step["id"] for step in new.get("steps", [])]
    flow = Section("Steps")
    for step in new.get("steps", []):
        if step["id"] not in old_steps:
            flow.changes.append(f"step '{step['id']}' added ({step['title']})")
    for step_id, step in old_steps.items():
        if step_id not in new_ids:
            flow.changes.append(f"step '{step_id}' removed ({step['title']})")
    if [i for i in old_steps if i in new_ids] != [i for i in new_ids if i in old_steps]:
        flow.changes.append("steps reordered")
    sections.append(flow)
    for step in new.get("steps", []):
        if step["id"] in old_steps:
            section = Section(f"Step '{step['id']}'")
            _diff("", old_steps[step["id"]], step, section.changes)
            sections.append(section)
    return [section for section in sections if section.changes]
