"""Load the demo library, staff accounts for each role, and one ready invitation per assessment.

Each demo file goes in the way a recruiter's file does: imported as a draft, then published.
Idempotent: running it again changes nothing that is already there and prints the same links.
"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from assessments import selectors, services
from assessments.authoring.files import read_document
from assessments.authoring.services import import_draft, publish_draft
from assessments.exceptions import InvalidDocument
from assessments.models import Invitation
from assessments.tokens import demo_token, hash_token
from audit.canonical import json_sha256
from audit.roles import Role

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


def demo_files() -> list[Path]:
    """The demo library's assessment files, in file name order."""
    return sorted(path for path in DEMO_DIR.glob("*.yaml") if path.name not in NOT_DEMO)


def demo_documents() -> list[dict]:
    """The demo library's assessment documents (validated), in file name order."""
    return [read_document(path.read_text(encoding="utf-8")) for path in demo_files()]


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


def ensure_published(text: str, user):
    """The latest version of a demo file, imported as a draft and published when it changed."""
    document = read_document(text)
    version = selectors.latest_version(document["slug"])
    if version is not None and version.content_sha256 == json_sha256(document):
        return version
    draft = import_draft(text, user=user)
    try:
        return publish_draft(draft, user=user)
    except InvalidDocument:
        # Identical once normalised (e.g. 1.0 written as 1): nothing new to publish.
        if version is None:
            raise
        draft.delete()
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
        if not settings.DEBUG:
            # The demo staff accounts' password is printed here and in the README.
            raise CommandError(
                "seed_demo is for development only: it creates staff accounts with a published "
                f"password ({DEMO_PASSWORD}). It refuses to run with DEBUG=0 (production mode)."
            )
        files = demo_files()
        if not files:
            raise SystemExit(f"No demo assessments found in {DEMO_DIR}.")
        staff = {name: ensure_staff(name, role) for name, role in DEMO_STAFF.items()}
        links = []
        for path in files:
            version = ensure_published(path.read_text(encoding="utf-8"), staff["recruiter"])
            token = ensure_demo_invitation(version, staff["recruiter"])
            url = reverse("assessments:landing", kwargs={"token": token})
            links.append((version.content["title"], f"{settings.SITE_URL}{url}"))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            f"  Admin:   {settings.SITE_URL}/admin/  "
            f"(users {', '.join(DEMO_STAFF)}; password {DEMO_PASSWORD})"
        )
        for title, url in links:
            self.stdout.write(f"  Take '{title}': {url}")
