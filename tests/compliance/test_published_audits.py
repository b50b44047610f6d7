"""Published bias-audit summaries: a dated, immutable snapshot with a public page, no login,
exactly the published numbers, small cells suppressed; stale audits flagged."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.canonical import json_sha256
from audit.models import AuditEvent
from audit.services import Action
from compliance import services
from compliance.exceptions import InvalidReportRequest, PopulationTooSmall
from compliance.models import PublishedBiasAudit
from tests.compliance.helpers import bulk_candidates_with_answers
from tests.support.browser import assert_no_axe_violations
from tests.support.factories import published_version

pytestmark = pytest.mark.django_db

# 24 women (8 selected), 30 men (20 selected), and 3 Asian women: a cell under 5.
GROUPS = [
    ("female", "white", 24, 8),
    ("male", "white", 30, 20),
    ("female", "asian", 3, 1),
]


@pytest.fixture
def version():
    version = published_version()
    bulk_candidates_with_answers(version, GROUPS)
    return version


@pytest.fixture
def assessment(version):
    return version.assessment


@pytest.fixture
def auditor_client(client, compliance_user):
    client.force_login(compliance_user)
    return client


def _publish(assessment, **options):
    return services.publish_bias_audit(assessment, actor="user:test", **options)


def _cells(html: str, label: str) -> list[str]:
    """The cells of the first table row headed ``label``."""
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, re.S)
    assert row, f"no row for {label}"
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_publishing_snapshots_the_audit_and_records_an_event(assessment):
    audit = _publish(assessment, auditor="Fair Hiring Audits LLC")
    live = services.bias_audit_document(assessment, services.compute_bias_report(assessment))
    assert audit.number == 1
    assert audit.document == live
    assert audit.document_sha256 == json_sha256(live)
    assert audit.first_used_on == timezone.localdate()
    event = AuditEvent.objects.get(pk=audit.audit_event_id)
    assert event.action == Action.BIAS_AUDIT_PUBLISHED
    assert event.subject == f"assessment:{assessment.slug}"
    assert f'"document_sha256":"{audit.document_sha256}"' in event.payload
    assert _publish(assessment).number == 2


def test_a_published_audit_cannot_be_changed_or_deleted(assessment):
    audit = _publish(assessment)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedBiasAudit.objects.filter(pk=audit.pk).update(auditor="Someone else")
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedBiasAudit.objects.filter(pk=audit.pk).delete()


def test_public_page_needs_no_login_and_shows_exactly_the_published_numbers(
    client, assessment, version
):
    audit = _publish(assessment, auditor="Fair Hiring Audits LLC")
    # Later candidates change the live audit, never the published one.
    bulk_candidates_with_answers(version, [("female", "white", 20, 20)])
    assert services.compute_bias_report(assessment).n == 77
    response = client.get(reverse("compliance:public-bias-audit", args=[assessment.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="records">57<' in html
    assert "Fair Hiring Audits LLC" in html
    female = next(
        entry
        for entry in audit.document["dimensions"]["sex"]["selection"]["categories"]
        if entry["category"] == "female"
    )
    # Female: 27 people, 9 selected, 33.3% against 66.7% for men: impact ratio 0.5.
    assert (female["n"], female["selected"], female["impact_ratio"]) == (27, 9, 0.5)
    assert _cells(html, "Female")[:3] == ["27", "9", "33.3%"]
    assert _cells(html, "Female")[4] == "0.500"
    unknown = audit.document["dimensions"]["sex"]["unknown"]
    assert f"Sex: <strong>{unknown}</strong>" in html
    # No personal data: no name or email of any candidate.
    assert "@example.com" not in html
    assert "Bulk Candidate" not in html


def test_the_published_figures_are_public_json_matching_the_fingerprint(client, assessment):
    audit = _publish(assessment)
    page = client.get(reverse("compliance:public-bias-audit", args=[assessment.slug]))
    url = reverse("compliance:public-bias-audit-figures", args=[assessment.slug, audit.number])
    assert url in page.content.decode()
    figures = client.get(url).json()
    assert figures == audit.document
    assert json_sha256(figures) == audit.document_sha256
    assert client.get(url.replace("/1/", "/9/")).status_code == 404


def test_public_page_suppresses_small_cells(client, assessment):
    audit = _publish(assessment)
    race = audit.document["dimensions"]["race_ethnicity"]["selection"]["categories"]
    asian = next(entry for entry in race if entry["category"] == "asian")
    assert asian["n"] is None and asian["selected"] is None
    assert asian["suppressed"] == "fewer than 5"
    html = client.get(reverse("compliance:public-bias-audit", args=[assessment.slug])).content
    cells = _cells(html.decode(), "Asian")
    assert cells[0] == "fewer than 5"
    assert "33.3%" not in cells


def test_older_audits_are_linked_and_kept_at_their_number(client, assessment):
    first = _publish(assessment, audit_date=timezone.localdate() - timedelta(days=200))
    _publish(assessment)
    latest = client.get(reverse("compliance:public-bias-audit", args=[assessment.slug]))
    older_url = reverse("compliance:public-bias-audit-number", args=[assessment.slug, 1])
    assert older_url in latest.content.decode()
    older = client.get(older_url).content.decode()
    assert "This is an earlier bias audit" in older
    assert first.audit_date.strftime("%-d %B %Y") in older


def test_public_page_of_nothing_published_is_a_clear_404(client, assessment):
    response = client.get(reverse("compliance:public-bias-audit", args=[assessment.slug]))
    assert response.status_code == 404
    assert "No bias audit has been published" in response.content.decode()
    response = client.get(reverse("compliance:public-bias-audit", args=["no-such-thing"]))
    assert response.status_code == 404


def test_an_exclusion_needs_its_reason_and_test_data_its_explanation(assessment):
    with pytest.raises(InvalidReportRequest, match="reason for leaving categories"):
        _publish(assessment, exclude_small_categories=True)
    with pytest.raises(InvalidReportRequest, match="test data"):
        _publish(assessment, data_source=PublishedBiasAudit.DataSource.TEST)
    with pytest.raises(InvalidReportRequest, match="future"):
        _publish(assessment, audit_date=timezone.localdate() + timedelta(days=1))
    audit = _publish(
        assessment, exclude_small_categories=True, exclusion_reason="Under 2% of the data."
    )
    assert audit.document["small_categories_excluded"] is True
    assert AuditEvent.objects.filter(action=Action.BIAS_AUDIT_PUBLISHED).count() == 1


def test_too_few_candidates_are_not_published(db):
    version = published_version()
    bulk_candidates_with_answers(version, [("female", "white", 6, 3)])
    with pytest.raises(PopulationTooSmall):
        _publish(version.assessment)
    assert not PublishedBiasAudit.objects.exists()


def test_the_publish_form_publishes_and_shows_errors_without_losing_input(
    auditor_client, assessment
):
    url = reverse("compliance:published-audits", args=[assessment.slug])
    response = auditor_client.post(
        url,
        {
            "auditor": "Fair Hiring Audits LLC",
            "data_source": "historical",
            "exclude_small_categories": "on",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the reason for leaving categories" in html
    assert 'value="Fair Hiring Audits LLC"' in html
    assert not PublishedBiasAudit.objects.exists()
    response = auditor_client.post(
        url, {"auditor": "Fair Hiring Audits LLC", "data_source": "historical"}
    )
    assert response.status_code == 302
    audit = PublishedBiasAudit.objects.get()
    assert audit.published_by.startswith("user:")
    page = auditor_client.get(response["Location"]).content.decode()
    assert reverse("compliance:public-bias-audit-number", args=[assessment.slug, 1]) in page


def test_only_compliance_staff_publish(client, recruiter, assessment):
    url = reverse("compliance:published-audits", args=[assessment.slug])
    assert client.post(url, {}).status_code == 302  # to the login page
    client.force_login(recruiter)
    assert client.post(url, {}).status_code == 403
    assert not PublishedBiasAudit.objects.exists()


def test_the_overview_flags_an_assessment_in_use_with_a_stale_or_no_audit(
    auditor_client, assessment
):
    index = reverse("compliance:index")
    html = auditor_client.get(index).content.decode()
    assert 'data-testid="unaudited"' in html
    assert "Never published" in html
    _publish(assessment, audit_date=timezone.localdate() - timedelta(days=400))
    html = auditor_client.get(index).content.decode()
    assert 'data-testid="unaudited"' in html
    assert "Older than a year" in html
    _publish(assessment)
    html = auditor_client.get(index).content.decode()
    assert 'data-testid="unaudited"' not in html
    assert ">Current<" in html


def test_the_command_publishes(assessment, capsys):
    call_command(
        "bias_audit",
        "--assessment",
        assessment.slug,
        "--publish",
        "--auditor",
        "Fair Hiring Audits LLC",
        "--exclude-small-categories",
        "--exclusion-reason",
        "Categories under 2% of the data.",
    )
    audit = PublishedBiasAudit.objects.get()
    assert audit.auditor == "Fair Hiring Audits LLC"
    assert audit.exclusion_reason == "Categories under 2% of the data."
    assert audit.published_by == "system:cli"
    assert f"/bias-audit/{assessment.slug}/1/" in capsys.readouterr().out


@pytest.mark.browser
def test_the_public_page_and_the_staff_pages_pass_axe_in_chromium(
    live_server, context, page, compliance_user, version
):
    audit = _publish(version.assessment, auditor="Fair Hiring Audits LLC")
    _publish(version.assessment, exclude_small_categories=True, exclusion_reason="Under 2%.")
    page.goto(f"{live_server.url}/bias-audit/{version.assessment.slug}/")
    page.get_by_role("heading", name=f"Bias audit summary: {version.assessment.title}").wait_for()
    assert page.get_by_test_id("records").inner_text() == str(audit.document["n"])
    assert_no_axe_violations(page, "public bias audit summary")
    page.get_by_role("link", name=re.compile("Bias audit 1 of")).click()
    page.get_by_text("This is an earlier bias audit").wait_for()
    assert_no_axe_violations(page, "an earlier public summary")

    staff = Client()
    staff.force_login(compliance_user)
    context.add_cookies(
        [{"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": live_server.url}]
    )
    for path, where in [
        (reverse("compliance:published-audits", args=[version.assessment.slug]), "publish page"),
        (reverse("compliance:retention"), "retention page"),
        (reverse("compliance:records"), "records page"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_no_axe_violations(page, where)
    page.get_by_label("From").fill(str(timezone.localdate()))
    page.get_by_label("To").fill(str(timezone.localdate()))
    page.get_by_role("button", name="Prepare the package").click()
    # No worker here: the page shows the package waiting, with its progress bar (and its script
    # runs under the CSP: the page fixture fails on a blocked script).
    page.get_by_text("Being prepared").wait_for()
    assert_no_axe_violations(page, "records package in progress")
