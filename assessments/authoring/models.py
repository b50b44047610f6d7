"""Draft tables: an assessment as recruiters edit it, before it is frozen into a version.

Each table mirrors one part of the assessment document (assessments/CONTENT_FORMAT.md); the
serialiser in ``assessments.authoring.serialise`` turns a draft into exactly that document.
Drafts may be incomplete or wrong while being edited: publishing validates them.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

ID_HELP = "Lower-case letters, digits and hyphens; used in branching and in exported files."


def _position():
    return models.PositiveIntegerField(default=0, help_text="Order: lower numbers come first.")


class ItemType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    SJT = "sjt", "Situational judgement"
    RANKING = "ranking", "Ranking / ordering"
    NUMERIC = "numeric", "Numeric"
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"


CHOICE_ITEM_TYPES = frozenset({ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE})


class SjtMode(models.TextChoices):
    RATE = "rate", "Rate each response on a scale"
    BEST_WORST = "best_worst", "Pick the best and the worst response"


class ToleranceKind(models.TextChoices):
    ABSOLUTE = "absolute", "Absolute (in the answer's unit)"
    RELATIVE = "relative", "Relative (fraction of the answer)"


class DataKind(models.TextChoices):
    TABLE = "table", "Table"
    EMAIL = "email", "Email thread"
    LOG = "log", "Log excerpt"


class RuleOp(models.TextChoices):
    LT = "lt", "answer < value"
    LE = "le", "answer ≤ value"
    GT = "gt", "answer > value"
    GE = "ge", "answer ≥ value"
    EQ = "eq", "answer = value"


class AssessmentDraft(models.Model):
    """An assessment being authored; publishing freezes it into the next AssessmentVersion."""

    slug = models.SlugField(
        max_length=80,
        help_text="Identifies the assessment; publishing adds a version to the assessment "
        "with this slug (or creates it).",
    )
    title = models.CharField(max_length=200)
    role = models.CharField(max_length=200, help_text="The job role, e.g. 'Support Specialist'.")
    description = models.TextField(
        blank=True, help_text="Markdown. Shown to candidates and in credential evidence."
    )
    time_limit_minutes = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    validity_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Credentials expire after this many days. Empty: they do not expire.",
    )
    overall_threshold = models.FloatField(
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Weighted overall score (0 to 100) needed to pass.",
    )
    start = models.CharField(max_length=80, blank=True, help_text="The first step candidates see.")
    based_on = models.ForeignKey(
        "assessments.AssessmentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drafts",
        help_text="The published version this draft started from, if any.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "assessment draft"

    def __str__(self) -> str:
        return f"{self.title} (draft)"


class DraftSkill(models.Model):
    """A skill the assessment measures, with its pass threshold and whether a pass certifies it."""

    draft = models.ForeignKey(AssessmentDraft, on_delete=models.CASCADE, related_name="skills")
    position = _position()
    skill_id = models.SlugField("id", max_length=80, help_text=ID_HELP)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Minimum score (0 to 100) on this skill to pass. Empty: no minimum.",
    )
    certifies = models.BooleanField(
        "certified by a pass", default=True, help_text="A pass names this skill in the credential."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "skill"

    def __str__(self) -> str:
        return self.name or self.skill_id


class DraftSkillAlignment(models.Model):
    """An alignment of a skill to a public framework entry (O*NET, ESCO, ...)."""

    skill = models.ForeignKey(DraftSkill, on_delete=models.CASCADE, related_name="alignments")
    position = _position()
    framework = models.CharField(max_length=100, help_text="e.g. O*NET or ESCO")
    code = models.CharField(max_length=200)
    name = models.CharField(max_length=300)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "framework alignment"

    def __str__(self) -> str:
        return f"{self.framework} {self.code}"


class DraftStep(models.Model):
    """One screen of the scenario: narrative, optional data, a prompt and exactly one item."""

    draft = models.ForeignKey(AssessmentDraft, on_delete=models.CASCADE, related_name="steps")
    position = _position()
    step_id = models.SlugField("id", max_length=80, help_text=ID_HELP)
    title = models.CharField(max_length=200)
    context = models.TextField(blank=True, help_text="Markdown narrative shown before the prompt.")
    prompt = models.TextField(help_text="The question or instruction the candidate answers.")
    next_step = models.CharField(
        "next step",
        max_length=80,
        blank=True,
        help_text="Where candidates go by default. Empty: this step ends the assessment.",
    )
    item_type = models.CharField(max_length=20, choices=ItemType.choices)
    # Item settings; which apply depends on the item type.
    max_length = models.PositiveIntegerField(
        null=True, blank=True, help_text="Text items: most characters accepted."
    )
    min_select = models.PositiveIntegerField(null=True, blank=True)
    max_select = models.PositiveIntegerField(null=True, blank=True)
    sjt_mode = models.CharField(
        "judgement mode", max_length=20, choices=SjtMode.choices, blank=True
    )
    scale_min = models.IntegerField(null=True, blank=True)
    scale_max = models.IntegerField(null=True, blank=True)
    scale_labels = models.JSONField(
        default=list, blank=True, help_text="One label per scale point, lowest first."
    )
    best_option = models.CharField(max_length=80, blank=True, help_text="Expert key: best.")
    worst_option = models.CharField(max_length=80, blank=True, help_text="Expert key: worst.")
    numeric_answer = models.FloatField("correct answer", null=True, blank=True)
    tolerance = models.FloatField(null=True, blank=True, help_text="Allowed error, full credit.")
    tolerance_kind = models.CharField(max_length=10, choices=ToleranceKind.choices, blank=True)
    partial_tolerance = models.FloatField(
        null=True, blank=True, help_text="Allowed error for half credit (optional)."
    )
    unit = models.CharField(max_length=40, blank=True, help_text="Shown next to the input.")
    # Data shown with the step.
    data_kind = models.CharField(
        "data shown with the step", max_length=10, choices=DataKind.choices, blank=True
    )
    table_columns = models.JSONField(default=list, blank=True)
    table_rows = models.JSONField(default=list, blank=True)
    log_lines = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "step"

    def __str__(self) -> str:
        return f"{self.step_id}: {self.title}" if self.title else self.step_id


class DraftEmailMessage(models.Model):
    """One message of an email thread shown with a step (oldest first)."""

    step = models.ForeignKey(DraftStep, on_delete=models.CASCADE, related_name="emails")
    position = _position()
    sender = models.CharField("from", max_length=300)
    recipient = models.CharField("to", max_length=300)
    date = models.CharField(max_length=100, help_text="As displayed, e.g. 2024-03-04 09:12.")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "email message"

    def __str__(self) -> str:
        return self.subject or self.sender


class DraftOption(models.Model):
    """An option of a choice, judgement or ranking item."""

    step = models.ForeignKey(DraftStep, on_delete=models.CASCADE, related_name="options")
    position = _position()
    option_id = models.SlugField("id", max_length=80, help_text=ID_HELP)
    text = models.TextField()
    points = models.FloatField(
        null=True, blank=True, help_text="Choice items: credit for picking it."
    )
    rationale = models.TextField(help_text="Shown to the candidate as feedback.")
    next_step = models.CharField(
        "branch to",
        max_length=80,
        blank=True,
        help_text="Single choice: step to go to when chosen (wins over rules).",
    )
    key_rating = models.IntegerField(
        "expert rating", null=True, blank=True, help_text="Judgement (rate): the expert key."
    )
    key_rank = models.PositiveIntegerField(
        "expert rank", null=True, blank=True, help_text="Ranking: 1 = first in the expert order."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "option"

    def __str__(self) -> str:
        return self.option_id


class DraftRule(models.Model):
    """Branch on the answer: an option chosen, or a numeric comparison. First match wins."""

    step = models.ForeignKey(DraftStep, on_delete=models.CASCADE, related_name="rules")
    position = _position()
    when_option = models.CharField(
        "when option chosen", max_length=80, blank=True, help_text="Choice items."
    )
    when_op = models.CharField(
        "or when", max_length=2, choices=RuleOp.choices, blank=True, help_text="Numeric items."
    )
    when_value = models.FloatField("value", null=True, blank=True)
    next_step = models.CharField("go to", max_length=80)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "branching rule"

    def __str__(self) -> str:
        condition = self.when_option or f"{self.when_op} {self.when_value}"
        return f"{condition} → {self.next_step}"


class DraftCriterion(models.Model):
    """How a step's answer is scored against one skill, with ordered levels."""

    step = models.ForeignKey(DraftStep, on_delete=models.CASCADE, related_name="criteria")
    position = _position()
    criterion_id = models.SlugField("id", max_length=80, help_text=ID_HELP)
    skill = models.CharField(max_length=80, help_text="The skill this criterion scores.")
    weight = models.FloatField(default=1, help_text="Weight in the skill's score (> 0).")
    confidence_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Text items: below this scoring confidence a person reviews the answer.",
    )
    reference_answer = models.TextField(
        blank=True, help_text="Text items, optional: a model answer shown to reviewers."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "criterion"
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.criterion_id


class DraftConcept(models.Model):
    """An idea a good free-text answer contains, with the phrasings that show it."""

    criterion = models.ForeignKey(DraftCriterion, on_delete=models.CASCADE, related_name="concepts")
    position = _position()
    concept_id = models.SlugField("id", max_length=80, help_text=ID_HELP)
    label = models.CharField(max_length=300)
    phrasings = models.JSONField(
        default=list,
        help_text="One regular expression per line, lower case; any match counts.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "concept"

    def __str__(self) -> str:
        return self.label


class DraftLevel(models.Model):
    """A rubric level, ordered from lowest to highest points."""

    criterion = models.ForeignKey(DraftCriterion, on_delete=models.CASCADE, related_name="levels")
    position = _position()
    points = models.FloatField(validators=[MinValueValidator(0)])
    label = models.CharField(max_length=100)
    descriptor = models.TextField(help_text="What an answer at this level looks like.")
    feedback = models.TextField(help_text="Personal, actionable feedback for the candidate.")
    min_coverage = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Text items: share of concepts (0 to 1) needed for this level.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "level"

    def __str__(self) -> str:
        return f"{self.label} ({self.points:g})"


class DraftExemplar(models.Model):
    """A labelled candidate answer written at a level (training data for text scoring)."""

    level = models.ForeignKey(DraftLevel, on_delete=models.CASCADE, related_name="exemplars")
    position = _position()
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "exemplar answer"

    def __str__(self) -> str:
        return self.text[:60]
