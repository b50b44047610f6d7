"""Owner and shared-with in the Django admin: editable by the owner only, recruiters only, and
each change audited as on the results page."""

import json

import pytest
from django.urls import reverse

from assessments.services import ASSESSMENT_OWNER_CHANGED, ASSESSMENT_SHARED
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _url(assessment) -> str:
    return reverse("admin:assessments_assessment_change", args=[assessment.pk])


def _save(client, assessment, *, owner, shared_with=()):
    return client.post(
        _url(assessment),
        {"owner": owner.pk if owner else "", "shared_with": [user.pk for user in shared_with]},
    )


def _payloads(action: str) -> list[dict]:
    events = AuditEvent.objects.filter(action=action).order_by("pk")
    return [json.loads(event.payload) for event in events]


@pytest.fixture
def assessment(scored):
    return scored.version.assessment


def test_the_owner_shares_in_the_admin_and_it_is_audited(
    client, recruiter, other_recruiter, reviewer, assessment
):
    client.force_login(recruiter)
    page = client.get(_url(assessment)).content.decode()
    # Only recruiters are offered, as checkboxes (no admin widget script needed).
    assert f'type="checkbox" name="shared_with" value="{other_recruiter.pk}"' in page
    assert f'value="{reviewer.pk}"' not in page

    response = _save(client, assessment, owner=recruiter, shared_with=[other_recruiter])
    assert response.status_code == 302
    assert list(assessment.shared_with.all()) == [other_recruiter]
    assert _payloads(ASSESSMENT_SHARED) == [{"shared_with": [f"user:{other_recruiter.pk}"]}]
    event = AuditEvent.objects.get(action=ASSESSMENT_SHARED)
    assert (event.actor, event.subject) == (f"user:{recruiter.pk}", "assessment:small-support")
    assert _payloads(ASSESSMENT_OWNER_CHANGED) == []  # nothing else changed, nothing else said


def test_the_owner_hands_the_assessment_over_and_it_is_audited(
    client, recruiter, other_recruiter, assessment
):
    assessment.shared_with.add(other_recruiter)
    client.force_login(recruiter)
    response = _save(client, assessment, owner=other_recruiter, shared_with=[other_recruiter])
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.owner == other_recruiter
    assert not assessment.shared_with.exists()  # an owner needs no sharing
    assert _payloads(ASSESSMENT_OWNER_CHANGED) == [
        {"owner": f"user:{other_recruiter.pk}", "previous_owner": f"user:{recruiter.pk}"}
    ]
    # The former owner now sees the page read-only.
    assert _save(client, assessment, owner=recruiter).status_code == 403


def test_only_recruiters_can_be_chosen(client, recruiter, reviewer, assessment):
    client.force_login(recruiter)
    for data in ({"owner": reviewer}, {"owner": recruiter, "shared_with": [reviewer]}):
        response = _save(client, assessment, **data)
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.owner == recruiter and not assessment.shared_with.exists()
    assert not AuditEvent.objects.filter(
        action__in=[ASSESSMENT_SHARED, ASSESSMENT_OWNER_CHANGED]
    ).exists()


def test_others_see_the_page_read_only_and_cannot_change_it(
    client, recruiter, other_recruiter, compliance_user, assessment
):
    assessment.shared_with.add(other_recruiter)
    for user in (other_recruiter, compliance_user):
        client.force_login(user)
        page = client.get(_url(assessment))
        assert page.status_code == 200
        assert 'name="shared_with"' not in page.content.decode()
        assert _save(client, assessment, owner=user).status_code == 403
    assessment.refresh_from_db()
    assert assessment.owner == recruiter
    assert list(assessment.shared_with.all()) == [other_recruiter]


def test_a_superuser_hands_over_an_assessment_whose_owner_left(
    client, django_user_model, other_recruiter, assessment
):
    assessment.owner = None
    assessment.save(update_fields=["owner"])
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin_user)
    assert _save(client, assessment, owner=other_recruiter).status_code == 302
    assessment.refresh_from_db()
    assert assessment.owner == other_recruiter
    assert _payloads(ASSESSMENT_OWNER_CHANGED) == [
        {"owner": f"user:{other_recruiter.pk}", "previous_owner": None}
    ]
