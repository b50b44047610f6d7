"""How answers become scores: scoring jobs (the outbox) and append-only score runs."""

from django.db import models


class ScoringJob(models.Model):
    """Outbox row: written in the submit transaction, enqueued on commit, swept when stale."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Reason(models.TextChoices):
        SUBMITTED = "submitted", "Attempt submitted"
        RESCORE = "rescore", "Re-score"
        REVIEW = "review", "Human review"

    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="scoring_jobs"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.SUBMITTED)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    enqueue_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "enqueued_at"])]

    def __str__(self) -> str:
        return f"Scoring job {self.pk} ({self.state})"


class ScoreRun(models.Model):
    """One scoring of one attempt. Never updated: a re-score adds a run that supersedes it."""

    job = models.OneToOneField(ScoringJob, on_delete=models.PROTECT, related_name="run")
    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="score_runs"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    engine_version = models.CharField(max_length=40)
    content_sha256 = models.CharField(max_length=64)
    responses_sha256 = models.CharField(max_length=64)
    model_hashes = models.JSONField(default=dict, blank=True)
    # Canonical JSON bytes as text, not jsonb: jsonb reorders keys and the hash must replay.
    breakdown_json = models.TextField()
    breakdown_sha256 = models.CharField(max_length=64)
    overall_score = models.FloatField()
    passed = models.BooleanField()
    needs_review = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Score run {self.pk} for attempt {self.attempt_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Score runs are append-only; record a new run instead.")
        super().save(*args, **kwargs)
