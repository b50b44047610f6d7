"""The funnel on /results/: counts, conversion and median times equal a hand computation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Attempt, Invitation
from results import selectors, services
from results.models import ResultRow
from tests.support.factories import invitation_for

pytestmark = pytest.mark.django_db


def test_funnel_counts_and_medians_equal_a_hand_computation(scored, recruiter):
    t0 = timezone.now() - timedelta(days=2)
    scored_attempts = [scored.take(name=f"Scored {i}") for i in range(3)]
    waiting = scored.take(name="Not scored yet", score=False)
    invitation, _ = invitation_for(scored.version, name="Started only", email="s@x.org")
    started = assessment_services.start_attempt(invitation)
    invitation_for(scored.version, name="Invited only", email="i@x.org")
    Invitation.objects.update(created_at=t0)
    # Started 1..5 hours after the invitation; submitted 30, 60, 90 and 20 minutes later.
    for hours, attempt in enumerate([*scored_attempts, waiting, started], start=1):
        Attempt.objects.filter(pk=attempt.pk).update(started_at=t0 + timedelta(hours=hours))
    for attempt, minutes in zip([*scored_attempts, waiting], [30, 60, 90, 20], strict=True):
        start = Attempt.objects.get(pk=attempt.pk).started_at
        Attempt.objects.filter(pk=attempt.pk).update(
            submitted_at=start + timedelta(minutes=minutes)
        )
    services.refresh_result_rows([scored.version.assessment_id])
    # Scored 10, 20 and 60 seconds after submission; one passed, one waits for review.
    outcomes = [(10, True, False), (20, True, True), (60, False, False)]
    for attempt, (seconds, passed, review) in zip(scored_attempts, outcomes, strict=True):
        submitted = Attempt.objects.get(pk=attempt.pk).submitted_at
        ResultRow.objects.filter(attempt=attempt).update(
            first_scored_at=submitted + timedelta(seconds=seconds),
            scored_at=submitted + timedelta(seconds=seconds),
            passed=passed,
            needs_review=review,
        )

    [funnel] = selectors.funnels(recruiter, [scored.version.assessment])

    stages = {stage.key: stage for stage in funnel.stages}
    assert {key: stage.count for key, stage in stages.items()} == {
        "invited": 6,
        "started": 5,
        "submitted": 4,
        "scored": 3,
        "review": 1,
        "passed": 1,
    }
    assert stages["invited"].conversion is None
    assert stages["started"].conversion == pytest.approx(5 / 6)
    assert stages["submitted"].conversion == pytest.approx(4 / 5)
    assert stages["scored"].conversion == pytest.approx(3 / 4)
    assert stages["review"].conversion == pytest.approx(1 / 3)
    assert stages["passed"].conversion == pytest.approx(1 / 3)
    assert stages["started"].median_wait == timedelta(hours=3)  # of 1, 2, 3, 4, 5 hours
    assert stages["submitted"].median_wait == timedelta(minutes=45)  # of 20, 30, 60, 90
    assert stages["scored"].median_wait == timedelta(seconds=20)  # of 10, 20, 60
    assert funnel.last_activity == max(
        Attempt.objects.get(pk=scored_attempts[2].pk).submitted_at + timedelta(seconds=60),
        Attempt.objects.get(pk=started.pk).started_at,
    )


def test_index_lists_each_visible_assessment_with_its_funnel(client, recruiter, cohort):
    client.force_login(recruiter)
    page = client.get(reverse("results:index"))
    assert page.status_code == 200
    [funnel] = page.context["funnels"]
    assert funnel.stages[0].count == 4
    assert 'data-stage="passed"' in page.content.decode()
