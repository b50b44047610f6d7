"""Notices before consent (#17): what they say, their versions, the notice period, and the
request for an alternative process or an accommodation tracked to a decision."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import notices, selectors, services
from assessments.emails import invitation_message
from assessments.models import AccommodationRequest, Assessment, Attempt, NoticeVersion
from audit.models import AuditEvent
from outbox.models import Email
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db


def landing(token: str) -> str:
    return reverse("assessments:landing", kwargs={"token": token})


def start(token: str) -> str:
    return reverse("assessments:start", kwargs={"token": token})


@pytest.fixture
def nyc_version(settings):
    """A published version whose assessment falls under NYC's 10-business-day notice rule."""
    settings.NOTICE_HOLIDAYS = []
    version = published_version()
    Assessment.objects.filter(pk=version.assessment_id).update(
        notice_jurisdictions=["nyc", "illinois"],
        notice_qualifications="Handling an unhappy customer by email, in plain English.",
    )
    version.assessment.refresh_from_db()
    return version


# --- The calendar -------------------------------------------------------------------------------


def test_business_days_skip_weekends_and_configured_holidays():
    friday = date(2026, 12, 18)
    assert notices.add_business_days(friday, 1, frozenset()) == date(2026, 12, 21)  # Monday
    christmas = frozenset({date(2026, 12, 25)})
    # Mon 21 … Thu 24, (Fri 25 closed), Mon 28: five business days after Friday the 18th.
    assert notices.add_business_days(friday, 5, christmas) == date(2026, 12, 28)
    assert notices.add_business_days(friday, 10, christmas) == date(2027, 1, 4)


def test_an_nyc_invitation_opens_the_day_after_ten_business_days(nyc_version, settings):
    settings.NOTICE_HOLIDAYS = []
    invitation, _ = invitation_for(nyc_version)
    sent = timezone.localdate(invitation.created_at)
    last_notice_day = notices.add_business_days(sent, 10, frozenset())
    assert timezone.localdate(invitation.available_from) == last_notice_day + timedelta(days=1)
    assert invitation.available_from.time() == datetime.min.time()
    # The link stays valid for its whole lifetime after the notice period.
    assert invitation.expires_at >= invitation.available_from + timedelta(days=7)


def test_without_a_notice_rule_an_invitation_can_start_at_once():
    invitation, _ = invitation_for(published_version())
    assert invitation.available_from is None


# --- Starting early -----------------------------------------------------------------------------


def test_an_invitation_in_its_notice_period_cannot_be_started_and_says_when(client, nyc_version):
    invitation, token = invitation_for(nyc_version)
    page = client.get(landing(token))
    assert page.status_code == 200
    html = page.content.decode()
    when = invitation.available_from
    assert f"You can start on {when:%A} {when.day} {when:%B %Y}" in html
    assert 'data-testid="available-from"' in html
    assert 'name="consent"' not in html  # no consent form while the notice period runs
    # Posting the form anyway (an old tab, a crafted request) starts nothing.
    refused = client.post(start(token), {"consent": "yes"})
    assert refused.status_code == 302 and refused["Location"] == landing(token) + "#consent"
    assert not Attempt.objects.exists()
    assert not AuditEvent.objects.filter(action="attempt.consent").exists()
    assert client.get(refused["Location"]).status_code == 200


def test_once_the_notice_period_has_run_the_consent_names_the_notice_shown(client, nyc_version):
    invitation, token = invitation_for(nyc_version)
    invitation.available_from = timezone.now() - timedelta(minutes=1)
    invitation.save(update_fields=["available_from"])
    html = client.get(landing(token)).content.decode()
    shown = NoticeVersion.objects.get(assessment=nyc_version.assessment)
    assert f'name="notice" value="{shown.number}"' in html
    client.post(start(token), {"consent": "yes", "notice": str(shown.number)})
    attempt = Attempt.objects.get()
    assert attempt.notice == shown
    consent = AuditEvent.objects.get(action="attempt.consent")
    assert f'"notice_sha256":"{shown.content_sha256}"' in consent.payload


# --- What the notice says -------------------------------------------------------------------------


def test_the_notice_states_the_configured_items_in_the_email_and_on_the_page(
    client, nyc_version, settings
):
    settings.DATA_RETENTION_DAYS = 200
    settings.REQUEST_RESPONSE_DAYS = 21
    invitation, token = invitation_for(nyc_version)
    expected = [
        "automated tool",
        "Judgement",  # the skills of the published version
        "Writing",
        "Handling an unhappy customer by email, in plain English.",  # qualifications assessed
        "deleted 200 days after it was collected",  # data kept and for how long
        "alternative selection process",
        "within 21 days",
        "New York City (Local Law 144, 6 RCNY § 5-303): notice at least 10 business days",
        "Illinois (Human Rights Act, HB 3773)",
    ]
    email = invitation_message(invitation, token)
    html = client.get(landing(token)).content.decode().replace("&#x27;", "'")
    for item in expected:
        assert item in email.body, item
        assert item in html.replace("&quot;", '"'), item
    assert "You can start from" in email.body


def test_a_new_wording_is_a_new_notice_version_and_the_old_stays(nyc_version):
    first, _ = invitation_for(nyc_version)
    again, _ = invitation_for(nyc_version, email="bo@example.com")
    assert again.notice == first.notice  # the same wording is stored once
    Assessment.objects.filter(pk=nyc_version.assessment_id).update(
        notice_qualifications="Writing a refund policy."
    )
    nyc_version.assessment.refresh_from_db()
    later, _ = invitation_for(nyc_version, email="cy@example.com")
    assert later.notice.number == first.notice.number + 1
    assert "Writing a refund policy." in notices.notice_text(later.notice)
    first.notice.refresh_from_db()
    assert "Handling an unhappy customer" in notices.notice_text(first.notice)
    with pytest.raises(ValueError):
        first.notice.save()


# --- Alternative process or accommodation -------------------------------------------------------


def test_a_request_for_an_alternative_process_is_recorded_audited_and_sent_to_the_recruiter(
    client, nyc_version, recruiter, settings
):
    settings.REQUEST_RESPONSE_DAYS = 10
    services.set_assessment_owner(nyc_version.assessment, recruiter, user=None)
    invitation, token = invitation_for(nyc_version)
    before = timezone.now()
    response = client.post(
        reverse("assessments:accommodation", kwargs={"token": token}),
        {"kind": "alternative_process", "details": "I would rather talk to a person."},
    )
    assert response.status_code == 302
    request = AccommodationRequest.objects.get()
    assert request.kind == AccommodationRequest.Kind.ALTERNATIVE_PROCESS
    assert before + timedelta(days=10) <= request.due_at <= timezone.now() + timedelta(days=10)
    event = AuditEvent.objects.get(action="accommodation.requested")
    assert event.subject == f"invitation:{invitation.public_id}"
    email = Email.objects.get(reference=f"accommodation:{request.pk}")
    assert email.to == [recruiter.email]
    assert "I would rather talk to a person." in email.body_text
    assert (
        reverse("admin:assessments_accommodationrequest_change", args=[request.pk])
        in email.body_text
    )


def test_undecided_requests_past_their_due_date_are_overdue(nyc_version):
    invitation, _ = invitation_for(nyc_version)
    late = services.request_accommodation(invitation, kind="extra_time")
    on_time = services.request_accommodation(invitation, kind="other")
    decided = services.request_accommodation(invitation, kind="other")
    past = timezone.now() - timedelta(days=1)
    AccommodationRequest.objects.filter(pk__in=[late.pk, decided.pk]).update(due_at=past)
    services.decide_accommodation(decided, grant=False, notify=False)
    overdue = list(selectors.overdue_accommodation_requests())
    assert overdue == [late]
    assert on_time not in overdue
    decided.refresh_from_db()
    assert decided.decided_at is not None and decided.state == "declined"


def test_the_recruiters_pages_show_when_to_decide_by_and_what_is_overdue(
    client, nyc_version, recruiter
):
    invitation, _ = invitation_for(nyc_version)
    late = services.request_accommodation(invitation, kind="alternative_process")
    AccommodationRequest.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(recruiter)
    listing = client.get(reverse("admin:assessments_accommodationrequest_changelist"))
    assert "(overdue)" in listing.content.decode()
    page = client.get(reverse("admin:assessments_accommodationrequest_change", args=[late.pk]))
    assert "Decide by:" in page.content.decode() and "— overdue" in page.content.decode()
    services.decide_accommodation(late, grant=True, notify=False, user=recruiter)
    listing = client.get(reverse("admin:assessments_accommodationrequest_changelist"))
    assert "(overdue)" not in listing.content.decode()


def test_the_invitation_list_shows_when_a_notice_period_ends(client, nyc_version, recruiter):
    invitation, _ = invitation_for(nyc_version)
    client.force_login(recruiter)
    page = client.get(reverse("admin:assessments_invitation_changelist")).content.decode()
    assert f"Notice period: opens {invitation.available_from:%d %b %Y}" in page
