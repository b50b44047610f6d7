"""Scoring jobs (with a retry action) and score runs in the admin."""

from django.contrib import admin, messages

from assessments.roles import RoleAdminMixin
from scoring import services
from scoring.models import ScoreRun, ScoringJob


@admin.register(ScoringJob)
class ScoringJobAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "attempt", "reason", "state", "created_at", "finished_at")
    list_filter = ("state", "reason")
    readonly_fields = (
        "attempt",
        "reason",
        "state",
        "created_at",
        "enqueued_at",
        "enqueue_count",
        "finished_at",
        "last_error",
    )
    actions = ["retry_jobs"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    @admin.action(description="Retry the selected failed jobs")
    def retry_jobs(self, request, queryset):
        failed = queryset.filter(state=ScoringJob.State.FAILED)
        for job in failed:
            services.retry_failed_job(job)
        self.message_user(
            request, f"{failed.count()} job(s) sent back to the queue.", messages.SUCCESS
        )


@admin.register(ScoreRun)
class ScoreRunAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "pk",
        "attempt",
        "overall_score",
        "passed",
        "needs_review",
        "engine_version",
        "created_at",
    )
    list_filter = ("passed", "needs_review", "engine_version")
    change_roles = ()
    readonly_fields = (
        "job",
        "attempt",
        "supersedes",
        "created_at",
        "engine_version",
        "content_sha256",
        "responses_sha256",
        "model_hashes",
        "breakdown_json",
        "breakdown_sha256",
        "overall_score",
        "passed",
        "needs_review",
    )

    def has_add_permission(self, request, *args) -> bool:
        return False
