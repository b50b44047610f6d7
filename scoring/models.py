"""How answers become scores: scoring jobs (the outbox), append-only score runs with the inputs
they were computed from, text-model artifacts, and the human review queue."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from outbox.models import OutboxJob


class ScoringJob(OutboxJob):
    """Outbox row: written in the submit transaction, enqueued on commit, swept when stale."""

    task_name = "scoring.tasks.score_attempt"

    class Reason(models.TextChoices):
        SUBMITTED = "submitted", "Attempt submitted"
        RESCORE = "rescore", "Re-score"
        REVIEW = "review", "Human review"

    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="scoring_jobs"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.SUBMITTED)
    # The frozen content to score against; empty means the attempt's own version. A re-score
    # after a rubric fix may name a later version of the same assessment.
    version = models.ForeignKey(
        "assessments.AssessmentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.CharField(max_length=200, blank=True, default="system")

    class Meta(OutboxJob.Meta):
        constraints = [
            # Submitting is idempotent; this makes a second submission job impossible too.
            models.UniqueConstraint(
                fields=["attempt"],
                condition=Q(reason="submitted"),
                name="one_submission_job_per_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"Scoring job {self.pk} ({self.state})"


class ScoreInput(models.Model):
    """The answers a run scored, as canonical JSON, so a run can be replayed without reading
    the (erasable) Response rows. Shared by the runs of one attempt with the same answers.

    Erasure (``scoring.services.erasure.erase_score_inputs``) blanks the free text here too and sets
    ``erased_at``: from then on the runs that used it can no longer be replayed, but their
    breakdown, hashes and audit events stay.
    """

    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="score_inputs"
    )
    responses_json = models.TextField()
    responses_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "responses_sha256"], name="one_input_snapshot_per_answers"
            ),
        ]

    def __str__(self) -> str:
        return f"Scored answers {self.responses_sha256[:12]} of attempt {self.attempt_id}"


class ScoreRun(models.Model):
    """One scoring of one attempt. Never updated: a re-score adds a run that supersedes it.

    The one exception is erasure (``scoring.services.erasure.erase_score_inputs``): it removes the
    candidate's words from the breakdown once, setting ``redacted_at`` and the hash of the
    redacted bytes; ``breakdown_sha256`` stays the hash of the breakdown as scored. The
    database trigger allows exactly that change and nothing else.
    """

    job = models.OneToOneField(ScoringJob, on_delete=models.PROTECT, related_name="run")
    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="score_runs"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    engine_version = models.CharField(max_length=40)
    # The version whose frozen content was scored.
    version = models.ForeignKey(
        "assessments.AssessmentVersion", on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField(max_length=64)
    inputs = models.ForeignKey(ScoreInput, on_delete=models.PROTECT, related_name="runs")
    responses_sha256 = models.CharField(max_length=64)
    # Every model given to the engine, "<step_id>/<criterion_id>" -> artifact sha256.
    model_hashes = models.JSONField(default=dict, blank=True)
    # Human overrides given to the engine: key -> {"level", "reviewer", "reason"}.
    overrides = models.JSONField(default=dict, blank=True)
    # People decided every criterion: when this run was scored the assessment's automation was
    # paused, or the candidate had been granted an alternative process. Every criterion no person
    # had decided went to review (an input: replay applies it again).
    human_review_required = models.BooleanField(default=False)
    # Canonical JSON bytes as text, not jsonb: jsonb reorders keys and the hash must replay.
    breakdown_json = models.TextField()
    breakdown_sha256 = models.CharField(max_length=64)
    overall_score = models.FloatField()
    passed = models.BooleanField()
    needs_review = models.BooleanField(default=False)
    redacted_at = models.DateTimeField(null=True, blank=True)
    redacted_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["attempt", "created_at"])]

    def __str__(self) -> str:
        return f"Score run {self.pk} for attempt {self.attempt_id}"

    def save(self, *args, **kwargs):
        # A database trigger refuses updates too; this catches it earlier in Python.
        if self.pk is not None:
            raise ValueError("Score runs are append-only; record a new run instead.")
        super().save(*args, **kwargs)


class TextModel(models.Model):
    """A trained text model for one criterion of one version: the engine's artifact bytes
    (canonical JSON, never a pickle), their sha256 and how well it agrees with the labels."""

    version = models.ForeignKey(
        "assessments.AssessmentVersion", on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField(max_length=64)
    criterion_key = models.CharField(max_length=170, help_text="<step_id>/<criterion_id>")
    artifact = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    training_set_sha256 = models.CharField(max_length=64)
    n_levels = models.PositiveSmallIntegerField()
    n_exemplars = models.PositiveIntegerField(help_text="Exemplars trained on.")
    n_held_back = models.PositiveIntegerField(
        default=0, help_text="Exemplars kept out of training (used by simulate_candidates)."
    )
    cv_folds = models.PositiveSmallIntegerField()
    cv_qwk = models.FloatField("cross-validated QWK")
    cv_exact_agreement = models.FloatField("cross-validated exact agreement")
    seed = models.IntegerField(default=0)
    qwk_bar = models.FloatField(help_text="The QWK bar in force when it was trained.")
    min_exemplars = models.PositiveIntegerField()
    accepted = models.BooleanField(help_text="Enough exemplars and QWK at the bar.")
    active = models.BooleanField(default=False, help_text="Given to the engine when scoring.")
    trained_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.CharField(max_length=200, default="system")
    activated_at = models.DateTimeField(null=True, blank=True)
    n_review_examples = models.PositiveIntegerField(
        default=0, help_text="Of the exemplars trained on, how many were reviewers' decisions."
    )
    # The engine's verdict when it was trained: its metrics and the active model's on the same
    # cross-validation, and whether it should replace it (shown in the admin).
    comparison = models.JSONField(default=dict, blank=True)
    pinned = models.BooleanField(
        default=False, help_text="Kept active: retraining stores new models but never swaps it."
    )
    # The model this one replaced when it was last activated: what a rollback goes back to.
    replaced = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["version", "criterion_key", "-trained_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "criterion_key", "sha256"], name="one_row_per_artifact"
            ),
            models.UniqueConstraint(
                fields=["version", "criterion_key"],
                condition=Q(active=True),
                name="one_active_model_per_criterion",
            ),
            models.CheckConstraint(
                condition=Q(active=False) | Q(accepted=True), name="only_accepted_models_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_key} model {self.sha256[:12]} ({self.version})"


class ReviewItem(models.Model):
    """A criterion the machine was unsure of, waiting for a reviewer (blind to identity)."""

    class State(models.TextChoices):
        OPEN = "open", "Waiting for a reviewer"
        DECIDED = "decided", "Decided"
        WITHDRAWN = "withdrawn", "No longer needed"

    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="review_items"
    )
    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="review_items")
    criterion_key = models.CharField(max_length=170)
    step_id = models.CharField(max_length=80)
    criterion_id = models.CharField(max_length=80)
    reasons = models.JSONField(default=list)
    machine_method = models.CharField(max_length=20)
    machine_level = models.PositiveSmallIntegerField()
    machine_confidence = models.FloatField()
    # Chosen for quality control: a confident machine score a person checks anyway, so
    # agreement is measured on real answers. The breakdown does not know; only this flag does.
    quality_control = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "criterion_key"],
                condition=Q(state="open"),
                name="one_open_review_per_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk}: {self.criterion_key}"


class ReviewDecision(models.Model):
    """A reviewer's level for one criterion, with the reason; applied as a HumanOverride by
    every later run of the attempt. Never changed: a second decision is a new row."""

    item = models.OneToOneField(ReviewItem, on_delete=models.PROTECT, related_name="decision")
    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="review_decisions"
    )
    criterion_key = models.CharField(max_length=170)
    level = models.PositiveSmallIntegerField()
    reason = models.TextField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Frozen at decision time: this is what the breakdown names as the reviewer.
    reviewer_label = models.CharField(max_length=200)
    decided_at = models.DateTimeField(auto_now_add=True)
    job = models.OneToOneField(ScoringJob, on_delete=models.PROTECT, related_name="review_decision")

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"Decision on {self.criterion_key}: level {self.level}"


class TrainingExample(models.Model):
    """A labelled answer for one free-text criterion, from a reviewer's decision: what the
    criterion's next model trains on, beside the exemplars of the published document.

    Examples belong to the assessment and criterion key, not to one version: they follow the
    criterion into later versions as long as its scale (the levels' labels, points and
    descriptors, hashed in ``scale_sha256``) is unchanged, since a label means nothing on
    another scale. Erasure blanks ``text`` and sets ``erased_at``; the level and provenance stay.
    """

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="+"
    )
    criterion_key = models.CharField(max_length=170, help_text="<step_id>/<criterion_id>")
    scale_sha256 = models.CharField(max_length=64)
    text = models.TextField()
    level = models.PositiveSmallIntegerField()
    # Provenance: the decision (hence the item, reviewer and time) the label comes from.
    decision = models.OneToOneField(
        ReviewDecision, on_delete=models.PROTECT, related_name="training_example"
    )
    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="training_examples"
    )
    version = models.ForeignKey(
        "assessments.AssessmentVersion", on_delete=models.PROTECT, related_name="+"
    )
    reviewer_label = models.CharField(max_length=200)
    labelled_at = models.DateTimeField()
    quality_control = models.BooleanField(
        default=False, help_text="A quality-control second look at a confident machine score."
    )
    machine_level = models.PositiveSmallIntegerField()
    # Set when a retraining first took it in; until then it counts towards
    # TEXT_RETRAIN_AFTER_LABELS.
    trained_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["labelled_at", "pk"]
        indexes = [
            models.Index(fields=["assessment", "criterion_key", "scale_sha256"]),
            models.Index(
                fields=["assessment", "criterion_key"],
                condition=Q(trained_at__isnull=True),
                name="training_example_new",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_key}: level {self.level} by {self.reviewer_label}"
