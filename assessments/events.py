"""The webhook events of the assessments domain: what an applicant tracking system is told
about an invitation or an attempt, and who may be told (whoever may see the assessment).

Called from the services, inside the transaction of the change, so an event is delivered if
and only if the change committed. Payloads carry ids, states and times, never a candidate's
answers; the ATS knows its candidate by the ``external_id`` it gave.
"""

from collections.abc import Callable

from assessments.models import Attempt, Invitation
from assessments.selectors import assessments_visible_to
from webhooks.models import EventType
from webhooks.services import emit_event


def invitation_data(invitation: Invitation) -> dict:
    """The invitation's fields every event about it carries."""
    version = invitation.version
    return {
        "invitation": str(invitation.public_id),
        "external_id": invitation.external_id,
        "assessment": version.assessment.slug,
        "version": version.number,
    }


def attempt_data(attempt: Attempt) -> dict:
    """The attempt's fields every event about it carries (with its invitation's)."""
    return invitation_data(attempt.invitation) | {
        "attempt": str(attempt.public_id),
        "started_at": attempt.started_at.isoformat(),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "auto_submitted": attempt.auto_submitted,
    }


def emit_about(assessment_id: int, event_type: EventType, build_data: Callable[[], dict]) -> int:
    """Deliver ``event_type`` to the subscriptions whose owner may see the assessment."""
    return emit_event(
        event_type,
        build_data,
        may_see=lambda user: assessments_visible_to(user).filter(pk=assessment_id).exists(),
    )


def invitation_created(invitation: Invitation) -> None:
    emit_about(
        invitation.version.assessment_id,
        EventType.INVITATION_CREATED,
        lambda: (
            invitation_data(invitation)
            | {
                "expires_at": invitation.expires_at.isoformat(),
                "available_from": (
                    invitation.available_from.isoformat() if invitation.available_from else None
                ),
            }
        ),
    )


def attempt_started(attempt: Attempt) -> None:
    emit_about(
        attempt.version.assessment_id, EventType.ATTEMPT_STARTED, lambda: attempt_data(attempt)
    )


def attempt_submitted(attempt: Attempt) -> None:
    emit_about(
        attempt.version.assessment_id, EventType.ATTEMPT_SUBMITTED, lambda: attempt_data(attempt)
    )
