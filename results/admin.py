"""Decisions in the admin, read-only: they are recorded on the results pages (and audited)."""

from django.contrib import admin

from audit.roles import RoleAdminMixin
from results.models import Decision


@admin.register(Decision)
class DecisionAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("attempt", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome", "decided_at")
    readonly_fields = ("attempt", "outcome", "note", "decided_by", "decided_at")
    change_roles = ()  # one door for decisions: results.services.record_decision
