"""Forms of the compliance pages: the voluntary self-identification and report requests."""

from django import forms

from compliance.demographics import DECLINE
from compliance.models import DataRightsRequest, Demographics, PublishedBiasAudit
from compliance.services import AUDIT_EXPORT_FORMATS, BIAS_AUDIT_FORMATS

DECLINE_LABEL = "I decline to answer"

# The EEO-1 definitions, shown under each race/ethnicity choice.
RACE_ETHNICITY_HELP = {
    "hispanic-or-latino": "A person of Cuban, Mexican, Puerto Rican, South or Central American, "
    "or other Spanish culture or origin regardless of race.",
    "white": "Not Hispanic or Latino. A person having origins in any of the original peoples of "
    "Europe, the Middle East or North Africa.",
    "black-or-african-american": "Not Hispanic or Latino. A person having origins in any of the "
    "black racial groups of Africa.",
    "native-hawaiian-or-pacific-islander": "Not Hispanic or Latino. A person having origins in "
    "any of the peoples of Hawaii, Guam, Samoa or other Pacific Islands.",
    "asian": "Not Hispanic or Latino. A person having origins in any of the original peoples of "
    "the Far East, Southeast Asia or the Indian Subcontinent.",
    "american-indian-or-alaska-native": "Not Hispanic or Latino. A person having origins in any "
    "of the original peoples of North and South America (including Central America) who "
    "maintains tribal affiliation or community attachment.",
    "two-or-more-races": "Not Hispanic or Latino. A person who identifies with more than one of "
    "the races above.",
}


class SelfIdentificationForm(forms.Form):
    """Sex and race/ethnicity in the EEO-1 categories; every answer may be declined."""

    sex = forms.ChoiceField(
        label="Sex",
        choices=[*Demographics.Sex.choices, (DECLINE, DECLINE_LABEL)],
        widget=forms.RadioSelect,
        required=False,
    )
    race_ethnicity = forms.ChoiceField(
        label="Race/ethnicity",
        choices=[*Demographics.RaceEthnicity.choices, (DECLINE, DECLINE_LABEL)],
        widget=forms.RadioSelect,
        required=False,
    )


class AuditExportForm(forms.Form):
    """Which audit export to download: format, and optionally one candidate or attempt."""

    format = forms.ChoiceField(
        choices=[(name, name.upper()) for name in AUDIT_EXPORT_FORMATS], initial="csv"
    )
    candidate = forms.EmailField(
        required=False, label="Candidate email", help_text="Leave empty for every attempt."
    )
    attempt = forms.UUIDField(required=False, label="Attempt id")


class BiasAuditForm(forms.Form):
    """The period a bias audit covers, the LL144 small-category option and the format."""

    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    exclude_small_categories = forms.BooleanField(
        required=False,
        label="Leave categories under 2% of the data out of the impact ratios",
        help_text="The option Local Law 144 allows; the report names what was left out and why.",
    )
    format = forms.ChoiceField(
        choices=[(name, name.upper()) for name in BIAS_AUDIT_FORMATS if name != "html"],
        required=False,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return data


class PublishBiasAuditForm(forms.Form):
    """What a published bias-audit summary states beside its numbers (6 RCNY § 5-303)."""

    audit_date = forms.DateField(
        required=False,
        label="Audit date",
        help_text="The day the bias audit was conducted; empty for today.",
    )
    date_from = forms.DateField(required=False, label="Data from")
    date_to = forms.DateField(required=False, label="Data to")
    auditor = forms.CharField(
        required=False,
        max_length=200,
        label="Independent auditor",
        help_text="Their name, when an independent auditor conducted it.",
    )
    first_used_on = forms.DateField(
        required=False,
        label="Tool first used on",
        help_text="Empty: the day the first candidate started this assessment.",
    )
    data_source = forms.ChoiceField(
        choices=PublishedBiasAudit.DataSource.choices,
        initial=PublishedBiasAudit.DataSource.HISTORICAL,
        label="Data used",
    )
    data_source_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="About the test data",
        help_text="With test data: why historical data was not used, and how the test data "
        "was made.",
    )
    exclude_small_categories = forms.BooleanField(
        required=False,
        label="Leave categories under 2% of the data out of the impact ratios",
    )
    exclusion_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why they are left out",
        help_text="Required when categories are left out; published with the summary.",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return data


class RecordsPackageForm(forms.Form):
    """The period (and optionally the assessment) a records package covers."""

    date_from = forms.DateField(label="From")
    date_to = forms.DateField(label="To")
    assessment = forms.SlugField(
        required=False, label="Assessment", help_text="Empty: every assessment."
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return data


# --- Explanation and correction requests ----------------------------------------------------------


class DataRequestForm(forms.Form):
    """What a candidate asks for after the assessment: an explanation or a correction."""

    kind = forms.ChoiceField(
        label="What would you like?",
        choices=DataRightsRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose an explanation or a correction.",
            "invalid_choice": "Choose one of the options listed.",
        },
    )
    details = forms.CharField(
        label="Tell us more",
        help_text="For a correction, say which data is wrong and what it should be. For an "
        "explanation, anything you would like us to cover (optional).",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "Keep it under 4,000 characters."},
    )


class DataRequestAnswerForm(forms.Form):
    """Staff's answer to a request: the text (generated, then edited) and, to send, the outcome."""

    answer = forms.CharField(
        label="Answer to the candidate",
        widget=forms.Textarea(attrs={"rows": 28}),
        error_messages={"required": "The answer is empty: write (or generate) it first."},
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "—"), *DataRightsRequest.Outcome.choices], required=False
    )
