"""Preview as candidate: the real candidate templates, rendered from a document, recording nothing.

No invitation, attempt, response or audit event is written. Links the candidate pages would
follow are pointed back at the preview; autosave goes to a token no invitation has, so it is
refused.
"""

import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

import flow
from assessments import presenters

PREVIEW_TOKEN = "admin-preview"


def parse_path(raw: str, steps: dict) -> list[str]:
    """The steps visited so far, from the ``path`` query parameter (unknown ids dropped)."""
    return [step_id for step_id in (raw or "").split(",") if step_id in steps]


def _candidate_prefix() -> str:
    return reverse("assessments:landing", kwargs={"token": PREVIEW_TOKEN})


def _rewrite_links(html: str, base_url: str, path: list[str]) -> str:
    prefix = re.escape(_candidate_prefix())

    def step_link(match: re.Match) -> str:
        step_id = match.group(1)
        trail = path[: path.index(step_id) + 1] if step_id in path else [*path, step_id]
        return f"{base_url}{step_id}/?path={','.join(trail)}"

    html = re.sub(prefix + r"step/([a-z0-9-]+)/answer(?=[\"'?#])", step_link, html)
    html = re.sub(prefix + r"step/([a-z0-9-]+)(?=[\"'?#])", step_link, html)
    return html.replace(f"{_candidate_prefix()}review", f"{base_url}end/?path={','.join(path)}")


def _banner(title: str, back_url: str) -> str:
    return (
        '<div role="note" class="preview-banner">'
        f"Preview of <strong>{escape(title)}</strong> as a candidate sees it — nothing you "
        f'answer is saved. <a href="{escape(back_url)}">Back to the admin</a></div>'
    )


def render_step(
    request,
    document: dict,
    step_id: str,
    path: list[str],
    *,
    base_url: str,
    back_url: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """One candidate step page (templates/candidate/step.html) for a document, not recorded."""
    steps = flow.steps_by_id(document)
    if step_id not in path:
        path = [*path, step_id]
    now = timezone.now()
    deadline = now + timedelta(minutes=int(document["time_limit_minutes"]))
    attempt = SimpleNamespace(
        public_id=uuid.UUID(int=0),
        path=path,
        current_step=step_id,
        state="in_progress",
        deadline=deadline,
        version=SimpleNamespace(content=document),
    )
    position, total = presenters.steps_estimate(document, path, step_id)
    index = path.index(step_id)
    context = {
        "token": PREVIEW_TOKEN,
        "attempt": attempt,
        "step": presenters.candidate_step(steps[step_id], presenters.PREVIEW_SEED),
        "position": position,
        "total": total,
        "percent": round(100 * (position - 1) / total) if total else 0,
        "title": document["title"],
        "previous_step": path[index - 1] if index else None,
        "required": flow.is_scored(steps[step_id]),
        "storage_key": f"skillproof:preview:{document['slug']}",
        "deadline": deadline,
        "deadline_ms": int(deadline.timestamp() * 1000),
        "now_ms": int(now.timestamp() * 1000),
        "seconds_left": int((deadline - now).total_seconds()),
        "preview": True,
    }
    if error:
        context["error"] = error
    html = render_to_string("candidate/step.html", context, request=request)
    html = _rewrite_links(html, base_url, path)
    html = re.sub(
        r"(<body[^>]*>)", lambda m: m.group(1) + _banner(document["title"], back_url), html, count=1
    )
    return HttpResponse(html, status=status)


def next_after(document: dict, step_id: str, post) -> str | None:
    """The step the candidate would go to after answering ``step_id`` with this form post."""
    from assessments.forms import answer_from_post  # the candidate pages' own form parser

    step = flow.steps_by_id(document)[step_id]
    item = step["item"]
    answer = presenters.stored_answer(item, presenters.PREVIEW_SEED, answer_from_post(item, post))
    return flow.next_step_id(step, answer)
