"""Credentials test fixtures: a private key directory, passing attempts, issued credentials."""

import json

import pytest

from assessments import services as assessment_services
from credentials import services
from credentials.models import IssuanceJob
from scoring.models import ScoringJob
from scoring.services.runs import run_scoring_job
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version

SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def issuer_settings(settings, tmp_path, monkeypatch):
    """Each test signs with keys in its own directory, as the issuer of http://testserver."""
    monkeypatch.delenv("ISSUER_SECRET_KEY", raising=False)
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    settings.ISSUER_SECRET_KEY = None
    settings.SITE_URL = SITE_URL
    settings.ISSUER_NAME = "Acme Hiring"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


ALIGNMENTS = {
    "judgement": [
        {
            "framework": "O*NET",
            "code": "4.A.2.b.1",
            "name": "Making Decisions and Solving Problems",
            "url": "https://www.onetonline.org/find/descriptor/result/4.A.2.b.1",
        }
    ],
    "writing": [
        {
            "framework": "ESCO",
            "code": "S1.1.1",
            "name": "communicate with customers",
            "url": "https://esco.ec.europa.eu/en/classification/skill?uri=http%3A%2F%2Fdata",
        },
        {
            "framework": "O*NET",
            "code": "4.A.4.a.3",
            "name": "Communicating with People Outside the Organization",
            "url": "https://www.onetonline.org/find/descriptor/result/4.A.4.a.3",
        },
    ],
}


def keyed_document(**overrides) -> dict:
    """The small document with its written step turned into a keyed choice, so that a pass
    needs no human review (concept-scored text always asks for one) and issues at once."""
    document = small_document(**overrides)
    for skill in document["skills"]:
        skill["alignments"] = ALIGNMENTS[skill["id"]]
    reply = document["steps"][1]
    reply["item"] = {
        "type": "single_choice",
        "options": [
            {
                "id": "apologise",
                "text": "Apologise and refund today",
                "points": 2,
                "rationale": "Kind and concrete.",
            },
            {
                "id": "policy",
                "text": "Quote the refund policy",
                "points": 1,
                "rationale": "Correct but cold.",
            },
            {"id": "blame", "text": "Blame the bank", "points": 0, "rationale": "Not helpful."},
        ],
    }
    reply["criteria"] = [
        {
            "id": "reply-quality",
            "skill": "writing",
            "weight": 1,
            "levels": document["steps"][0]["criteria"][0]["levels"],
        }
    ]
    return document


def take_attempt(version, *, email="ada@example.com", name="Ada Candidate", passing=True):
    """A submitted attempt of the keyed document, scored; returns (attempt, run)."""
    invitation, _token = invitation_for(version, name=name, email=email)
    attempt = assessment_services.start_attempt(invitation)
    assessment_services.save_answer(
        attempt, "first-move", {"option": "check" if passing else "ignore"}
    )
    assessment_services.advance(attempt, "first-move")
    assessment_services.save_answer(
        attempt, "reply", {"option": "apologise" if passing else "blame"}
    )
    assessment_services.advance(attempt, "reply")
    assessment_services.submit_attempt(attempt)
    job = ScoringJob.objects.filter(attempt=attempt).latest("pk")
    run = run_scoring_job(job.pk)
    attempt.refresh_from_db()
    return attempt, run


def issue_for(run):
    """Write the issuance job for a passed run and run it, as the worker would."""
    job = services.request_issuance(run) or IssuanceJob.objects.get(run=run)
    return services.issue_credential(job.pk)


@pytest.fixture
def version(db):
    return published_version(keyed_document(validity_days=365))


@pytest.fixture
def passed(version):
    """A passed attempt and its score run."""
    attempt, run = take_attempt(version)
    assert run.passed and not run.needs_review, json.loads(run.breakdown_json)["overall"]
    return attempt, run


@pytest.fixture
def credential(passed):
    """An issued credential for the passed attempt."""
    return issue_for(passed[1])


@pytest.fixture
def document(credential) -> dict:
    """The issued credential as JSON."""
    return json.loads(credential.document)
