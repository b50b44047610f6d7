"""A published version is read and parsed once per process: candidate pages, autosave and
scoring share one bounded cache keyed by version id and content hash."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.exceptions import ContentMismatch
from assessments.models import AssessmentVersion
from assessments.published import PublishedVersionCache, published_versions
from scoring.exceptions import PermanentScoringError
from scoring.models import ScoringJob
from scoring.services.compiled import frozen_content
from scoring.services.runs import run_scoring_job
from tests.scoring.support import take_small
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db

DOCUMENT_COLUMN = '"assessments_assessmentversion"."content"'


def started_attempt_urls(version=None) -> tuple[Client, str, str]:
    """A candidate who consented through the pages: (client, step page URL, autosave URL)."""
    _, token = invitation_for(version or published_version())
    client = Client()
    client.post(reverse("assessments:start", kwargs={"token": token}), {"consent": "yes"})
    step = {"token": token, "step_id": "first-move"}
    return (
        client,
        reverse("assessments:step", kwargs=step),
        reverse("assessments:autosave", kwargs=step),
    )


def statements(context: CaptureQueriesContext) -> list[str]:
    """The SQL a request sent, less the savepoints of the test's own transaction."""
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_step_page_does_not_read_the_document_again():
    client, step, _ = started_attempt_urls()
    assert client.get(step).status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(step).status_code == 200
    assert not any(DOCUMENT_COLUMN in sql for sql in statements(context))


def test_the_cache_is_keyed_by_content_hash_too():
    version = published_version()
    cache = PublishedVersionCache()
    first = cache.content(version)
    # Same id, another hash (as if the row were changed behind the trigger's back): a miss.
    changed = AssessmentVersion(
        pk=version.pk, content={**version.content, "title": "Other"}, content_sha256="0" * 64
    )
    with pytest.raises(ContentMismatch):
        cache.content(changed)
    assert cache.content(version) is first


def test_a_document_that_does_not_match_its_hash_fails_scoring_permanently():
    version = published_version()
    tampered = AssessmentVersion.objects.defer("content").get(pk=version.pk)
    tampered.content_sha256 = "f" * 64
    with pytest.raises(PermanentScoringError, match="does not match its sha256"):
        frozen_content(tampered)


def test_the_cache_is_bounded_least_recently_used_first():
    cache = PublishedVersionCache(maxsize=2)
    versions = [published_version() for _ in range(3)]
    for version in versions:
        cache.steps(version)
    with CaptureQueriesContext(connection) as context:
        cache.steps(versions[-1])
    assert context.captured_queries == []  # still there
    deferred = AssessmentVersion.objects.defer("content").get(pk=versions[0].pk)
    with CaptureQueriesContext(connection) as context:
        cache.steps(deferred)
    assert len(context.captured_queries) == 1  # evicted: read again


def test_scoring_and_candidate_pages_share_one_cache():
    version = published_version()
    deferred = AssessmentVersion.objects.defer("content").get(pk=version.pk)
    published_versions.steps(deferred)
    with CaptureQueriesContext(connection) as context:
        frozen_content(deferred)
    assert not any(DOCUMENT_COLUMN in sql for sql in statements(context))


def test_a_scoring_job_takes_thirteen_statements_and_never_reads_the_document():
    """Job, attempt lock, snapshots, answers, active models, current run, whether people decide
    everything (automation paused, or an alternative process); the answers' snapshot, the run,
    its review item, the job done, the audit event; the webhook subscriptions to attempt.scored
    (none here). No chain lock."""
    attempt = take_small()  # through the services, as the candidate pages do
    job = ScoringJob.objects.get(attempt=attempt)
    with CaptureQueriesContext(connection) as context:
        run = run_scoring_job(job.pk)
    sent = statements(context)
    assert run is not None and len(sent) == 13, sent
    assert not any(DOCUMENT_COLUMN in sql for sql in sent)
