"""The audit chain, read-only for compliance staff."""

from django.contrib import admin

from audit.models import AuditEvent
from audit.roles import Role, RoleAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("seq", "occurred_at", "actor", "action", "subject")
    list_filter = ("action",)
    search_fields = ("subject", "actor")
    view_roles = (Role.COMPLIANCE,)
    change_roles = ()
    readonly_fields = (
        "seq",
        "occurred_at",
        "actor",
        "action",
        "subject",
        "payload",
        "prev_hash",
        "event_hash",
        "leaf_hash",
    )

    def has_add_permission(self, request, *args) -> bool:
        return False
