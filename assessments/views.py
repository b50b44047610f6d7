"""Candidate pages: thin edges over services and selectors. The token in the URL is the key."""

import json

from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessments import flow, selectors, services
from assessments.exceptions import AttemptClosed, InvalidAnswer, InvitationUnavailable
from assessments.models import Attempt
from assessments.presenters import candidate_step, render_markdown


def _open_attempt(token: str) -> Attempt:
    try:
        invitation = selectors.access_invitation_by_token(token)
    except InvitationUnavailable as error:
        raise Http404(str(error)) from error
    attempt = selectors.latest_attempt(invitation)
    if attempt is None:
        raise Http404("This assessment has not been started.")
    return attempt


@require_GET
def landing(request, token: str):
    """The notice and consent page, or wherever the candidate already is."""
    try:
        invitation = selectors.access_invitation_by_token(token)
    except InvitationUnavailable as error:
        return render(request, "candidate/unavailable.html", {"message": str(error)}, status=404)
    attempt = selectors.latest_attempt(invitation)
    if attempt and attempt.state == Attempt.State.IN_PROGRESS:
        return redirect("assessments:step", token=token, step_id=attempt.current_step)
    if attempt and not invitation.allow_retake:
        return redirect("scoring:result", token=token)
    content = invitation.version.content
    context = {
        "token": token,
        "invitation": invitation,
        "content": content,
        "description_html": render_markdown(content.get("description", "")),
        "expired": selectors.invitation_expired(invitation),
        "minutes": int(content["time_limit_minutes"]) + invitation.extra_time_minutes,
    }
    return render(request, "candidate/landing.html", context)


@require_POST
def start(request, token: str):
    """Record consent and begin (or resume) the attempt."""
    try:
        invitation = selectors.access_invitation_by_token(token)
    except InvitationUnavailable as error:
        return render(request, "candidate/unavailable.html", {"message": str(error)}, status=404)
    if request.POST.get("consent") != "yes":
        return redirect(
            reverse("assessments:landing", kwargs={"token": token}) + "?consent=missing"
        )
    try:
        attempt = services.start_attempt(invitation)
    except InvitationUnavailable as error:
        return render(request, "candidate/unavailable.html", {"message": str(error)}, status=410)
    return redirect("assessments:step", token=token, step_id=attempt.current_step)


def _step_context(token: str, attempt: Attempt, step_id: str) -> dict:
    steps = flow.steps_by_id(attempt.version.content)
    position = attempt.path.index(step_id) + 1
    return {
        "token": token,
        "attempt": attempt,
        "step": candidate_step(steps[step_id]),
        "answer": selectors.answers_by_step(attempt).get(step_id, {}),
        "position": position,
        "title": attempt.version.content["title"],
    }


@require_GET
def step(request, token: str, step_id: str):
    """One step per page; only steps on the candidate's own path can be opened."""
    attempt = _open_attempt(token)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return redirect("scoring:result", token=token)
    if step_id not in attempt.path:
        return redirect("assessments:step", token=token, step_id=attempt.current_step)
    return render(request, "candidate/step.html", _step_context(token, attempt, step_id))


def _answer_from_form(post, item_type: str) -> dict:
    if item_type == "single_choice":
        return {"option": post.get("option", "")}
    if item_type == "multiple_choice":
        return {"options": post.getlist("options")}
    if item_type in {"short_text", "long_text"}:
        return {"text": post.get("text", "")}
    raw = post.get("answer_json", "")
    try:
        return json.loads(raw) if raw else {}
    except ValueError as error:
        raise InvalidAnswer("The answer could not be read.") from error


@require_POST
def answer(request, token: str, step_id: str):
    """Save a step's answer from the form and move to the step the server picks next."""
    attempt = _open_attempt(token)
    steps = flow.steps_by_id(attempt.version.content)
    if step_id not in steps:
        raise Http404("No such step.")
    try:
        services.save_answer(
            attempt, step_id, _answer_from_form(request.POST, steps[step_id]["item"]["type"])
        )
        following = services.advance(attempt, step_id)
    except AttemptClosed:
        return redirect("scoring:result", token=token)
    except InvalidAnswer as error:
        context = _step_context(token, attempt, step_id) | {"error": str(error)}
        return render(request, "candidate/step.html", context, status=400)
    if following is None:
        return redirect("assessments:review", token=token)
    return redirect("assessments:step", token=token, step_id=following)


@require_POST
def autosave(request, token: str, step_id: str):
    """JSON autosave of one answer: {"answer": {...}} → {"saved": true}."""
    attempt = _open_attempt(token)
    try:
        body = json.loads(request.body or b"{}")
        services.save_answer(attempt, step_id, body.get("answer"))
    except (ValueError, AttributeError):
        return HttpResponseBadRequest(
            json.dumps({"error": "The answer could not be read."}), content_type="application/json"
        )
    except InvalidAnswer as error:
        return JsonResponse({"error": str(error)}, status=400)
    except AttemptClosed as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse({"saved": True})


@require_GET
def review(request, token: str):
    """The last page before submitting: what was answered, and a confirmation."""
    attempt = _open_attempt(token)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return redirect("scoring:result", token=token)
    steps = flow.steps_by_id(attempt.version.content)
    answered = selectors.answers_by_step(attempt)
    rows = [
        {
            "id": step_id,
            "title": steps[step_id].get("title", step_id),
            "answered": step_id in answered,
        }
        for step_id in attempt.path
        if flow.is_scored(steps[step_id])
    ]
    return render(
        request, "candidate/review.html", {"token": token, "attempt": attempt, "rows": rows}
    )


@require_POST
def submit(request, token: str):
    """Submit once; a second click or tab lands on the same result page."""
    attempt = _open_attempt(token)
    services.submit_attempt(attempt)
    return redirect("scoring:result", token=token)
