"""Emails to candidates and recruiters, rendered from templates in templates/emails/."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import AccommodationRequest, Invitation


def candidate_link(token: str) -> str:
    """The absolute URL of an invitation's landing page."""
    return settings.SITE_URL + reverse("assessments:landing", kwargs={"token": token})


def _message(template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message


def invitation_message(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    """The invitation email: what the assessment is, how long it takes, the link, the expiry."""
    content = invitation.version.content
    context = {
        "invitation": invitation,
        "content": content,
        "link": candidate_link(token),
        "minutes": int(content["time_limit_minutes"]) + invitation.extra_time_minutes,
        "skills": [skill["name"] for skill in content.get("skills", [])],
        # The notice the invitation was made with: the landing page shows the same version.
        "notice": invitation.notice.content if invitation.notice else None,
    }
    return _message("invitation", context, [invitation.candidate_email])


def accommodation_decision_message(request: AccommodationRequest) -> EmailMultiAlternatives:
    """Tells the candidate what the recruiter decided (the link itself is not repeated)."""
    invitation = request.invitation
    context = {
        "request": request,
        "invitation": invitation,
        "content": invitation.version.content,
        "minutes": int(invitation.version.content["time_limit_minutes"])
        + invitation.extra_time_minutes,
    }
    return _message("accommodation_decision", context, [invitation.candidate_email])


def accommodation_request_message(request: AccommodationRequest) -> EmailMultiAlternatives | None:
    """Tells the recruiters of the assessment that a candidate asked for an accommodation or an
    alternative process, and by when to decide (None when the assessment has no recruiter)."""
    invitation = request.invitation
    assessment = invitation.version.assessment
    people = [assessment.owner, *assessment.shared_with.all()]
    recipients = sorted({person.email for person in people if person and person.email})
    if not recipients:
        return None
    context = {
        "request": request,
        "invitation": invitation,
        "content": invitation.version.content,
        "link": settings.SITE_URL
        + reverse("admin:assessments_accommodationrequest_change", args=[request.pk]),
    }
    return _message("accommodation_request", context, recipients)
