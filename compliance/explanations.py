"""The explanation of an individual decision, generated from the records for staff to review.

What it covers follows EU AI Act Art. 86 ("the role of the AI system in the decision-making
procedure and the main elements of the decision taken") and Colorado SB 26-189 (after an adverse
outcome: the decision, the tool's role, the data used, and how to correct data and obtain a
review by a person): what was assessed, the rubric, the evidence per skill, what the machine did
and what people did, and how to contest. Plain text: staff edit it before it is sent.
"""

from __future__ import annotations

import json

from django.conf import settings

from assessments.models import Attempt, Invitation
from results.selectors import decision_history
from scoring.review_display import METHODS, breakdown_layout
from scoring.selectors import current_score_run

MACHINE_METHODS = {"keyed", "sjt", "ranking", "numeric", "model", "concept", "rule"}


def _section(title: str, lines: list[str]) -> list[str]:
    return [title, "-" * len(title), *lines, ""]


def _assessed(invitation: Invitation, content: dict) -> list[str]:
    version = invitation.version
    lines = [
        f"Assessment: {content['title']}"
        + (f", for the {content['role']} role" if content.get("role") else "")
        + f" (version {version.number}, published {version.published_at:%d %B %Y}).",
        "Skills assessed:",
    ]
    for skill in content.get("skills", []):
        lines.append(
            f"- {skill['name']}" + (f": {skill['description']}" if skill.get("description") else "")
        )
    qualifications = version.assessment.notice_qualifications.strip()
    if qualifications:
        lines.append(f"Qualifications assessed: {qualifications}")
    return lines


def _rubric(content: dict, path: list[str]) -> list[str]:
    lines = ["Each of your answers was scored against these criteria and levels:"]
    for step in content.get("steps", []):
        if step.get("id") not in path or not step.get("criteria"):
            continue
        lines.append(f"* {step.get('title') or step['id']}")
        for criterion in step["criteria"]:
            levels = "; ".join(
                f"{level['label']} ({level['points']} points): {level.get('descriptor', '')}"
                for level in criterion.get("levels", [])
            )
            lines.append(f"  - {criterion['id']} (skill {criterion['skill']}): {levels}")
    thresholds = content.get("pass_rules", {})
    if thresholds:
        lines.append(f"Pass rules: {json.dumps(thresholds, sort_keys=True)}")
    return lines


def _evidence(layout: dict) -> list[str]:
    overall = layout["overall"]
    lines = [
        f"Overall score: {overall['score']} out of 100 (the level needed: {overall['threshold']})"
        f" — {'passed' if overall['passed'] else 'not passed'}"
        + ("; still being reviewed by a person" if overall["needs_review"] else "")
        + "."
    ]
    for skill in layout["skills"]:
        if not skill["assessed"]:
            lines.append(f"* {skill['name']}: not assessed (no step of your path measured it).")
            continue
        threshold = (
            f", level needed {skill['threshold']}" if skill["threshold"] not in ("", None) else ""
        )
        lines.append(
            f"* {skill['name']}: {skill['score']} out of 100, {skill['band']}{threshold}"
            f" — {'met' if skill['passed'] else 'not met'}."
        )
    lines.append("How each answer was scored:")
    for step in layout["steps"]:
        for criterion in step["criteria"]:
            lines.append(
                f"- {step['title']} / {criterion['id']} ({criterion['skill']}): level "
                f"{criterion['level']}, {criterion['points']} of {criterion['max_points']} points, "
                f"by {criterion['method']}."
            )
            for label, value in criterion["evidence"]["facts"]:
                lines.append(f"    {label}: {value}")
    return lines


def _who_did_what(attempt: Attempt, run, breakdown: dict) -> list[str]:
    criteria = [c for step in breakdown.get("steps", []) for c in step.get("criteria", [])]
    machine = [c for c in criteria if c.get("method") in MACHINE_METHODS]
    human = [c for c in criteria if c.get("method") == "human"]
    methods = sorted({METHODS.get(c["method"], c["method"]) for c in machine})
    lines = [
        f"The automated tool scored {len(machine)} of {len(criteria)} criteria"
        + (f" ({', '.join(methods)})." if methods else "."),
        f"People decided {len(human)} criteria, without seeing your name or email address.",
    ]
    for decision in attempt.review_decisions.order_by("decided_at", "pk"):
        lines.append(
            f"- {decision.criterion_key}: a reviewer chose level {decision.level} on "
            f"{decision.decided_at:%d %B %Y} because: {decision.reason}"
        )
    if run.human_review_required:
        lines.append(
            "When your answers were scored, automated scoring was paused for this assessment or "
            "you had been granted an alternative process, so a person decided every criterion."
        )
    runs = attempt.score_runs.count()
    if runs > 1:
        lines.append(
            f"Your answers were scored {runs} times (each review or correction makes a new "
            "scoring; earlier ones are kept for audits). This explanation describes the latest."
        )
    decision = decision_history(attempt).first()
    if decision is None:
        lines.append("No one on the hiring team has recorded a decision on your application yet.")
    else:
        lines.append(
            f"The hiring team's decision, recorded by a person on "
            f"{decision.decided_at:%d %B %Y}: {decision.get_outcome_display()}. The assessment "
            "result was one input to it."
        )
    return lines


def _contest() -> list[str]:
    days = settings.REQUEST_RESPONSE_DAYS
    return [
        "- Reply to this email to ask for a review of the decision by a person who was not "
        "involved in it, or to tell us what you think is wrong.",
        "- If data about you is wrong, ask for a correction from your assessment page "
        f"(“Ask for an explanation or a correction”); we answer within {days} days.",
        "- You can download everything we hold about you, or ask us to erase it, from the "
        "same page.",
        "- You may also complain to the authority that oversees automated hiring tools where you "
        "live (for example a market surveillance or data protection authority in the EU, the "
        "NYC Department of Consumer and Worker Protection, or the Colorado Attorney General).",
    ]


def explanation_document(invitation: Invitation, attempt: Attempt | None) -> str:
    """The explanation of the decision on ``attempt``, as plain text to review and edit."""
    content = invitation.version.content
    lines = [
        f"Explanation of the decision: {content['title']}",
        "",
        f"Dear {invitation.candidate_name},",
        "",
        "You asked how the decision on your application was reached. This explains what was "
        "assessed, how your answers were scored, what the automated tool did and what people "
        "did, and how to contest the decision.",
        "",
    ]
    lines += _section("1. What was assessed", _assessed(invitation, content))
    run = current_score_run(attempt) if attempt is not None else None
    if run is None:
        lines += _section(
            "2. Your result",
            ["Your answers have not been scored, so no decision was based on them."],
        )
    else:
        scored = run.version.content if run.version else content
        breakdown = json.loads(run.breakdown_json)
        lines += _section("2. How answers are scored (the rubric)", _rubric(scored, attempt.path))
        lines += _section(
            "3. Your result and the evidence, skill by skill",
            _evidence(breakdown_layout(scored, breakdown)),
        )
        lines += _section(
            "4. What the automated tool did and what people did",
            _who_did_what(attempt, run, breakdown),
        )
    lines += _section("How to contest this decision", _contest())
    return "\n".join(lines).rstrip() + "\n"
