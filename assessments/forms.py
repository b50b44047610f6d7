"""Forms of the candidate pages and of the recruiter's invitation pages."""

import re

from django import forms
from django.conf import settings

from assessments.answers import answer_kind
from assessments.exceptions import InvalidAnswer
from assessments.models import AccommodationRequest, AssessmentVersion

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_RATING_PREFIX = "rating-"


def _number(raw: str) -> float | None:
    text = raw.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise InvalidAnswer("Enter a number, for example 42 or 41.5.")
    return float(text.replace(",", "."))


def answer_from_post(item: dict, post) -> dict:
    """The answer a step's form (or its autosave) posted, still in browser aliases.

    One parser serves the "Continue" button and autosave, so both store the same thing.
    """
    kind = answer_kind(item)
    if kind == "single_choice":
        return {"option": post.get("option", "")}
    if kind == "multiple_choice":
        return {"options": post.getlist("options")}
    if kind == "rate":
        ratings = {}
        for name, value in post.items():
            if name.startswith(_RATING_PREFIX) and value != "":
                try:
                    ratings[name[len(_RATING_PREFIX) :]] = int(value)
                except ValueError as error:
                    raise InvalidAnswer("Each rating must be a whole number.") from error
        return {"ratings": ratings}
    if kind == "best_worst":
        return {"best": post.get("best", ""), "worst": post.get("worst", "")}
    if kind == "ranking":
        return {"order": post.getlist("order")}
    if kind == "numeric":
        value = _number(post.get("value", ""))
        return {} if value is None else {"value": value}
    # Browsers send CRLF line breaks but count each as one character against maxlength.
    return {"text": post.get("text", "").replace("\r\n", "\n")}


class AccommodationForm(forms.Form):
    """What a candidate asks for before starting."""

    kind = forms.ChoiceField(
        label="What would help you?",
        choices=AccommodationRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what would help you.",
            "invalid_choice": "Choose one of the options listed.",
        },
    )
    details = forms.CharField(
        label="Tell us more (optional)",
        help_text="For example how much extra time you usually get, or the format that works "
        "for you. You do not need to tell us about any condition.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "Keep it under 2,000 characters."},
    )


class InviteForm(forms.Form):
    """Invite one candidate from the admin."""

    version = forms.ModelChoiceField(
        queryset=AssessmentVersion.objects.select_related("assessment").order_by(
            "assessment__title", "-number"
        ),
        label="Assessment version",
    )
    candidate_name = forms.CharField(max_length=200, label="Candidate's name")
    candidate_email = forms.EmailField(label="Candidate's email")
    valid_days = forms.IntegerField(
        min_value=1,
        max_value=365,
        initial=settings.INVITATION_TTL_DAYS,
        label="Link valid for (days)",
    )
    allow_retake = forms.BooleanField(required=False, label="Allow a retake")
    send_email = forms.BooleanField(
        required=False, initial=True, label="Send the invitation email now"
    )


class CsvInviteForm(forms.Form):
    """Invite many candidates from a CSV file with ``name`` and ``email`` columns."""

    version = forms.ModelChoiceField(
        queryset=AssessmentVersion.objects.select_related("assessment").order_by(
            "assessment__title", "-number"
        ),
        label="Assessment version",
    )
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, a header row with the columns name and email, one candidate per row.",
    )
    valid_days = forms.IntegerField(
        min_value=1,
        max_value=365,
        initial=settings.INVITATION_TTL_DAYS,
        label="Links valid for (days)",
    )
    allow_retake = forms.BooleanField(required=False, label="Allow retakes")
    send_email = forms.BooleanField(
        required=False, initial=True, label="Send the invitation emails now"
    )


class DecideAccommodationForm(forms.Form):
    """A recruiter's decision on one accommodation request."""

    extra_minutes = forms.IntegerField(
        min_value=0,
        max_value=600,
        initial=0,
        required=False,
        label="Extra minutes to grant",
        help_text="Added to the time limit (replaces any extra time granted before).",
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Note to the candidate",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
