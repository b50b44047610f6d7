"""Writes of the recruiter's workspace: the result rows projection, decisions and visits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.events import attempt_data, emit_about
from assessments.models import Attempt
from assessments.selectors import invitation_erased
from audit.services import actor_for_user, record_event
from outbox import services as outbox
from results.exceptions import DecisionNotAllowed, NoteNotAllowed, SharingNotAllowed
from results.models import Decision, DigestSubscription, ResultRow, Visit
from results.selectors import ResultsAccess, recruiters_to_share_with, visible_assessments
from scoring.models import ScoreRun
from scoring.selectors import skill_results
from webhooks.models import EventType

# The audit action of a recruiter's decision (its subject is ``attempt:<public_id>``).
DECISION_RECORDED = "decision.recorded"
REFRESH_BATCH = 1000


def _stale_runs(assessment_ids: list[int]):
    """Current runs of these assessments that the projection does not show yet."""
    first_run = ScoreRun.objects.filter(attempt=OuterRef("attempt")).order_by("created_at", "pk")
    return (
        ScoreRun.objects.filter(
            superseded_by__isnull=True, attempt__version__assessment_id__in=assessment_ids
        )
        .filter(~Exists(ResultRow.objects.filter(run=OuterRef("pk"))))
        .annotate(first_scored_at=Subquery(first_run.values("created_at")[:1]))
        .values(
            "pk",
            "attempt_id",
            "attempt__version_id",
            "attempt__version__assessment_id",
            "version_id",
            "created_at",
            "first_scored_at",
            "overall_score",
            "passed",
            "needs_review",
            "breakdown_json",
        )
        .order_by("pk")
    )


def _result_row(run: dict) -> ResultRow:
    skills = skill_results(run["breakdown_json"])
    return ResultRow(
        attempt_id=run["attempt_id"],
        assessment_id=run["attempt__version__assessment_id"],
        run_id=run["pk"],
        # Runs older than ScoreRun.version scored the attempt's own version.
        version_id=run["version_id"] or run["attempt__version_id"],
        scored_at=run["created_at"],
        first_scored_at=run["first_scored_at"],
        overall_score=run["overall_score"],
        passed=run["passed"],
        needs_review=run["needs_review"],
        skill_scores={skill["skill"]: skill["score"] for skill in skills},
        skill_bands={skill["skill"]: skill["band"] for skill in skills},
    )


def refresh_result_rows(assessment_ids: Iterable[int]) -> int:
    """Bring the result rows of these assessments up to their current score runs.

    Called before every read of the table, so it is never stale, yet it costs one anti-join
    when nothing changed: only runs stored since the last call are parsed. Scoring stays
    unaware of this app (it reads scoring, never the other way round). Returns rows written.
    """
    stale = _stale_runs(list(assessment_ids)).iterator(chunk_size=REFRESH_BATCH)
    written = 0
    while batch := [_result_row(run) for run in islice(stale, REFRESH_BATCH)]:
        written += len(batch)
        ResultRow.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["attempt"],
            update_fields=[
                "run",
                "version",
                "scored_at",
                "first_scored_at",
                "overall_score",
                "passed",
                "needs_review",
                "skill_scores",
                "skill_bands",
            ],
        )
    return written


def record_decision(
    access: ResultsAccess, attempt: Attempt, *, outcome: str, note: str, user
) -> Decision:
    """Record a recruiter's decision on an attempt (a new row: earlier ones stay as history).

    The audit event carries the outcome, never the note: a note is about a person and must
    stay erasable, the audit chain never forgets.
    """
    if not access.can_decide:
        raise DecisionNotAllowed("Only the assessment's recruiters record decisions.")
    if note.strip() and invitation_erased(attempt.invitation):
        raise NoteNotAllowed(
            "This candidate's personal data was erased, so a decision on them takes no note."
        )
    with transaction.atomic():
        previous = Decision.objects.filter(attempt=attempt).values_list("outcome", flat=True)
        previous_outcome = previous.first()
        decision = Decision.objects.create(
            attempt=attempt, outcome=outcome, note=note.strip(), decided_by=user
        )
        record_event(
            DECISION_RECORDED,
            actor=actor_for_user(user),
            subject=f"attempt:{attempt.public_id}",
            payload={
                "decision": decision.pk,
                "outcome": outcome,
                "previous_outcome": previous_outcome,
                "assessment": access.assessment.slug,
            },
        )
        emit_about(
            access.assessment.pk,
            EventType.DECISION_RECORDED,
            lambda: (
                attempt_data(attempt)
                | {
                    "outcome": outcome,
                    "previous_outcome": previous_outcome,
                    "decided_at": decision.decided_at.isoformat(),
                }
            ),
        )
    return decision


def erase_decision_notes(attempt_public_ids: Iterable) -> int:
    """Blank the recruiters' notes on these attempts (on the candidate's erasure).

    A note is free text about a person, so it goes; the decision history (outcome, when, who)
    stays, as the audit chain already names it. Idempotent; returns how many notes went.
    """
    return (
        Decision.objects.filter(attempt__public_id__in=list(attempt_public_ids))
        .exclude(note="")
        .update(note="")
    )


def share_assessment(access: ResultsAccess, recruiter_ids: Iterable[int], *, user) -> None:
    """Set who, besides its owner, sees an assessment's results and records decisions on it.

    Only recruiters can be chosen (anyone else would see nothing); the change is audited.
    """
    if not access.can_share:
        raise SharingNotAllowed("Only the assessment's owner chooses who else sees its results.")
    chosen = recruiters_to_share_with(access).filter(pk__in=list(recruiter_ids))
    assessment_services.share_assessment_with(access.assessment, chosen, user=user)


def note_visit(user, access: ResultsAccess) -> None:
    """Remember that ``user`` saw this assessment's results now (for "new since")."""
    Visit.objects.update_or_create(
        user=user, assessment=access.assessment, defaults={"seen_at": timezone.now()}
    )


# --- The daily digest ------------------------------------------------------------------------

# A digest goes out at most once in this long, however often beat runs the task.
DIGEST_INTERVAL = timedelta(hours=20)


def set_digest(user, *, wanted: bool) -> None:
    """Subscribe ``user`` to the daily results digest, or unsubscribe them."""
    if wanted:
        DigestSubscription.objects.get_or_create(user=user)
    else:
        DigestSubscription.objects.filter(user=user).delete()


def _digest_lines(user, since) -> list[dict]:
    assessments = list(visible_assessments(user))
    refresh_result_rows(assessment.pk for assessment in assessments)
    counts = dict(
        ResultRow.objects.filter(assessment__in=assessments, scored_at__gt=since)
        .values("assessment_id")
        .annotate(new=Count("pk"))
        .values_list("assessment_id", "new")
    )
    return [
        {
            "assessment": assessment,
            "new": counts[assessment.pk],
            "url": settings.SITE_URL + reverse("results:table", kwargs={"slug": assessment.slug}),
        }
        for assessment in assessments
        if counts.get(assessment.pk)
    ]


def send_due_digest(subscription_id: int, now=None) -> bool:
    """Email one subscriber what was scored since their last digest; True when one was sent.

    Idempotent: the row is locked while sending and a digest sent less than DIGEST_INTERVAL
    ago is not sent again. Nothing new, no email.
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscription = (
            DigestSubscription.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=subscription_id)
            .first()
        )
        if subscription is None or (
            subscription.last_sent_at and now - subscription.last_sent_at < DIGEST_INTERVAL
        ):
            return False
        user = subscription.user
        since = subscription.last_sent_at or subscription.created_at
        try:
            lines = _digest_lines(user, since) if user.is_active and user.email else []
        except PermissionDenied:
            lines = []  # no longer a Recruiter or Compliance officer
        if lines:
            context = {"user": user, "lines": lines, "since": since}
            message = EmailMessage(
                render_to_string("results/emails/digest_subject.txt", context).strip(),
                render_to_string("results/emails/digest.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            outbox.queue_email(message, reference=f"digest:{subscription.pk}")
        subscription.last_sent_at = now
        subscription.save(update_fields=["last_sent_at"])
    return bool(lines)


def send_due_digests(now=None) -> int:
    """Send every subscriber's daily digest that is due; returns how many were sent."""
    return sum(
        send_due_digest(pk, now) for pk in DigestSubscription.objects.values_list("pk", flat=True)
    )
