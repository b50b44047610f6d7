"""The candidate's view of a breakdown: per skill, the level and personal feedback.

Feedback comes from two places the authors wrote for candidates: the rubric level the
candidate reached on each criterion, and the rationale of the options the candidate chose
(never of options they did not choose, which would give the key away to the next candidate).
Points per item, keys, exemplars and descriptors stay on the server.
"""

from collections.abc import Callable

from flow import steps_by_id
from scoring.engine import SKILL_BANDS
from scoring.engine.oversight import AUTOMATION_PAUSED

STRONG_SHARE = 2 / 3  # a criterion at two thirds of its maximum or more counts as a strength
_SKIPPED_STATUSES = {"off_path", "unscored"}


# --- Credential link hook --------------------------------------------------------------------
# The credentials app depends on scoring, not the other way round, so it registers a provider
# here (for example in its AppConfig.ready()): ``register_credential_link(fn)`` where
# ``fn(attempt) -> str | None`` returns the URL of the candidate's credential for a passed
# attempt. Until one is registered no link is shown: never a placeholder.
_credential_link_providers: list[Callable[[object], str | None]] = []


def register_credential_link(provider: Callable[[object], str | None]) -> None:
    """Let another app say where a candidate's credential for an attempt lives."""
    if provider not in _credential_link_providers:
        _credential_link_providers.append(provider)


def credential_link(attempt) -> str | None:
    """The URL of the attempt's credential, or None while no credential (or provider) exists."""
    for provider in _credential_link_providers:
        url = provider(attempt)
        if url:
            return url
    return None


# --- Feedback --------------------------------------------------------------------------------


def _chosen_options(evidence: dict) -> list[str]:
    """Ids of the options the candidate picked, read from a keyed item's evidence."""
    if isinstance(evidence.get("option"), str):
        return [evidence["option"]]
    chosen = [
        entry["option"]
        for entry in evidence.get("selected", [])
        if isinstance(entry, dict) and isinstance(entry.get("option"), str)
    ]
    for side in ("best", "worst"):
        pick = evidence.get(side)
        if isinstance(pick, dict) and isinstance(pick.get("chosen"), str):
            chosen.append(pick["chosen"])
    return chosen


def _rationales(step: dict, evidence: dict) -> list[dict]:
    """Notes on the options the candidate chose: the option, and why it was a good idea or not."""
    options = {option["id"]: option for option in step["item"].get("options", [])}
    notes = []
    for option_id in _chosen_options(evidence):
        option = options.get(option_id)
        if option and option.get("rationale"):
            notes.append({"chosen": option["text"], "text": option["rationale"]})
    return notes


def _level_feedback(step: dict, criterion_score: dict) -> str:
    criterion = next(
        (c for c in step.get("criteria", []) if c["id"] == criterion_score["criterion_id"]), None
    )
    if criterion is None:
        return ""
    levels = criterion.get("levels", [])
    index = criterion_score.get("level", {}).get("index", 0)
    if not 0 <= index < len(levels):
        return ""
    return levels[index].get("feedback", "")


def _feedback_entry(step: dict, step_score: dict, criterion_score: dict) -> dict | None:
    """One personal feedback note for one criterion, or None when there is nothing to say."""
    title = step.get("title", step["id"])
    feedback = _level_feedback(step, criterion_score)
    if step_score.get("status") == "unanswered":
        text = "You did not answer this step." + (f" {feedback}" if feedback else "")
        return {"step": title, "notes": [{"chosen": None, "text": text}], "strong": False}
    notes = _rationales(step, criterion_score.get("evidence") or {})
    if feedback:
        notes.append({"chosen": None, "text": feedback})
    if not notes:
        return None
    maximum = criterion_score.get("max_points") or 0
    strong = maximum > 0 and criterion_score.get("points", 0) / maximum >= STRONG_SHARE
    return {"step": title, "notes": notes, "strong": strong}


def skill_feedback(content: dict, breakdown: dict) -> dict[str, dict[str, list[dict]]]:
    """Per skill id: ``strengths`` and ``work_on``, lists of {step, notes: [{chosen, text}]}."""
    steps = steps_by_id(content)
    feedback: dict[str, dict[str, list[dict]]] = {}
    seen: set[tuple[str, str]] = set()
    for step_score in breakdown.get("steps", []):
        if not step_score.get("on_path", True) or step_score.get("status") in _SKIPPED_STATUSES:
            continue
        step = steps.get(step_score["step_id"])
        if step is None:
            continue
        for criterion_score in step_score.get("criteria", []):
            entry = _feedback_entry(step, step_score, criterion_score)
            if entry is None:
                continue
            skill = criterion_score["skill"]
            entry["notes"] = [n for n in entry["notes"] if (skill, n["text"]) not in seen]
            seen.update((skill, n["text"]) for n in entry["notes"])
            if not entry["notes"]:
                continue
            buckets = feedback.setdefault(skill, {"strengths": [], "work_on": []})
            buckets["strengths" if entry.pop("strong") else "work_on"].append(entry)
    return feedback


def candidate_result(content: dict, breakdown: dict, *, credential_url: str | None = None) -> dict:
    """Everything the results page shows, skills in the document's order."""
    names = {skill["id"]: skill["name"] for skill in content.get("skills", [])}
    order = {skill_id: index for index, skill_id in enumerate(names)}
    feedback = skill_feedback(content, breakdown)
    skills = []
    for skill_score in sorted(
        breakdown.get("skills", []), key=lambda s: order.get(s["skill"], len(order))
    ):
        skill_id = skill_score["skill"]
        level = skill_score.get("level") or {}
        skills.append(
            {
                "id": skill_id,
                "name": names.get(skill_id, skill_score.get("name", skill_id)),
                "score": round(skill_score.get("score", 0)),
                "level": level.get("label", ""),
                "level_index": level.get("index", 0),
                "passed": skill_score.get("passed", False),
                "assessed": skill_score.get("assessed", True),
                "certified": skill_id in content.get("pass_rules", {}).get("certifies", []),
                **feedback.get(skill_id, {"strengths": [], "work_on": []}),
            }
        )
    overall = breakdown.get("overall", {})
    return {
        "bands": [label for _lowest, label in SKILL_BANDS],
        "passed": bool(overall.get("passed")),
        "overall_score": round(overall.get("score", 0)),
        "needs_review": bool(overall.get("needs_review")),
        # Automation paused, or an alternative process: people decide every criterion.
        "reviewed_by_people": any(
            AUTOMATION_PAUSED in criterion.get("review_reasons", [])
            for step in breakdown.get("steps", [])
            for criterion in step.get("criteria", [])
        ),
        "skills": skills,
        "credential_url": credential_url if overall.get("passed") else None,
    }


# --- "Download everything held about me" -------------------------------------------------------


def score_summary(run, breakdown: dict) -> dict:
    """A score run as the candidate may see it: their scores, levels and how each was reached.

    Per criterion the points the candidate's own answer earned are theirs to see; keys,
    expert ratings and other options' points are the assessment's, and stay out.
    """
    return {
        "scored_at": run.created_at.isoformat(),
        "superseded": hasattr(run, "superseded_by"),  # the reverse one-to-one exists
        "engine_version": run.engine_version,
        "breakdown_sha256": run.breakdown_sha256,
        "overall": {
            "score": breakdown.get("overall", {}).get("score"),
            "passed": breakdown.get("overall", {}).get("passed"),
            "needs_human_review": breakdown.get("overall", {}).get("needs_review"),
        },
        "skills": [
            {
                "skill": skill.get("name", skill.get("skill")),
                "score": skill.get("score"),
                "level": (skill.get("level") or {}).get("label"),
                "passed": skill.get("passed"),
            }
            for skill in breakdown.get("skills", [])
        ],
        "criteria": [
            {
                "step": criterion.get("step_id"),
                "criterion": criterion.get("criterion_id"),
                "skill": criterion.get("skill"),
                "points": criterion.get("points"),
                "max_points": criterion.get("max_points"),
                "level": (criterion.get("level") or {}).get("label"),
                "method": criterion.get("method"),
                "confidence": criterion.get("confidence"),
                "needs_human_review": criterion.get("needs_review"),
            }
            for step in breakdown.get("steps", [])
            for criterion in step.get("criteria", [])
            if step.get("on_path", True)
        ],
    }
