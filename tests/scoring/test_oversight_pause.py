"""Human oversight (#17): the stop button. While an assessment's automation is paused, a
submitted attempt's every criterion goes to a person and no credential is issued; resuming
restores automation; both are audited and shown on the staff pages of the assessment."""

import json

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from assessments.exceptions import AlreadyPaused, InvalidAnswer, NotPaused
from assessments.models import AutomationPause
from assessments.tokens import hash_token
from audit.models import AuditEvent
from audit.roles import Role
from credentials import services as credential_services
from credentials.models import Credential, IssuanceJob
from scoring import engine, review_services
from scoring.engine.oversight import AUTOMATION_PAUSED, require_human_review
from scoring.models import ReviewItem, ScoreRun, ScoringJob
from scoring.services.replay import replay_score_run
from scoring.services.runs import run_scoring_job
from tests.credentials.conftest import (  # noqa: F401  (issuer_settings: autouse)
    issuer_settings,
    keyed_document,
    take_attempt,
)
from tests.credentials.test_pipeline import submit_passing_attempt, worker_environment  # noqa: F401
from tests.support.factories import invitation_for, published_version, staff_in_roles
from tests.support.journeys import wait_until
from tests.support.worker import running_worker

CRITERIA = {"first-move/choice", "reply/reply-quality"}


def criteria_of(run: ScoreRun) -> dict[str, dict]:
    breakdown = json.loads(run.breakdown_json)
    return {
        f"{criterion['step_id']}/{criterion['criterion_id']}": criterion
        for step in breakdown["steps"]
        for criterion in step["criteria"]
    }


def current_run(attempt) -> ScoreRun:
    return ScoreRun.objects.filter(attempt=attempt, superseded_by__isnull=True).get()


@pytest.mark.worker
@pytest.mark.usefixtures("worker_environment")
def test_while_paused_everything_goes_to_people_and_no_credential_until_resumed(
    transactional_db,
    clean_broker,
    recruiter,
    reviewer,
):
    version = published_version(keyed_document())
    assessment = version.assessment
    assessment_services.pause_assessment(
        assessment, user=recruiter, reason="Scores look too high since Monday."
    )
    with running_worker(clean_broker):
        paused_attempt = submit_passing_attempt(version, "paused@example.com")
        wait_until(lambda: ScoreRun.objects.filter(attempt=paused_attempt).exists())
        run = current_run(paused_attempt)
        # The machine's result is there (the reviewer's suggestion), but nothing is final.
        assert run.human_review_required and run.needs_review
        assert run.passed  # what the keys say; a person must confirm every criterion
        criteria = criteria_of(run)
        assert set(criteria) == CRITERIA
        for criterion in criteria.values():
            assert criterion["needs_review"] and AUTOMATION_PAUSED in criterion["review_reasons"]
        items = ReviewItem.objects.filter(attempt=paused_attempt, state=ReviewItem.State.OPEN)
        assert {item.criterion_key for item in items} == CRITERIA
        assert replay_score_run(run).identical  # the pause is an input of the run
        # People decide every criterion; the attempt is final and passed, yet still paused.
        for item in items:
            review_services.decide_review_item(
                item, level=2, reason="Checked against the key.", user=reviewer
            )
        wait_until(
            lambda: ScoreRun.objects.filter(
                attempt=paused_attempt, needs_review=False, superseded_by__isnull=True
            ).exists()
        )
        decided = current_run(paused_attempt)
        assert decided.passed and decided.human_review_required
        assert {c["method"] for c in criteria_of(decided).values()} == {"human"}
        assert credential_services.request_issuance_for_passes() == 0
        assert not IssuanceJob.objects.exists() and not Credential.objects.exists()

        assessment_services.resume_assessment(assessment, user=recruiter, note="Keys fixed.")
        # Resumed: the held pass is issued by the next issuance request…
        assert credential_services.request_issuance_for_passes() == 1
        wait_until(lambda: Credential.objects.filter(attempt=paused_attempt).exists())
        # …and a new attempt is scored by the machine alone, and issued unattended.
        automated = submit_passing_attempt(version, "resumed@example.com")
        wait_until(lambda: Credential.objects.filter(attempt=automated).exists(), timeout=90)
    run = current_run(automated)
    assert not run.human_review_required and not run.needs_review
    assert not any(c["needs_review"] for c in criteria_of(run).values())
    assert not ReviewItem.objects.filter(attempt=automated).exists()
    events = AuditEvent.objects.filter(subject=f"assessment:{assessment.slug}")
    paused = events.get(action="automation.paused")
    resumed = events.get(action="automation.resumed")
    assert paused.actor == resumed.actor == f"user:{recruiter.pk}"
    assert "Scores look too high since Monday." in paused.payload
    assert "Keys fixed." in resumed.payload
    stored = AuditEvent.objects.filter(
        action="score_run.stored", subject__contains=str(automated.public_id)
    )
    assert '"human_review_required":false' in stored.first().payload


@pytest.mark.django_db
def test_a_job_written_before_the_pause_is_held_until_the_resume(recruiter):
    version = published_version(keyed_document())
    _, run = take_attempt(version)
    job = credential_services.request_issuance(run)
    assessment_services.pause_assessment(version.assessment, user=recruiter, reason="Audit.")
    assert credential_services.issue_credential(job.pk) is None
    job.refresh_from_db()
    assert job.state == IssuanceJob.State.PENDING and not Credential.objects.exists()
    assessment_services.resume_assessment(version.assessment, user=recruiter)
    assert credential_services.issue_credential(job.pk) is not None


@pytest.mark.django_db
def test_pausing_needs_a_reason_and_cannot_be_doubled_nor_resumed_twice(recruiter):
    assessment = published_version().assessment
    with pytest.raises(InvalidAnswer):
        assessment_services.pause_assessment(assessment, user=recruiter, reason="  ")
    assessment_services.pause_assessment(assessment, user=recruiter, reason="Checking.")
    with pytest.raises(AlreadyPaused):
        assessment_services.pause_assessment(assessment, user=recruiter, reason="Again.")
    assessment_services.resume_assessment(assessment, user=recruiter)
    with pytest.raises(NotPaused):
        assessment_services.resume_assessment(assessment, user=recruiter)
    pause = AutomationPause.objects.get()
    assert pause.paused_by == pause.resumed_by == recruiter and pause.resumed_at is not None


# --- The pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_stop_button_on_the_admin_page_pauses_and_resumes_with_a_banner(client, recruiter):
    assessment = published_version().assessment
    assessment_services.set_assessment_owner(assessment, recruiter, user=None)
    client.force_login(recruiter)
    change = reverse("admin:assessments_assessment_change", args=[assessment.pk])
    stop = reverse("admin:assessments_assessment_automation", args=[assessment.pk])
    assert "Pause automation" in client.get(change).content.decode()
    client.post(stop, {"action": "pause", "reason": "Drift in the text model."})
    page = client.get(change).content.decode()
    assert 'data-testid="automation-paused"' in page and "Drift in the text model." in page
    assert "by recruiter" in page and "Resume automation" in page
    client.post(stop, {"action": "resume"})
    assert 'data-testid="automation-paused"' not in client.get(change).content.decode()
    assert AuditEvent.objects.filter(action__startswith="automation.").count() == 2


@pytest.mark.django_db
def test_only_the_assessments_recruiters_and_compliance_may_press_it(client, reviewer):
    assessment = published_version().assessment
    other = staff_in_roles("other-recruiter", Role.RECRUITER)
    stop = reverse("admin:assessments_assessment_automation", args=[assessment.pk])
    for user in (other, reviewer):
        client.force_login(user)
        response = client.post(stop, {"action": "pause", "reason": "No."})
        assert response.status_code == 403
    assert not AutomationPause.objects.exists()


@pytest.mark.django_db
def test_review_and_results_pages_show_the_banner_and_the_automation_bias_warning(
    client, recruiter, reviewer
):
    version = published_version(keyed_document())
    assessment_services.set_assessment_owner(version.assessment, recruiter, user=None)
    assessment_services.pause_assessment(version.assessment, user=recruiter, reason="Audit.")
    attempt, _ = take_attempt(version)
    item = ReviewItem.objects.filter(attempt=attempt).first()
    client.force_login(reviewer)
    page = client.get(reverse("review:item", args=[item.pk])).content.decode()
    assert 'data-testid="automation-paused"' in page
    assert 'data-testid="automation-bias"' in page and "automation bias" in page
    assert 'data-testid="automation-paused"' in client.get(reverse("review:queue")).content.decode()
    client.force_login(recruiter)
    for url in (
        reverse("results:table", kwargs={"slug": version.assessment.slug}),
        reverse(
            "results:report",
            kwargs={"slug": version.assessment.slug, "public_id": attempt.public_id},
        ),
    ):
        assert 'data-testid="automation-paused"' in client.get(url).content.decode(), url


@pytest.mark.django_db
def test_a_candidate_granted_an_alternative_process_is_scored_by_people_only():
    version = published_version(keyed_document())
    granted, _ = invitation_for(version, email="alt@example.com")
    other, _ = invitation_for(version, email="auto@example.com")
    request = assessment_services.request_accommodation(granted, kind="alternative_process")
    assessment_services.decide_accommodation(request, grant=True, notify=False)
    runs = {}
    for invitation in (granted, other):
        attempt = assessment_services.start_attempt(invitation)
        for step_id, answer in (
            ("first-move", {"option": "check"}),
            ("reply", {"option": "apologise"}),
        ):
            assessment_services.save_answer(attempt, step_id, answer)
            assessment_services.advance(attempt, step_id)
        assessment_services.submit_attempt(attempt)
        runs[invitation.pk] = run_scoring_job(ScoringJob.objects.get(attempt=attempt).pk)
    people = runs[granted.pk]
    assert people.human_review_required and people.needs_review
    assert {item.criterion_key for item in people.review_items.all()} == CRITERIA
    machine = runs[other.pk]
    assert not machine.human_review_required and not machine.needs_review
    assert credential_services.request_issuance(people) is None  # not final until people decide


@pytest.mark.django_db
def test_the_candidate_is_told_people_decide_while_paused(client, recruiter):
    version = published_version(keyed_document())
    assessment_services.pause_assessment(version.assessment, user=recruiter, reason="Audit.")
    attempt, _ = take_attempt(version)
    attempt.invitation.token_hash = hash_token("paused-candidate-token-0123456789")
    attempt.invitation.save(update_fields=["token_hash"])
    page = client.get(
        reverse("scoring:result", kwargs={"token": "paused-candidate-token-0123456789"})
    )
    assert "people, not the automated tool, decide your result" in page.content.decode()


def test_the_engine_step_flags_every_undecided_criterion_and_leaves_peoples_alone():
    document = keyed_document()
    answers = {"first-move": {"option": "check"}, "reply": {"option": "apologise"}}
    decided = {"reply/reply-quality": engine.HumanOverride(level=1, reviewer="r", reason="ok")}
    machine = engine.score(document, answers, {}, decided)
    paused = require_human_review(machine)
    flagged = {c.key: c for c in paused.criteria()}
    assert flagged["first-move/choice"].needs_review
    assert flagged["first-move/choice"].review_reasons == (AUTOMATION_PAUSED,)
    assert not flagged["reply/reply-quality"].needs_review  # a person decided it
    assert paused.overall.review_items == ("first-move/choice",) and paused.needs_review
    assert paused.overall_score == machine.overall_score and paused.passed == machine.passed
    # Pure and idempotent: the same bytes every time, and twice is once.
    assert require_human_review(paused).canonical_json() == paused.canonical_json()
    assert not machine.needs_review  # the machine's own breakdown is untouched
