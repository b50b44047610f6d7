"""Attempts and results through the API: status, timestamps, scores and bands as the results
table has them, review state, the decision in force, the report link; filters by assessment,
status, external_id and updated_since; cursor pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Invitation
from assessments.services import publish_document, start_attempt
from results.models import ResultRow
from results.selectors import access_assessment_results
from results.services import record_decision
from scoring.selectors import skill_results
from tests.api.conftest import client_with, key_for
from tests.credentials.conftest import keyed_document, take_attempt
from tests.support.factories import invitation_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(recruiter):
    """Two scored attempts (a pass and a fail) and one in progress, with ATS ids."""
    version = publish_document(keyed_document(), user=recruiter)
    passed, passed_run = take_attempt(version, email="pass@example.com")
    failed, _ = take_attempt(version, email="fail@example.com", passing=False)
    open_invitation, _ = invitation_for(version, email="open@example.com")
    started = start_attempt(open_invitation)
    for attempt, external_id in ((passed, "ats-pass"), (failed, "ats-fail"), (started, "ats-open")):
        Invitation.objects.filter(pk=attempt.invitation_id).update(external_id=external_id)
    return version, passed, passed_run


def test_an_attempt_reads_as_the_results_table_has_it(recruiter, scored):
    version, attempt, run = scored
    client = client_with(key_for(recruiter, ["results:read"]))
    body = client.get(f"/api/v1/attempts/{attempt.public_id}").json()
    row = ResultRow.objects.get(attempt=attempt)
    assert body["status"] == "scored" and body["passed"] is True
    assert body["overall_score"] == row.overall_score == run.overall_score
    expected = {skill["skill"]: skill for skill in skill_results(run.breakdown_json)}
    assert {skill["skill"]: skill for skill in body["skills"]} == expected
    assert body["waiting_for_review"] is False and body["decision"] is None
    assert body["external_id"] == "ats-pass" and body["assessment"] == version.assessment.slug
    assert body["report_url"].endswith(f"/results/{version.assessment.slug}/{attempt.public_id}/")
    assert body["submitted_at"] and body["scored_at"]
    assert "answers" not in body and "responses" not in body


def test_the_decision_in_force_is_shown_and_moves_updated_at(recruiter, scored):
    version, attempt, _ = scored
    client = client_with(key_for(recruiter, ["results:read"]))
    before = client.get(f"/api/v1/attempts/{attempt.public_id}").json()["updated_at"]
    newest = max(item["updated_at"] for item in client.get("/api/v1/attempts").json()["results"])
    access = access_assessment_results(recruiter, version.assessment.slug)
    record_decision(access, attempt, outcome="advance", note="", user=recruiter)
    body = client.get(f"/api/v1/attempts/{attempt.public_id}").json()
    assert body["decision"]["outcome"] == "advance"
    assert body["updated_at"] > before
    # An ATS polling with the newest change it has seen gets this attempt alone.
    changed = client.get("/api/v1/attempts", {"updated_since": newest}).json()["results"]
    assert [item["id"] for item in changed] == [str(attempt.public_id)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "scored"}, {"ats-pass", "ats-fail"}),
        ({"status": "in_progress"}, {"ats-open"}),
        ({"external_id": "ats-fail"}, {"ats-fail"}),
        ({"assessment": "small-support"}, {"ats-pass", "ats-fail", "ats-open"}),
        ({"assessment": "another"}, set()),
    ],
)
def test_filters(recruiter, scored, params, expected):
    client = client_with(key_for(recruiter, ["results:read"]))
    results = client.get("/api/v1/attempts", params).json()["results"]
    assert {item["external_id"] for item in results} == expected


def test_a_future_updated_since_returns_nothing(recruiter, scored):
    client = client_with(key_for(recruiter, ["results:read"]))
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert client.get("/api/v1/attempts", {"updated_since": later}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"status": "done"}, "status"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"external_id": "x" * 201}, "external_id"),
        ({"assessment": "not a slug"}, "assessment"),
    ],
)
def test_bad_filters_are_400_with_their_path(recruiter, scored, params, path):
    response = client_with(key_for(recruiter, ["results:read"])).get("/api/v1/attempts", params)
    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == [path]


def test_pages_follow_the_cursor(recruiter, scored):
    client = client_with(key_for(recruiter, ["results:read"]))
    first = client.get("/api/v1/attempts", {"limit": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    seen = [item["id"] for item in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == 3 and second["next"] is None
