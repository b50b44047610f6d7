"""Forms of the results pages: the table's filters (GET) and a decision (POST)."""

from django import forms

from results.models import Decision
from results.selectors import Status, TableQuery

PASSED_CHOICES = [("", "Any"), ("yes", "Passed"), ("no", "Not passed")]
ALL_VERSIONS = "all"


class ResultsFilterForm(forms.Form):
    """Search, filters and sort of the results table; anything invalid falls back to the default."""

    q = forms.CharField(label="Name or email", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any"), *Status.choices]
    )
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        choices=[("", "Any"), ("none", "No decision yet"), *Decision.Outcome.choices],
    )
    passed = forms.ChoiceField(label="Result", required=False, choices=PASSED_CHOICES)
    skill = forms.ChoiceField(label="Skill", required=False)
    skill_min = forms.FloatField(label="At least", required=False, min_value=0, max_value=100)
    version = forms.ChoiceField(label="Version", required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    order = forms.ChoiceField(
        required=False, choices=[("desc", "desc"), ("asc", "asc")], widget=forms.HiddenInput
    )

    def __init__(self, data, *, skills: list[tuple[str, str]], versions: list[int]):
        super().__init__(data)
        self.skill_ids = [skill_id for skill_id, _ in skills]
        self.versions = versions
        self.fields["skill"].choices = [("", "Any skill"), *skills]
        self.fields["version"].choices = [
            (ALL_VERSIONS, "All versions"),
            *((str(number), f"Version {number}") for number in versions),
        ]

    def default_version(self) -> int | None:
        """Rows scored on different versions are not mixed unless asked: newest by default."""
        return self.versions[0] if len(self.versions) > 1 else None

    def table_query(self) -> TableQuery:
        """The validated query (fields that did not validate take their defaults)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        version = data["version"]
        sort = data["sort"] or "submitted"
        return TableQuery(
            search=(data["q"] or "").strip(),
            status=data["status"] or "",
            decision=data["decision"] or "",
            passed=data["passed"] or "",
            skill=data["skill"] or "",
            skill_min=data["skill_min"],
            version=(
                self.default_version()
                if not version
                else None
                if version == ALL_VERSIONS
                else int(version)
            ),
            sort=sort,
            descending=(data["order"] or "desc") == "desc",
            skills=self.skill_ids,
        )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision", choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by the hiring team only, never by the candidate.",
    )
