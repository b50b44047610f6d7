"""The candidate's view of a breakdown: per skill, the level and feedback from the rubric.

Only feedback texts written for candidates leave here: never points per item, keys or exemplars.
"""

from assessments.flow import steps_by_id

STRONG_SHARE = 2 / 3  # a criterion at two thirds of its maximum or more counts as a strength


def _criterion_feedback(step: dict, criterion_score: dict) -> str:
    criterion = next(c for c in step["criteria"] if c["id"] == criterion_score["criterion_id"])
    level = criterion["levels"][criterion_score["level"]["index"]]
    feedback = level.get("feedback", "")
    rationale = criterion_score.get("evidence", {}).get("rationale")
    return " ".join(part for part in (rationale, feedback) if part)


def skill_feedback(content: dict, breakdown: dict) -> dict[str, dict[str, list[str]]]:
    """Strengths and things to work on per skill id, from level feedback and option rationales."""
    steps = steps_by_id(content)
    feedback: dict[str, dict[str, list[str]]] = {}
    for step_score in breakdown["steps"]:
        step = steps[step_score["step_id"]]
        for criterion_score in step_score["criteria"]:
            text = _criterion_feedback(step, criterion_score)
            if not text:
                continue
            maximum = criterion_score["max_points"] or 1
            bucket = (
                "strengths" if criterion_score["points"] / maximum >= STRONG_SHARE else "work_on"
            )
            entry = feedback.setdefault(criterion_score["skill"], {"strengths": [], "work_on": []})
            entry[bucket].append(text)
    return feedback


def candidate_result(content: dict, breakdown: dict) -> dict:
    """Everything the results page shows, in display order of the document's skills."""
    names = {skill["id"]: skill["name"] for skill in content["skills"]}
    feedback = skill_feedback(content, breakdown)
    skills = [
        {
            "id": skill_score["skill"],
            "name": names.get(skill_score["skill"], skill_score["skill"]),
            "score": round(skill_score["score"]),
            "level": skill_score["level"]["label"],
            "passed": skill_score["passed"],
            **feedback.get(skill_score["skill"], {"strengths": [], "work_on": []}),
        }
        for skill_score in breakdown["skills"]
    ]
    return {
        "passed": breakdown["overall"]["passed"],
        "overall_score": round(breakdown["overall"]["score"]),
        "needs_review": breakdown["overall"].get("needs_review", False),
        "skills": skills,
    }
