"""Admin for compliance: retention policies (Compliance edits them, audited) and the published
bias audits (read-only: they are immutable). Demographics have no admin page, on purpose."""

from django.contrib import admin

from audit.roles import Role, RoleAdminMixin
from audit.services import actor_for_user
from compliance import services
from compliance.models import PublishedBiasAudit, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = (Role.COMPLIANCE, Role.RECRUITER)
    change_roles = (Role.COMPLIANCE,)
    list_display = ("name", "keep_days", "covers", "applies_to_all_assessments")
    search_fields = ("name", "basis")
    filter_horizontal = ("assessments",)
    fieldsets = (
        (None, {"fields": ("name", "basis", "keep_days")}),
        (
            "What it covers",
            {
                "fields": (
                    "covers_personal_data",
                    "covers_answers",
                    "covers_score_records",
                    "covers_audit_log",
                    "covers_published_audits",
                )
            },
        ),
        ("Where it applies", {"fields": ("applies_to_all_assessments", "assessments")}),
    )

    @admin.display(description="Covers")
    def covers(self, policy: RetentionPolicy) -> str:
        return ", ".join(policy.coverage) or "nothing"

    def save_related(self, request, form, formsets, change):
        # The assessments are saved here, after the policy: the event records the final state.
        super().save_related(request, form, formsets, change)
        services.record_retention_policy_change(
            form.instance, actor=actor_for_user(request.user), created=not change
        )


@admin.register(PublishedBiasAudit)
class PublishedBiasAuditAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = (Role.COMPLIANCE, Role.RECRUITER)
    change_roles = ()
    list_display = ("assessment", "number", "audit_date", "auditor", "published_at")
    list_filter = ("assessment",)
    readonly_fields = [field.name for field in PublishedBiasAudit._meta.fields]
