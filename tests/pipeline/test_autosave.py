"""Autosave: two statements (the attempt by its link, the answer written only while the attempt
is as read), and never a write that a submit or a Continue has overtaken."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.exceptions import AttemptClosed
from assessments.models import Attempt, Response
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db

DOCUMENT_COLUMN = '"assessments_assessmentversion"."content"'


def started() -> tuple[Client, str, Attempt]:
    """A candidate who consented through the pages: their client, autosave URL and attempt."""
    invitation, token = invitation_for(published_version())
    client = Client()
    client.post(reverse("assessments:start", kwargs={"token": token}), {"consent": "yes"})
    url = reverse("assessments:autosave", kwargs={"token": token, "step_id": "first-move"})
    return client, url, invitation.attempts.get()


def test_an_autosave_is_two_statements_and_never_reads_the_document():
    client, url, _ = started()
    client.post(url, {"option": "check"})  # the first request of the process reads the version
    with CaptureQueriesContext(connection) as context:
        response = client.post(url, {"option": "refund"})
    assert response.status_code == 200, response.content
    sent = [query["sql"] for query in context.captured_queries]
    # The attempt with its invitation and version; the answer, written under a share lock.
    assert len(sent) == 2, sent
    assert "FOR SHARE" in sent[1] and "ON CONFLICT" in sent[1]
    assert not any(DOCUMENT_COLUMN in sql for sql in sent)


def test_autosave_stays_within_its_query_budget(django_assert_max_num_queries):
    client, url, attempt = started()
    client.post(url, {"option": "check"})
    with django_assert_max_num_queries(2):
        assert client.post(url, {"option": "refund"}).status_code == 200
    assert Response.objects.get(attempt=attempt, step_id="first-move").answer == {
        "option": "refund"
    }


def test_an_answer_read_before_a_submit_is_refused_and_changes_nothing():
    _, _, stale = started()
    services.save_answer(stale, "first-move", {"option": "check"})
    services.submit_attempt(Attempt.objects.get(pk=stale.pk))
    with pytest.raises(AttemptClosed):
        services.save_answer(stale, "first-move", {"option": "refund"})
    assert Response.objects.get(attempt=stale).answer == {"option": "check"}


def test_an_attempt_that_moved_on_since_it_was_read_is_locked_and_read_again():
    _, _, stale = started()
    services.save_answer(stale, "first-move", {"option": "check"})
    services.advance(Attempt.objects.get(pk=stale.pk), "first-move")  # path and step changed
    with CaptureQueriesContext(connection) as context:
        saved = services.save_answer(stale, "first-move", {"option": "refund"})
    sent = [query["sql"] for query in context.captured_queries]
    assert any("FOR UPDATE" in sql for sql in sent), sent  # the guarded write did nothing
    assert saved.answer == {"option": "refund"}
    assert Response.objects.get(attempt=stale, step_id="first-move").answer == saved.answer
