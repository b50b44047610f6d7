"""The voluntary self-identification form a candidate may fill after submitting."""

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from compliance.models import Demographics
from tests.support.factories import invitation_for

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("compliance:self-identify", kwargs={"token": token})


def test_the_form_offers_eeo1_categories_and_declining(client, scored):
    attempt = scored.take()
    page = client.get(_url(attempt.token))
    assert page.status_code == 200
    html = page.content.decode()
    for label in (
        "Hispanic or Latino",
        "White",
        "Black or African American",
        "Native Hawaiian or Other Pacific Islander",
        "Asian",
        "American Indian or Alaska Native",
        "Two or More Races",
        "Female",
        "Male",
        "I decline to answer",
        "I prefer not to answer any of these",
    ):
        assert label in html
    assert "no effect on your result" in html


def test_answers_are_stored_only_in_compliance(client, scored):
    attempt = scored.take()
    response = client.post(
        _url(attempt.token), {"sex": "female", "race_ethnicity": "two-or-more-races"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    row = Demographics.objects.get(attempt_public_id=attempt.public_id)
    assert (row.sex, row.race_ethnicity, row.declined) == ("female", "two-or-more-races", False)
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_one_question_may_be_declined(client, scored):
    attempt = scored.take()
    client.post(_url(attempt.token), {"sex": "decline", "race_ethnicity": "asian"})
    row = Demographics.objects.get(attempt_public_id=attempt.public_id)
    assert (row.sex, row.race_ethnicity, row.declined) == ("", "asian", False)


def test_declining_everything_is_recorded_as_declined(client, scored):
    attempt = scored.take()
    client.post(_url(attempt.token), {"sex": "male", "decline_all": "yes"})
    row = Demographics.objects.get(attempt_public_id=attempt.public_id)
    assert (row.sex, row.race_ethnicity, row.declined) == ("", "", True)


def test_sending_again_replaces_the_answers(client, scored):
    attempt = scored.take()
    client.post(_url(attempt.token), {"sex": "female"})
    client.post(_url(attempt.token), {"sex": "male", "race_ethnicity": "white"})
    assert Demographics.objects.count() == 1
    assert Demographics.objects.get().sex == "male"


def test_an_unknown_category_is_refused(client, scored):
    attempt = scored.take()
    response = client.post(_url(attempt.token), {"sex": "other", "race_ethnicity": "martian"})
    assert response.status_code == 200
    assert "Choose one of the options shown" in response.content.decode()
    assert not Demographics.objects.exists()


def test_the_form_opens_only_after_submission(client, scored):
    invitation, token = invitation_for(scored.version, email="early@example.com")
    assert client.get(_url(token)).status_code == 404
    assessment_services.start_attempt(invitation)
    assert client.get(_url(token)).status_code == 404
    assert client.post(_url(token), {"sex": "female"}).status_code == 404
    assert not Demographics.objects.exists()


def test_a_wrong_token_opens_nothing(client):
    assert client.get(_url("not-a-token")).status_code == 404


def test_the_page_does_not_show_previous_answers(client, scored):
    attempt = scored.take()
    client.post(_url(attempt.token), {"sex": "female", "race_ethnicity": "asian"})
    html = client.get(_url(attempt.token)).content.decode()
    assert "checked" not in html
    assert "answered this form before" in html
