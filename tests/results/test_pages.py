"""The front door, the candidate report (page and PDF) and the comparison."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from audit.models import AuditEvent
from audit.roles import Role

pytestmark = pytest.mark.django_db
SLUG = "small-support"


def test_front_door_explains_and_links_for_anonymous_visitors(client):
    page = client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("admin:login") in text
    assert reverse("credentials:verify") in text
    assert "Lost your assessment link?" in text


@pytest.mark.parametrize(
    ("role", "workspace"),
    [
        (Role.RECRUITER, "results:index"),
        (Role.REVIEWER, "review:queue"),
        (Role.COMPLIANCE, "compliance:index"),
    ],
)
def test_front_door_sends_staff_to_their_workspace(client, role, workspace):
    user = User.objects.create_user("staff", "s@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role.value))
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(workspace)


def test_report_shows_evidence_answers_time_and_score_runs(client, recruiter, cohort, scored):
    scored.rescore(cohort["alan"])
    client.force_login(recruiter)
    url = reverse("results:report", kwargs={"slug": SLUG, "public_id": cohort["alan"].public_id})
    page = client.get(url)
    text = page.content.decode()
    report = page.context["report"]
    assert [step["id"] for step in report["steps"]] == ["first-move", "reply"]
    assert report["steps"][1]["answer"].startswith("I'm sorry for the double charge")
    assert all(step["time"] for step in report["steps"])
    assert len(report["runs"]) == 2
    assert "alan@example.com" in text
    assert "Matched" in text or "matched" in text  # the concept evidence of the reply
    assert "(current)" in text


def test_report_pdf_is_a_pdf_and_its_download_is_audited(client, recruiter, cohort):
    client.force_login(recruiter)
    url = reverse("results:report-pdf", kwargs={"slug": SLUG, "public_id": cohort["ada"].public_id})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="report.exported", subject=f"attempt:{cohort['ada'].public_id}"
    ).exists()


def test_compare_puts_two_to_four_candidates_side_by_side(client, recruiter, cohort):
    client.force_login(recruiter)
    url = reverse("results:compare", kwargs={"slug": SLUG})
    ids = [cohort[name].public_id for name in ("ada", "alan", "grace")]
    page = client.get(url, {"attempt": ids})
    assert page.status_code == 200
    skills = {skill["id"]: skill["scores"] for skill in page.context["skills"]}
    assert skills["judgement"] == [100, 50, 100]  # Ada, Alan, Grace (by name)
    reply = next(step for step in page.context["steps"] if step["id"] == "reply")
    assert [answer["candidate"] for answer in reply["answers"]] == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
    ]
    assert reply["answers"][2]["text"] == "whatever"


@pytest.mark.parametrize("count", [1, 5])
def test_compare_refuses_fewer_than_two_or_more_than_four(client, recruiter, scored, count):
    attempts = [scored.take(name=f"C {i}") for i in range(count)]
    client.force_login(recruiter)
    response = client.get(
        reverse("results:compare", kwargs={"slug": SLUG}),
        {"attempt": [a.public_id for a in attempts]},
        follow=True,
    )
    assert "Pick 2 to 4 candidates" in response.content.decode()
