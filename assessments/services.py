"""Every write the assessments domain knows about, one function each."""

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments import flow
from assessments.documents import validate_document
from assessments.exceptions import AttemptClosed, InvalidAnswer, InvitationUnavailable
from assessments.models import Assessment, AssessmentVersion, Attempt, Invitation, Response
from assessments.tokens import hash_token, new_token
from compliance.audit import Action, actor_for_user, record_event
from compliance.canonical import json_sha256
from scoring.services import request_scoring  # the one door from assessments to scoring

MAX_ANSWER_BYTES = 64 * 1024


@transaction.atomic
def publish_document(document: dict, *, user=None) -> AssessmentVersion:
    """Validate a whole assessment document and freeze it as the next version."""
    validate_document(document)
    assessment, _ = Assessment.objects.select_for_update().update_or_create(
        slug=document["slug"],
        defaults={
            "title": document["title"],
            "role": document.get("role", ""),
            "description": document.get("description", ""),
        },
    )
    last = assessment.versions.order_by("-number").first()
    sha = json_sha256(document)
    version = AssessmentVersion.objects.create(
        assessment=assessment,
        number=(last.number + 1) if last else 1,
        content=document,
        content_sha256=sha,
        published_by=user,
    )
    record_event(
        Action.VERSION_PUBLISHED,
        actor=actor_for_user(user),
        subject=f"version:{version.pk}",
        payload={"assessment": assessment.slug, "number": version.number, "content_sha256": sha},
    )
    return version


@transaction.atomic
def create_invitation(
    version: AssessmentVersion,
    *,
    name: str,
    email: str,
    user=None,
    ttl: timedelta | None = None,
    allow_retake: bool = False,
    token: str | None = None,
) -> tuple[Invitation, str]:
    """Invite one candidate; returns the invitation and the only copy of its token."""
    token = token or new_token()
    invitation = Invitation.objects.create(
        version=version,
        candidate_name=name,
        candidate_email=email,
        token_hash=hash_token(token),
        expires_at=timezone.now() + (ttl or timedelta(days=settings.INVITATION_TTL_DAYS)),
        allow_retake=allow_retake,
        created_by=user,
    )
    record_event(
        Action.INVITATION_CREATED,
        actor=actor_for_user(user),
        subject=f"invitation:{invitation.public_id}",
        payload={"version": version.pk, "expires_at": invitation.expires_at.isoformat()},
    )
    return invitation, token


def _deadline_passed(attempt: Attempt) -> bool:
    return timezone.now() >= attempt.deadline


@transaction.atomic
def start_attempt(invitation: Invitation) -> Attempt:
    """Record consent and open an attempt with a server-side deadline.

    Returns the open attempt when one exists, so a second device or a reload resumes it.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    existing = invitation.attempts.order_by("-started_at").first()
    if existing and existing.state == Attempt.State.IN_PROGRESS:
        return existing
    if existing and not invitation.allow_retake:
        raise InvitationUnavailable("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnavailable("This invitation has expired.")
    now = timezone.now()
    content = invitation.version.content
    minutes = int(content["time_limit_minutes"]) + invitation.extra_time_minutes
    attempt = Attempt.objects.create(
        invitation=invitation,
        version=invitation.version,
        consent_at=now,
        deadline=now + timedelta(minutes=minutes),
        current_step=content["start"],
        path=[content["start"]],
    )
    subject = f"attempt:{attempt.public_id}"
    actor = f"candidate:{attempt.public_id}"
    record_event(
        Action.CONSENT_GIVEN, actor=actor, subject=subject, payload={"at": now.isoformat()}
    )
    record_event(
        Action.ATTEMPT_STARTED,
        actor=actor,
        subject=subject,
        payload={
            "version_sha256": attempt.version.content_sha256,
            "deadline": attempt.deadline.isoformat(),
        },
    )
    return attempt


def _check_answer_size(answer: dict) -> None:
    if not isinstance(answer, dict):
        raise InvalidAnswer("An answer must be a JSON object.")
    size = len(json.dumps(answer, ensure_ascii=False).encode("utf-8"))
    if size > MAX_ANSWER_BYTES:
        raise InvalidAnswer(
            f"This answer is too large ({size} bytes; the limit is {MAX_ANSWER_BYTES})."
        )


def _lock_open_attempt(attempt: Attempt) -> Attempt:
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.state != Attempt.State.IN_PROGRESS:
        raise AttemptClosed("This assessment has already been submitted.")
    if _deadline_passed(attempt):
        raise AttemptClosed("The time limit has passed; your saved answers have been submitted.")
    return attempt


@transaction.atomic
def save_answer(attempt: Attempt, step_id: str, answer: dict) -> Response:
    """Autosave the answer to a step the candidate has reached."""
    _check_answer_size(answer)
    attempt = _lock_open_attempt(attempt)
    if step_id not in attempt.path:
        raise InvalidAnswer("This step is not part of your assessment path.")
    response, _ = Response.objects.update_or_create(
        attempt=attempt, step_id=step_id, defaults={"answer": answer}
    )
    return response


@transaction.atomic
def advance(attempt: Attempt, step_id: str) -> str | None:
    """Move past ``step_id``: the server decides the next step from the frozen version.

    Returns the next step id, or None when the step ends the assessment. Steps after
    ``step_id`` on the old path are dropped when a changed answer takes another branch.
    """
    attempt = _lock_open_attempt(attempt)
    if step_id not in attempt.path:
        raise InvalidAnswer("This step is not part of your assessment path.")
    steps = flow.steps_by_id(attempt.version.content)
    response = attempt.responses.filter(step_id=step_id).first()
    following = flow.next_step_id(steps[step_id], response.answer if response else None)
    path = attempt.path[: attempt.path.index(step_id) + 1]
    if following is not None:
        path.append(following)
        attempt.current_step = following
    attempt.path = path
    attempt.save(update_fields=["path", "current_step"])
    # Answers on a branch the candidate left would otherwise be scored.
    attempt.responses.exclude(step_id__in=path).delete()
    return following


@transaction.atomic
def submit_attempt(attempt: Attempt, *, auto: bool = False) -> Attempt:
    """Close the attempt and write its scoring job, in one transaction; idempotent."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.state == Attempt.State.SUBMITTED:
        return attempt
    attempt.state = Attempt.State.SUBMITTED
    attempt.submitted_at = timezone.now()
    attempt.auto_submitted = auto
    attempt.save(update_fields=["state", "submitted_at", "auto_submitted"])
    record_event(
        Action.ATTEMPT_AUTO_SUBMITTED if auto else Action.ATTEMPT_SUBMITTED,
        actor="system" if auto else f"candidate:{attempt.public_id}",
        subject=f"attempt:{attempt.public_id}",
        payload={"responses": attempt.responses.count(), "path": attempt.path},
    )
    request_scoring(attempt)
    return attempt


def submit_expired_attempts(limit: int = 500) -> int:
    """Submit attempts whose deadline has passed with whatever was saved; returns how many."""
    expired = Attempt.objects.filter(
        state=Attempt.State.IN_PROGRESS, deadline__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    count = 0
    for pk in expired:
        submit_attempt(Attempt(pk=pk), auto=True)
        count += 1
    return count
