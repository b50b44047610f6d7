"""Recruiter admin for assessments, versions, invitations and attempts."""

from django.contrib import admin

from assessments.models import Assessment, AssessmentVersion, Attempt, Invitation, Response
from assessments.roles import RoleAdminMixin


@admin.register(Assessment)
class AssessmentAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("title", "slug", "role", "updated_at")
    search_fields = ("title", "slug", "role")


@admin.register(AssessmentVersion)
class AssessmentVersionAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "number", "content_sha256", "published_at")
    list_filter = ("assessment",)
    readonly_fields = (
        "assessment",
        "number",
        "content",
        "content_sha256",
        "published_at",
        "published_by",
    )
    change_roles = ()

    def has_add_permission(self, request, *args) -> bool:
        return False  # versions are made by publishing, never by hand


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
