"""Load the demo library, staff accounts for each role, and one ready invitation per assessment.

Idempotent: running it again changes nothing that is already there and prints the same links.
"""

from datetime import timedelta
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Invitation
from assessments.roles import Role
from assessments.tokens import demo_token, hash_token
from compliance.canonical import json_sha256

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# Fixtures for tests live beside the demo library but are not shown to hiring managers.
NOT_DEMO = {"all-item-types.yaml"}
DEMO_PASSWORD = "skillproof-demo"
DEMO_LINK_TTL = timedelta(days=365)
DEMO_STAFF = {
    "recruiter": Role.RECRUITER,
    "reviewer": Role.REVIEWER,
    "compliance": Role.COMPLIANCE,
}


def demo_documents() -> list[dict]:
    """The demo library's assessment documents, in file name order."""
    files = sorted(path for path in DEMO_DIR.glob("*.yaml") if path.name not in NOT_DEMO)
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in files]


def ensure_staff(username: str, role: Role):
    """A staff user in one role group, with the demo password."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": f"{username}@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get(name=role.value))
    return user


def ensure_published(document: dict, user):
    """The latest version of the document, publishing it when its content changed."""
    version = selectors.latest_version(document["slug"])
    if version is None or version.content_sha256 != json_sha256(document):
        version = services.publish_document(document, user=user)
    return version


def ensure_demo_invitation(version, user) -> str:
    """The demo candidate's invitation to this version; returns its token."""
    token = demo_token(f"{version.assessment.slug}:v{version.number}")
    if not Invitation.objects.filter(token_hash=hash_token(token)).exists():
        services.create_invitation(
            version,
            name="Demo Candidate",
            email="candidate@example.com",
            user=user,
            allow_retake=True,
            token=token,
            ttl=DEMO_LINK_TTL,
        )
    return token


class Command(BaseCommand):
    help = "Load the demo assessments, staff accounts and ready invitation links (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        documents = demo_documents()
        if not documents:
            raise SystemExit(f"No demo assessments found in {DEMO_DIR}.")
        staff = {name: ensure_staff(name, role) for name, role in DEMO_STAFF.items()}
        links = []
        for document in documents:
            version = ensure_published(document, staff["recruiter"])
            token = ensure_demo_invitation(version, staff["recruiter"])
            path = reverse("assessments:landing", kwargs={"token": token})
            links.append((document["title"], f"{settings.SITE_URL}{path}"))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            f"  Admin:   {settings.SITE_URL}/admin/  "
            f"(users {', '.join(DEMO_STAFF)}; password {DEMO_PASSWORD})"
        )
        for title, url in links:
            self.stdout.write(f"  Take '{title}': {url}")
