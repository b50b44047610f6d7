"""The webhook events of credentials: issued and revoked, to whoever may see the assessment."""

from assessments.events import attempt_data, emit_about
from credentials.models import Credential
from webhooks.models import EventType


def credential_data(credential: Credential) -> dict:
    """The credential's ids and dates with its attempt's (the revocation reason stays here:
    it is staff's free text about a person)."""
    return attempt_data(credential.attempt) | {
        "credential": str(credential.public_id),
        "credential_urn": credential.urn,
        "achievement": credential.achievement,
        "name": credential.name,
        "issued_at": credential.issued_at.isoformat(),
        "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
        "revoked_at": credential.revoked_at.isoformat() if credential.revoked_at else None,
    }


def _emit(credential: Credential, event_type: EventType) -> None:
    emit_about(
        credential.attempt.version.assessment_id, event_type, lambda: credential_data(credential)
    )


def credential_issued(credential: Credential) -> None:
    _emit(credential, EventType.CREDENTIAL_ISSUED)


def credential_revoked(credential: Credential) -> None:
    _emit(credential, EventType.CREDENTIAL_REVOKED)
