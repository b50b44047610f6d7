"""Compliance tables: demographics (walled off) and erasures. The audit log lives in `audit`."""

from django.db import models

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
