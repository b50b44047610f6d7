"""Emails to candidates about their credentials, from templates/credentials/emails/."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from credentials import conf
from credentials.models import Credential


def ler_link(token: str) -> str:
    """The absolute URL of a one-time sign-in link to a learner record."""
    return conf.site_url() + reverse("credentials:ler-open", kwargs={"token": token})


def _message(template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    base = f"credentials/emails/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject,
        render_to_string(f"{base}.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        to,
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message


def credential_issued_message(credential: Credential, token: str) -> EmailMultiAlternatives:
    """'You earned a credential': what it says, and a one-time link to the candidate's record."""
    invitation = credential.attempt.invitation
    content = credential.attempt.version.content
    certifies = set(content["pass_rules"]["certifies"])
    context = {
        "name": invitation.candidate_name,
        "credential": credential,
        "title": content["title"],
        "skills": [skill["name"] for skill in content["skills"] if skill["id"] in certifies],
        "issuer_name": conf.issuer_name(),
        "link": ler_link(token),
        "link_days": conf.ler_issuance_link_days(),
        "ler_url": conf.site_url() + reverse("credentials:ler"),
    }
    return _message("credential_issued", context, [invitation.candidate_email])


def ler_link_message(email: str, token: str) -> EmailMultiAlternatives:
    """A sign-in link someone asked for on the record's sign-in page."""
    context = {
        "link": ler_link(token),
        "minutes": conf.ler_link_minutes(),
        "issuer_name": conf.issuer_name(),
    }
    return _message("ler_link", context, [email])
