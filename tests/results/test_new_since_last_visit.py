"""The "new since your last visit" marker on the results index and table."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
SLUG = "small-support"


def _new_rows(client) -> list[str]:
    rows = client.get(reverse("results:table", kwargs={"slug": SLUG})).context["rows"]
    return [row["attempt"].invitation.candidate_name for row in rows if row["new"]]


def _new_on_index(client) -> int:
    [funnel] = client.get(reverse("results:index")).context["funnels"]
    return funnel.new_results


def test_results_scored_or_reviewed_since_the_last_visit_are_marked(client, recruiter, scored):
    client.force_login(recruiter)
    ada = scored.take(name="Ada Lovelace")
    assert _new_on_index(client) == 1
    assert _new_rows(client) == ["Ada Lovelace"]  # never visited: everything is new
    assert _new_rows(client) == []
    assert _new_on_index(client) == 0
    scored.take(name="Alan Turing")
    scored.rescore(ada)  # a finished review stores a new run
    assert _new_on_index(client) == 2
    assert sorted(_new_rows(client)) == ["Ada Lovelace", "Alan Turing"]
    assert _new_rows(client) == []


def test_visits_are_per_user(client, recruiter, other_recruiter, scored):
    scored.version.assessment.shared_with.add(other_recruiter)
    scored.take()
    client.force_login(recruiter)
    _new_rows(client)
    client.force_login(other_recruiter)
    assert _new_on_index(client) == 1
