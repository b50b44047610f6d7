"""seed_demo loads the demo library through import-as-draft and publish, idempotently."""

import io

import pytest
from django.core.management import call_command

from assessments.authoring.models import AssessmentDraft
from assessments.management.commands.seed_demo import demo_files
from assessments.models import AssessmentVersion, Invitation
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development_mode(settings):
    """seed_demo runs only in development (pytest-django turns DEBUG off)."""
    settings.DEBUG = True


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state():
    return (
        list(AssessmentVersion.objects.values_list("assessment__slug", "number", "content_sha256")),
        Invitation.objects.count(),
        AuditEvent.objects.count(),
        AssessmentDraft.objects.count(),
    )


def test_seed_demo_publishes_every_demo_file_and_running_twice_changes_nothing(client):
    first_output = seed()
    first_state = state()
    slugs = {slug for slug, _, _ in first_state[0]}
    assert slugs == {path.stem for path in demo_files()}
    assert "all-item-types" not in slugs
    assert first_state[3] == 0  # drafts are closed once published
    assert seed() == first_output
    assert state() == first_state
    links = [line.split(": ", 1)[1] for line in first_output.splitlines() if "Take '" in line]
    assert len(links) == len(slugs)
    for link in links:
        response = client.get(link.split("127.0.0.1:8000", 1)[-1])
        assert response.status_code == 200, link


def test_seed_demo_versions_equal_the_demo_files():
    import yaml

    seed()
    for path in demo_files():
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        version = AssessmentVersion.objects.get(assessment__slug=document["slug"])
        assert version.content == document
