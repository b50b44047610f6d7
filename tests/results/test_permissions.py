"""Who sees which results: every page and export, for each kind of visitor."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from results.models import Decision

pytestmark = pytest.mark.django_db


def _pages(cohort):
    slug = cohort["ada"].version.assessment.slug
    ada, alan = cohort["ada"].public_id, cohort["alan"].public_id
    report = {"slug": slug, "public_id": ada}
    return [
        ("get", reverse("results:index"), {}),
        ("get", reverse("results:table", kwargs={"slug": slug}), {}),
        ("get", reverse("results:export", kwargs={"slug": slug}), {}),
        ("get", reverse("results:report", kwargs=report), {}),
        ("get", reverse("results:report-pdf", kwargs=report), {}),
        ("get", reverse("results:compare", kwargs={"slug": slug}), {"attempt": [ada, alan]}),
        ("post", reverse("results:decide", kwargs=report), {"outcome": "advance"}),
    ]


@pytest.fixture
def users(recruiter, other_recruiter, reviewer, compliance_user):
    return {
        "owner": recruiter,
        "shared": other_recruiter,
        "reviewer": reviewer,
        "compliance": compliance_user,
        "superuser": User.objects.create_superuser("root", "root@example.com", "pw"),
        "staff without a role": User.objects.create_user("nobody", "n@x.org", "pw", is_staff=True),
    }


# What each visitor gets on the pages (GET), when recording a decision (POST), and whether
# the decision is recorded.
EXPECTED = {
    "anonymous": (302, 302, False),
    "reviewer": (403, 403, False),
    "staff without a role": (403, 403, False),
    "compliance": (200, 403, False),
    "owner": (200, 302, True),
    "shared": (200, 302, True),
    "superuser": (200, 302, True),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(client, cohort, users, who):
    if who == "shared":
        cohort["ada"].version.assessment.shared_with.add(users["shared"])
    if who != "anonymous":
        client.force_login(users[who])
    read, decide, recorded = EXPECTED[who]
    for method, url, data in _pages(cohort):
        response = getattr(client, method)(url, data)
        expected = decide if method == "post" else read
        assert response.status_code == expected, (who, url, response.status_code)
        if who == "anonymous":
            assert response["Location"].startswith(reverse("admin:login")), url
    assert Decision.objects.exists() == recorded


def test_a_recruiter_without_access_gets_404_on_every_page(client, cohort, other_recruiter):
    client.force_login(other_recruiter)
    index = client.get(reverse("results:index"))
    assert cohort["ada"].version.assessment.title not in index.content.decode()
    for method, url, data in _pages(cohort)[1:]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    assert not Decision.objects.exists()


def test_an_attempt_of_another_assessment_is_not_found_through_this_one(client, cohort, recruiter):
    from tests.support.documents import small_document
    from tests.support.factories import published_version

    other = published_version(small_document(slug="other-support", title="Other"))
    other.assessment.owner = recruiter
    other.assessment.save(update_fields=["owner"])
    client.force_login(recruiter)
    url = reverse(
        "results:report", kwargs={"slug": "other-support", "public_id": cohort["ada"].public_id}
    )
    assert client.get(url).status_code == 404


def test_compliance_sees_decisions_but_no_decision_form(client, cohort, compliance_user):
    Decision.objects.create(attempt=cohort["ada"], outcome="advance")
    client.force_login(compliance_user)
    slug = cohort["ada"].version.assessment.slug
    page = client.get(
        reverse("results:report", kwargs={"slug": slug, "public_id": cohort["ada"].public_id})
    ).content.decode()
    assert "Advance" in page
    assert 'name="outcome"' not in page
