"""The candidate's results: a waiting page that turns into the result when scoring finishes."""

import json

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments.exceptions import InvitationUnavailable
from assessments.selectors import access_invitation_by_token, latest_attempt
from scoring.presenters import candidate_result
from scoring.selectors import current_score_run, scoring_status


def _submitted_attempt(token: str):
    try:
        invitation = access_invitation_by_token(token)
    except InvitationUnavailable as error:
        raise Http404(str(error)) from error
    attempt = latest_attempt(invitation)
    if attempt is None or attempt.submitted_at is None:
        raise Http404("This assessment has not been submitted yet.")
    return attempt


@never_cache
@require_GET
def result(request, token: str):
    """Being scored, then the per-skill result and feedback."""
    attempt = _submitted_attempt(token)
    status = scoring_status(attempt)
    context = {
        "token": token,
        "attempt": attempt,
        "status": status,
        "title": attempt.version.content["title"],
    }
    if status == "scored":
        run = current_score_run(attempt)
        context["result"] = candidate_result(
            attempt.version.content, json.loads(run.breakdown_json)
        )
    return render(request, "candidate/result.html", context)


@never_cache
@require_GET
def result_status(request, token: str):
    """JSON for the waiting page: {"status": "pending" | "scored" | "failed"}."""
    return JsonResponse({"status": scoring_status(_submitted_attempt(token))})
