"""Reads of the assessments domain that several callers need, each behind one access check."""

from django.utils import timezone

from assessments.exceptions import InvitationUnavailable
from assessments.models import AssessmentVersion, Attempt, Invitation
from assessments.tokens import hash_token


def access_invitation_by_token(token: str) -> Invitation:
    """The invitation a link's token opens; the token is the candidate's only credential."""
    if not token or len(token) > 200:
        raise InvitationUnavailable("This invitation link is not valid.")
    invitation = (
        Invitation.objects.select_related("version__assessment")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnavailable("This invitation link is not valid.")
    return invitation


def latest_attempt(invitation: Invitation) -> Attempt | None:
    """The invitation's most recent attempt, if any."""
    return invitation.attempts.select_related("version").order_by("-started_at").first()


def invitation_expired(invitation: Invitation) -> bool:
    """Whether the link can no longer start an attempt."""
    return invitation.expires_at <= timezone.now()


def latest_version(slug: str) -> AssessmentVersion | None:
    """The newest published version of an assessment."""
    return AssessmentVersion.objects.filter(assessment__slug=slug).order_by("-number").first()


def answers_by_step(attempt: Attempt) -> dict[str, dict]:
    """The attempt's saved answers keyed by step id."""
    return {response.step_id: response.answer for response in attempt.responses.all()}
