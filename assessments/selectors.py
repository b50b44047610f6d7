"""Reads of the assessments domain that several callers need, each behind one access check."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

import flow
from assessments.answers import readable_answer
from assessments.exceptions import InvitationErased, InvitationUnavailable
from assessments.models import (
    AccommodationRequest,
    Assessment,
    AssessmentVersion,
    Attempt,
    AutomationPause,
    Invitation,
    InvitationImport,
    NoticeVersion,
)
from assessments.published import published_versions
from assessments.tokens import hash_token
from audit.roles import Role, has_role

# Erasure replaces the address with one in this reserved domain (services.erased_email).
ERASED_EMAIL_DOMAIN = "@erased.invalid"


def invitation_erased(invitation: Invitation) -> bool:
    """Whether the invitation's personal data has been erased."""
    return invitation.candidate_email.endswith(ERASED_EMAIL_DOMAIN)


def _check_token(token: str) -> None:
    if not token or len(token) > 200:
        raise InvitationUnavailable("This invitation link is not valid.")


CANCELLED_MESSAGE = "The employer withdrew this invitation, so its link no longer opens."


def _refuse_erased(invitation: Invitation) -> None:
    if invitation_erased(invitation):
        raise InvitationErased(
            "The personal data of this invitation was erased, as you asked or at the end of "
            "the retention period. Your answers and results are gone, so this link no longer "
            "opens anything."
        )


def access_invitation_by_token(token: str, *, include_erased: bool = False) -> Invitation:
    """The invitation a link's token opens; the token is the candidate's only credential.

    An erased invitation opens nothing (`InvitationErased`), except for `include_erased`
    callers: the erasure page, which confirms the erasure and shows no data.
    """
    _check_token(token)
    invitation = (
        Invitation.objects.select_related("version__assessment")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnavailable("This invitation link is not valid.")
    if not include_erased:
        _refuse_erased(invitation)
    if invitation.cancelled_at is not None:
        raise InvitationUnavailable(CANCELLED_MESSAGE)
    return invitation


def access_latest_attempt_by_token(token: str) -> Attempt | None:
    """The latest attempt of the invitation a link's token opens (None when none was started),
    with its invitation and version in one query; the version's document comes from
    assessments.published, not from this row. Refused as `access_invitation_by_token` refuses."""
    _check_token(token)
    attempt = (
        Attempt.objects.select_related("invitation", "version")
        .defer("version__content")
        .filter(invitation__token_hash=hash_token(token))
        .order_by("-started_at")
        .first()
    )
    if attempt is None:
        access_invitation_by_token(token)  # unknown or erased: say which
        return None
    _refuse_erased(attempt.invitation)
    return attempt


def latest_attempt(invitation: Invitation) -> Attempt | None:
    """The invitation's most recent attempt, if any."""
    return invitation.attempts.select_related("version").order_by("-started_at").first()


def notice_period_running(invitation: Invitation):
    """When the invitation can be started, while its notice period runs; else None."""
    if invitation.available_from and invitation.available_from > timezone.now():
        return invitation.available_from
    return None


def notice_version(assessment_id: int, number: int) -> NoticeVersion | None:
    """One stored notice of an assessment, by its number."""
    return NoticeVersion.objects.filter(assessment_id=assessment_id, number=number).first()


def invitation_expired(invitation: Invitation) -> bool:
    """Whether the link can no longer start an attempt."""
    return invitation.expires_at <= timezone.now()


def latest_version(slug: str) -> AssessmentVersion | None:
    """The newest published version of an assessment."""
    return AssessmentVersion.objects.filter(assessment__slug=slug).order_by("-number").first()


def answers_by_step(attempt: Attempt) -> dict[str, dict]:
    """The attempt's saved answers keyed by step id."""
    return {response.step_id: response.answer for response in attempt.responses.all()}


def first_step_off_course(attempt: Attempt) -> str | None:
    """The first step on the path whose saved answer now leads elsewhere than the path goes.

    An answer changed by autosave (without pressing Continue) can point to another branch;
    the path must follow it again before the candidate may submit.
    """
    steps = published_versions.steps(attempt.version)
    answers = answers_by_step(attempt)
    for here, there in zip(attempt.path, attempt.path[1:], strict=False):
        if flow.next_step_id(steps[here], answers.get(here)) != there:
            return here
    last = attempt.path[-1]
    if flow.next_step_id(steps[last], answers.get(last)) is not None and (
        attempt.current_step != last
    ):
        return last
    return None


def active_recruiters() -> QuerySet:
    """Active users in the Recruiter role: the people who may own or share an assessment."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.RECRUITER.value)
        .order_by("username")
        .distinct()
    )


def may_manage_access(user, assessment: Assessment) -> bool:
    """Whether ``user`` chooses an assessment's owner and who else sees its results: its
    owner or a superuser (the results page and the admin ask the same question)."""
    return user.is_superuser or (assessment.owner_id is not None and assessment.owner_id == user.pk)


def import_progress(job: InvitationImport) -> dict:
    """How far an invitation import is, as the progress page and its JSON show it."""
    return {
        "state": job.state,
        "total": job.total_rows,
        "processed": job.processed,
        "invited": job.invited,
        "refused": len(job.errors),
        "percent": 100 if job.total_rows == 0 else round(100 * job.processed / job.total_rows),
        "error": job.last_error if job.state == InvitationImport.State.FAILED else "",
    }


def recent_invitation_imports(user, limit: int = 10) -> list[InvitationImport]:
    """The imports ``user`` started, newest first, for the upload page to lead back to."""
    return list(
        InvitationImport.objects.filter(created_by=user)
        .select_related("version__assessment")
        .defer("rows")
        .order_by("-created_at")[:limit]
    )


def access_invitation_import(user, import_id: int) -> InvitationImport | None:
    """An invitation import, for the recruiter who started it or who recruits for its
    assessment; None for everybody else (who must not learn it exists)."""
    job = (
        InvitationImport.objects.select_related("version__assessment").filter(pk=import_id).first()
    )
    if job is None:
        return None
    if job.created_by_id == user.pk or (
        assessments_recruited_by(user).filter(pk=job.version.assessment_id).exists()
    ):
        return job
    return None


def assessments_visible_to(user) -> QuerySet[Assessment]:
    """The assessments whose candidates ``user`` may see: every one for Compliance and
    superusers, those they own or that are shared with them for Recruiters, none otherwise.
    The results pages, the integration API and webhook events all ask this."""
    assessments = Assessment.objects.order_by("title")
    if user.is_superuser or has_role(user, Role.COMPLIANCE):
        return assessments
    return assessments_recruited_by(user)


def assessments_recruited_by(user) -> QuerySet[Assessment]:
    """The assessments ``user`` recruits for (invites to, decides on): owned or shared with
    them, as an active Recruiter; every one for a superuser."""
    assessments = Assessment.objects.order_by("title")
    if user.is_superuser:
        return assessments
    if not has_role(user, Role.RECRUITER):
        return assessments.none()
    recruits = Assessment.objects.filter(Q(owner=user) | Q(shared_with=user))
    return assessments.filter(pk__in=recruits.values("pk"))


def accommodation_requests(invitation: Invitation) -> list[AccommodationRequest]:
    """The invitation's accommodation requests, newest first."""
    return list(invitation.accommodation_requests.order_by("-created_at"))


def accommodation_overdue(request: AccommodationRequest) -> bool:
    """Whether a request still waits for a decision after its due date (as the query below)."""
    return (
        request.state == AccommodationRequest.State.PENDING
        and request.due_at is not None
        and request.due_at < timezone.now()
    )


def overdue_accommodation_requests() -> QuerySet:
    """Requests still waiting for a decision after their due date, oldest first."""
    return AccommodationRequest.objects.filter(
        state=AccommodationRequest.State.PENDING, due_at__lt=timezone.now()
    ).order_by("due_at")


# --- Human oversight ----------------------------------------------------------------------------


def current_pause(assessment_id: int) -> AutomationPause | None:
    """The open automation pause of an assessment (with who paused it), or None."""
    return (
        AutomationPause.objects.select_related("paused_by")
        .filter(assessment_id=assessment_id, resumed_at__isnull=True)
        .first()
    )


def may_stop_automation(user, assessment: Assessment) -> bool:
    """Whether ``user`` may pause or resume an assessment's automation (human oversight): its
    owner, the recruiters it is shared with, the Compliance role and superusers."""
    if has_role(user, Role.COMPLIANCE):
        return True
    return has_role(user, Role.RECRUITER) and (
        assessment.owner_id == user.pk or assessment.shared_with.filter(pk=user.pk).exists()
    )


def automation_paused(assessment_id: int) -> bool:
    """Whether the assessment's stop button is pressed: every criterion goes to a person."""
    return AutomationPause.objects.filter(
        assessment_id=assessment_id, resumed_at__isnull=True
    ).exists()


def people_decide_everything(assessment_id: int, invitation_id: int) -> bool:
    """Whether every criterion of this invitation's answers goes to a person: the assessment's
    automation is paused (human oversight), or the candidate was granted an alternative
    process (no automated scoring). One statement: the scoring job asks it every time."""
    paused = AutomationPause.objects.filter(assessment_id=assessment_id, resumed_at__isnull=True)
    alternative = AccommodationRequest.objects.filter(
        invitation_id=OuterRef("pk"),
        kind=AccommodationRequest.Kind.ALTERNATIVE_PROCESS,
        state=AccommodationRequest.State.GRANTED,
    )
    return (
        Invitation.objects.filter(pk=invitation_id)
        .filter(Exists(paused) | Exists(alternative))
        .exists()
    )


def paused_assessment_ids() -> QuerySet:
    """Ids of the assessments whose automation is paused (a subquery for other apps)."""
    return AutomationPause.objects.filter(resumed_at__isnull=True).values("assessment_id")


def _readable(attempt: Attempt, response) -> dict:
    step = published_versions.steps(attempt.version).get(response.step_id)
    return readable_answer(step["item"], response.answer) if step else response.answer


def candidate_personal_data(invitation: Invitation) -> dict:
    """Everything the assessments app holds about the candidate of one invitation.

    The answers are the candidate's own, with the option texts they saw rather than the
    option ids; nothing about the assessment's keys is included.
    """
    attempts = invitation.attempts.select_related("version", "notice").prefetch_related("responses")
    return {
        "invitation": {
            "id": str(invitation.public_id),
            "name": invitation.candidate_name,
            "email": invitation.candidate_email,
            "assessment": invitation.version.content["title"],
            "assessment_version": invitation.version.number,
            "assessment_version_sha256": invitation.version.content_sha256,
            "created_at": invitation.created_at.isoformat(),
            "sent_at": invitation.sent_at.isoformat() if invitation.sent_at else None,
            "expires_at": invitation.expires_at.isoformat(),
            "retake_allowed": invitation.allow_retake,
            "extra_time_minutes": invitation.extra_time_minutes,
            "notice_version_sent": invitation.notice.number if invitation.notice else None,
        },
        "accommodation_requests": [
            {
                "kind": request.kind,
                "details": request.details,
                "state": request.state,
                "granted_extra_minutes": request.granted_extra_minutes,
                "decision_note": request.decision_note,
                "requested_at": request.created_at.isoformat(),
                "decided_at": request.decided_at.isoformat() if request.decided_at else None,
            }
            for request in accommodation_requests(invitation)
        ],
        "attempts": [
            {
                "id": str(attempt.public_id),
                "state": attempt.state,
                "consent_given_at": attempt.consent_at.isoformat(),
                "notice_version_consented_to": attempt.notice.number if attempt.notice else None,
                "started_at": attempt.started_at.isoformat(),
                "deadline": attempt.deadline.isoformat(),
                "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
                "submitted_automatically": attempt.auto_submitted,
                "steps_seen": list(attempt.path),
                "answers": [
                    {
                        "step": response.step_id,
                        "answer": _readable(attempt, response),
                        "saved_at": response.saved_at.isoformat(),
                    }
                    for response in attempt.responses.all()
                ],
            }
            for attempt in attempts.order_by("started_at")
        ],
    }
