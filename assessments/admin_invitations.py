"""Recruiter admin for inviting candidates (one, or many from CSV) and deciding accommodations.

Imported at the end of ``assessments/admin.py``. It extends the authoring admin's
``InvitationAdmin`` rather than replacing it, so the list and fields defined there stay.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from assessments import admin as authoring_admin
from assessments import selectors, services
from assessments.emails import candidate_link
from assessments.exceptions import InvalidAnswer
from assessments.forms import CsvInviteForm, DecideAccommodationForm, InviteForm
from assessments.models import AccommodationRequest, Attempt, Invitation, InvitationImport
from assessments.selectors import (
    access_invitation_import,
    import_progress,
    recent_invitation_imports,
)
from audit.roles import RoleAdminMixin

_BaseInvitationAdmin = authoring_admin.InvitationAdmin


def _ttl(form) -> timedelta:
    return timedelta(days=form.cleaned_data["valid_days"])


if admin.site.is_registered(Invitation):
    admin.site.unregister(Invitation)


@admin.register(Invitation)
class InvitationAdmin(_BaseInvitationAdmin):
    """Invitations, with "Invite a candidate", "Invite from CSV" and "Send a new link"."""

    change_list_template = "admin/assessments/invitation/change_list.html"
    list_display = ("candidate_name", "candidate_email", "version", "status", "expires_at")
    list_filter = ("version__assessment", "allow_retake")
    actions = ["send_new_link"]
    # The notice and its period are set by the service from the assessment's rules: never by hand.
    readonly_fields = (
        "public_id",
        "token_hash",
        "created_by",
        "created_at",
        "sent_at",
        "available_from",
        "notice",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("version__assessment")
            .annotate(
                latest_state=Subquery(
                    Attempt.objects.filter(invitation=OuterRef("pk"))
                    .order_by("-started_at")
                    .values("state")[:1]
                )
            )
        )

    @admin.display(description="Status")
    def status(self, invitation: Invitation) -> str:
        if invitation.latest_state:
            return Attempt.State(invitation.latest_state).label
        if invitation.expires_at <= timezone.now():
            return "Expired"
        opens = selectors.notice_period_running(invitation)
        if opens:
            return f"Notice period: opens {opens:%d %b %Y}"
        return "Sent" if invitation.sent_at else "Not sent"

    def get_urls(self):
        urls = [
            path(
                "invite/",
                self.admin_site.admin_view(self.invite_view),
                name="assessments_invitation_invite",
            ),
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="assessments_invitation_import_csv",
            ),
            path(
                "import-csv/<int:import_id>/",
                self.admin_site.admin_view(self.import_progress_view),
                name="assessments_invitation_import_progress",
            ),
            path(
                "import-csv/<int:import_id>/status.json",
                self.admin_site.admin_view(self.import_status_view),
                name="assessments_invitation_import_status",
            ),
        ]
        return urls + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        # A token exists only when an invitation is made by the service: never by a bare form.
        return redirect("admin:assessments_invitation_invite")

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def invite_view(self, request):
        """Invite one candidate: name, email, version; the email goes out at once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            invitation, token = services.invite_candidate(
                data["version"],
                name=data["candidate_name"],
                email=data["candidate_email"],
                user=request.user,
                ttl=_ttl(form),
                allow_retake=data["allow_retake"],
                send=data["send_email"],
            )
            if data["send_email"]:
                messages.success(
                    request,
                    f"Invitation created; its email to {invitation.candidate_email} is on its way.",
                )
            else:
                messages.success(
                    request,
                    format_html(
                        "Invitation created. Give the candidate this link (it is shown only "
                        "once): <code>{}</code>",
                        candidate_link(token),
                    ),
                )
            return redirect("admin:assessments_invitation_changelist")
        context = self._context(request, "Invite a candidate", form=form)
        return TemplateResponse(request, "admin/assessments/invitation/invite.html", context)

    def import_csv_view(self, request):
        """Upload a CSV of candidates: the file is read and queued at once, the invitations are
        made by a worker, and the progress page follows them."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CsvInviteForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = services.start_invitation_import(
                    data["version"],
                    data["file"].read(),
                    user=request.user,
                    file_name=data["file"].name,
                    valid_days=data["valid_days"],
                    allow_retake=data["allow_retake"],
                    send=data["send_email"],
                )
            except InvalidAnswer as error:
                form.add_error("file", str(error))
            else:
                return redirect("admin:assessments_invitation_import_progress", job.pk)
        context = self._context(
            request,
            "Invite candidates from a CSV file",
            form=form,
            imports=recent_invitation_imports(request.user),
        )
        return TemplateResponse(request, "admin/assessments/invitation/import_csv.html", context)

    def _import_for(self, request, import_id: int) -> InvitationImport:
        """The import, for those who may invite and see it (``access_invitation_import``)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        job = access_invitation_import(request.user, import_id)
        if job is None:
            raise Http404("No such import.")
        return job

    def import_progress_view(self, request, import_id: int):
        """How far an import is, refreshed by static/js/job-progress.js; then every row
        that could not be invited, by line."""
        job = self._import_for(request, import_id)
        context = self._context(
            request,
            f"Invitations from {job.file_name or 'a CSV file'}",
            job=job,
            progress=import_progress(job),
        )
        return TemplateResponse(
            request, "admin/assessments/invitation/import_progress.html", context
        )

    def import_status_view(self, request, import_id: int):
        """The progress page's figures as JSON, polled while the import runs."""
        return JsonResponse(import_progress(self._import_for(request, import_id)))

    @admin.action(description="Send a new link by email (the old link stops working)")
    def send_new_link(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        for invitation in queryset:
            services.resend_invitation(invitation, user=request.user)
        messages.success(
            request, f"{len(queryset)} invitation email(s) with a new link queued for sending."
        )


@admin.register(AccommodationRequest)
class AccommodationRequestAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Candidates' requests; a recruiter grants (e.g. extra minutes) or declines each."""

    list_display = (
        "candidate",
        "assessment",
        "kind",
        "state",
        "granted_extra_minutes",
        "created_at",
        "decide_by",
        "decided_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("invitation__candidate_name", "invitation__candidate_email")
    list_select_related = ("invitation__version__assessment",)
    ordering = ("state", "-created_at")

    @admin.display(description="Candidate", ordering="invitation__candidate_name")
    def candidate(self, request_: AccommodationRequest) -> str:
        return f"{request_.invitation.candidate_name} <{request_.invitation.candidate_email}>"

    @admin.display(description="Assessment")
    def assessment(self, request_: AccommodationRequest) -> str:
        return str(request_.invitation.version)

    @admin.display(description="Decide by", ordering="due_at")
    def decide_by(self, request_: AccommodationRequest) -> str:
        if request_.due_at is None:
            return "—"
        due = f"{request_.due_at:%d %b %Y}"
        return f"{due} (overdue)" if selectors.accommodation_overdue(request_) else due

    def has_add_permission(self, request, *args) -> bool:
        return False  # candidates make requests; recruiters decide them

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The decision page: the request, then grant (with minutes) or decline, with a note."""
        accommodation = get_object_or_404(
            AccommodationRequest.objects.select_related("invitation__version__assessment"),
            pk=object_id,
        )
        if not self.has_view_permission(request, accommodation):
            raise PermissionDenied
        can_decide = self.has_change_permission(request, accommodation)
        form = DecideAccommodationForm(
            request.POST or None,
            initial={
                "extra_minutes": accommodation.granted_extra_minutes
                or accommodation.invitation.extra_time_minutes
            },
        )
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            decision = request.POST.get("decision", "").lower()
            if decision in {"grant", "decline"} and form.is_valid():
                services.decide_accommodation(
                    accommodation,
                    grant=decision == "grant",
                    extra_minutes=form.cleaned_data.get("extra_minutes") or 0,
                    note=form.cleaned_data.get("note") or "",
                    user=request.user,
                )
                messages.success(
                    request,
                    f"Request {'granted' if decision == 'grant' else 'declined'}; the candidate "
                    "has been emailed.",
                )
                return redirect("admin:assessments_accommodationrequest_changelist")
        invitation = accommodation.invitation
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Accommodation request from {invitation.candidate_name}",
            "accommodation": accommodation,
            "invitation": invitation,
            "time_limit": int(invitation.version.content["time_limit_minutes"]),
            "form": form,
            "can_decide": can_decide,
            "overdue": selectors.accommodation_overdue(accommodation),
            "invitation_url": reverse("admin:assessments_invitation_change", args=[invitation.pk]),
        }
        return TemplateResponse(
            request, "admin/assessments/accommodationrequest/decide.html", context
        )
