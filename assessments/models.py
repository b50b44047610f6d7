"""What candidates take: assessments, frozen versions, invitations, attempts and responses."""

import uuid

from django.conf import settings
from django.db import models

from outbox.models import OutboxJob


class Assessment(models.Model):
    """An assessment a recruiter edits; candidates only ever see its published versions."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who may see its candidates' results: the recruiter who first published it, and the
    # colleagues they share it with (results.selectors.access_assessment_results checks both).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_assessments",
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_assessments"
    )
    # The notice candidates read before they consent (assessments.notices builds it).
    notice_qualifications = models.TextField(
        "qualifications assessed",
        blank=True,
        max_length=2000,
        help_text="The job qualifications and characteristics this assessment evaluates, in "
        "plain words; the notice lists them with the skills of the published version.",
    )
    notice_jurisdictions = models.JSONField(
        "notice rules that apply",
        default=list,
        blank=True,
        help_text="Codes of NOTICE_JURISDICTIONS (settings) whose notice rules apply, e.g. nyc.",
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class AssessmentVersion(models.Model):
    """A published, immutable snapshot: one normalised JSON document and its sha256."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="one_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment.slug} v{self.number}"

    def save(self, *args, **kwargs):
        # Immutability is enforced by a database trigger too; this catches it earlier in Python.
        if self.pk is not None:
            raise ValueError("A published assessment version can never change.")
        super().save(*args, **kwargs)

    @property
    def time_limit_minutes(self) -> int:
        return int(self.content["time_limit_minutes"])


class Invitation(models.Model):
    """A link that lets one candidate take one version. Only the token's hash is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        AssessmentVersion, on_delete=models.PROTECT, related_name="invitations"
    )
    candidate_name = models.CharField(max_length=200)
    candidate_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    allow_retake = models.BooleanField(default=False)
    extra_time_minutes = models.PositiveIntegerField(
        default=0,
        help_text="Accommodation granted by a recruiter: minutes added to the time limit.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The end of the notice period: the link shows the notice at once, but the assessment
    # can only be started from this moment (null: at once).
    available_from = models.DateTimeField(null=True, blank=True)
    # The notice the invitation email carried.
    notice = models.ForeignKey(
        "NoticeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The applicant tracking system's own id for this candidate or application (integration
    # API), echoed in results and webhook events so the ATS can match them.
    external_id = models.CharField(max_length=200, blank=True, db_index=True)
    # Withdrawn before use (the API's cancel): the link opens nothing any more.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.candidate_name} — {self.version}"


class Attempt(models.Model):
    """One sitting of an assessment version, from consent to submission."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invitation = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="attempts")
    version = models.ForeignKey(
        AssessmentVersion, on_delete=models.PROTECT, related_name="attempts"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    consent_at = models.DateTimeField()
    # The notice shown on the page where the candidate consented.
    notice = models.ForeignKey(
        "NoticeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    current_step = models.CharField(max_length=80)
    # Step ids in the order the candidate reached them; branching makes this differ per attempt.
    path = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"Attempt {self.public_id} ({self.get_state_display()})"


class Response(models.Model):
    """The latest answer to one step of an attempt (autosave overwrites it until submission)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    step_id = models.CharField(max_length=80)
    answer = models.JSONField()
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["attempt", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "step_id"], name="one_response_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.step_id}"


# --- Accommodations (candidate experience) ---------------------------------------------------
# Kept in its own block: the candidate pages own this model, the authoring admin does not.


class AccommodationRequest(models.Model):
    """A candidate's request for an accommodation or an alternative process; a recruiter decides."""

    class Kind(models.TextChoices):
        EXTRA_TIME = "extra_time", "Extra time"
        ASSISTIVE_TECHNOLOGY = "assistive_technology", "Assistive technology or another format"
        ALTERNATIVE_PROCESS = "alternative_process", "An alternative process (no automated scoring)"
        OTHER = "other", "Something else"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        GRANTED = "granted", "Granted"
        DECLINED = "declined", "Declined"

    invitation = models.ForeignKey(
        Invitation, on_delete=models.PROTECT, related_name="accommodation_requests"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    details = models.TextField(blank=True, max_length=2000)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    granted_extra_minutes = models.PositiveIntegerField(
        default=0, help_text="Minutes added to the time limit when granted."
    )
    decision_note = models.TextField(
        blank=True, max_length=2000, help_text="Shown to the candidate with the decision."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the candidate should have the decision (REQUEST_RESPONSE_DAYS after the request).
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.invitation.candidate_name}"


# --- Notices and human oversight ------------------------------------------------------------


class NoticeVersion(models.Model):
    """One wording of an assessment's notice to candidates, kept so that every consent and
    invitation can say exactly which notice the candidate saw. Never changed: a new wording
    is a new version."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="notices")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="one_notice_number"),
            models.UniqueConstraint(
                fields=["assessment", "content_sha256"], name="one_notice_per_wording"
            ),
        ]

    def __str__(self) -> str:
        return f"Notice v{self.number} of {self.assessment.slug}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A notice version can never change; make a new one.")
        super().save(*args, **kwargs)


class AutomationPause(models.Model):
    """The stop button (human oversight): while a pause is open, every criterion of an
    attempt of the assessment goes to a person and no credential is issued."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="automation_pauses"
    )
    reason = models.TextField(max_length=2000)
    paused_at = models.DateTimeField(auto_now_add=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resume_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-paused_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(resumed_at__isnull=True),
                name="one_open_pause_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"Automation paused on {self.assessment.slug} at {self.paused_at:%Y-%m-%d %H:%M}"


class InvitationImport(OutboxJob):
    """A CSV of candidates to invite, worked through by a Celery task in batches.

    The upload only stores the rows that can be invited (``rows``: [line, name, email]) and the
    rows that cannot (``errors``: [line, message]); the task invites ``rows[processed:]`` a batch
    per transaction, moving ``processed`` in the same transaction, so a crash loses nothing and
    running it again invites nobody twice. The rows are blanked once done (personal data).
    """

    task_name = "assessments.tasks.import_invitations"

    version = models.ForeignKey(AssessmentVersion, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    valid_days = models.PositiveIntegerField()
    allow_retake = models.BooleanField(default=False)
    send_email = models.BooleanField(default=True)
    rows = models.JSONField(default=list)
    total_rows = models.PositiveIntegerField(default=0, help_text="Rows that can be invited.")
    processed = models.PositiveIntegerField(default=0, help_text="Of those, worked through.")
    invited = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Invitation import {self.pk} ({self.state})"


# Draft tables live in their own module; importing them here registers them with the app.
from assessments.authoring.models import (  # noqa: E402, F401
    AssessmentDraft,
    DraftConcept,
    DraftCriterion,
    DraftEmailMessage,
    DraftExemplar,
    DraftLevel,
    DraftOption,
    DraftRule,
    DraftSkill,
    DraftSkillAlignment,
    DraftStep,
)
