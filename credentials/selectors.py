"""Reads of the credentials domain that several callers need, each behind one access check."""

import uuid

from django.urls import reverse
from django.utils import timezone

from assessments.tokens import hash_token
from credentials.exceptions import AccessDenied, LinkUnavailable
from credentials.models import Credential, LearnerRecord, ShareLink


def credential_link_for_attempt(attempt) -> str | None:
    """Where the candidate sees the credential their attempt earned, or None (no credential yet).

    The page asks for a one-time email link when the browser has no session for their record.
    """
    public_id = (
        Credential.objects.filter(attempt=attempt).values_list("public_id", flat=True).first()
    )
    if public_id is None:
        return None
    return reverse("credentials:ler-credential", kwargs={"public_id": public_id})


def record_credentials(record: LearnerRecord) -> list[Credential]:
    """A learner's credentials, newest first, with their share links."""
    return list(
        record.credentials.select_related("attempt__version", "issuer_key")
        .prefetch_related("shares")
        .order_by("-issued_at", "-pk")
    )


def access_credential_in_record(record: LearnerRecord | None, public_id) -> Credential:
    """The credential `public_id` if it belongs to `record` (the signed-in learner)."""
    if record is None:
        raise AccessDenied("Sign in to your record to see this credential.")
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise AccessDenied("There is no such credential in your record.") from exc
    credential = (
        Credential.objects.select_related("attempt__version", "record")
        .filter(public_id=public_id, record=record)
        .first()
    )
    if credential is None:
        raise AccessDenied("There is no such credential in your record.")
    return credential


def access_share_in_record(record: LearnerRecord | None, share_id: int) -> ShareLink:
    """A share link of one of the signed-in learner's credentials."""
    share = (
        ShareLink.objects.select_related("credential").filter(pk=share_id).first()
        if record is not None
        else None
    )
    if share is None or share.credential.record_id != record.pk:
        raise AccessDenied("There is no such share link in your record.")
    return share


def share_by_token(token: str) -> ShareLink:
    """The live share link of a token; `LinkUnavailable` when deleted, unknown or expired."""
    if not token or len(token) > 64:
        raise LinkUnavailable("This share link does not exist, or its owner deleted it.")
    share = (
        ShareLink.objects.select_related("credential__attempt__version", "credential__record")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if share is None:
        raise LinkUnavailable("This share link does not exist, or its owner deleted it.")
    if share.expires_at is not None and share.expires_at <= timezone.now():
        raise LinkUnavailable("This share link has expired.")
    return share


def record_by_public_id(public_id) -> LearnerRecord | None:
    """The learner record a session names, if it still exists."""
    try:
        return LearnerRecord.objects.filter(public_id=uuid.UUID(str(public_id))).first()
    except ValueError:
        return None
