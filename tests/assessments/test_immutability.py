"""A published version never changes: the model, the admin and PostgreSQL all refuse."""

# ruff: noqa: F811 -- pytest fixtures imported from authoring_support

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from assessments.authoring.services import import_draft, new_draft_from_version, publish_draft
from assessments.models import AssessmentVersion
from tests.assessments.authoring_support import (  # noqa: F401
    ALL_ITEM_TYPES,
    draft_from,
    recruiter,
    recruiter_client,
)
from tests.support.documents import small_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(recruiter):
    return publish_draft(draft_from(small_document()), user=recruiter)


def test_model_refuses_to_save_a_published_version(version):
    version.content = {**version.content, "title": "Changed"}
    with pytest.raises(ValueError, match="can never change"):
        version.save()
    assert AssessmentVersion.objects.get(pk=version.pk).content["title"] == "Small support scenario"


def test_database_trigger_rejects_update_of_content_by_raw_sql(version):
    with (
        pytest.raises(IntegrityError, match="published and immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE assessments_assessmentversion SET content = %s::jsonb WHERE id = %s",
            ['{"title": "Changed"}', version.pk],
        )
    with (
        pytest.raises(IntegrityError, match="published and immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE assessments_assessmentversion SET content_sha256 = %s WHERE id = %s",
            ["0" * 64, version.pk],
        )
    version.refresh_from_db()
    assert version.content == small_document()


def test_queryset_update_is_rejected_by_the_trigger(version):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentVersion.objects.filter(pk=version.pk).update(content={"title": "Changed"})


def test_admin_shows_a_version_read_only_and_refuses_changes(recruiter_client, version):
    url = reverse("admin:assessments_assessmentversion_change", args=[version.pk])
    page = recruiter_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Published and frozen" in html
    assert 'name="content"' not in html and "<textarea" not in html
    assert 'name="_save"' not in html
    response = recruiter_client.post(url, {"content": "{}", "content_sha256": "x"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.content == small_document()
    delete = reverse("admin:assessments_assessmentversion_delete", args=[version.pk])
    assert recruiter_client.post(delete, {"post": "yes"}).status_code == 403
    add = reverse("admin:assessments_assessmentversion_add")
    assert recruiter_client.get(add).status_code == 403


def test_editing_means_a_new_draft_and_a_new_version(recruiter, version):
    draft = new_draft_from_version(version, user=recruiter)
    draft.title = "Small support scenario, revised"
    draft.save()
    second = publish_draft(draft, user=recruiter)
    assert (second.number, second.assessment_id) == (2, version.assessment_id)
    version.refresh_from_db()
    assert version.content["title"] == "Small support scenario"
    assert second.content["title"] == "Small support scenario, revised"


def test_publishing_an_unchanged_draft_is_refused(recruiter, version):
    from assessments.exceptions import InvalidDocument

    with pytest.raises(InvalidDocument, match="identical to version 1"):
        publish_draft(new_draft_from_version(version), user=recruiter)
    assert AssessmentVersion.objects.count() == 1


def test_publish_goes_through_publish_document_and_is_audited(recruiter):
    from audit.models import AuditEvent

    version = publish_draft(
        import_draft(ALL_ITEM_TYPES.read_text(encoding="utf-8")), user=recruiter
    )
    event = AuditEvent.objects.get(action="version.published")
    assert event.subject == f"version:{version.pk}"
    assert version.published_by == recruiter
