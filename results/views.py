"""The recruiter's workspace (Recruiter; Compliance read-only) and the front door `/`.

Every results view goes through `results_view`: anonymous visitors are sent to sign in, and the
app's exceptions become HTTP in this one place (NoSuchResults → 404, DecisionNotAllowed → 403).
Each view then opens the assessment through `selectors.access_assessment_results`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.services import Action, actor_for_user, record_event
from results import exports, selectors, services
from results.exceptions import (
    DecisionNotAllowed,
    NoSuchResults,
    NoteNotAllowed,
    SharingNotAllowed,
)
from results.forms import DecisionForm, ResultsFilterForm
from results.presenters import duration, histogram, sort_links

PAGE_SIZE = 50


def results_view(view):
    """Signed-in staff only; the results app's exceptions mapped to 404 and 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except NoSuchResults as error:
            raise Http404(str(error)) from error
        except (DecisionNotAllowed, SharingNotAllowed) as error:
            raise PermissionDenied(str(error)) from error

    return wrapper


@require_GET
def front_door(request):
    """What Skillproof is and where to go; signed-in staff land on their role's workspace."""
    if request.user.is_authenticated:
        workspace = selectors.landing_page_name(request.user)
        if workspace is not None:
            return redirect(workspace)
    return render(request, "results/front_door.html")


@never_cache
@require_GET
@results_view
def index(request):
    """Every assessment the user may see, with its funnel."""
    assessments = list(selectors.visible_assessments(request.user))
    services.refresh_result_rows(assessment.pk for assessment in assessments)
    return render(
        request,
        "results/index.html",
        {
            "funnels": selectors.funnels(request.user, assessments),
            "nav": "results",
            "digest": selectors.wants_digest(request.user),
        },
    )


@require_POST
@results_view
def digest(request):
    """Switch the daily results digest email on or off."""
    selectors.visible_assessments(request.user)  # the role check: only results users subscribe
    wanted = request.POST.get("digest") == "on"
    services.set_digest(request.user, wanted=wanted)
    messages.success(
        request, "Daily digest switched on." if wanted else "Daily digest switched off."
    )
    return redirect("results:index")


@dataclass
class _TableRequest:
    """What a table page and its CSV export share: access, versions, filters and rows."""

    access: selectors.ResultsAccess
    versions: list[selectors.VersionInfo]
    shown: list[selectors.VersionInfo]  # the versions the version filter lets through
    form: ResultsFilterForm
    query: selectors.TableQuery
    skills: list[tuple[str, str]]  # the skill columns: (id, name)
    rows: QuerySet


def _table_request(request, slug: str) -> _TableRequest:
    access = selectors.access_assessment_results(request.user, slug)
    services.refresh_result_rows([access.assessment.pk])
    versions = selectors.assessment_versions(access.assessment)
    form = ResultsFilterForm(
        request.GET,
        skills=selectors.skill_columns(versions),
        versions=selectors.versions_with_attempts(access.assessment),
    )
    query = form.table_query()
    shown = [v for v in versions if query.version in (None, v.number)] or versions
    skills = selectors.skill_columns(shown)
    query.skills = [skill_id for skill_id, _ in skills]
    return _TableRequest(
        access=access,
        versions=versions,
        shown=shown,
        form=form,
        query=query,
        skills=skills,
        rows=selectors.result_table(access.assessment, query),
    )


@never_cache
@require_GET
@results_view
def table(request, slug: str):
    """One row per attempt: sortable, filterable, searchable, paginated; charts per skill."""
    listing = _table_request(request, slug)
    access, query, skills = listing.access, listing.query, listing.skills
    page = Paginator(listing.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    thresholds = listing.shown[0].skill_thresholds if listing.shown else {}
    counts = selectors.skill_histograms(listing.rows, query.skills)
    last_seen = selectors.last_visit(request.user, access.assessment)
    services.note_visit(request.user, access)
    params = {name: value for name, value in request.GET.items() if value}
    columns = [
        ("name", "Candidate", False),
        ("status", "Status", False),
        ("submitted", "Submitted", True),
        ("version", "Version", True),
        ("overall", "Overall", True),
        *((skill_id, name, True) for skill_id, name in skills),
        ("passed", "Passed", True),
        ("time", "Time taken", True),
        ("decision", "Decision", False),
    ]
    return render(
        request,
        "results/table.html",
        {
            "nav": "results",
            "access": access,
            "assessment": access.assessment,
            "form": listing.form,
            "query": query,
            "page": page,
            "rows": [_row(attempt, query.skills, last_seen) for attempt in page],
            "headers": sort_links(columns, params, query.sort, query.descending),
            "skill_count": len(skills),
            "charts": [
                histogram(skill_id, name, counts[skill_id], thresholds.get(skill_id))
                for skill_id, name in skills
            ],
            "versions_with_attempts": listing.form.versions,
            "rubric_changes": selectors.rubric_changes(listing.versions),
            "query_string": urlencode(_without(params, "page")),
            "export_query": urlencode(_without(params, "page", "sort", "order") | _sorting(query)),
            "recruiters": selectors.recruiters_to_share_with(access) if access.can_share else [],
        },
    )


@require_POST
@results_view
def share(request, slug: str):
    """The owner chooses which recruiters also see this assessment's results."""
    access = selectors.access_assessment_results(request.user, slug)
    try:
        chosen = [int(value) for value in request.POST.getlist("recruiter")]
    except ValueError as error:
        raise NoSuchResults("No such recruiter.") from error
    services.share_assessment(access, chosen, user=request.user)
    messages.success(request, "Sharing saved.")
    return redirect("results:table", slug=slug)


def _without(params: dict, *names: str) -> dict:
    return {name: value for name, value in params.items() if name not in names}


def _sorting(query) -> dict:
    return {"sort": query.sort, "order": "desc" if query.descending else "asc"}


def _row(attempt, skills: list[str], last_seen) -> dict:
    result = getattr(attempt, "result", None)
    return {
        "attempt": attempt,
        "status": selectors.Status(attempt.status).label,
        "result": result,
        "skills": [
            {
                "score": getattr(attempt, selectors.skill_alias(index)),
                "band": result.skill_bands.get(skill_id, "") if result else "",
            }
            for index, skill_id in enumerate(skills)
        ],
        "time_taken": duration(attempt.time_taken),
        "decision": attempt.decision,
        "new": result is not None and (last_seen is None or result.scored_at > last_seen),
    }


@never_cache
@require_GET
@results_view
def export_csv(request, slug: str):
    """The filtered table as CSV (streamed), one score and band column per skill."""
    listing = _table_request(request, slug)
    access = listing.access
    params = {name: value for name, value in request.GET.items() if value}
    record_event(
        Action.REPORT_EXPORTED,
        actor=actor_for_user(request.user),
        subject=f"assessment:{access.assessment.slug}",
        payload={"report": "results-table", "format": "csv", "filters": _without(params, "page")},
    )
    response = StreamingHttpResponse(
        exports.stream_csv(listing.rows.iterator(chunk_size=2000), listing.skills),
        content_type="text/csv",
    )
    response["Content-Disposition"] = f'attachment; filename="{access.assessment.slug}-results.csv"'
    return response


def _report(request, slug: str, public_id):
    access = selectors.access_assessment_results(request.user, slug)
    attempt = selectors.access_attempt_result(access, public_id)
    return access, selectors.candidate_report(access, attempt)


@never_cache
@require_GET
@results_view
def report(request, slug: str, public_id):
    """A candidate's report for the hiring team (printable; also as PDF)."""
    access, report = _report(request, slug, public_id)
    return _report_page(request, access, report, DecisionForm() if access.can_decide else None)


def _report_page(request, access, report: dict, decision_form, status: int = 200):
    context = {
        "nav": "results",
        "access": access,
        "assessment": access.assessment,
        "report": report,
        "decision_form": decision_form,
    }
    return render(request, "results/report.html", context, status=status)


@never_cache
@require_GET
@results_view
def report_pdf(request, slug: str, public_id):
    """The candidate report as a PDF file."""
    _access, report = _report(request, slug, public_id)
    output = io.BytesIO()
    exports.write_report_pdf(report, output)
    record_event(
        Action.REPORT_EXPORTED,
        actor=actor_for_user(request.user),
        subject=f"attempt:{report['attempt'].public_id}",
        payload={"report": "candidate-report", "format": "pdf"},
    )
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{slug}-{report['attempt'].public_id}.pdf",
        content_type="application/pdf",
    )


@require_POST
@results_view
def decide(request, slug: str, public_id):
    """Record (or change) the decision on a candidate; back to their report."""
    access = selectors.access_assessment_results(request.user, slug)
    attempt = selectors.access_attempt_result(access, public_id)
    if not access.can_decide:
        raise DecisionNotAllowed("Only the assessment's recruiters record decisions.")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = services.record_decision(
                access,
                attempt,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except NoteNotAllowed as error:
            form.add_error("note", str(error))
        else:
            messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
            return redirect(
                reverse("results:report", kwargs={"slug": slug, "public_id": attempt.public_id})
                + "#decision"
            )
    report = selectors.candidate_report(access, attempt)
    return _report_page(request, access, report, form, status=400)


@never_cache
@require_GET
@results_view
def compare(request, slug: str):
    """2-4 candidates side by side."""
    access = selectors.access_assessment_results(request.user, slug)
    services.refresh_result_rows([access.assessment.pk])
    ids = request.GET.getlist("attempt")
    try:
        comparison = selectors.comparison(access, ids)
    except NoSuchResults as error:
        messages.error(request, str(error))
        return redirect("results:table", slug=slug)
    return render(
        request,
        "results/compare.html",
        {"nav": "results", "access": access, "assessment": access.assessment, **comparison},
    )
