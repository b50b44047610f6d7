"""The email outbox in the admin: what was sent, what waits, what failed and why; retry."""

from django.contrib import admin, messages

from audit.roles import RoleAdminMixin
from audit.services import actor_for_user
from outbox import services
from outbox.models import Email, OutboxJob


@admin.register(Email)
class EmailAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "subject",
        "recipients",
        "reference",
        "state",
        "retries",
        "created_at",
        "finished_at",
    )
    list_filter = ("state",)
    search_fields = ("reference", "subject")
    actions = ["retry_emails"]
    # The bodies may hold a one-time link: never shown, and blanked once sent.
    exclude = ("body_text", "body_html")
    # Read-only: the retry action is the one change anybody makes.
    readonly_fields = (
        "reference",
        "from_email",
        "to",
        "subject",
        "state",
        "created_at",
        "enqueued_at",
        "enqueue_count",
        "retries",
        "finished_at",
        "last_error",
    )

    @admin.display(description="To")
    def recipients(self, email: Email) -> str:
        return ", ".join(email.to)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Send the selected failed emails again", permissions=["change"])
    def retry_emails(self, request, queryset):
        failed = queryset.filter(state=OutboxJob.State.FAILED)
        for email in failed:
            services.retry_failed(email, requested_by=actor_for_user(request.user))
        messages.success(request, f"{len(failed)} email(s) queued again.")
