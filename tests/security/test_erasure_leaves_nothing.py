"""Erasure leaves nothing of the answers: not in score runs (concept phrases, model n-grams),
answer snapshots, review items or audit exports; replay says why it cannot run; the invitation
link opens no page."""

import base64
import hashlib
import io
import json
import re
import zlib

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Invitation, Response
from audit.models import AuditEvent
from compliance.services import erase_candidate, start_audit_export
from scoring.models import ReviewDecision, ReviewItem, ScoreInput, ScoreRun, ScoringJob
from scoring.services.replay import replay_score_run
from scoring.services.runs import run_scoring_job
from scoring.services.training import train_text_models
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db

ANSWER = "So sorry about the chargeback: I will refund Zebediah Quimby today, chargeback fixed."
# Words of the answer no rubric or exemplar of the assessment contains, and a fragment of one
# it shares with the text model's vocabulary (as a word or character n-gram).
DISTINCTIVE = ("zebediah", "quimby", "argeb")

EXEMPLARS = [
    ["whatever", "not my problem", "go away", "nothing to do with me"],
    ["sorry about that", "we will look into it", "sorry, we are checking", "someone will call"],
    [
        "I'm sorry for the chargeback, I will refund it today.",
        "Sorry about the chargeback: refund today and a call tomorrow.",
        "Apologies for the chargeback; your refund goes out today.",
        "So sorry, the chargeback is ours, refund today.",
    ],
]


@pytest.fixture(autouse=True)
def small_models(settings, tmp_path):
    """Audit keys in a temporary folder; text models accepted from a dozen exemplars (any
    agreement counts as meeting the automation target)."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors" / "audit-anchors.jsonl"
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "keys" / "audit-signing-key.pem"
    settings.TEXT_MODEL_MIN_EXEMPLARS = 5
    settings.TEXT_AUTO_TARGET_QWK = -1.0


@pytest.fixture
def version():
    document = small_document(slug="erasure-check")
    criterion = document["steps"][1]["criteria"][0]
    # A phrasing that spans the words around it, as recruiters write them: the matched phrase
    # then holds the customer's name the candidate typed.
    criterion["concepts"][1]["phrasings"] = [r"refund(?: \w+){0,2} today"]
    for level, texts in zip(criterion["levels"], EXEMPLARS, strict=True):
        level["exemplars"] = texts
    return published_version(document)


def take(version, email: str):
    invitation, token = invitation_for(version, name="Jane Doe", email=email)
    attempt = assessment_services.start_attempt(invitation)
    assessment_services.save_answer(attempt, "first-move", {"option": "check"})
    assessment_services.advance(attempt, "first-move")
    assessment_services.save_answer(attempt, "reply", {"text": ANSWER})
    assessment_services.advance(attempt, "reply")
    assessment_services.submit_attempt(attempt)
    job = ScoringJob.objects.get(attempt=attempt)
    run = run_scoring_job(job.pk)
    return attempt, run, token


def store_as_the_previous_engine_did(attempt, run) -> ScoreRun:
    """A run of the attempt as engines before this one stored it: each matched concept names
    the phrase of the answer it matched (now it names the phrasing and offsets only)."""
    breakdown = json.loads(run.breakdown_json)
    for step in breakdown["steps"]:
        for criterion in step["criteria"]:
            for concept in criterion["evidence"].get("concepts", []):
                found = concept["matched"] and re.search(concept["pattern"], ANSWER.lower())
                concept["phrase"] = found.group() if found else None
    text = json.dumps(breakdown, sort_keys=True, separators=(",", ":"))
    job = ScoringJob.objects.create(
        attempt=attempt, reason=ScoringJob.Reason.RESCORE, state=ScoringJob.State.DONE
    )
    return ScoreRun.objects.create(
        job=job,
        attempt=attempt,
        supersedes=run,
        engine_version="previous",
        version=run.version,
        content_sha256=run.content_sha256,
        inputs=run.inputs,
        responses_sha256=run.responses_sha256,
        breakdown_json=text,
        breakdown_sha256=hashlib.sha256(text.encode()).hexdigest(),
        overall_score=run.overall_score,
        passed=run.passed,
        needs_review=run.needs_review,
    )


@pytest.fixture
def scored(version):
    """(attempt, run, token): one attempt scored by concepts (its run as the previous engine
    stored it), then one by a text model trained for the criterion."""
    attempt, run, token = take(version, "jane@example.com")
    by_concepts = attempt, store_as_the_previous_engine_did(attempt, run), token
    assert train_text_models(version)[0].model.active
    by_model = take(version, "jane.doe@example.com")
    return by_concepts, by_model


def _criterion(run) -> dict:
    (step,) = [s for s in json.loads(run.breakdown_json)["steps"] if s["step_id"] == "reply"]
    return step["criteria"][0]


def _pdf_text(data: bytes) -> str:
    """The PDF's bytes with every compressed stream inflated (reportlab: ASCII85 + Flate)."""
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(base64.a85decode(stream.strip(), adobe=True)))
        except ValueError:
            continue
    return b"\n".join(parts).decode("latin-1")


def _audit_exports(assessment) -> str:
    texts = []
    for format in ("csv", "json", "pdf"):
        output = io.BytesIO()
        start_audit_export(assessment, format=format, actor="system").write_to(output)
        data = output.getvalue()
        texts.append(_pdf_text(data) if format == "pdf" else data.decode("utf-8"))
    return "\n".join(texts)


def _everything_kept_about(attempts, assessment) -> str:
    """The rows of these attempts in every table that could hold their words, and exports."""
    rows = [
        *Response.objects.filter(attempt__in=attempts).values(),
        *ScoreRun.objects.filter(attempt__in=attempts).values(),
        *ScoreInput.objects.filter(attempt__in=attempts).values(),
        *ScoringJob.objects.filter(attempt__in=attempts).values(),
        *ReviewItem.objects.filter(attempt__in=attempts).values(),
        *ReviewDecision.objects.filter(attempt__in=attempts).values(),
        *AuditEvent.objects.values("actor", "subject", "payload"),
    ]
    return (json.dumps(rows, default=str) + _audit_exports(assessment)).lower()


def test_no_fragment_of_the_answer_survives_erasure(scored):
    (_, concept_run, _), (_, model_run, _) = scored
    # Before: runs quote the answer (the earlier engine's phrases, the model's n-grams).
    assert _criterion(concept_run)["method"] == "concept"
    assert "zebediah quimby" in concept_run.breakdown_json
    assert _criterion(model_run)["method"] == "model"
    ngrams = [e["ngram"].strip("[]") for e in _criterion(model_run)["evidence"]["top_ngrams"]]
    assert any(ngram in ANSWER.lower() for ngram in ngrams)

    attempts = [attempt for attempt, _, _ in scored]
    for attempt in attempts:
        erase_candidate(attempt.invitation)
    kept = _everything_kept_about(attempts, attempts[0].version.assessment)
    for word in DISTINCTIVE:
        assert word not in kept, word
    for _, run, _ in scored:
        evidence = _criterion(ScoreRun.objects.get(pk=run.pk))["evidence"]
        assert all(entry["ngram"] == "(erased)" for entry in evidence.get("top_ngrams", []))
        phrases = [entry.get("phrase") for entry in evidence["concepts"]]
        assert set(phrases) <= {None, "(erased)"}
    # There is no answer left to judge: the open review of the concept-scored answer closed.
    assert not ReviewItem.objects.filter(state=ReviewItem.State.OPEN).exists()


def test_erasure_keeps_the_scores_and_replay_says_the_run_was_redacted(scored):
    (attempt, run, _), _ = scored
    erase_candidate(attempt.invitation)
    redacted = ScoreRun.objects.get(pk=run.pk)
    assert (redacted.overall_score, redacted.passed) == (run.overall_score, run.passed)
    assert redacted.breakdown_sha256 == run.breakdown_sha256  # the hash as scored
    result = replay_score_run(redacted)
    assert result.status == "unavailable"
    assert result.problem.startswith(f"redacted by erasure on {timezone.now():%Y-%m-%d}"), (
        result.problem
    )
    export = json.loads(
        "".join(
            start_audit_export(attempt.version.assessment, format="json", actor="system").chunks()
        )
    )
    exported = {r["run_id"]: r for a in export["attempts"] for r in a["score_runs"]}
    assert exported[run.pk]["breakdown_redacted_at"] is not None


def test_a_redacted_run_stays_append_only(scored):
    (attempt, run, _), _ = scored
    erase_candidate(attempt.invitation)
    forbidden = [
        {"overall_score": 100.0},
        {"breakdown_json": "{}", "redacted_at": timezone.now()},  # a second redaction
    ]
    for change in forbidden:
        with pytest.raises(IntegrityError), transaction.atomic():
            ScoreRun.objects.filter(pk=run.pk).update(**change)
    (_, other_run, _) = scored[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreRun.objects.filter(pk=other_run.pk).update(
            breakdown_json="{}", redacted_at=timezone.now(), passed=not other_run.passed
        )


def test_after_erasure_the_invitation_link_opens_no_page(scored):
    (attempt, _, token), _ = scored
    erase_candidate(attempt.invitation)
    client = Client()
    landing = client.get(f"/a/{token}/")
    assert landing.status_code == 410
    assert "was erased" in landing.content.decode()
    for path in ("step/reply", "review", "result", "my-data.json"):
        response = client.get(f"/a/{token}/{path}")
        assert response.status_code in (404, 410), path
        assert b"Zebediah" not in response.content and b"Jane" not in response.content
    # The erasure page still confirms what happened (and shows nothing else).
    assert "has been erased" in client.get(f"/a/{token}/erase").content.decode()
    assert Invitation.objects.get(pk=attempt.invitation.pk).candidate_name != "Jane Doe"
