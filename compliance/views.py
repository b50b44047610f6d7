"""Compliance pages (read-only, Compliance role) and the candidate's data-rights pages.

Staff pages check the role on every request through `compliance_required`; candidate pages are
opened by the invitation token, the candidate's only credential.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from assessments.models import Assessment
from assessments.selectors import (
    access_invitation_by_token,
    latest_attempt,
    overdue_accommodation_requests,
)
from audit.anchors import anchor_file_path, signing_key_path
from audit.roles import Role, has_role
from audit.selectors import latest_tree_head, pending_events
from audit.services import actor_for_user
from audit.verify import verify_audit_chain
from compliance import data_requests, demographics, selectors, services
from compliance.bias import bias_report_from_json
from compliance.exceptions import (
    ComplianceError,
    ErasureRefused,
    UnknownAssessment,
    UnknownCandidate,
    UnknownPublishedAudit,
    UnknownRecordsPackage,
)
from compliance.forms import (
    RACE_ETHNICITY_HELP,
    AuditExportForm,
    BiasAuditForm,
    PublishBiasAuditForm,
    RecordsPackageForm,
    SelfIdentificationForm,
)
from compliance.models import ErasureRecord
from compliance.reporting import bias as bias_rendering
from web.pages import LinkUnavailable, candidate_page, link_endpoint


def compliance_required(view):
    """Signed-in staff with the Compliance role; others are sent to log in or refused (403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, Role.COMPLIANCE):
            raise PermissionDenied("Compliance pages are for the Compliance role.")
        return view(request, *args, **kwargs)

    return wrapper


def _assessment(slug: str):
    try:
        return selectors.assessment_by_slug(slug)
    except UnknownAssessment as error:
        raise Http404(str(error)) from error


@never_cache
@require_GET
@compliance_required
def index(request):
    """Overview: the log's last signed tree head, and every assessment with its reports."""
    # The full walk of the log is on the chain page; this one only reads the last head.
    summaries = selectors.assessment_summaries()
    context = {
        "nav": "index",
        "tree_head": latest_tree_head(),
        "pending": pending_events(),
        "summaries": summaries,
        "unaudited": [summary for summary in summaries if summary.bias_audit.flagged],
        "retention_enabled": selectors.retention_enabled(),
        "retention_default_days": settings.DATA_RETENTION_DAYS,
        "erasures": ErasureRecord.objects.count(),
        "overdue_requests": data_requests.overdue_requests().count()
        + overdue_accommodation_requests().count(),
    }
    return render(request, "compliance/index.html", context)


@never_cache
@require_GET
@compliance_required
def chain(request):
    """Verify the whole log, event by event and against the signed tree heads."""
    verification = verify_audit_chain()
    context = {
        "nav": "chain",
        "verification": verification,
        "pending": pending_events(),
        "anchor_file": anchor_file_path(),
        "key_file": signing_key_path(),
    }
    return render(request, "compliance/chain.html", context, status=200 if verification.ok else 409)


@never_cache
@require_GET
@compliance_required
def assessment(request, slug: str):
    """One assessment: versions, recent attempts, the audit export and the bias audit."""
    item = _assessment(slug)
    return render(request, "compliance/assessment.html", _assessment_context(item))


def _assessment_context(item, *, export_form=None) -> dict:
    return {
        "nav": "index",
        "assessment": item,
        "versions": item.versions.select_related("published_by").order_by("-number"),
        "attempts": selectors.recent_attempts(item),
        "attempt_total": selectors.attempt_count(item),
        "export_form": export_form or AuditExportForm(),
        "bias_min_cell": settings.BIAS_AUDIT_MIN_CELL,
    }


@require_http_methods(["POST"])
@compliance_required
def audit_export(request, slug: str):
    """Download the audit export (streamed); recorded in the audit chain."""
    item = _assessment(slug)
    form = AuditExportForm(request.POST)
    if not form.is_valid():
        return _assessment_with_errors(request, item, export_form=form)
    try:
        export = services.start_audit_export(
            item,
            format=form.cleaned_data["format"],
            actor=actor_for_user(request.user),
            candidate_email=form.cleaned_data["candidate"] or None,
            attempt_id=form.cleaned_data["attempt"],
        )
    except UnknownCandidate as error:
        form.add_error(None, str(error))
        return _assessment_with_errors(request, item, export_form=form)
    if export.format == "pdf":
        # reportlab writes a whole document; it goes to a temporary file, then streams out.
        # FileResponse closes the file when the response is done.
        spool = tempfile.TemporaryFile()  # noqa: SIM115
        export.write_pdf(spool)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=export.filename, content_type=export.content_type
        )
    response = StreamingHttpResponse(export.chunks(), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_http_methods(["POST"])
@compliance_required
def audit_receipt(request, slug: str, public_id):
    """Download one attempt's audit receipt (JSON, checkable without us); recorded."""
    item = _assessment(slug)
    try:
        receipt = services.export_attempt_receipt(
            item, public_id, actor=actor_for_user(request.user)
        )
    except UnknownCandidate as error:
        raise Http404(str(error)) from error
    response = JsonResponse(receipt, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="audit-receipt-attempt-{str(public_id)[:8]}.json"'
    )
    return response


def _assessment_with_errors(request, item, *, export_form):
    context = _assessment_context(item, export_form=export_form)
    return render(request, "compliance/assessment.html", context, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
@compliance_required
def bias_audit(request, slug: str):
    """The bias audit as a page (GET, writes nothing) or a download (POST, audited)."""
    item = _assessment(slug)
    data = request.POST if request.method == "POST" else request.GET
    # Always bound (every field is optional), so an error can be added to it below.
    form = BiasAuditForm(data)
    if not form.is_valid():
        return _bias_page(request, item, form, None, status=400)
    cleaned = form.cleaned_data
    scope = {name: cleaned[name] for name in ("date_from", "date_to", "exclude_small_categories")}
    try:
        if request.method == "GET":
            return _bias_page(
                request, item, form, services.render_bias_audit(item, format="html", **scope)
            )
        output = services.export_bias_audit(
            item, format=cleaned["format"] or "pdf", actor=actor_for_user(request.user), **scope
        )
    except ComplianceError as error:
        # Too few candidates, or a period that cannot be: the page says so, nothing is sent.
        form.add_error(None, str(error))
        return _bias_page(request, item, form, None, status=400)
    response = HttpResponse(output.content, content_type=output.content_type)
    response["Content-Disposition"] = f'attachment; filename="{output.filename}"'
    return response


def _bias_page(request, item, form, output, status: int = 200):
    context = {
        "nav": "index",
        "assessment": item,
        "form": form,
        "report": output.report if output else None,
        # The fragment escapes every value itself (compliance.reporting.bias).
        "fragment": mark_safe(output.content.decode("utf-8")) if output else "",
    }
    return render(request, "compliance/bias_audit.html", context, status=status)


# --- published bias audits ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@compliance_required
def published_audits(request, slug: str):
    """The assessment's published bias-audit summaries, and the form that publishes one."""
    item = _assessment(slug)
    form = PublishBiasAuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.publish_bias_audit(
                item, actor=actor_for_user(request.user), **form.cleaned_data
            )
        except ComplianceError as error:
            form.add_error(None, str(error))
        else:
            return redirect(
                reverse("compliance:published-audits", kwargs={"slug": slug})
                + f"?published={audit.number}"
            )
    context = {
        "nav": "index",
        "assessment": item,
        "form": form,
        "date_fields": [
            form[name] for name in ("audit_date", "first_used_on", "date_from", "date_to")
        ],
        "audits": selectors.published_audits(item),
        "status": selectors.bias_audit_status(item),
        "first_use": selectors.first_use_date(item),
        "just_published": request.GET.get("published", ""),
        "min_population": settings.BIAS_AUDIT_MIN_POPULATION,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "compliance/published_audits.html", context, status=status)


@require_GET
def public_bias_audit_figures(request, slug: str, number: int):
    """A published audit's figures as JSON: their canonical JSON's sha256 is the fingerprint
    its page shows (audit.canonical), so anyone can check what was published."""
    try:
        audit = selectors.published_audit(selectors.assessment_by_slug(slug), number)
    except (UnknownAssessment, UnknownPublishedAudit) as error:
        raise Http404(str(error)) from error
    response = JsonResponse(audit.document, json_dumps_params={"indent": 2, "sort_keys": True})
    response["Content-Disposition"] = f'inline; filename="bias-audit-{slug}-{number}.json"'
    return response


@require_GET
def public_bias_audit(request, slug: str, number: int | None = None):
    """The public summary of a published bias audit (the latest, or one by number): no login,
    no personal data, exactly the numbers that were published."""
    try:
        item = selectors.assessment_by_slug(slug)
        audit = selectors.published_audit(item, number)
    except (UnknownAssessment, UnknownPublishedAudit):
        message = "No bias audit has been published at this address."
        return render(request, "compliance/public_not_found.html", {"message": message}, status=404)
    report = bias_report_from_json(audit.document)
    context = {
        "audit": audit,
        "assessment": item,
        "report": report,
        "unknown": [(dimension.label, dimension.unknown) for dimension in report.dimensions],
        # The fragment escapes every value itself (compliance.reporting.bias).
        "fragment": mark_safe(bias_rendering.render_html(report, id_prefix="published")),
        "others": selectors.published_audits(item).exclude(pk=audit.pk),
        "is_latest": number is None
        or not selectors.published_audits(item).filter(number__gt=audit.number).exists(),
    }
    return render(request, "compliance/public_bias_audit.html", context)


# --- retention ----------------------------------------------------------------------------------

# How far ahead the retention page lists upcoming erasures, and how many it shows.
RETENTION_HORIZON_DAYS = 90
RETENTION_LIST_LIMIT = 200


@never_cache
@require_GET
@compliance_required
def retention(request):
    """The retention policies, the rule of each assessment, and what will be erased when; the
    "due now" list is the dry run: exactly what the next run erases."""
    now = timezone.now()
    policies = list(selectors.retention_policies())
    rules = selectors.personal_data_rules(policies)
    schedule = selectors.retention_schedule()
    due = selectors.invitations_due_for_erasure(now)
    upcoming = schedule.filter(
        erase_after__gte=now, erase_after__lt=now + timedelta(days=RETENTION_HORIZON_DAYS)
    )
    fields = (
        "public_id",
        "version__assessment__title",
        "last_activity",
        "keep_days",
        "erase_after",
    )
    context = {
        "nav": "retention",
        "enabled": selectors.retention_enabled(),
        "default_days": settings.DATA_RETENTION_DAYS,
        "policies": policies,
        "assessments": [
            (assessment, rules[assessment.pk])
            for assessment in Assessment.objects.order_by("title")
        ],
        "due_count": due.count(),
        "due": due.values(*fields)[:RETENTION_LIST_LIMIT],
        "upcoming_count": upcoming.count(),
        "upcoming": upcoming.values(*fields)[:RETENTION_LIST_LIMIT],
        "horizon_days": RETENTION_HORIZON_DAYS,
        "list_limit": RETENTION_LIST_LIMIT,
    }
    return render(request, "compliance/retention.html", context)


# --- records on demand ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@compliance_required
def records(request):
    """Ask for a records package over a period; the packages asked for so far."""
    form = RecordsPackageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slug = form.cleaned_data["assessment"]
            package = services.request_records_package(
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
                assessment=selectors.assessment_by_slug(slug) if slug else None,
                actor=actor_for_user(request.user),
            )
        except UnknownAssessment as error:
            form.add_error("assessment", str(error))
        except ComplianceError as error:
            form.add_error(None, str(error))
        else:
            return redirect("compliance:records-package", public_id=package.public_id)
    context = {
        "nav": "records",
        "form": form,
        "packages": selectors.records_packages(),
        "assessments": Assessment.objects.order_by("title").values_list("slug", "title"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "compliance/records.html", context, status=status)


def _package(public_id):
    try:
        return selectors.records_package_by_id(public_id)
    except UnknownRecordsPackage as error:
        raise Http404(str(error)) from error


def _package_status(package) -> dict:
    total = package.parts_total or 1
    return {
        "state": package.state,
        "parts_done": package.parts_done,
        "parts_total": package.parts_total,
        "percent": round(100 * package.parts_done / total),
    }


@never_cache
@require_GET
@compliance_required
def records_package(request, public_id):
    """One package: its progress while it is built, then its download."""
    package = _package(public_id)
    context = {"nav": "records", "package": package, "status": _package_status(package)}
    return render(request, "compliance/records_package.html", context)


@never_cache
@require_GET
@compliance_required
def records_package_status(request, public_id):
    """The package's progress, for the page's script."""
    return JsonResponse(_package_status(_package(public_id)))


@require_http_methods(["POST"])
@compliance_required
def records_package_download(request, public_id):
    """Download a built package (recorded in the audit log)."""
    package = _package(public_id)
    try:
        content = services.download_records_package(package, actor=actor_for_user(request.user))
    except ComplianceError as error:
        raise Http404(str(error)) from error
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.filename}"'
    return response


# --- candidate pages ----------------------------------------------------------------------------


def _invitation_and_attempt(token: str):
    """The invitation and its latest attempt. Erased invitations too: these pages confirm the
    erasure, and show no data."""
    invitation = access_invitation_by_token(token, include_erased=True)
    return invitation, latest_attempt(invitation)


@require_GET
@link_endpoint
def my_data(request, token: str):
    """Everything held about the candidate of this invitation, as a JSON download."""
    data = services.export_personal_data(access_invitation_by_token(token))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="skillproof-my-data.json"'
    return response


@require_http_methods(["GET", "POST"])
@candidate_page
def self_identify(request, token: str):
    """The voluntary self-identification form, offered after submitting."""
    invitation, attempt = _invitation_and_attempt(token)
    if attempt is None or attempt.submitted_at is None:
        raise LinkUnavailable("This form opens after you have submitted your assessment.")
    if services.is_erased(invitation):
        raise LinkUnavailable(
            "Your personal data has been erased, so this form is closed.", status=410
        )
    form = SelfIdentificationForm(request.POST or None)
    if request.method == "POST":
        declined_all = request.POST.get("decline_all") == "yes"
        if declined_all or form.is_valid():
            data = {} if declined_all else form.cleaned_data
            demographics.save_self_identification(
                attempt.public_id,
                sex=data.get("sex", ""),
                race_ethnicity=data.get("race_ethnicity", ""),
                declined=declined_all,
            )
            return redirect(
                reverse("compliance:self-identify", kwargs={"token": token}) + "?sent=1"
            )
    context = {
        "token": token,
        "form": form,
        "title": attempt.version.content["title"],
        "race_help": RACE_ETHNICITY_HELP,
        "sent": request.GET.get("sent") == "1",
        "answered": demographics.has_answered(attempt.public_id),
    }
    return render(request, "compliance/self_identify.html", context)


@require_http_methods(["GET", "POST"])
@candidate_page
def erase(request, token: str):
    """The candidate asks for their personal data to be erased (and it is, at once)."""
    invitation, attempt = _invitation_and_attempt(token)
    record = ErasureRecord.objects.filter(invitation_public_id=invitation.public_id).first()
    in_progress = record is None and services.attempt_in_progress(invitation)
    error = ""
    if request.method == "POST" and record is None:
        if request.POST.get("confirm") != "yes" and not in_progress:
            error = "Tick the box to confirm that you want your personal data erased."
        else:
            try:
                services.erase_candidate(invitation)
            except ErasureRefused as refusal:
                error = str(refusal)
            else:
                return redirect("compliance:erase", token=token)
    context = {
        "token": token,
        "record": record,
        "error": error,
        "in_progress": in_progress,
        "title": invitation.version.content["title"],
        "submitted": attempt is not None and attempt.submitted_at is not None,
    }
    return render(request, "compliance/erase.html", context, status=400 if error else 200)
