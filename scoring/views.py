"""The candidate's results: a waiting page that turns into the result when scoring finishes."""

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments.selectors import (
    access_invitation_by_token,
    latest_attempt,
)
from scoring.presenters import candidate_result, credential_link
from scoring.selectors import current_score_run, scoring_status
from web.pages import LinkUnavailable, candidate_page, link_endpoint


def _submitted_attempt(token: str):
    attempt = latest_attempt(access_invitation_by_token(token))
    if attempt is None or attempt.submitted_at is None:
        raise LinkUnavailable("This assessment has not been submitted yet.")
    return attempt


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


@require_GET
@candidate_page
def result(request, token: str):
    """Being scored, then the per-skill result and feedback."""
    attempt = _submitted_attempt(token)
    return render(request, "candidate/result.html", _result_context(token, attempt))


@require_GET
@link_endpoint
def result_status(request, token: str):
    """JSON for the waiting page: {"status": …}, plus the result's HTML once it is there."""
    attempt = _submitted_attempt(token)
    context = _result_context(token, attempt)
    body = {"status": context["status"]}
    if context["status"] != "pending":
        body["html"] = render_to_string("candidate/_result_body.html", context, request=request)
    return JsonResponse(body)
