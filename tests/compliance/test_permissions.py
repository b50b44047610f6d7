"""Every compliance URL, for anonymous visitors and each staff role: only Compliance gets in."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db

SLUG = "small-support"


def _pages():
    return [
        ("get", reverse("compliance:index"), {}),
        ("get", reverse("compliance:chain"), {}),
        ("get", reverse("compliance:assessment", kwargs={"slug": SLUG}), {}),
        ("get", reverse("compliance:bias-audit", kwargs={"slug": SLUG}), {}),
        ("post", reverse("compliance:bias-audit", kwargs={"slug": SLUG}), {"format": "csv"}),
        ("post", reverse("compliance:audit-export", kwargs={"slug": SLUG}), {"format": "csv"}),
        ("post", reverse("compliance:audit-export", kwargs={"slug": SLUG}), {"format": "pdf"}),
    ]


@pytest.fixture
def users(recruiter, reviewer, compliance_user):
    superuser = User.objects.create_superuser("root", "root@example.com", "pw")
    plain_staff = User.objects.create_user("nobody", "n@example.com", "pw", is_staff=True)
    return {
        "recruiter": recruiter,
        "reviewer": reviewer,
        "compliance": compliance_user,
        "superuser": superuser,
        "staff without a role": plain_staff,
    }


EXPECTED = {
    "anonymous": 302,
    "recruiter": 403,
    "reviewer": 403,
    "staff without a role": 403,
    "compliance": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(client, scored, users, who, settings):
    # One candidate is enough to reach every page; the bias audit's minimum is tested elsewhere.
    settings.BIAS_AUDIT_MIN_POPULATION = 1
    scored.take()
    if who != "anonymous":
        client.force_login(users[who])
    for method, url, data in _pages():
        response = getattr(client, method)(url, data)
        assert response.status_code == EXPECTED[who], (who, method, url, response.status_code)
        if who == "anonymous":
            assert response["Location"].startswith(reverse("admin:login"))
        if EXPECTED[who] == 403:
            body = b"".join(response) if response.streaming else response.content
            assert b"ada" not in body.lower()  # nothing about any candidate leaks


def test_a_deactivated_compliance_user_is_refused(client, scored, compliance_user):
    client.force_login(compliance_user)
    compliance_user.is_active = False
    compliance_user.save()
    assert client.get(reverse("compliance:index")).status_code in (302, 403)


def test_compliance_pages_are_read_only(client, users):
    client.force_login(users["compliance"])
    for url in (reverse("compliance:index"), reverse("compliance:chain")):
        assert client.post(url).status_code == 405
        assert client.delete(url).status_code == 405


def test_only_compliance_sees_the_audit_log_in_the_admin(client, users):
    url = reverse("admin:audit_auditevent_changelist")
    for who, expected in (("compliance", 200), ("recruiter", 403), ("reviewer", 403)):
        client.force_login(users[who])
        assert client.get(url).status_code == expected, who


def test_the_audit_log_cannot_be_changed_in_the_admin(client, users, scored):
    scored.take()
    client.force_login(users["compliance"])
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    from audit.models import AuditEvent

    event = AuditEvent.objects.first()
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert client.post(change, {"actor": "user:1"}).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
