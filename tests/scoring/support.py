"""Helpers for the scoring tests: staff by role, demo versions, attempts taken through the
services, and jobs run in this process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from assessments import services as assessment_services
from assessments.authoring.files import read_document
from scoring.models import ScoreRun, ScoringJob
from scoring.services.runs import run_scoring_job
from tests.support.factories import invitation_for, published_version

DEMO_DIR = Path(__file__).resolve().parents[2] / "assessments" / "demo"
DEMO_SLUGS = sorted(path.stem for path in DEMO_DIR.glob("*.yaml"))
STRONG_REPLY = "I'm sorry for the double charge. I will refund it today."


@cache
def demo_document(slug: str) -> dict:
    return read_document((DEMO_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))


def publish_demo(slug: str):
    """Publish one demo document as a new version."""
    return assessment_services.publish_document(demo_document(slug))


def take_small(
    version=None, *, option: str = "check", text: str = STRONG_REPLY, email: str | None = None
):
    """A submitted attempt at the small test document (answered through the services)."""
    version = version or published_version()
    invitation, _ = invitation_for(version, email=email or "ada@example.com")
    attempt = assessment_services.start_attempt(invitation)
    assessment_services.save_answer(attempt, "first-move", {"option": option})
    assessment_services.advance(attempt, "first-move")
    assessment_services.save_answer(attempt, "reply", {"text": text})
    assessment_services.advance(attempt, "reply")
    assessment_services.submit_attempt(attempt)
    attempt.refresh_from_db()
    return attempt


def run_pending(attempt=None) -> list[ScoreRun]:
    """Run every pending job (of one attempt, or all) in this process, oldest first."""
    jobs = ScoringJob.objects.filter(state=ScoringJob.State.PENDING).order_by("pk")
    if attempt is not None:
        jobs = jobs.filter(attempt=attempt)
    return [run for run in (run_scoring_job(pk) for pk in jobs.values_list("pk", flat=True)) if run]
