"""A breakdown laid out for staff: recruiters in the admin, reviewers in the review queue.

Turns the breakdown JSON (breakdown.schema.json) and the frozen content it was scored against
into plain rows for templates: per skill, per step, per criterion, and the evidence in words
(the option chosen and its rationale, ratings against the expert key, the concepts matched, the
model's probabilities and top n-grams, the numeric tolerance hit, a reviewer's override).
Pure: no database, no request.
"""

from __future__ import annotations

from typing import Any

from flow import TEXT_ITEM_TYPES
from reports.numbers import percent
from scoring.engine.text import scored_text

REVIEW_REASONS = {
    "low_confidence": "the model's confidence is below the criterion's threshold",
    "concept_scored": "scored by the concept rubric (no accepted model)",
    "no_concepts": "no concepts and no accepted model",
    "foreign_language": "not written in the assessment's language",
    "no_sentences": "no sentences (a list of words)",
    "keyword_stuffing": "looks like keywords stuffed together",
    "rubric_copy": "copies the rubric's wording",
    "pattern_timeout": "a concept phrasing ran out of time on this answer",
    "quality_control": "a quality-control check: the model was confident; does a person agree?",
    "automation_paused": "automation is paused for this assessment: a person decides every "
    "criterion",
}
METHODS = {
    "keyed": "answer key",
    "sjt": "expert key (situational judgement)",
    "ranking": "key order",
    "numeric": "numeric tolerance",
    "model": "text model",
    "concept": "concept rubric",
    "human": "reviewer",
}
HITS = {"exact": "within tolerance", "partial": "within the partial tolerance", "miss": "missed"}


def _steps(content: dict) -> dict[str, dict]:
    return {step.get("id"): step for step in content.get("steps") or [] if isinstance(step, dict)}


def _option_texts(step: dict) -> dict[str, str]:
    return {
        option.get("id"): option.get("text", option.get("id"))
        for option in (step.get("item") or {}).get("options") or []
        if isinstance(option, dict)
    }


def _criterion(step: dict, criterion_id: str) -> dict:
    for criterion in step.get("criteria") or []:
        if criterion.get("id") == criterion_id:
            return criterion
    return {}


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else str(value)
    return f"{value:g}" if float(value).is_integer() else f"{value:.4g}"


def _percent(value: Any) -> str:
    return percent(value, decimals=0) if isinstance(value, int | float) else "—"


def _table(caption: str, head: list[str], rows: list[list[Any]]) -> dict:
    return {"caption": caption, "head": head, "rows": rows}


def _choice_evidence(evidence: dict, options: dict[str, str], facts: list, tables: list) -> None:
    if "option" in evidence:
        option = evidence["option"]
        facts.append(("Chose", f"{options.get(option, option)} ({option})"))
        facts.append(
            (
                "Option points",
                f"{_number(evidence.get('option_points'))} of the best "
                f"{_number(evidence.get('best_points'))}",
            )
        )
        if evidence.get("rationale"):
            facts.append(("Rationale", evidence["rationale"]))
    if "selected" in evidence:
        tables.append(
            _table(
                "Options selected",
                ["Option", "Points", "Rationale"],
                [
                    [
                        options.get(entry.get("option"), entry.get("option")),
                        _number(entry.get("points")),
                        entry.get("rationale", ""),
                    ]
                    for entry in evidence["selected"]
                ],
            )
        )
        facts.append(
            (
                "Selected points",
                f"{_number(evidence.get('selected_points'))} of the best "
                f"{_number(evidence.get('best_points'))}",
            )
        )


def _judgement_evidence(evidence: dict, options: dict[str, str], facts: list, tables: list):
    if "ratings" in evidence:
        tables.append(
            _table(
                "Ratings against the expert key",
                ["Response", "Rating", "Expert key", "Distance"],
                [
                    [
                        options.get(entry.get("option"), entry.get("option")),
                        _number(entry.get("rating")),
                        _number(entry.get("key")),
                        _percent(entry.get("distance")),
                    ]
                    for entry in evidence["ratings"]
                ],
            )
        )
        facts.append(("Mean distance from the key", _percent(evidence.get("mean_distance"))))
    picks = [side for side in ("best", "worst") if isinstance(evidence.get(side), dict)]
    if picks:
        tables.append(
            _table(
                "Most and least effective",
                ["Pick", "Chosen", "Expert key", "Match"],
                [
                    [
                        "Most effective" if side == "best" else "Least effective",
                        options.get(evidence[side].get("chosen"), evidence[side].get("chosen"))
                        or "—",
                        options.get(evidence[side].get("key"), evidence[side].get("key")) or "—",
                        "yes" if evidence[side].get("matched") else "no",
                    ]
                    for side in picks
                ],
            )
        )
    if "order" in evidence:
        order, key_order = evidence["order"], evidence.get("key_order") or []
        tables.append(
            _table(
                "Order against the key",
                ["Position", "Candidate's order", "Key order", "Same place"],
                [
                    [
                        position + 1,
                        options.get(chosen, chosen),
                        options.get(keyed, keyed),
                        "yes" if chosen == keyed else "no",
                    ]
                    for position, (chosen, keyed) in enumerate(zip(order, key_order, strict=False))
                ],
            )
        )
        facts.append(("Rank correlation (Spearman rho)", _number(evidence.get("spearman_rho"))))


def _numeric_evidence(evidence: dict, facts: list) -> None:
    if "value" not in evidence:
        return
    unit = f" {evidence['unit']}" if evidence.get("unit") else ""
    relative = evidence.get("tolerance_kind") == "relative"
    tolerance = (
        f"±{_percent(evidence.get('tolerance'))}"
        if relative
        else (f"±{_number(evidence.get('tolerance'))}{unit}")
    )
    facts.append(("Answer", f"{_number(evidence['value'])}{unit}"))
    facts.append(("Expected", f"{_number(evidence.get('expected'))}{unit} ({tolerance})"))
    facts.append(("Difference", f"{_number(evidence.get('difference'))}{unit}"))
    if evidence.get("partial_tolerance") is not None:
        partial = evidence["partial_tolerance"]
        facts.append(
            (
                "Partial credit within",
                f"±{_percent(partial)}" if relative else f"±{_number(partial)}{unit}",
            )
        )
    facts.append(("Result", HITS.get(evidence.get("hit"), evidence.get("hit", "—"))))


def _matched_phrase(entry: dict, answer: str | None) -> str:
    """The words a concept matched, cut out of the scored answer by the evidence's offsets
    (evidence keeps no text of the answer; runs scored before it stored the phrase itself)."""
    if "phrase" in entry:
        return entry["phrase"] or ""
    start, end = entry.get("start"), entry.get("end")
    if answer is None or not isinstance(start, int) or not isinstance(end, int):
        return ""
    return answer[start:end]


def _text_evidence(
    evidence: dict, levels: list[dict], facts: list, tables: list, answer: str | None
) -> None:
    if "coverage" in evidence:
        facts.append(
            (
                "Concept coverage",
                f"{evidence.get('matched', 0)} of {evidence.get('total', 0)} "
                f"({_percent(evidence['coverage'])})",
            )
        )
    if evidence.get("concepts"):
        tables.append(
            _table(
                "Concepts",
                ["Concept", "Found", "Phrase in the answer", "Matched phrasing"],
                [
                    [
                        entry.get("label") or entry.get("concept"),
                        "timed out"
                        if entry.get("timed_out")
                        else ("yes" if entry.get("matched") else "no"),
                        _matched_phrase(entry, answer),
                        entry.get("pattern") or "",
                    ]
                    for entry in evidence["concepts"]
                ],
            )
        )
    model = evidence.get("model")
    if isinstance(model, dict):
        facts.append(("Model", model.get("sha256", "")))
        facts.append(("Training set", model.get("training_set_sha256", "")))
    if evidence.get("probabilities"):
        tables.append(
            _table(
                "Model: probability of each level",
                ["Level", "Probability"],
                [
                    [_level_name(levels, index), _percent(probability)]
                    for index, probability in enumerate(evidence["probabilities"])
                ],
            )
        )
    if evidence.get("top_ngrams"):
        tables.append(
            _table(
                "Model: n-grams that moved the score most ([…] = characters)",
                ["N-gram", "Weight", "Pushes towards"],
                [
                    [
                        entry.get("ngram"),
                        f"{entry.get('weight', 0):+.3f}",
                        "higher levels" if entry.get("weight", 0) > 0 else "lower levels",
                    ]
                    for entry in evidence["top_ngrams"]
                ],
            )
        )
    guards = evidence.get("guards")
    if isinstance(guards, dict):
        flags = ", ".join(REVIEW_REASONS.get(flag, flag) for flag in guards.get("flags") or [])
        facts.append(
            (
                "Answer checks",
                f"language {guards.get('language', '?')}; function words "
                f"{_percent(guards.get('function_word_ratio'))}; concept density "
                f"{_percent(guards.get('concept_density'))}; rubric overlap "
                f"{_percent(guards.get('rubric_overlap'))}"
                + (f"; flagged: {flags}" if flags else ""),
            )
        )
    if "machine_level" in evidence:
        facts.append(
            (
                "Before the checks",
                f"{_level_name(levels, evidence['machine_level'])} (capped to the lowest level)",
            )
        )
    if evidence.get("truncated"):
        facts.append(("Length", "cut to the item's maximum length before scoring"))


def _level_name(levels: list[dict], index: Any) -> str:
    if isinstance(index, int) and 0 <= index < len(levels):
        return f"{index} · {levels[index].get('label', '')}"
    return str(index)


def evidence_layout(
    evidence: dict, step: dict, levels: list[dict], answer: str | None = None
) -> dict:
    """The evidence of one criterion as facts (label, text) and small tables; ``answer`` is the
    scored text of a free-text step (text.scored_text), when it is still stored."""
    evidence = evidence if isinstance(evidence, dict) else {}
    facts: list[tuple[str, str]] = []
    tables: list[dict] = []
    options = _option_texts(step)
    if evidence.get("note"):
        facts.append(("Note", evidence["note"]))
    machine = None
    if evidence.get("status") == "overridden":
        facts.append(("Reviewer", evidence.get("reviewer", "")))
        facts.append(("Reason", evidence.get("reason", "")))
        machine = evidence.get("machine") if isinstance(evidence.get("machine"), dict) else None
        if machine:
            facts.append(
                (
                    "Machine result replaced",
                    f"{_level_name(levels, (machine.get('level') or {}).get('index'))}, "
                    f"{_number(machine.get('points'))} points by "
                    f"{METHODS.get(machine.get('method'), machine.get('method'))}, confidence "
                    f"{_percent(machine.get('confidence'))}",
                )
            )
    _choice_evidence(evidence, options, facts, tables)
    _judgement_evidence(evidence, options, facts, tables)
    _numeric_evidence(evidence, facts)
    _text_evidence(evidence, levels, facts, tables, answer)
    layout = {"status": evidence.get("status", ""), "facts": facts, "tables": tables}
    if machine:
        layout["machine"] = evidence_layout(machine.get("evidence") or {}, step, levels, answer)
    return layout


def criterion_layout(
    criterion: dict, step: dict, skill_names: dict[str, str], answer: str | None = None
) -> dict:
    """One scored criterion as a row of the breakdown table, with its evidence."""
    levels = _criterion(step, criterion.get("criterion_id")).get("levels") or []
    level = criterion.get("level") or {}
    return {
        "key": f"{criterion.get('step_id')}/{criterion.get('criterion_id')}",
        "id": criterion.get("criterion_id"),
        "skill": skill_names.get(criterion.get("skill"), criterion.get("skill")),
        "points": _number(criterion.get("points")),
        "max_points": _number(criterion.get("max_points")),
        "level": f"{level.get('index', 0)} · {level.get('label', '')}",
        "level_count": len(levels),
        "method": METHODS.get(criterion.get("method"), criterion.get("method")),
        "confidence": _percent(criterion.get("confidence")),
        "needs_review": bool(criterion.get("needs_review")),
        "reasons": [REVIEW_REASONS.get(r, r) for r in criterion.get("review_reasons") or []],
        "evidence": evidence_layout(criterion.get("evidence") or {}, step, levels, answer),
    }


def breakdown_layout(content: dict, breakdown: dict, answers: dict | None = None) -> dict:
    """The whole breakdown for a person: overall, skills, and each step on the path (with the
    candidate's free-text answer when ``answers`` are given)."""
    steps = _steps(content)
    skill_names = {
        skill.get("skill"): skill.get("name", skill.get("skill"))
        for skill in breakdown.get("skills") or []
    }
    overall = breakdown.get("overall") or {}
    on_path, off_path = [], []
    for step_score in breakdown.get("steps") or []:
        step = steps.get(step_score.get("step_id"), {})
        title = step.get("title") or step_score.get("step_id")
        if not step_score.get("on_path"):
            off_path.append(title)
            continue
        scored = _scored_answer(answers, step)
        on_path.append(
            {
                "id": step_score.get("step_id"),
                "title": title,
                "prompt": step.get("prompt", ""),
                "answer": _free_text(answers, step),
                "item_type": step_score.get("item_type", "").replace("_", " "),
                "status": step_score.get("status"),
                "points": _number(step_score.get("points")),
                "max_points": _number(step_score.get("max_points")),
                "criteria": [
                    criterion_layout(criterion, step, skill_names, scored)
                    for criterion in step_score.get("criteria") or []
                ],
            }
        )
    return {
        "overall": {
            "score": _number(overall.get("score")),
            "threshold": _number(overall.get("threshold")),
            "passed": bool(overall.get("passed")),
            "needs_review": bool(overall.get("needs_review")),
            "review_items": overall.get("review_items") or [],
        },
        "skills": [
            {
                "name": skill.get("name", skill.get("skill")),
                "score": _number(skill.get("score")),
                "band": (skill.get("level") or {}).get("label", ""),
                "threshold": _number(skill.get("threshold")),
                "passed": bool(skill.get("passed")),
                "assessed": bool(skill.get("assessed")),
            }
            for skill in breakdown.get("skills") or []
        ],
        "steps": on_path,
        "off_path": off_path,
        "models": breakdown.get("models") or {},
        "overrides_ignored": breakdown.get("overrides_ignored") or [],
        "engine_version": breakdown.get("engine_version", ""),
    }


def _is_free_text(answers: dict | None, step: dict) -> bool:
    return answers is not None and (step.get("item") or {}).get("type") in TEXT_ITEM_TYPES


def _free_text(answers: dict | None, step: dict) -> str | None:
    if not _is_free_text(answers, step):
        return None
    return answer_text(answers.get(step.get("id")), step)


def _scored_answer(answers: dict | None, step: dict) -> str | None:
    """A free-text answer as the offsets of its concept evidence index it."""
    if not _is_free_text(answers, step):
        return None
    answer = answers.get(step.get("id"))
    return scored_text(answer.get("text") if isinstance(answer, dict) else None, step["item"])


def answer_text(answer: Any, step: dict) -> str:
    """A candidate's answer to one step in words (for the reviewer)."""
    if not isinstance(answer, dict) or not answer:
        return ""
    if "text" in answer:
        return str(answer["text"])
    options = _option_texts(step)
    if "option" in answer:
        return options.get(answer["option"], answer["option"])
    if "options" in answer:
        return "; ".join(options.get(o, o) for o in answer["options"])
    if "order" in answer:
        return " → ".join(options.get(o, o) for o in answer["order"])
    if "value" in answer:
        unit = (step.get("item") or {}).get("unit", "")
        return f"{_number(answer['value'])} {unit}".strip()
    return "; ".join(f"{key}: {value}" for key, value in answer.items())
