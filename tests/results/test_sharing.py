"""The owner chooses which recruiters also see an assessment's results; audited."""

import json

import pytest
from django.urls import reverse

from assessments.services import ASSESSMENT_SHARED
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
SLUG = "small-support"


def _share(client, *users):
    return client.post(
        reverse("results:share", kwargs={"slug": SLUG}), {"recruiter": [u.pk for u in users]}
    )


def test_the_owner_shares_and_unshares_and_each_change_is_audited(
    client, recruiter, other_recruiter, reviewer, scored
):
    client.force_login(recruiter)
    page = client.get(reverse("results:table", kwargs={"slug": SLUG}))
    assert [person.username for person in page.context["recruiters"]] == ["other-recruiter"]

    assert _share(client, other_recruiter, reviewer).status_code == 302
    assessment = scored.version.assessment
    assert list(assessment.shared_with.all()) == [other_recruiter]  # reviewers are never chosen
    client.force_login(other_recruiter)
    assert client.get(reverse("results:table", kwargs={"slug": SLUG})).status_code == 200

    client.force_login(recruiter)
    _share(client)
    assert not assessment.shared_with.exists()
    client.force_login(other_recruiter)
    assert client.get(reverse("results:table", kwargs={"slug": SLUG})).status_code == 404
    events = AuditEvent.objects.filter(action=ASSESSMENT_SHARED).order_by("pk")
    assert [json.loads(e.payload)["shared_with"] for e in events] == [
        [f"user:{other_recruiter.pk}"],
        [],
    ]


def test_only_the_owner_shares(client, recruiter, other_recruiter, compliance_user, scored):
    scored.version.assessment.shared_with.add(other_recruiter)
    for user in (other_recruiter, compliance_user):
        client.force_login(user)
        assert _share(client).status_code == 403
        page = client.get(reverse("results:table", kwargs={"slug": SLUG})).content.decode()
        assert "Who sees these results" not in page
    assert scored.version.assessment.shared_with.exists()
