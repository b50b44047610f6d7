"""The review queue: criteria the machine was unsure of, decided by a reviewer blind to identity.

Every view checks the Reviewer role. Nothing that identifies the candidate reaches these
pages: no name, no email, no invitation or attempt id; only the scenario, the answer, the
rubric and what the machine concluded.
"""

import json
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from assessments.presenters import render_markdown
from audit.roles import Role, has_role
from scoring import review_services
from scoring.content import find_criterion, find_step
from scoring.exceptions import ReviewRefused
from scoring.models import ReviewItem
from scoring.review_display import REVIEW_REASONS, answer_text, breakdown_layout
from scoring.selectors import (
    QUEUE_ORDERS,
    access_review_item_by_id,
    most_useful_review_items,
    open_review_items,
)

QUEUE_PAGE = 100


def reviewer_required(view):
    """Signed-in staff with the Reviewer role; others log in or are refused (403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, Role.REVIEWER):
            raise PermissionDenied("The review queue is for the Reviewer role.")
        return view(request, *args, **kwargs)

    return wrapper


def _order(request) -> str:
    """The queue's order from ``?order=``: oldest first unless "useful" is asked for."""
    order = request.GET.get("order", "oldest")
    return order if order in QUEUE_ORDERS else "oldest"


def _queue_items(order: str, slug: str | None, limit: int, exclude: int | None = None) -> list:
    if order == "useful":
        items = most_useful_review_items(slug, limit + (exclude is not None))
        return [item for item in items if item.pk != exclude][:limit]
    return list(open_review_items(slug).exclude(pk=exclude)[:limit])


@never_cache
@reviewer_required
def queue(request):
    """Open items, oldest first or most useful first, optionally for one assessment."""
    slug = request.GET.get("assessment") or None
    order = _order(request)
    rows = [
        {
            "id": item.pk,
            "assessment": item.run.version.content.get("title", ""),
            "step": find_step(item.run.version.content, item.step_id).get("title", item.step_id),
            "criterion": item.criterion_id,
            "why": [REVIEW_REASONS.get(reason, reason) for reason in item.reasons],
            "waiting_since": item.created_at,
        }
        for item in _queue_items(order, slug, QUEUE_PAGE)
    ]
    return render(
        request,
        "scoring/review/queue.html",
        {
            "rows": rows,
            "total": open_review_items(slug).count(),
            "assessment": slug,
            "order": order,
            "orders": QUEUE_ORDERS,
        },
    )


def _item_context(item: ReviewItem) -> dict:
    content = item.run.version.content
    step = find_step(content, item.step_id)
    criterion = find_criterion(content, item.step_id, item.criterion_id)
    erased = item.run.inputs.erased_at is not None
    answers = json.loads(item.run.inputs.responses_json)
    # The answer lets the evidence show the words each concept matched (it stores offsets only).
    layout = breakdown_layout(
        content, json.loads(item.run.breakdown_json), None if erased else answers
    )
    scored = next(
        (
            c
            for s in layout["steps"]
            if s["id"] == item.step_id
            for c in s["criteria"]
            if c["id"] == item.criterion_id
        ),
        None,
    )
    return {
        "item": item,
        "title": content.get("title", ""),
        "step": step,
        "context_html": render_markdown(step.get("context", "")),
        "reference_html": render_markdown(criterion.get("reference_answer", "")),
        "criterion": criterion,
        "levels": list(enumerate(criterion.get("levels") or [])),
        "answer": "" if erased else answer_text(answers.get(item.step_id), step),
        "erased": erased,
        "machine": scored,
        "why": [REVIEW_REASONS.get(reason, reason) for reason in item.reasons],
    }


@never_cache
@reviewer_required
def item(request, item_id: int):
    """One item: the scenario, the answer, the rubric, the machine's view; decide a level.

    A closed item (decided or withdrawn) does not open again by its id: no answer, no form,
    only why it is closed (410 to look at it, 409 to decide it again; nothing changes).
    """
    try:
        review_item = access_review_item_by_id(request.user, item_id)
    except ReviewItem.DoesNotExist as error:
        raise Http404("No such review item.") from error
    if review_item.state != ReviewItem.State.OPEN:
        return render(
            request,
            "scoring/review/closed.html",
            {"item": review_item, "message": review_services.closed_item_message(review_item)},
            status=409 if request.method == "POST" else 410,
        )
    context = _item_context(review_item)
    if request.method == "POST":
        level_text = request.POST.get("level", "")
        reason = request.POST.get("reason", "")
        context.update(chosen_level=level_text, reason=reason)
        try:
            level = int(level_text)
        except ValueError:
            context["error"] = "Choose one of the rubric's levels."
        else:
            try:
                review_services.decide_review_item(
                    review_item, level=level, reason=reason, user=request.user
                )
            except ReviewRefused as error:
                context["error"] = str(error)
            else:
                order = _order(request)
                following = _queue_items(order, None, 1, exclude=review_item.pk)
                suffix = "?order=useful" if order == "useful" else ""
                if following:
                    return redirect(reverse("review:item", args=[following[0].pk]) + suffix)
                return redirect(reverse("review:queue") + suffix)
        return render(request, "scoring/review/item.html", context, status=400)
    return render(request, "scoring/review/item.html", context)
