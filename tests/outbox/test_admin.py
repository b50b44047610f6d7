"""The email outbox in the admin: recruiters and compliance see what was sent, what waits and
what failed (never the bodies, which may hold one-time links); a recruiter sends a failed one
again; other roles see nothing."""

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from outbox import services
from outbox.models import Email, OutboxJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_email() -> Email:
    email = services.queue_email(
        EmailMessage("Your link", "https://example.com/a/SECRET-TOKEN", "hr@x.com", ["a@x.com"]),
        reference="invitation:1",
    )
    services.fail(Email, email.pk, "SMTPRecipientsRefused: 550 No such user here")
    return email


def test_staff_see_the_failure_but_never_the_body(client, recruiter, compliance_user, failed_email):
    for user in (recruiter, compliance_user):
        client.force_login(user)
        listing = client.get(reverse("admin:outbox_email_changelist")).content.decode()
        assert "Your link" in listing and "a@x.com" in listing
        page = client.get(reverse("admin:outbox_email_change", args=[failed_email.pk]))
        assert "550 No such user here" in page.content.decode()
        assert "SECRET-TOKEN" not in page.content.decode()


def test_a_recruiter_sends_a_failed_email_again(client, recruiter, failed_email):
    client.force_login(recruiter)
    client.post(
        reverse("admin:outbox_email_changelist"),
        {"action": "retry_emails", "_selected_action": [failed_email.pk]},
    )
    failed_email.refresh_from_db()
    assert failed_email.state == OutboxJob.State.PENDING and failed_email.retries == 0
    assert failed_email.last_error.startswith(f"retried by user:{recruiter.pk} after: SMTP")


def test_compliance_cannot_retry_and_reviewers_see_nothing(
    client, compliance_user, reviewer, failed_email
):
    client.force_login(compliance_user)
    client.post(
        reverse("admin:outbox_email_changelist"),
        {"action": "retry_emails", "_selected_action": [failed_email.pk]},
    )
    assert Email.objects.get(pk=failed_email.pk).state == OutboxJob.State.FAILED
    client.force_login(reviewer)
    assert client.get(reverse("admin:outbox_email_changelist")).status_code == 403
