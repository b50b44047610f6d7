"""Candidate pages: thin edges over services and selectors. The token in the URL is the key.

Every page is ``never_cache``: the back button must not show answers older than the server's,
and a shared computer must not keep them.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import flow
from assessments import answers, notices, selectors, services
from assessments.exceptions import (
    AttemptClosed,
    InvalidAnswer,
    InvitationUnavailable,
    NotYetAvailable,
)
from assessments.forms import AccommodationForm, answer_from_post
from assessments.models import Attempt, Invitation, NoticeVersion
from assessments.presenters import (
    attempt_seed,
    candidate_step,
    length_range,
    option_alias,
    render_markdown,
    steps_estimate,
    stored_answer,
)
from assessments.published import published_versions
from web.pages import LinkUnavailable, candidate_page


def _invitation(token: str) -> Invitation:
    return selectors.access_invitation_by_token(token)


def _current_attempt(token: str) -> Attempt:
    """The invitation's latest attempt, submitted first if its deadline has passed."""
    attempt = selectors.access_latest_attempt_by_token(token)
    if attempt is None:
        raise LinkUnavailable(
            "This assessment has not been started yet. Open your invitation link."
        )
    return services.close_if_expired(attempt)


def _to_result(token: str):
    return redirect("scoring:result", token=token)


def _resume(token: str, attempt: Attempt):
    """Wherever the candidate was: their current step, or the review page."""
    if services.reached_review(attempt):
        return redirect("assessments:review", token=token)
    return redirect("assessments:step", token=token, step_id=attempt.current_step)


@require_GET
@candidate_page
def landing(request, token: str):
    """What the assessment is, how it is scored, what is kept; consent; or resume."""
    invitation = _invitation(token)
    attempt = selectors.latest_attempt(invitation)
    if attempt is not None:
        attempt = services.close_if_expired(attempt)
        if attempt.state == Attempt.State.IN_PROGRESS:
            return _resume(token, attempt)
        if not invitation.allow_retake:
            return _to_result(token)
    content = invitation.version.content
    fewest, most = length_range(content)
    context = {
        "token": token,
        "invitation": invitation,
        "content": content,
        "description_html": render_markdown(content.get("description", "")),
        # The notice as it reads now; its version goes back with the consent.
        "notice": notices.current_notice(invitation.version),
        "not_before": selectors.notice_period_running(invitation),
        "expired": selectors.invitation_expired(invitation),
        "minutes": int(content["time_limit_minutes"]) + invitation.extra_time_minutes,
        "extra_minutes": invitation.extra_time_minutes,
        "fewest_steps": fewest,
        "most_steps": most,
        "response_days": settings.REQUEST_RESPONSE_DAYS,
        "accommodations": selectors.accommodation_requests(invitation),
        "previous_attempt": attempt,
        "consent_missing": request.GET.get("consent") == "missing",
        "requested": request.GET.get("requested") == "1",
    }
    return render(request, "candidate/landing.html", context)


@require_POST
@candidate_page
def start(request, token: str):
    """Record consent and begin (or resume) the attempt."""
    invitation = _invitation(token)
    if request.POST.get("consent") != "yes":
        return redirect(
            reverse("assessments:landing", kwargs={"token": token}) + "?consent=missing#consent"
        )
    try:
        attempt = services.start_attempt(invitation, notice=_shown_notice(invitation, request))
    except NotYetAvailable:
        # The landing page says from when it can be started; nothing was recorded.
        return redirect(reverse("assessments:landing", kwargs={"token": token}) + "#consent")
    except InvitationUnavailable as error:
        raise LinkUnavailable(str(error), status=410) from error  # used up, for good
    return _resume(token, attempt)


def _shown_notice(invitation: Invitation, request) -> NoticeVersion | None:
    """The notice version the consent form was shown with (None when the form did not say)."""
    try:
        number = int(request.POST.get("notice", ""))
    except ValueError:
        return None
    return selectors.notice_version(invitation.version.assessment_id, number)


@require_http_methods(["GET", "POST"])
@candidate_page
def accommodation(request, token: str):
    """Ask for an accommodation (extra time, another format) or an alternative process."""
    invitation = _invitation(token)
    form = AccommodationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_accommodation(
                invitation, kind=form.cleaned_data["kind"], details=form.cleaned_data["details"]
            )
        except InvalidAnswer as error:
            form.add_error(None, str(error))
        else:
            return redirect(
                reverse("assessments:landing", kwargs={"token": token}) + "?requested=1"
            )
    context = {
        "token": token,
        "form": form,
        "content": invitation.version.content,
        "accommodations": selectors.accommodation_requests(invitation),
    }
    return render(
        request, "candidate/accommodation.html", context, status=400 if form.errors else 200
    )


def _step_context(token: str, attempt: Attempt, step_id: str, posted: dict | None = None) -> dict:
    """Everything the step page shows; ``posted`` re-displays a refused answer as typed."""
    content = published_versions.content(attempt.version)
    steps = published_versions.steps(attempt.version)
    seed = attempt_seed(attempt, step_id)
    saved = selectors.answers_by_step(attempt).get(step_id, {})
    position, total = steps_estimate(content, attempt.path, step_id)
    index = attempt.path.index(step_id)
    step = candidate_step(steps[step_id], seed, saved)
    if posted is not None:
        step["item"] = _redisplay(step["item"], posted)
    return {
        "token": token,
        "attempt": attempt,
        "step": step,
        "position": position,
        "total": total,
        "percent": round(100 * (position - 1) / total) if total else 0,
        "title": content["title"],
        "previous_step": attempt.path[index - 1] if index else None,
        "required": flow.is_scored(steps[step_id]),
        "final": services.answer_is_final(attempt, step_id),
        "storage_key": _storage_key(attempt),
        **_clock(attempt),
    }


def _storage_key(attempt: Attempt) -> str:
    """The localStorage key of the attempt's unsent answers (no id the server uses elsewhere)."""
    return "skillproof:" + option_alias(str(attempt.public_id), "storage")


def _redisplay(view: dict, posted: dict) -> dict:
    """Show what the candidate typed even though it was refused, so nothing they wrote is lost."""
    if "text" in posted:
        view["text"] = posted["text"]
    return view


def _clock(attempt: Attempt) -> dict:
    now = timezone.now()
    return {
        "deadline": attempt.deadline,
        "deadline_ms": int(attempt.deadline.timestamp() * 1000),
        "now_ms": int(now.timestamp() * 1000),
        "seconds_left": max(0, int((attempt.deadline - now).total_seconds())),
    }


@require_GET
@candidate_page
def step(request, token: str, step_id: str):
    """One step per page; only steps on the candidate's own path can be opened."""
    attempt = _current_attempt(token)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return _to_result(token)
    if step_id not in attempt.path:
        return _resume(token, attempt)
    context = _step_context(token, attempt, step_id)
    context["return_to_review"] = request.GET.get("return") == "review"
    return render(request, "candidate/step.html", context)


def _after(token: str, attempt: Attempt, step_id: str):
    """The page after a step whose answer is final: the next step on the path, or the review."""
    index = attempt.path.index(step_id)
    if index + 1 < len(attempt.path):
        return redirect("assessments:step", token=token, step_id=attempt.path[index + 1])
    return _resume(token, attempt)


def _parse(attempt: Attempt, step_id: str, post) -> dict:
    """The posted answer in stored form (option ids, not aliases); InvalidAnswer if malformed."""
    steps = published_versions.steps(attempt.version)
    if step_id not in steps or step_id not in attempt.path:
        raise InvalidAnswer("This step is not part of your assessment path.")
    item = steps[step_id]["item"]
    return stored_answer(item, attempt_seed(attempt, step_id), answer_from_post(item, post))


@require_POST
@candidate_page
def answer(request, token: str, step_id: str):
    """Save a step's answer from the form and move to the step the server picks next."""
    attempt = _current_attempt(token)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return _to_result(token)
    if step_id not in attempt.path:
        return _resume(token, attempt)
    if services.answer_is_final(attempt, step_id):
        return _after(token, attempt, step_id)
    item = published_versions.steps(attempt.version)[step_id]["item"]
    try:
        response = services.save_answer(attempt, step_id, _parse(attempt, step_id, request.POST))
        problem = answers.incomplete_reason(item, response.answer)
        if problem:
            raise InvalidAnswer(problem)
        following = services.advance(attempt, step_id)
    except AttemptClosed:
        return _to_result(token)
    except InvalidAnswer as error:
        attempt.refresh_from_db()
        posted = {"text": request.POST.get("text", "").replace("\r\n", "\n")}
        context = _step_context(token, attempt, step_id, posted) | {
            "error": str(error),
            "return_to_review": request.POST.get("return") == "review",
        }
        return render(request, "candidate/step.html", context, status=400)
    attempt.refresh_from_db(fields=["current_step"])
    if following is None or (
        services.reached_review(attempt) and request.POST.get("return") == "review"
    ):
        return redirect("assessments:review", token=token)
    return redirect("assessments:step", token=token, step_id=following)


@require_POST
@never_cache
def autosave(request, token: str, step_id: str):
    """Autosave one answer (the step's form, URL-encoded) → {"saved": true, "saved_at": …}.

    Errors are JSON too: 400 for an answer that cannot be stored (nothing changes), 409 when
    the attempt is closed (with where to go), 404 for an unknown link.
    """
    try:
        attempt = _current_attempt(token)
    except LinkUnavailable as error:
        return JsonResponse({"error": str(error)}, status=404)
    result_url = reverse("scoring:result", kwargs={"token": token})
    if attempt.state != Attempt.State.IN_PROGRESS:
        return JsonResponse(
            {"error": "Time is up: your saved answers were submitted.", "redirect": result_url},
            status=409,
        )
    try:
        response = services.save_answer(attempt, step_id, _parse(attempt, step_id, request.POST))
    except InvalidAnswer as error:
        return JsonResponse({"error": str(error)}, status=400)
    except AttemptClosed as error:
        return JsonResponse({"error": str(error), "redirect": result_url}, status=409)
    return JsonResponse({"saved": True, "saved_at": response.saved_at.isoformat()})


@require_GET
@candidate_page
def review(request, token: str):
    """The last page before submitting: what was answered, and a confirmation."""
    attempt = _current_attempt(token)
    if attempt.state != Attempt.State.IN_PROGRESS:
        return _to_result(token)
    if not services.reached_review(attempt):
        return _resume(token, attempt)
    off_course = selectors.first_step_off_course(attempt)
    if off_course is not None:
        # A changed answer leads down another branch: follow it before submitting.
        services.advance(attempt, off_course)
        attempt.refresh_from_db()
        return _resume(token, attempt)
    steps = published_versions.steps(attempt.version)
    answered = selectors.answers_by_step(attempt)
    rows = [
        {
            "id": step_id,
            "title": steps[step_id].get("title", step_id),
            "answered": bool(answered.get(step_id)),
            "scored": flow.is_scored(steps[step_id]),
            "final": services.answer_is_final(attempt, step_id),
        }
        for step_id in attempt.path
    ]
    context = {
        "token": token,
        "attempt": attempt,
        "rows": rows,
        "unanswered": sum(1 for row in rows if row["scored"] and not row["answered"]),
        "title": published_versions.content(attempt.version)["title"],
        "confirm_missing": request.GET.get("confirm") == "missing",
        "storage_key": _storage_key(attempt),
        **_clock(attempt),
    }
    return render(request, "candidate/review.html", context)


@require_POST
@candidate_page
def submit(request, token: str):
    """Submit once; a second click or tab lands on the same result page."""
    attempt = _current_attempt(token)
    if attempt.state == Attempt.State.IN_PROGRESS:
        if request.POST.get("confirm") != "yes":
            return redirect(
                reverse("assessments:review", kwargs={"token": token}) + "?confirm=missing"
            )
        if selectors.first_step_off_course(attempt) is not None:
            return redirect("assessments:review", token=token)
        services.submit_attempt(attempt)
    return _to_result(token)
