"""Compliance tables: demographics (walled off), erasures, published bias audits, retention
policies and records packages. The audit log lives in `audit`."""

import uuid

from django.conf import settings
from django.db import models

from outbox.models import OutboxJob

# --- Demographics: walled off --------------------------------------------------------------------
# Voluntary self-identification answers. Only compliance code reads this table, and only to
# report aggregates (compliance.demographics); assessments and scoring never import it (a test
# reads their imports), no admin page shows it, and it holds the attempt's public id rather than
# a foreign key, so no Attempt object can reach it through a reverse relation.


class Demographics(models.Model):
    """A candidate's voluntary answers (EEO-1 categories), for adverse-impact reports only."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    class RaceEthnicity(models.TextChoices):
        # The EEO-1 categories, in the EEO-1 order; slugs match compliance.bias.
        HISPANIC_OR_LATINO = "hispanic-or-latino", "Hispanic or Latino"
        WHITE = "white", "White"
        BLACK_OR_AFRICAN_AMERICAN = "black-or-african-american", "Black or African American"
        NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER = (
            "native-hawaiian-or-pacific-islander",
            "Native Hawaiian or Other Pacific Islander",
        )
        ASIAN = "asian", "Asian"
        AMERICAN_INDIAN_OR_ALASKA_NATIVE = (
            "american-indian-or-alaska-native",
            "American Indian or Alaska Native",
        )
        TWO_OR_MORE_RACES = "two-or-more-races", "Two or More Races"

    attempt_public_id = models.UUIDField(unique=True)
    # Blank means not answered (the candidate declined that question).
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    race_ethnicity = models.CharField(max_length=40, choices=RaceEthnicity.choices, blank=True)
    declined = models.BooleanField(
        default=False, help_text="The candidate chose not to answer any question."
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "demographics"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(declined=False) | models.Q(sex="", race_ethnicity=""),
                name="demographics_declined_means_no_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"Self-identification {self.pk}"


# --- Data rights ---------------------------------------------------------------------------------


class ErasureRecord(models.Model):
    """That a candidate's personal data was erased, when and why (no personal data itself)."""

    class Reason(models.TextChoices):
        REQUEST = "request", "Candidate's request"
        RETENTION = "retention", "Retention period ended"
        STAFF = "staff", "Erased by staff"

    invitation_public_id = models.UUIDField(unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    erased_at = models.DateTimeField(auto_now_add=True)
    audit_event = models.OneToOneField(
        "audit.AuditEvent",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The data.erased event in the audit log.",
    )

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Erasure of invitation {self.invitation_public_id}"


class DataRightsRequest(models.Model):
    """A candidate's request for an explanation of a decision (EU AI Act Art. 86, Colorado
    SB 26-189) or a correction of their data, tracked to its answer by a deadline.

    Staff answer with an explanation document generated from the records (compliance.explanations)
    that they review and edit before it is sent; every step is an audit event.
    """

    class Kind(models.TextChoices):
        EXPLANATION = "explanation", "An explanation of the decision"
        CORRECTION = "correction", "A correction of my data"

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        DRAFTED = "drafted", "Answer being prepared"
        ANSWERED = "answered", "Answered"

    class Outcome(models.TextChoices):
        EXPLAINED = "explained", "Explained"
        CORRECTED = "corrected", "Corrected"
        NOT_CORRECTED = "not_corrected", "Not corrected (the data was right)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invitation = models.ForeignKey(
        "assessments.Invitation", on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.ForeignKey(
        "assessments.Attempt", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    details = models.TextField(blank=True, max_length=4000)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(help_text="REQUEST_RESPONSE_DAYS after the request.")
    answer = models.TextField(blank=True, help_text="The document sent (or being prepared).")
    drafted_at = models.DateTimeField(null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="answered", answered_at__isnull=False)
                | (~models.Q(state="answered") & models.Q(answered_at__isnull=True)),
                name="data_request_answered_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.public_id})"


# --- Published bias audits ---------------------------------------------------------------------


class PublishedBiasAudit(models.Model):
    """A bias audit as published: a dated snapshot of its numbers, never changed afterwards.

    NYC Local Law 144 (6 RCNY § 5-303) asks for a summary of the most recent audit on the
    employer's website: its date, the data it used, the number of people of unknown category,
    every selection or scoring rate and impact ratio, and the date the tool was first used. The
    public page renders ``document`` as stored, so it shows exactly what was published; a
    PostgreSQL trigger refuses any update or delete (migration 0006).
    """

    class DataSource(models.TextChoices):
        HISTORICAL = "historical", "Historical data (candidates assessed with this tool)"
        TEST = "test", "Test data"

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="published_bias_audits"
    )
    # 1, 2, 3 … per assessment: the public address of this audit (/bias-audit/<slug>/<number>/).
    number = models.PositiveIntegerField()
    audit_date = models.DateField(help_text="The date the bias audit was conducted.")
    data_from = models.DateField(null=True, blank=True, help_text="First submission date used.")
    data_to = models.DateField(null=True, blank=True, help_text="Last submission date used.")
    auditor = models.CharField(
        max_length=200, blank=True, help_text="The independent auditor's name, when there is one."
    )
    first_used_on = models.DateField(help_text="The date the tool was first used.")
    data_source = models.CharField(
        max_length=20, choices=DataSource.choices, default=DataSource.HISTORICAL
    )
    data_source_note = models.TextField(
        blank=True,
        help_text="With test data: why historical data was not used and how the test data was "
        "made (6 RCNY § 5-302).",
    )
    small_categories_excluded = models.BooleanField(default=False)
    exclusion_reason = models.TextField(
        blank=True, help_text="Why categories under 2% of the data were left out, when they were."
    )
    # BiasReport.to_json_dict(): suppressed cells carry no numbers, so nothing here points at
    # a person. document_sha256 is over its canonical JSON (audit.canonical).
    document = models.JSONField()
    document_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.CharField(max_length=100, help_text="The audit actor who published.")
    audit_event = models.OneToOneField(
        "audit.AuditEvent",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The bias_audit.published event in the audit log.",
    )

    class Meta:
        ordering = ["assessment", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="published_bias_audit_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(small_categories_excluded=False)
                | ~models.Q(exclusion_reason=""),
                name="published_bias_audit_exclusion_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(data_source="test") | ~models.Q(data_source_note=""),
                name="published_bias_audit_test_data_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"Bias audit {self.number} of {self.assessment_id} ({self.audit_date})"


# --- Retention policies ------------------------------------------------------------------------


class RetentionPolicy(models.Model):
    """A named rule for how long records are kept, and what it covers.

    Each policy applies to every assessment or to the assessments chosen. For each kind of
    record, the longest period of the policies that apply and cover it wins: erasure never
    removes what a longer applicable rule still requires. Score records, the audit log and
    published audits are append-only and never deleted, so a policy covering them is met as
    long as the deployment runs; the candidate's personal data and answers are erased when the
    longest applicable period has passed since their last activity.
    """

    name = models.CharField(max_length=120, unique=True)
    basis = models.CharField(
        max_length=300, blank=True, help_text="The rule behind it, e.g. EU AI Act Art. 26(6)."
    )
    keep_days = models.PositiveIntegerField(
        help_text="Keep covered records this many days after the candidate's last activity."
    )
    covers_personal_data = models.BooleanField(
        default=False, help_text="Names, email addresses, notes and demographic answers."
    )
    covers_answers = models.BooleanField(
        default=False, help_text="The candidate's answers (the scoring inputs)."
    )
    covers_score_records = models.BooleanField(
        default=False, help_text="Score runs, reviews and decisions (pseudonymous; never deleted)."
    )
    covers_audit_log = models.BooleanField(
        default=False, help_text="The audit log (append-only; never deleted)."
    )
    covers_published_audits = models.BooleanField(
        default=False, help_text="Published bias-audit summaries (immutable; never deleted)."
    )
    applies_to_all_assessments = models.BooleanField(default=False)
    assessments = models.ManyToManyField(
        "assessments.Assessment",
        blank=True,
        related_name="retention_policies",
        help_text="The assessments this policy applies to (unless it applies to all).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return self.name

    @property
    def coverage(self) -> list[str]:
        """What the policy covers, in words."""
        return [
            words
            for field, words in (
                ("covers_personal_data", "personal data"),
                ("covers_answers", "answers"),
                ("covers_score_records", "score records"),
                ("covers_audit_log", "audit log"),
                ("covers_published_audits", "published audits"),
            )
            if getattr(self, field)
        ]

    @property
    def covers_erasable_data(self) -> bool:
        """Whether it holds back erasure (it covers what erasing a candidate removes)."""
        return self.covers_personal_data or self.covers_answers


# --- Records packages --------------------------------------------------------------------------


class RecordsPackage(OutboxJob):
    """A zip of the records a regulator may ask for, over a date range; built by a worker.

    An outbox row: written with the request (and its report.exported event) in one transaction,
    its build enqueued on commit on the reports queue, sent again by the one sweeper if the
    message is lost. The worker counts ``parts_done`` as it goes (the page shows progress), then
    stores the bytes and their sha256, kept in the database so any web process can serve them.
    """

    task_name = "compliance.tasks.build_records_package"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date_from = models.DateField()
    date_to = models.DateField()
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: every assessment.",
    )
    requested_by = models.CharField(max_length=100, help_text="The audit actor who asked.")
    parts_done = models.PositiveIntegerField(default=0)
    parts_total = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    audit_event = models.OneToOneField(
        "audit.AuditEvent",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The report.exported event recorded with the request.",
    )

    class Meta(OutboxJob.Meta):
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")),
                name="records_package_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Records package {self.date_from} to {self.date_to}"

    @property
    def filename(self) -> str:
        scope = f"-{self.assessment.slug}" if self.assessment_id else ""
        return f"records{scope}-{self.date_from}-to-{self.date_to}.zip"
