"""The webhook events of scoring: a score run stored (`attempt.scored`) and, when people
settled every criterion the machine could not, `review.completed`.

Emitted by the job that stores the run, in its transaction. The payload carries the scores
as the results API reads them (scoring.selectors.skill_results), never an answer.
"""

from django.conf import settings
from django.urls import reverse

from assessments.events import attempt_data, emit_about
from scoring.models import ScoreRun, ScoringJob
from scoring.selectors import skill_results
from webhooks.models import EventType


def report_url(attempt) -> str:
    """The candidate's report page for recruiters (staff sign-in required)."""
    path = reverse(
        "results:report",
        kwargs={"slug": attempt.version.assessment.slug, "public_id": attempt.public_id},
    )
    return settings.SITE_URL + path


def run_data(run: ScoreRun) -> dict:
    """What an ATS needs of a stored run: overall and per-skill scores, bands, the verdict."""
    return attempt_data(run.attempt) | {
        "run": run.pk,
        "scored_at": run.created_at.isoformat(),
        "overall_score": run.overall_score,
        "passed": run.passed,
        "needs_review": run.needs_review,
        "skills": skill_results(run.breakdown_json),
        "report_url": report_url(run.attempt),
    }


def score_run_stored(run: ScoreRun, reason: str) -> None:
    """`attempt.scored` for every run; `review.completed` for a review's run that leaves
    nothing to review."""
    assessment_id = run.attempt.version.assessment_id
    emit_about(assessment_id, EventType.ATTEMPT_SCORED, lambda: run_data(run) | {"reason": reason})
    if reason == ScoringJob.Reason.REVIEW and not run.needs_review:
        emit_about(assessment_id, EventType.REVIEW_COMPLETED, lambda: run_data(run))
