"""The candidate's results: a waiting page that turns into the result when scoring finishes,
and the download of everything held about them."""

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments.exceptions import InvitationUnavailable
from assessments.selectors import (
    access_invitation_by_token,
    candidate_personal_data,
    latest_attempt,
)
from audit.selectors import audit_receipt
from audit.services import Action, record_event, sequence_pending_events
from scoring.presenters import candidate_result, credential_link, score_summary
from scoring.selectors import current_score_run, scoring_status


class _NotFound(Exception):
    pass


def _invitation(token: str):
    try:
        return access_invitation_by_token(token)
    except InvitationUnavailable as error:
        raise _NotFound(str(error)) from error


def _submitted_attempt(token: str):
    attempt = latest_attempt(_invitation(token))
    if attempt is None or attempt.submitted_at is None:
        raise _NotFound("This assessment has not been submitted yet.")
    return attempt


def _unavailable(request, message: str):
    return render(request, "candidate/unavailable.html", {"message": message}, status=404)


def _result_context(token: str, attempt) -> dict:
    status = scoring_status(attempt)
    context = {
        "token": token,
        "attempt": attempt,
        "status": status,
        "title": attempt.version.content["title"],
        "can_retake": attempt.invitation.allow_retake
        and attempt.invitation.expires_at > timezone.now(),
    }
    if status == "scored":
        run = current_score_run(attempt)
        context["result"] = candidate_result(
            attempt.version.content,
            json.loads(run.breakdown_json),
            credential_url=credential_link(attempt),
        )
    return context


@never_cache
@require_GET
def result(request, token: str):
    """Being scored, then the per-skill result and feedback."""
    try:
        attempt = _submitted_attempt(token)
    except _NotFound as error:
        return _unavailable(request, str(error))
    return render(request, "candidate/result.html", _result_context(token, attempt))


@never_cache
@require_GET
def result_status(request, token: str):
    """JSON for the waiting page: {"status": …}, plus the result's HTML once it is there."""
    try:
        attempt = _submitted_attempt(token)
    except _NotFound as error:
        return JsonResponse({"error": str(error)}, status=404)
    context = _result_context(token, attempt)
    body = {"status": context["status"]}
    if context["status"] != "pending":
        body["html"] = render_to_string("candidate/_result_body.html", context, request=request)
    return JsonResponse(body)


@never_cache
@require_GET
def my_data(request, token: str):
    """Everything held about the candidate of this invitation, as a JSON download."""
    try:
        invitation = _invitation(token)
    except _NotFound as error:
        return JsonResponse({"error": str(error)}, status=404)
    data = candidate_personal_data(invitation)
    # Events of the last second are still pending: take them into the receipts unless the
    # sequencer is running right now (never wait for it in a candidate's request).
    sequence_pending_events()
    for attempt_data, attempt in zip(
        data["attempts"], invitation.attempts.order_by("started_at"), strict=True
    ):
        attempt_data["scores"] = [
            score_summary(run, json.loads(run.breakdown_json))
            for run in attempt.score_runs.order_by("created_at", "pk")
        ]
        # Proof, checkable without us, that each event about the attempt is in the signed log.
        attempt_data["audit_receipt"] = audit_receipt(f"attempt:{attempt.public_id}")
    data["exported_at"] = timezone.now().isoformat()
    data["about"] = (
        "Everything Skillproof holds about you for this invitation: your details, any "
        "accommodation requests, each attempt with your consent time and answers, and your "
        "scores."
    )
    record_event(
        getattr(Action, "DATA_EXPORTED", "data.exported"),
        actor=f"candidate:invitation:{invitation.public_id}",
        subject=f"invitation:{invitation.public_id}",
        payload={"attempts": len(data["attempts"])},
    )
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="skillproof-my-data.json"'
    return response
