"""Invitations: tokens and their hashes, expiry, CSV import, email, new links, accommodations."""

import base64
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services, tokens
from assessments.exceptions import InvalidAnswer, InvitationUnavailable
from assessments.models import AccommodationRequest, Attempt, Invitation, InvitationImport
from audit.models import AuditEvent
from audit.roles import Role
from outbox.models import Email
from tests.support.factories import invitation_for, published_version, staff_in_roles
from tests.support.outbox import send_queued_emails

# --- Tokens ----------------------------------------------------------------------------------


def test_tokens_carry_at_least_128_random_bits_and_differ():
    made = {tokens.new_token() for _ in range(1000)}
    assert len(made) == 1000
    for token in list(made)[:20]:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128


def test_hash_is_sha256_hex_and_never_the_token():
    token = tokens.new_token()
    digest = tokens.hash_token(token)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert token not in digest
    assert tokens.hash_token(token) == digest
    assert tokens.hash_token(token + "x") != digest


@pytest.mark.django_db
def test_only_the_hash_is_stored():
    version = published_version()
    invitation, token = invitation_for(version)
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert stored["token_hash"] == tokens.hash_token(token)
    assert selectors.access_invitation_by_token(token) == invitation


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["", "x" * 201, "not-a-token"])
def test_unknown_or_malformed_tokens_open_nothing(bad):
    published_version()
    with pytest.raises(InvitationUnavailable):
        selectors.access_invitation_by_token(bad)


@pytest.mark.django_db
def test_an_expired_invitation_cannot_start_but_an_open_attempt_resumes():
    version = published_version()
    invitation, _ = invitation_for(version, ttl=timedelta(hours=1))
    attempt = services.start_attempt(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    invitation.refresh_from_db()
    assert selectors.invitation_expired(invitation)
    assert services.start_attempt(invitation) == attempt  # the attempt began in time
    late, _ = invitation_for(version, email="late@example.com", ttl=timedelta(seconds=-1))
    with pytest.raises(InvitationUnavailable, match="expired"):
        services.start_attempt(late)


@pytest.mark.django_db
def test_a_new_link_replaces_the_old_one_and_renews_the_expiry():
    version = published_version()
    invitation, old = invitation_for(version, ttl=timedelta(seconds=-1))
    services.resend_invitation(invitation)
    invitation.refresh_from_db()
    with pytest.raises(InvitationUnavailable):
        selectors.access_invitation_by_token(old)
    assert invitation.expires_at > timezone.now() + timedelta(days=1)
    assert send_queued_emails() == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/a/" in line).strip()
    new_token = link.rstrip("/").rsplit("/", 1)[1]
    assert selectors.access_invitation_by_token(new_token) == invitation


# --- Email -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitation_email_has_a_text_and_html_body_with_the_link():
    version = published_version()
    invitation, token = services.invite_candidate(
        version, name="Grace Hopper", email="grace@example.com", ttl=timedelta(days=3)
    )
    assert not mail.outbox  # queued in the outbox, sent by the email task
    assert send_queued_emails() == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.com"]
    assert "Small support scenario" in message.subject
    assert token in message.body and "Grace Hopper" in message.body
    assert "15 minutes" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and token in html
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert AuditEvent.objects.filter(
        action="invitation.sent", subject=f"invitation:{invitation.public_id}"
    ).exists()


# --- CSV import ------------------------------------------------------------------------------


CSV = (
    "name,email\n"  # line 1
    "Ada Lovelace,ada@example.com\n"  # 2 good
    ",nobody@example.com\n"  # 3 name missing
    "Bad Email,not-an-email\n"  # 4 invalid email
    '"Quoted, Name",quoted@example.com\n'  # 5 good (comma inside quotes)
    "\n"  # 6 blank: ignored
    "Ada Again,ADA@example.com\n"  # 7 duplicate of line 2
    '"Multi\nLine",multi@example.com\n'  # 8-9 good, ends on line 9
    "Late Error,late@\n"  # 10 invalid email
)


def run_import(version, data: bytes, *, send: bool = False) -> InvitationImport:
    """Start an import as the admin does, then run it as its task does (in this process)."""
    job = services.start_invitation_import(version, data, valid_days=14, send=send)
    services.import_invitations(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_csv_bad_rows_are_reported_by_line_and_good_rows_kept():
    version = published_version()
    job = run_import(version, CSV.encode(), send=True)
    assert job.state == InvitationImport.State.DONE
    assert job.errors == [
        [3, "the name is missing"],
        [4, "'not-an-email' is not a valid email address"],
        [7, "ADA@example.com already appears on line 2"],
        [10, "'late@' is not a valid email address"],
    ]
    assert (job.total_rows, job.processed, job.invited, job.rows) == (3, 3, 3, [])
    assert sorted(Invitation.objects.values_list("candidate_email", flat=True)) == [
        "ada@example.com",
        "multi@example.com",
        "quoted@example.com",
    ]
    assert send_queued_emails() == 3
    assert {m.to[0] for m in mail.outbox} == {
        "ada@example.com",
        "multi@example.com",
        "quoted@example.com",
    }
    assert Invitation.objects.get(candidate_email="quoted@example.com").candidate_name == (
        "Quoted, Name"
    )


@pytest.mark.django_db
def test_csv_reimport_reports_candidates_already_invited():
    version = published_version()
    run_import(version, b"name,email\nAda,ada@example.com\n")
    again = run_import(version, b"email,name\nada@example.com,Ada\nbo@example.com,Bo\n")
    assert again.errors == [[2, "ada@example.com is already invited to this assessment version"]]
    assert again.invited == 1
    assert Invitation.objects.filter(candidate_email="bo@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"full name;mail\nAda;a@example.com\n", "header with the columns"),
        ("name,email\nZoë,z@example.com\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_csv_that_cannot_be_read_changes_nothing(data, message):
    version = published_version()
    with pytest.raises(InvalidAnswer, match=message):
        services.start_invitation_import(version, data, valid_days=14)
    assert not Invitation.objects.exists() and not InvitationImport.objects.exists()


@pytest.mark.django_db
def test_csv_with_a_byte_order_mark_and_windows_line_ends_is_read():
    version = published_version()
    data = "\ufeffName,Email\r\nZoë Martin,zoe@example.com\r\n".encode()
    job = run_import(version, data)
    assert not job.errors
    assert Invitation.objects.get().candidate_name == "Zoë Martin"


# --- Accommodations --------------------------------------------------------------------------


@pytest.mark.django_db
def test_candidate_asks_and_a_granted_extra_time_moves_the_deadline(client):
    version = published_version()
    invitation, token = invitation_for(version)
    response = client.post(
        reverse("assessments:accommodation", kwargs={"token": token}),
        {"kind": "extra_time", "details": "I usually get 25% extra time."},
    )
    assert response.status_code == 302 and "requested=1" in response["Location"]
    request = AccommodationRequest.objects.get()
    assert request.state == AccommodationRequest.State.PENDING
    attempt = services.start_attempt(invitation)
    deadline = attempt.deadline
    services.decide_accommodation(request, grant=True, extra_minutes=10, note="Granted.")
    attempt.refresh_from_db()
    invitation.refresh_from_db()
    assert invitation.extra_time_minutes == 10
    assert attempt.deadline == deadline + timedelta(minutes=10)
    # Granting again replaces, it does not add.
    services.decide_accommodation(request, grant=True, extra_minutes=5)
    attempt.refresh_from_db()
    assert attempt.deadline == deadline + timedelta(minutes=5)


@pytest.mark.django_db
def test_the_landing_page_shows_the_decision_and_the_longer_time(client):
    version = published_version()
    invitation, token = invitation_for(version)
    request = services.request_accommodation(invitation, kind="extra_time")
    services.decide_accommodation(request, grant=True, extra_minutes=10, note="Of course.")
    page = client.get(reverse("assessments:landing", kwargs={"token": token})).content.decode()
    assert "25 minutes" in page and "10 extra minutes" in page and "Of course." in page


@pytest.mark.django_db
def test_the_decision_is_emailed_through_the_outbox():
    version = published_version()
    invitation, _ = invitation_for(version)
    request = services.request_accommodation(invitation, kind="alternative_process")
    services.decide_accommodation(request, grant=False, note="We will call you instead.")
    assert send_queued_emails("accommodation:") == 1
    assert len(mail.outbox) == 1
    assert "We will call you instead." in mail.outbox[0].body
    assert "could not grant" in mail.outbox[0].body


@pytest.mark.django_db
def test_an_unknown_kind_is_refused(client):
    version = published_version()
    _, token = invitation_for(version)
    response = client.post(
        reverse("assessments:accommodation", kwargs={"token": token}), {"kind": "free-pass"}
    )
    assert response.status_code == 400
    assert not AccommodationRequest.objects.exists()


# --- Admin pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_recruiter_invites_one_candidate_from_the_admin(client):
    version = published_version()
    client.force_login(staff_in_roles("rita", Role.RECRUITER))
    page = client.get(reverse("admin:assessments_invitation_invite"))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:assessments_invitation_invite"),
        {
            "version": version.pk,
            "candidate_name": "Ada",
            "candidate_email": "ada@example.com",
            "valid_days": 7,
            "send_email": "on",
        },
    )
    assert response.status_code == 302
    assert Invitation.objects.get().created_by.username == "rita"
    assert send_queued_emails() == 1
    assert client.get(reverse("admin:assessments_invitation_add"))["Location"].endswith("/invite/")


@pytest.mark.django_db
def test_recruiter_uploads_a_csv_and_sees_bad_rows_by_line(client):
    version = published_version()
    client.force_login(staff_in_roles("rita", Role.RECRUITER))
    upload = SimpleUploadedFile("people.csv", CSV.encode(), content_type="text/csv")
    response = client.post(
        reverse("admin:assessments_invitation_import_csv"),
        {"version": version.pk, "file": upload, "valid_days": 7},
    )
    job = InvitationImport.objects.get()
    progress_url = reverse("admin:assessments_invitation_import_progress", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == progress_url
    assert not Invitation.objects.exists()  # the worker invites them, not the request
    page = client.get(progress_url).content.decode()
    assert 'data-field="processed">0</span> of <span data-field="total">3<' in page
    assert 'value="0"' in page and "job-progress.js" in page
    status = client.get(reverse("admin:assessments_invitation_import_status", args=[job.pk])).json()
    assert (status["state"], status["total"], status["processed"]) == ("pending", 3, 0)

    services.import_invitations(job.pk)  # what its task runs
    page = client.get(progress_url).content.decode()
    assert "Done: 3 candidates invited" in page and 'value="100"' in page
    assert "<td>4</td><td>&#x27;not-an-email&#x27; is not a valid email address</td>" in page
    assert "job-progress.js" not in page  # nothing left to follow
    assert Invitation.objects.count() == 3
    assert not Email.objects.exists()  # "send now" was left unticked
    upload_page = client.get(reverse("admin:assessments_invitation_import_csv")).content.decode()
    assert f'href="{progress_url}">people.csv</a>' in upload_page  # the way back to it


@pytest.mark.django_db
def test_an_import_is_seen_only_by_who_may_see_it(client):
    version = published_version()
    job = services.start_invitation_import(version, CSV.encode(), valid_days=7)
    url = reverse("admin:assessments_invitation_import_progress", args=[job.pk])
    client.force_login(
        staff_in_roles("other", Role.RECRUITER)
    )  # neither its author nor shared with
    assert client.get(url).status_code == 404
    client.force_login(staff_in_roles("rev", Role.REVIEWER))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_send_new_link_action_emails_and_invalidates_the_old_link(client):
    version = published_version()
    invitation, old = invitation_for(version)
    client.force_login(staff_in_roles("rita", Role.RECRUITER))
    response = client.post(
        reverse("admin:assessments_invitation_changelist"),
        {"action": "send_new_link", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    assert send_queued_emails() == 1
    with pytest.raises(InvitationUnavailable):
        selectors.access_invitation_by_token(old)


@pytest.mark.django_db
def test_recruiter_grants_extra_time_in_the_admin(client):
    version = published_version()
    invitation, _ = invitation_for(version)
    request = services.request_accommodation(invitation, kind="extra_time", details="Dyslexia")
    client.force_login(staff_in_roles("rita", Role.RECRUITER))
    url = reverse("admin:assessments_accommodationrequest_change", args=[request.pk])
    page = client.get(url).content.decode()
    assert "Dyslexia" in page and "Grant" in page
    response = client.post(url, {"decision": "grant", "extra_minutes": 15, "note": ""})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.extra_time_minutes == 15
    request.refresh_from_db()
    assert request.state == AccommodationRequest.State.GRANTED
    assert request.decided_by.username == "rita"


@pytest.mark.django_db
def test_other_roles_cannot_invite_or_decide(client):
    version = published_version()
    invitation, _ = invitation_for(version)
    request = services.request_accommodation(invitation, kind="extra_time")
    client.force_login(staff_in_roles("rev", Role.REVIEWER))
    assert client.get(reverse("admin:assessments_invitation_invite")).status_code == 403
    assert client.get(reverse("admin:assessments_invitation_import_csv")).status_code == 403
    url = reverse("admin:assessments_accommodationrequest_change", args=[request.pk])
    assert client.get(url).status_code == 403
    client.force_login(staff_in_roles("comp", Role.COMPLIANCE))
    assert client.get(url).status_code == 200  # compliance may look
    assert client.post(url, {"decision": "grant", "extra_minutes": 5}).status_code == 403
    assert not Attempt.objects.exists()
