"""Explanation and correction requests: the candidate asks, staff review a generated answer and
send it, by a deadline. Every step is an audit event (subject ``data_request:<public id>``).

Writes and the reads several pages need, in one module, as compliance.demographics does for
self-identification.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Invitation
from assessments.selectors import candidate_personal_data, latest_attempt
from audit.services import Action, actor_for_user, record_event
from compliance.exceptions import RequestRefused
from compliance.explanations import explanation_document
from compliance.models import DataRightsRequest
from outbox import services as outbox

logger = logging.getLogger(__name__)

MAX_REQUESTS_PER_INVITATION = 10  # a link is public enough to be abused
MAX_DETAILS = 4000
MAX_ANSWER = 50_000

# What staff may record as the outcome of each kind of request.
OUTCOMES = {
    DataRightsRequest.Kind.EXPLANATION: (DataRightsRequest.Outcome.EXPLAINED,),
    DataRightsRequest.Kind.CORRECTION: (
        DataRightsRequest.Outcome.CORRECTED,
        DataRightsRequest.Outcome.NOT_CORRECTED,
    ),
}


def _subject(request: DataRightsRequest) -> str:
    return f"data_request:{request.public_id}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- The candidate asks ---------------------------------------------------------------------------


@transaction.atomic
def submit_data_request(
    invitation: Invitation, *, kind: str, details: str = ""
) -> DataRightsRequest:
    """Record a candidate's request for an explanation or a correction, due in
    REQUEST_RESPONSE_DAYS; it is about their latest submitted attempt, if any."""
    if kind not in DataRightsRequest.Kind.values:
        raise RequestRefused("Choose whether you want an explanation or a correction.")
    details = details.strip()
    if kind == DataRightsRequest.Kind.CORRECTION and not details:
        raise RequestRefused("Say which data is wrong and what it should be.")
    if len(details) > MAX_DETAILS:
        raise RequestRefused(f"Keep it under {MAX_DETAILS:,} characters.")
    Invitation.objects.select_for_update().get(pk=invitation.pk)
    if (
        DataRightsRequest.objects.filter(invitation=invitation).count()
        >= MAX_REQUESTS_PER_INVITATION
    ):
        raise RequestRefused(
            "You have already sent several requests. We will answer them by email; if it is "
            "urgent, reply to your invitation email."
        )
    attempt = latest_attempt(invitation)
    now = timezone.now()
    request = DataRightsRequest.objects.create(
        invitation=invitation,
        attempt=attempt if attempt is not None and attempt.submitted_at else None,
        kind=kind,
        details=details,
        due_at=now + timedelta(days=settings.REQUEST_RESPONSE_DAYS),
    )
    record_event(
        Action.DATA_REQUEST_RECEIVED,
        actor=f"candidate:invitation:{invitation.public_id}",
        subject=_subject(request),
        payload={
            "kind": kind,
            "invitation": str(invitation.public_id),
            "attempt": str(request.attempt.public_id) if request.attempt else None,
            "due_at": request.due_at.isoformat(),
        },
    )
    return request


def requests_of(invitation: Invitation) -> list[DataRightsRequest]:
    """The invitation's requests, newest first (the candidate's page)."""
    return list(DataRightsRequest.objects.filter(invitation=invitation).order_by("-created_at"))


def export_requests(invitation: Invitation) -> list[dict]:
    """The invitation's requests as the candidate's data download shows them."""
    return [
        {
            "kind": request.kind,
            "details": request.details,
            "state": request.state,
            "requested_at": request.created_at.isoformat(),
            "due_at": request.due_at.isoformat(),
            "answered_at": request.answered_at.isoformat() if request.answered_at else None,
            "outcome": request.outcome,
            "answer": request.answer if request.state == DataRightsRequest.State.ANSWERED else "",
        }
        for request in requests_of(invitation)
    ]


# --- Staff answer ---------------------------------------------------------------------------------


def generated_answer(request: DataRightsRequest) -> str:
    """The answer generated from the records: the explanation of the decision, or, for a
    correction, the request and the data it is about (staff complete what they did)."""
    if request.kind == DataRightsRequest.Kind.EXPLANATION:
        return explanation_document(request.invitation, request.attempt)
    return render_to_string(
        "compliance/correction_answer.txt",
        {
            "request": request,
            "invitation": request.invitation,
            "data": candidate_personal_data(request.invitation)["invitation"],
            "days": settings.REQUEST_RESPONSE_DAYS,
        },
    )


def _lock_open(request: DataRightsRequest) -> DataRightsRequest:
    request = (
        DataRightsRequest.objects.select_for_update(of=("self",))
        .select_related("invitation__version__assessment", "attempt")
        .get(pk=request.pk)
    )
    if request.state == DataRightsRequest.State.ANSWERED:
        raise RequestRefused(
            f"This request was answered on {request.answered_at:%d %B %Y}; nothing more can change."
        )
    return request


# The correction template leaves this for staff to fill in; an answer still holding it is a draft.
PLACEHOLDER = "[describe the correction made"


def _clean_answer(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise RequestRefused("The answer is empty: write (or generate) it first.")
    if len(text) > MAX_ANSWER:
        raise RequestRefused(f"Keep the answer under {MAX_ANSWER:,} characters.")
    return text + "\n"


@transaction.atomic
def save_draft(request: DataRightsRequest, *, user, text: str | None = None) -> DataRightsRequest:
    """Keep staff's draft of the answer (the generated one when ``text`` is None); audited with
    the draft's sha256, so the log shows each version reviewed without holding its words."""
    request = _lock_open(request)
    generated = text is None
    request.answer = _clean_answer(generated_answer(request) if generated else text)
    request.state = DataRightsRequest.State.DRAFTED
    request.drafted_at = timezone.now()
    request.drafted_by = user
    request.save(update_fields=["answer", "state", "drafted_at", "drafted_by"])
    record_event(
        Action.DATA_REQUEST_DRAFTED,
        actor=actor_for_user(user),
        subject=_subject(request),
        payload={"generated": generated, "answer_sha256": _sha256(request.answer)},
    )
    return request


@transaction.atomic
def send_answer(request: DataRightsRequest, *, user, text: str, outcome: str) -> DataRightsRequest:
    """Send the reviewed answer to the candidate (through the email outbox) and close the
    request with its outcome; audited with the answer's sha256 and whether it was on time."""
    request = _lock_open(request)
    if PLACEHOLDER in (text or ""):
        raise RequestRefused("Say what was done in place of the bracketed text before sending.")
    if outcome not in OUTCOMES[request.kind]:
        choices = ", ".join(str(DataRightsRequest.Outcome(o).label) for o in OUTCOMES[request.kind])
        raise RequestRefused(f"Choose the outcome: {choices}.")
    request.answer = _clean_answer(text)
    request.outcome = outcome
    request.state = DataRightsRequest.State.ANSWERED
    request.answered_at = timezone.now()
    request.answered_by = user
    request.save(update_fields=["answer", "outcome", "state", "answered_at", "answered_by"])
    outbox.queue_email(_answer_message(request), reference=_subject(request))
    record_event(
        Action.DATA_REQUEST_ANSWERED,
        actor=actor_for_user(user),
        subject=_subject(request),
        payload={
            "outcome": outcome,
            "answer_sha256": _sha256(request.answer),
            "due_at": request.due_at.isoformat(),
            "on_time": request.answered_at <= request.due_at,
        },
    )
    return request


def _answer_message(request: DataRightsRequest) -> EmailMultiAlternatives:
    title = request.invitation.version.content["title"]
    subject = f"Your request about {title}: {request.get_kind_display().lower()}"
    return EmailMultiAlternatives(
        subject, request.answer, settings.DEFAULT_FROM_EMAIL, [request.invitation.candidate_email]
    )


# --- Reads for the staff pages --------------------------------------------------------------------


def open_requests() -> QuerySet[DataRightsRequest]:
    """Requests not answered yet, the soonest due first."""
    return (
        DataRightsRequest.objects.exclude(state=DataRightsRequest.State.ANSWERED)
        .select_related("invitation__version__assessment")
        .order_by("due_at", "pk")
    )


def overdue_requests() -> QuerySet[DataRightsRequest]:
    """Requests not answered by their due date."""
    return open_requests().filter(due_at__lt=timezone.now())


def answered_requests(limit: int = 50) -> QuerySet[DataRightsRequest]:
    """The latest answered requests."""
    return (
        DataRightsRequest.objects.filter(state=DataRightsRequest.State.ANSWERED)
        .select_related("invitation__version__assessment", "answered_by")
        .order_by("-answered_at")[:limit]
    )


def access_request(public_id) -> DataRightsRequest:
    """One request by its public id (compliance staff only: the views check the role)."""
    return DataRightsRequest.objects.select_related(
        "invitation__version__assessment", "attempt", "drafted_by", "answered_by"
    ).get(public_id=public_id)


# --- Erasure ------------------------------------------------------------------------------------


def erase_data_requests(invitation: Invitation) -> int:
    """Blank what the candidate wrote and the answers sent (they quote personal data); the
    requests, their dates, outcomes and audit events stay. Returns how many were blanked."""
    return (
        DataRightsRequest.objects.filter(invitation=invitation)
        .exclude(details="", answer="")
        .update(details="", answer="")
    )
