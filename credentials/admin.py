"""Credentials in the admin: revoke with a reason (recruiters, compliance), retry failed jobs,
and read-only views of issuer keys and status lists. Secret keys never appear here."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone

from audit.roles import Role, RoleAdminMixin
from audit.services import actor_for_user
from credentials import services
from credentials.exceptions import AccessDenied, InvalidInput
from credentials.models import Credential, IssuanceJob, IssuerKey, StatusList
from outbox.services import retry_failed


class ReadOnlyMixin(RoleAdminMixin):
    """Seen by recruiters and compliance; changed only through services."""

    view_roles = (Role.RECRUITER, Role.COMPLIANCE)
    change_roles = ()

    def has_add_permission(self, request, *args) -> bool:
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "public_id", "attempt", "issued_at", "valid_until", "state", "emailed")
    list_filter = ("revoked_at", "issued_at")
    search_fields = ("public_id", "name")
    date_hierarchy = "issued_at"
    actions = ["revoke"]
    readonly_fields = (
        "public_id",
        "name",
        "achievement",
        "attempt",
        "run",
        "job",
        "issuer_key",
        "status_list",
        "status_index",
        "issued_at",
        "valid_until",
        "emailed_at",
        "revoked_at",
        "revocation_reason",
        "revoked_by",
        "document_sha256",
        "document",
    )
    exclude = ("record",)

    @admin.display(description="State")
    def state(self, credential: Credential) -> str:
        if credential.revoked_at:
            return "Revoked"
        if credential.valid_until and credential.valid_until <= timezone.now():
            return "Expired"
        return "Active"

    @admin.display(boolean=True, description="Emailed")
    def emailed(self, credential: Credential) -> bool:
        return credential.emailed_at is not None

    def has_revoke_permission(self, request) -> bool:
        return services.can_revoke(request.user)

    @admin.action(description="Revoke the selected credentials…", permissions=["revoke"])
    def revoke(self, request, queryset):
        """Ask for a reason, then revoke: the next verification says revoked."""
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") == "yes":
            if not reason:
                messages.error(
                    request, "Give the reason for revoking; it is kept in the audit log."
                )
            else:
                revoked = 0
                for credential in queryset.filter(revoked_at__isnull=True):
                    try:
                        services.revoke_credential(credential, reason=reason, user=request.user)
                    except (AccessDenied, InvalidInput) as error:
                        messages.error(request, str(error))
                        return None
                    revoked += 1
                messages.success(
                    request,
                    f"{revoked} credential(s) revoked. Verifiers now see them as revoked.",
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke credentials",
            "opts": self.model._meta,
            "credentials": list(queryset),
            "already_revoked": queryset.filter(revoked_at__isnull=False).count(),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "reason": reason,
        }
        return TemplateResponse(request, "credentials/admin/revoke.html", context)


@admin.register(IssuanceJob)
class IssuanceJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("pk", "achievement", "attempt", "state", "created_at", "finished_at")
    list_filter = ("state",)
    actions = ["retry_jobs"]
    readonly_fields = (
        "run",
        "attempt",
        "achievement",
        "credential_uuid",
        "state",
        "status_list",
        "status_index",
        "created_at",
        "enqueued_at",
        "enqueue_count",
        "retries",
        "finished_at",
        "last_error",
    )

    def has_retry_permission(self, request) -> bool:
        return services.can_revoke(request.user)

    @admin.action(description="Retry the selected failed jobs", permissions=["retry"])
    def retry_jobs(self, request, queryset):
        failed = list(queryset.filter(state=IssuanceJob.State.FAILED))
        for job in failed:
            retry_failed(job, requested_by=actor_for_user(request.user))
        self.message_user(
            request, f"{len(failed)} job(s) sent back to the queue.", messages.SUCCESS
        )


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("kid", "is_active", "storage", "created_at", "retired_at")
    readonly_fields = (
        "kid",
        "public_key_multibase",
        "controller",
        "storage",
        "is_active",
        "created_at",
        "retired_at",
    )


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("pk", "purpose", "size", "next_position", "signed_at")
    fields = ("purpose", "size", "next_position", "created_at", "signed_at", "signed_sha256")
    readonly_fields = fields
