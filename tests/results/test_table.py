"""The results table: sorting, every filter, search, pagination, charts, versions and CSV."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services as assessment_services
from results import views
from results.models import Decision
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db
SLUG = "small-support"


def _table(client, **params):
    response = client.get(reverse("results:table", kwargs={"slug": SLUG}), params)
    assert response.status_code == 200
    return response


def _names(response) -> list[str]:
    return [row["attempt"].invitation.candidate_name.split()[0] for row in response.context["rows"]]


def _csv(client, **params) -> list[dict]:
    response = client.get(reverse("results:export", kwargs={"slug": SLUG}), params)
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def signed_in(client, recruiter, cohort):
    client.force_login(recruiter)
    return client


def test_sort_by_a_skill_both_ways_ties_broken_by_order_of_arrival(signed_in):
    # Judgement: Ada 100, Grace 100, Alan 50, Edsger 0.
    assert _names(_table(signed_in, sort="judgement", order="asc")) == [
        "Edsger",
        "Alan",
        "Ada",
        "Grace",
    ]
    assert _names(_table(signed_in, sort="judgement", order="desc")) == [
        "Grace",
        "Ada",
        "Alan",
        "Edsger",
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ada", "Alan", "Edsger", "Grace"]),
        ("email", ["Edsger", "Ada", "Alan", "Grace"]),  # "=cmd…" sorts before letters
        ("overall", ["Edsger", "Grace", "Alan", "Ada"]),
        ("writing", ["Grace", "Edsger", "Ada", "Alan"]),
        ("submitted", ["Ada", "Grace", "Alan", "Edsger"]),
        ("passed", ["Grace", "Edsger", "Ada", "Alan"]),
    ],
)
def test_sort_by_column_ascending(signed_in, sort, expected):
    assert _names(_table(signed_in, sort=sort, order="asc")) == expected


def test_every_sortable_header_links_to_its_sort(signed_in):
    headers = _table(signed_in).context["headers"]
    keys = [header.key for header in headers]
    assert keys == [
        "name",
        "status",
        "submitted",
        "version",
        "overall",
        "judgement",
        "writing",
        "passed",
        "time",
        "decision",
    ]
    for key in keys:
        assert _table(signed_in, sort=key, order="desc").context["page"].paginator.count == 4


def test_filter_skill_at_least(signed_in):
    assert sorted(_names(_table(signed_in, skill="writing", skill_min=50))) == ["Ada", "Alan"]
    assert sorted(_names(_table(signed_in, skill="judgement", skill_min=50))) == [
        "Ada",
        "Alan",
        "Grace",
    ]


def test_filter_passed(signed_in):
    assert sorted(_names(_table(signed_in, passed="yes"))) == ["Ada", "Alan"]
    assert sorted(_names(_table(signed_in, passed="no"))) == ["Edsger", "Grace"]


def test_search_by_name_or_email(signed_in):
    assert _names(_table(signed_in, q="hopper")) == ["Grace"]
    assert _names(_table(signed_in, q="ALAN@example")) == ["Alan"]


def test_filter_status(signed_in, scored):
    waiting = scored.take(name="Wendy Waiting", score=False)
    invitation, _token = invitation_for(scored.version, name="Ian Inprogress", email="i@x.org")
    assessment_services.start_attempt(invitation)
    assert _names(_table(signed_in, status="submitted")) == ["Wendy"]
    assert _names(_table(signed_in, status="in_progress")) == ["Ian"]
    assert len(_names(_table(signed_in, status="review"))) == 4  # concept-scored text
    assert waiting.pk


def test_filter_decision(signed_in, cohort):
    Decision.objects.create(attempt=cohort["ada"], outcome="reject")
    Decision.objects.create(attempt=cohort["ada"], outcome="advance")  # the one in force
    Decision.objects.create(attempt=cohort["alan"], outcome="hold")
    assert _names(_table(signed_in, decision="advance")) == ["Ada"]
    assert _names(_table(signed_in, decision="reject")) == []
    assert _names(_table(signed_in, decision="hold")) == ["Alan"]
    assert sorted(_names(_table(signed_in, decision="none"))) == ["Edsger", "Grace"]


def test_pagination_keeps_filters_and_costs_no_query_per_row(signed_in, monkeypatch):
    _table(signed_in)  # projects the score runs into result rows once
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    with CaptureQueriesContext(connection) as one_row:
        first = _table(signed_in, sort="name", order="asc")
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    with CaptureQueriesContext(connection) as three_rows:
        _table(signed_in, sort="name", order="asc")
    assert len(three_rows) == len(one_row)
    assert _names(first) == ["Ada"]
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    second = _table(signed_in, sort="name", order="asc", page=2)
    assert _names(second) == ["Edsger", "Grace"]
    assert "sort=name" in second.context["query_string"]
    assert "page" not in second.context["query_string"]


def test_csv_rows_equal_the_filtered_sorted_table(signed_in):
    params = {"skill": "judgement", "skill_min": 50, "sort": "overall", "order": "desc"}
    table = _names(_table(signed_in, **params))
    rows = _csv(signed_in, **params)
    assert [row["candidate_name"].split()[0] for row in rows] == table == ["Ada", "Alan", "Grace"]
    ada = rows[0]
    assert ada["Judgement score"] == "100.0"
    assert ada["Writing band"]
    assert ada["version"] == "1"
    assert ada["waiting_for_review"] == "yes"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(signed_in):
    emails = [row["candidate_email"] for row in _csv(signed_in, q="Edsger")]
    assert emails == ["'=cmd|' /C calc'!A0"]


def test_skill_charts_count_the_filtered_rows_and_mark_the_threshold(signed_in):
    charts = {chart.skill_id: chart for chart in _table(signed_in).context["charts"]}
    judgement = charts["judgement"]
    assert [bar.label.split(": ")[1] for bar in judgement.bars] == [
        "1", "0", "0", "0", "0", "1", "0", "0", "0", "2"
    ]  # fmt: skip
    assert judgement.threshold == 50
    assert judgement.threshold_x == pytest.approx(30 + 290 * 0.5)
    filtered = {c.skill_id: c for c in _table(signed_in, passed="yes").context["charts"]}
    assert filtered["judgement"].total == 2


def test_rows_of_two_versions_are_not_mixed_and_the_rubric_change_is_said(signed_in, scored):
    document = small_document()
    document["pass_rules"]["skill_thresholds"]["writing"] = 70
    scored.version = published_version(document)
    scored.take(name="Vera Version-two", email="vera@example.com")
    default = _table(signed_in)
    assert _names(default) == ["Vera"]
    assert default.context["rubric_changes"] == [(1, 2)]
    assert "The rubric changed between version 1 and version 2" in default.content.decode()
    assert len(_names(_table(signed_in, version="1"))) == 4
    assert len(_names(_table(signed_in, version="all"))) == 5
    assert {row["version"] for row in _csv(signed_in, version="all")} == {"1", "2"}
