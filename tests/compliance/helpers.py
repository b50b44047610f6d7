"""Helpers for compliance tests: scored attempts (real or bulk)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import AssessmentVersion, Attempt, Invitation
from compliance import demographics
from scoring.models import ScoreInput, ScoreRun, ScoringJob
from scoring.services.outbox import request_scoring
from scoring.services.runs import run_scoring_job
from tests.support.factories import invitation_for, published_version

STRONG_REPLY = "I'm sorry for the double charge. I will refund it today."


class ScoredAttempts:
    """Makes attempts at the small test document and scores them with the real engine."""

    def __init__(self) -> None:
        self.version = published_version()
        self._count = 0

    def take(
        self,
        *,
        name: str = "Ada Candidate",
        email: str | None = None,
        option: str = "check",
        text: str = STRONG_REPLY,
        score: bool = True,
    ) -> Attempt:
        self._count += 1
        email = email or f"candidate{self._count}@example.com"
        invitation, token = invitation_for(self.version, name=name, email=email)
        attempt = assessment_services.start_attempt(invitation)
        assessment_services.save_answer(attempt, "first-move", {"option": option})
        assessment_services.advance(attempt, "first-move")
        assessment_services.save_answer(attempt, "reply", {"text": text})
        assessment_services.advance(attempt, "reply")
        assessment_services.submit_attempt(attempt)
        if score:
            job = ScoringJob.objects.get(attempt=attempt, reason=ScoringJob.Reason.SUBMITTED)
            run_scoring_job(job.pk)
        attempt.refresh_from_db()
        attempt.token = token  # the candidate's link, for tests of candidate pages
        return attempt

    def rescore(self, attempt: Attempt, reason: str = ScoringJob.Reason.REVIEW) -> ScoreRun:
        """A second run that supersedes the first (what a review or a re-score does)."""
        job = request_scoring(attempt, reason=reason)
        return run_scoring_job(job.pk)


# Bulk attempts answered nothing: their snapshot is the empty answers document.
EMPTY_ANSWERS_SHA256 = hashlib.sha256(b"{}").hexdigest()


def bulk_scored_attempts(
    version: AssessmentVersion,
    rows: list[dict],
    *,
    breakdown_json: str | None = None,
    start: datetime | None = None,
) -> list[Attempt]:
    """Many submitted, scored attempts at once (bulk_create; no audit events).

    Each row may give ``passed``, ``score``, ``submitted_at``, ``email`` and ``name``.
    """
    start = start or timezone.now() - timedelta(days=1)
    breakdown_json = breakdown_json or json.dumps({"steps": [], "overall": {}})
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                version=version,
                candidate_name=row.get("name", f"Bulk Candidate {index}"),
                candidate_email=row.get("email", f"bulk{index}@example.com"),
                token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                expires_at=start + timedelta(days=30),
            )
            for index, row in enumerate(rows)
        ]
    )
    attempts = Attempt.objects.bulk_create(
        [
            Attempt(
                invitation=invitation,
                version=version,
                state=Attempt.State.SUBMITTED,
                consent_at=start,
                deadline=start + timedelta(minutes=15),
                submitted_at=row.get("submitted_at", start + timedelta(minutes=10)),
                current_step="reply",
                path=["first-move", "reply"],
            )
            for invitation, row in zip(invitations, rows, strict=True)
        ]
    )
    jobs = ScoringJob.objects.bulk_create(
        [ScoringJob(attempt=attempt, state=ScoringJob.State.DONE) for attempt in attempts]
    )
    snapshots = ScoreInput.objects.bulk_create(
        [
            ScoreInput(attempt=attempt, responses_json="{}", responses_sha256=EMPTY_ANSWERS_SHA256)
            for attempt in attempts
        ]
    )
    ScoreRun.objects.bulk_create(
        [
            ScoreRun(
                job=job,
                attempt=attempt,
                engine_version="test",
                version=version,
                content_sha256=version.content_sha256,
                inputs=snapshot,
                responses_sha256=EMPTY_ANSWERS_SHA256,
                breakdown_json=breakdown_json,
                breakdown_sha256="1" * 64,
                overall_score=row.get("score", 80.0 if row.get("passed", True) else 20.0),
                passed=row.get("passed", True),
            )
            for job, attempt, row, snapshot in zip(jobs, attempts, rows, snapshots, strict=True)
        ]
    )
    return attempts


def bulk_candidates_with_answers(
    version: AssessmentVersion, groups: list[tuple[str, str, int, int]]
) -> None:
    """Scored candidates who answered the self-identification, given as
    (sex, race/ethnicity, people, selected) groups; the first ``selected`` of each pass."""
    rows, answers = [], []
    for sex, race, people, selected in groups:
        for index in range(people):
            rows.append({"passed": index < selected, "score": 80.0 if index < selected else 20.0})
            answers.append((sex, race))
    for attempt, (sex, race) in zip(bulk_scored_attempts(version, rows), answers, strict=True):
        demographics.save_self_identification(attempt.public_id, sex=sex, race_ethnicity=race)
