"""Recruiter admin for assessments, versions, invitations and attempts.

Drafts (where assessments are authored) have their admin in ``assessments.authoring.admin``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse

from assessments import notices, selectors
from assessments import services as assessment_services
from assessments.authoring import admin as authoring_admin
from assessments.authoring import services as authoring
from assessments.exceptions import AssessmentError, InvalidDocument
from assessments.models import Assessment, AssessmentVersion, Attempt, Invitation, Response
from audit.roles import Role, RoleAdminMixin, has_role


def _can_author(request) -> bool:
    return has_role(request.user, Role.RECRUITER)


class AssessmentAdminForm(forms.ModelForm):
    """Owner and sharing, and what the candidates' notice says."""

    notice_jurisdictions = forms.MultipleChoiceField(
        label="Notice rules that apply",
        choices=notices.jurisdiction_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Where the candidates live or the job is: the notice names these rules, and an "
        "invitation can only be started after the longest notice period among them.",
    )

    class Meta:
        model = Assessment
        fields = ("owner", "shared_with", "notice_qualifications", "notice_jurisdictions")


@admin.register(Assessment)
class AssessmentAdmin(RoleAdminMixin, admin.ModelAdmin):
    form = AssessmentAdminForm
    list_display = ("title", "slug", "role", "latest_number", "updated_at")
    list_filter = ("role", "updated_at")
    search_fields = ("title", "slug", "role", "description")
    fields = (
        "slug",
        "title",
        "role",
        "description",
        "owner",
        "shared_with",
        "notice_qualifications",
        "notice_jurisdictions",
        "created_at",
        "updated_at",
    )
    # Titles change by publishing a new version; only who sees the results changes here.
    readonly_fields = ("slug", "title", "role", "description", "created_at", "updated_at")
    actions = ["clone_selected", "new_draft_selected"]
    change_form_template = "admin/assessments/assessment/change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:pk>/automation/",
                self.admin_site.admin_view(self.automation_view),
                name="assessments_assessment_automation",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        assessment = self.get_object(request, object_id)
        extra = {
            "automation_pause": selectors.current_pause(assessment.pk) if assessment else None,
            "may_stop_automation": bool(assessment)
            and selectors.may_stop_automation(request.user, assessment),
            "past_pauses": assessment.automation_pauses.exclude(resumed_at__isnull=True)[:10]
            if assessment
            else [],
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def automation_view(self, request, pk: int):
        """The stop button: pause (with a reason) or resume the assessment's automation."""
        assessment = get_object_or_404(Assessment, pk=pk)
        if request.method != "POST" or not selectors.may_stop_automation(request.user, assessment):
            raise PermissionDenied
        try:
            if request.POST.get("action") == "pause":
                assessment_services.pause_assessment(
                    assessment, user=request.user, reason=request.POST.get("reason", "")
                )
                self.message_user(
                    request,
                    "Automation paused: every criterion now goes to a person and no credential "
                    "is issued until you resume.",
                    messages.WARNING,
                )
            else:
                assessment_services.resume_assessment(
                    assessment, user=request.user, note=request.POST.get("note", "")
                )
                self.message_user(
                    request,
                    "Automation resumed. Attempts scored during the pause stay with their "
                    "reviewers.",
                    messages.SUCCESS,
                )
        except AssessmentError as error:
            self.message_user(request, str(error), messages.ERROR)
        return redirect("admin:assessments_assessment_change", pk)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(latest=Max("versions__number"))

    def has_change_permission(self, request, obj=None) -> bool:
        # As on the results page: only the owner (or a superuser) hands an assessment over
        # or shares it; other recruiters see the page read-only.
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or selectors.may_manage_access(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = selectors.active_recruiters()
            kwargs["help_text"] = (
                "The recruiter who sees the results and chooses who else does. Handing it "
                "over is recorded in the audit log."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "shared_with":
            kwargs["queryset"] = selectors.active_recruiters()
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["help_text"] = (
                "Recruiters who also see the results and record decisions. Changes are "
                "recorded in the audit log."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Owner and sharing change only through the audited services, one event per change.
        if "owner" in form.changed_data:
            assessment_services.set_assessment_owner(
                obj, form.cleaned_data["owner"], user=request.user
            )
        if "shared_with" in form.changed_data:
            assessment_services.share_assessment_with(
                obj, form.cleaned_data["shared_with"], user=request.user
            )
        if {"notice_qualifications", "notice_jurisdictions"} & set(form.changed_data):
            assessment_services.set_assessment_notice(
                obj,
                qualifications=form.cleaned_data["notice_qualifications"],
                jurisdictions=form.cleaned_data["notice_jurisdictions"],
                user=request.user,
            )

    def save_related(self, request, form, formsets, change):
        # The shared list was saved by save_model's service; form.save_m2m would save it again.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    @admin.display(description="latest version", ordering="latest")
    def latest_number(self, assessment):
        return f"v{assessment.latest}" if assessment.latest else "—"

    def has_add_permission(self, request, *args) -> bool:
        return False  # an assessment comes into being when its first draft is published

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not _can_author(request):
            actions.pop("clone_selected", None)
            actions.pop("new_draft_selected", None)
        return actions

    @admin.action(description="Clone as a new assessment (draft)")
    def clone_selected(self, request, queryset):
        for assessment in queryset:
            try:
                draft = authoring.clone_assessment(assessment, user=request.user)
            except InvalidDocument as error:
                self.message_user(request, "; ".join(error.errors), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Cloned “{assessment.slug}” as draft “{draft.slug}”.",
                    messages.SUCCESS,
                )

    @admin.action(description="New draft from the latest version")
    def new_draft_selected(self, request, queryset):
        for assessment in queryset:
            version = assessment.versions.order_by("-number").first()
            if version is not None:
                authoring.new_draft_from_version(version, user=request.user)
                self.message_user(
                    request,
                    f"New draft of “{assessment.slug}” from v{version.number}.",
                    messages.SUCCESS,
                )
        return redirect("admin:assessments_assessmentdraft_changelist")


@admin.register(AssessmentVersion)
class AssessmentVersionAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "assessment",
        "number",
        "short_sha",
        "published_by",
        "published_at",
        "attempt_count",
    )
    list_filter = ("assessment", "published_at", "published_by")
    search_fields = ("assessment__title", "assessment__slug", "content_sha256")
    fields = ("assessment", "number", "content_sha256", "published_at", "published_by", "document")
    readonly_fields = fields
    change_roles = ()  # a published version never changes
    change_form_template = "admin/assessments/assessmentversion/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("assessment", "published_by")
            .annotate(attempt_total=Count("attempts"))
        )

    def has_add_permission(self, request, *args) -> bool:
        return False  # versions are made by publishing, never by hand

    @admin.display(description="sha256")
    def short_sha(self, version):
        return version.content_sha256[:12]

    @admin.display(description="attempts", ordering="attempt_total")
    def attempt_count(self, version):
        return version.attempt_total

    @admin.display(description="content")
    def document(self, version):
        return render_to_string(
            "admin/assessments/authoring/_document.html", {"doc": version.content}
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = "assessments_assessmentversion"
        return [
            path("<int:pk>/export/", wrap(self.export_view), name=f"{name}_export"),
            path("<int:pk>/new-draft/", wrap(self.new_draft_view), name=f"{name}_new_draft"),
            path("<int:pk>/clone/", wrap(self.clone_view), name=f"{name}_clone"),
            path("<int:pk>/preview/", wrap(self.preview_view), name=f"{name}_preview"),
            path(
                "<int:pk>/preview/end/",
                wrap(self.preview_end_view),
                name=f"{name}_preview_end",
            ),
            path(
                "<int:pk>/preview/<slug:step_id>/",
                wrap(self.preview_view),
                name=f"{name}_preview_step",
            ),
            *super().get_urls(),
        ]

    def _version(self, request, pk: int) -> AssessmentVersion:
        version = get_object_or_404(AssessmentVersion.objects.select_related("assessment"), pk=pk)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return version

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_author": _can_author(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def export_view(self, request, pk: int):
        version = self._version(request, pk)
        filename = f"{version.assessment.slug}-v{version.number}.yaml"
        return authoring_admin.yaml_download(authoring.export_text(version), filename)

    def _authoring_post(self, request, pk: int) -> AssessmentVersion:
        version = self._version(request, pk)
        if request.method != "POST" or not _can_author(request):
            raise PermissionDenied
        return version

    def new_draft_view(self, request, pk: int):
        version = self._authoring_post(request, pk)
        draft = authoring.new_draft_from_version(version, user=request.user)
        self.message_user(request, f"New draft started from v{version.number}.", messages.SUCCESS)
        return redirect(reverse("admin:assessments_assessmentdraft_change", args=[draft.pk]))

    def clone_view(self, request, pk: int):
        version = self._authoring_post(request, pk)
        draft = authoring.clone_assessment(version.assessment, user=request.user)
        self.message_user(request, f"Cloned as draft “{draft.slug}”.", messages.SUCCESS)
        return redirect(reverse("admin:assessments_assessmentdraft_change", args=[draft.pk]))

    def preview_view(self, request, pk: int, step_id: str | None = None):
        version = self._version(request, pk)
        base = reverse("admin:assessments_assessmentversion_preview", args=[pk])
        back = reverse("admin:assessments_assessmentversion_change", args=[pk])
        return authoring_admin.preview_response(
            request, version.content, step_id, base_url=base, back_url=back
        )

    def preview_end_view(self, request, pk: int):
        version = self._version(request, pk)
        base = reverse("admin:assessments_assessmentversion_preview", args=[pk])
        return authoring_admin.preview_end_response(self, request, version.content, base)


@admin.register(Invitation)
class InvitationAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("candidate_name", "candidate_email", "version", "expires_at", "created_at")
    search_fields = ("candidate_name", "candidate_email")
    readonly_fields = ("public_id", "token_hash", "created_at", "sent_at")


class ResponseInline(admin.TabularInline):
    model = Response
    extra = 0
    can_delete = False
    readonly_fields = ("step_id", "answer", "saved_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "version", "state", "started_at", "submitted_at")
    list_filter = ("state", "version__assessment")
    readonly_fields = (
        "public_id",
        "invitation",
        "version",
        "state",
        "consent_at",
        "notice",
        "started_at",
        "deadline",
        "submitted_at",
        "auto_submitted",
        "current_step",
        "path",
    )
    inlines = [ResponseInline]
    change_roles = ()

    def has_add_permission(self, request, *args) -> bool:
        return False


from assessments import admin_invitations  # noqa: E402, F401  (invitations and accommodations)
