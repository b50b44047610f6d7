"""Explanation and correction requests: the candidate's page (by invitation token) and the
compliance staff's pages (Compliance role), thin edges over compliance.data_requests."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from assessments.selectors import latest_attempt, overdue_accommodation_requests
from compliance import data_requests, services
from compliance.exceptions import RequestRefused
from compliance.forms import DataRequestAnswerForm, DataRequestForm
from compliance.models import DataRightsRequest
from compliance.views import _invitation_and_attempt, compliance_required
from web.pages import LinkUnavailable, candidate_page


@require_http_methods(["GET", "POST"])
@candidate_page
def ask(request, token: str):
    """The candidate asks for an explanation of the decision or a correction of their data."""
    invitation, attempt = _invitation_and_attempt(token)
    if services.is_erased(invitation):
        raise LinkUnavailable(
            "Your personal data has been erased, so there is nothing left to explain or correct.",
            status=410,
        )
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data_requests.submit_data_request(
                invitation, kind=form.cleaned_data["kind"], details=form.cleaned_data["details"]
            )
        except RequestRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect(reverse("compliance:data-request", kwargs={"token": token}) + "?sent=1")
    context = {
        "token": token,
        "form": form,
        "title": invitation.version.content["title"],
        "submitted": attempt is not None and attempt.submitted_at is not None,
        "requests": data_requests.requests_of(invitation),
        "sent": request.GET.get("sent") == "1",
        "days": settings.REQUEST_RESPONSE_DAYS,
    }
    return render(
        request, "candidate/data_request.html", context, status=400 if form.errors else 200
    )


# --- Staff ----------------------------------------------------------------------------------------


@never_cache
@require_GET
@compliance_required
def request_list(request):
    """Open requests (the soonest due first, overdue flagged), overdue accommodation requests,
    and the latest answered ones."""
    context = {
        "nav": "requests",
        "open": data_requests.open_requests(),
        "overdue_count": data_requests.overdue_requests().count(),
        "accommodations": overdue_accommodation_requests().select_related(
            "invitation__version__assessment"
        ),
        "answered": data_requests.answered_requests(),
        "now": timezone.now(),
    }
    return render(request, "compliance/requests.html", context)


def _request(public_id) -> DataRightsRequest:
    try:
        return data_requests.access_request(public_id)
    except DataRightsRequest.DoesNotExist as error:
        raise Http404("No such request.") from error


@never_cache
@require_http_methods(["GET", "POST"])
@compliance_required
def request_detail(request, public_id):
    """One request: generate the answer from the records, edit it, save it, send it."""
    item = _request(public_id)
    form = DataRequestAnswerForm(
        request.POST or None,
        initial={"answer": item.answer, "outcome": data_requests.OUTCOMES[item.kind][0]},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "generate":
                data_requests.save_draft(item, user=request.user)
                return redirect("compliance:request", public_id=item.public_id)
            if form.is_valid():
                answer = form.cleaned_data["answer"]
                if action == "send":
                    data_requests.send_answer(
                        item, user=request.user, text=answer, outcome=form.cleaned_data["outcome"]
                    )
                else:
                    data_requests.save_draft(item, user=request.user, text=answer)
                return redirect("compliance:request", public_id=item.public_id)
        except RequestRefused as error:
            form.add_error(None, str(error))
    context = {
        "nav": "requests",
        "item": item,
        "form": form,
        "outcomes": data_requests.OUTCOMES[item.kind],
        "attempt": item.attempt or latest_attempt(item.invitation),
        "now": timezone.now(),
    }
    return render(request, "compliance/request.html", context, status=400 if form.errors else 200)
