"""The recruiter's workspace: a per-attempt summary of the current score run (a projection the
results table sorts and filters on), the recruiters' decisions, and when each user last looked.
"""

from django.conf import settings
from django.db import models


class ResultRow(models.Model):
    """The current score run of one attempt, flattened for the results table.

    A projection, not a record: `results.services.refresh_result_rows` rebuilds it from the
    append-only score runs, so it can always be dropped and recomputed. Per-skill scores live
    in JSON here because the breakdown is canonical text that no query can sort on.
    """

    attempt = models.OneToOneField(
        "assessments.Attempt", on_delete=models.CASCADE, primary_key=True, related_name="result"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    run = models.OneToOneField("scoring.ScoreRun", on_delete=models.CASCADE, related_name="+")
    # The version whose frozen content was scored (a re-score may use a later one).
    version = models.ForeignKey(
        "assessments.AssessmentVersion", on_delete=models.CASCADE, related_name="+"
    )
    scored_at = models.DateTimeField()
    first_scored_at = models.DateTimeField()
    overall_score = models.FloatField()
    passed = models.BooleanField()
    needs_review = models.BooleanField()
    # skill id -> score (0..100) and skill id -> band label, for skills assessed on the path.
    skill_scores = models.JSONField(default=dict)
    skill_bands = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["assessment", "scored_at"]),
            models.Index(fields=["assessment", "overall_score"]),
        ]

    def __str__(self) -> str:
        return f"Result of attempt {self.attempt_id} (run {self.run_id})"


class Decision(models.Model):
    """A recruiter's decision on an attempt. Never changed: a new decision is a new row, and the
    newest one is the decision in force (the older ones are its history)."""

    class Outcome(models.TextChoices):
        ADVANCE = "advance", "Advance"
        HOLD = "hold", "Hold"
        REJECT = "reject", "Reject"

    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["attempt", "-decided_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on attempt {self.attempt_id}"


class Visit(models.Model):
    """When a staff user last opened an assessment's results (for "new since your last visit")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "assessment"], name="one_visit_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.assessment_id} at {self.seen_at:%Y-%m-%d %H:%M}"


class DigestSubscription(models.Model):
    """A staff user who asked for the daily results digest email, and when it last went out."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="results_digest"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Daily results digest for {self.user_id}"
