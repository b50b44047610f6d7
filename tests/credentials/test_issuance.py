"""Issuing: a passed score run becomes exactly one signed OB 3.0 credential with every field."""

import hashlib
import json

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from assessments import services as assessment_services
from audit.models import AuditEvent
from credentials import services
from credentials.models import Credential, IssuanceJob, LerAccessToken
from credentials.schemas import ACHIEVEMENT_CREDENTIAL, schema_errors
from credentials.selectors import credential_link_for_attempt
from scoring.models import ScoringJob
from scoring.presenters import credential_link
from scoring.services.runs import run_scoring_job
from tests.credentials.conftest import issue_for, keyed_document, take_attempt
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version
from tests.support.outbox import send_queued_emails

PAGE = "http://testserver/assessments/small-support/v1/"


def test_credential_has_the_contexts_in_order_a_urn_uuid_id_and_both_types(document, credential):
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["id"] == f"urn:uuid:{credential.public_id}"
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["name"] == "Small support scenario"


def test_issuer_is_the_did_web_profile_of_the_site(document):
    assert document["issuer"] == {
        "id": "did:web:testserver",
        "type": ["Profile"],
        "name": "Acme Hiring",
        "url": "http://testserver",
        "description": document["issuer"]["description"],
    }


def test_dates_follow_the_assessments_validity(document, credential):
    assert document["validFrom"] == document["awardedDate"]
    assert document["validFrom"] == credential.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (credential.valid_until - credential.issued_at).days == 365
    assert document["validUntil"] == credential.valid_until.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_no_valid_until_when_the_assessment_sets_no_validity(db):
    version = published_version(keyed_document())
    _, run = take_attempt(version)
    document = json.loads(issue_for(run).document)
    assert "validUntil" not in document


def test_subject_is_identified_by_a_salted_hash_of_the_email(document):
    subject = document["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert "id" not in subject
    [identity] = subject["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    expected = hashlib.sha256(("ada@example.com" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert "ada@example.com" not in json.dumps(document)
    assert subject["source"]["name"] == "Skillproof"


def test_achievement_names_criteria_alignments_and_results_per_skill(document):
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == "Small support scenario"
    assert achievement["description"] == "A short scenario used by tests."
    assert achievement["achievementType"] == "Competency"
    narrative = achievement["criteria"]["narrative"]
    assert "at least 50 out of 100" in narrative
    assert "Judgement at least 50 and Writing at least 40" in narrative
    assert "certifies Judgement and Writing" in narrative
    # Every framework entry of every certified skill.
    assert [entry["targetName"] for entry in achievement["alignment"]] == [
        "Making Decisions and Solving Problems",
        "communicate with customers",
        "Communicating with People Outside the Organization",
    ]
    descriptions = {entry["id"]: entry for entry in achievement["resultDescription"]}
    judgement = descriptions[f"{PAGE}#skill-judgement"]
    assert judgement["name"] == "Judgement"
    assert judgement["resultType"] == "RubricCriterionLevel"
    assert [level["name"] for level in judgement["rubricCriterionLevel"]] == [
        "Emerging",
        "Developing",
        "Proficient",
        "Advanced",
    ]
    assert judgement["alignment"][0]["targetFramework"] == "O*NET"
    results = {result["resultDescription"]: result for result in subject["result"]}
    assert results[f"{PAGE}#skill-judgement"]["achievedLevel"] == f"{PAGE}#skill-judgement-advanced"
    assert results[f"{PAGE}#skill-judgement"]["value"] == "100"
    assert results[f"{PAGE}#skill-writing"]["value"] == "100"
    assert results[f"{PAGE}#overall"]["value"] == "100"


def test_evidence_points_to_the_public_assessment_page(document, client):
    [evidence] = document["evidence"]
    assert evidence["id"] == PAGE
    assert evidence["type"] == ["Evidence"]
    page = client.get("/assessments/small-support/v1/")
    assert page.status_code == 200


def test_status_entry_and_a_single_eddsa_rdfc_2022_proof(document, credential):
    status = document["credentialStatus"]
    list_url = f"http://testserver/credentials/status/{credential.status_list_id}"
    assert status == {
        "id": f"{list_url}#{credential.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(credential.status_index),
        "statusListCredential": list_url,
    }
    [proof] = document["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == f"did:web:testserver#{credential.issuer_key.kid}"
    assert proof["proofValue"].startswith("z")


def test_every_issued_credential_validates_against_the_ob_schema(version):
    for number in range(3):
        _, run = take_attempt(version, email=f"c{number}@example.com")
        document = json.loads(issue_for(run).document)
        assert schema_errors(document, ACHIEVEMENT_CREDENTIAL) == []


def test_duplicated_task_issues_one_credential(passed):
    _, run = passed
    job = services.request_issuance(run)
    first = services.issue_credential(job.pk)
    assert services.issue_credential(job.pk) is None  # the duplicate delivery does nothing
    assert services.request_issuance(run) is None  # a second job cannot be written
    assert services.request_issuance_for_passes() == 0
    assert Credential.objects.filter(run=run).count() == 1
    assert IssuanceJob.objects.get().state == IssuanceJob.State.DONE
    assert first.job == job


def test_database_refuses_a_second_credential_for_a_run_and_achievement(credential):
    with pytest.raises(IntegrityError), transaction.atomic():
        Credential.objects.create(
            public_id="00000000-0000-4000-8000-000000000000",
            job=IssuanceJob.objects.create(
                run=credential.run, attempt=credential.attempt, achievement="other/v1"
            ),
            run=credential.run,
            attempt=credential.attempt,
            achievement=credential.achievement,
            record=credential.record,
            issuer_key=credential.issuer_key,
            status_list=credential.status_list,
            status_index=credential.status_index + 1,
            name="duplicate",
            document="{}",
            document_sha256="0" * 64,
            issued_at=credential.issued_at,
        )


def test_jobs_are_written_for_passed_runs_only_and_sent_after_commit(
    version, django_capture_on_commit_callbacks
):
    _, passed_run = take_attempt(version, email="pass@example.com")
    take_attempt(version, email="fail@example.com", passing=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.request_issuance_for_passes() == 1
    job = IssuanceJob.objects.get()
    assert job.run == passed_run
    assert job.achievement == "small-support/v1"
    assert (job.state, job.enqueue_count) == (IssuanceJob.State.PENDING, 1)
    assert len(callbacks) == 1  # its message leaves only once the job is committed


def test_a_run_that_needs_review_waits_for_the_reviewer(db):
    version = published_version(small_document())
    invitation, _ = invitation_for(version)
    attempt = assessment_services.start_attempt(invitation)
    assessment_services.save_answer(attempt, "first-move", {"option": "check"})
    assessment_services.advance(attempt, "first-move")
    assessment_services.save_answer(attempt, "reply", {"text": "Sorry, I will refund it today."})
    assessment_services.submit_attempt(attempt)
    run = run_scoring_job(ScoringJob.objects.get(attempt=attempt).pk)
    assert run.needs_review
    assert services.request_issuance_for_passes() == 0
    assert not IssuanceJob.objects.exists()


def test_issuance_emails_a_one_time_link_and_is_audited(passed):
    _, run = passed
    credential = issue_for(run)
    assert send_queued_emails() == 1  # queued in the issuing transaction
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Small support scenario" in message.subject
    assert "http://testserver/ler/open/" in message.body
    assert message.alternatives and "Open your credential" in message.alternatives[0][0]
    credential.refresh_from_db()
    assert credential.emailed_at is not None
    token = message.body.split("http://testserver/ler/open/")[1].split()[0]
    assert LerAccessToken.objects.filter(
        token_hash=hashlib.sha256(token.encode()).hexdigest()
    ).exists()
    event = AuditEvent.objects.filter(action="credential.issued").get()
    assert json.loads(event.payload)["credential"] == credential.urn


def test_status_indexes_are_distinct_and_never_reused(version):
    credentials = [
        issue_for(take_attempt(version, email=f"n{number}@example.com")[1]) for number in range(6)
    ]
    indexes = [(c.status_list_id, c.status_index) for c in credentials]
    assert len(set(indexes)) == len(indexes)
    services.revoke_credential(credentials[0], reason="test", user=_superuser())
    later = issue_for(take_attempt(version, email="later@example.com")[1])
    assert (later.status_list_id, later.status_index) not in indexes


def test_result_page_gets_a_link_to_the_credential(passed):
    attempt, run = passed
    assert credential_link_for_attempt(attempt) is None
    credential = issue_for(run)
    link = credential_link_for_attempt(attempt)
    assert link == f"/ler/credentials/{credential.public_id}/"
    assert credential_link(attempt) == link  # registered with scoring's hook at start-up


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "pw")
