"""The automation page (coverage and agreement per free-text criterion): who may see it, and
its figures against a count of the breakdowns and a QWK computed here by hand."""

import json
from collections import Counter

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from audit.roles import Role
from scoring.management.simulation import simulate_candidates
from scoring.models import ReviewItem, ScoreRun
from scoring.review_services import decide_review_item
from scoring.services.training import train_text_models
from tests.scoring.support import demo_document
from tests.support.factories import staff_in_roles

pytestmark = pytest.mark.django_db

SLUG = "incident-triage"
KEY = "status-update/customer-update"


def hand_qwk(human: list[int], machine: list[int], n: int) -> float:
    """Quadratic weighted kappa from its definition: 1 - sum(w * observed) / sum(w * expected)."""
    observed = Counter(zip(human, machine, strict=True))
    rows, cols, total = Counter(human), Counter(machine), len(human)
    weight = [[(i - j) ** 2 / (n - 1) ** 2 for j in range(n)] for i in range(n)]
    disagreement = sum(weight[i][j] * observed[i, j] for i in range(n) for j in range(n))
    chance = sum(weight[i][j] * rows[i] * cols[j] / total for i in range(n) for j in range(n))
    return 1 - disagreement / chance


@pytest.fixture
def owner(db):
    return staff_in_roles("owner", Role.RECRUITER)


@pytest.fixture
def version(owner):
    return assessment_services.publish_document(demo_document(SLUG), user=owner)


def _urls(slug=SLUG):
    return [
        reverse("results:automation", args=[slug]),
        reverse("results:automation-json", args=[slug]),
    ]


def test_only_the_assessments_recruiters_and_compliance_see_it(client, version, owner):
    for url in _urls():
        assert "/login/" in client.get(url)["Location"]
    cases = [
        (staff_in_roles("rev", Role.REVIEWER), 403),
        (staff_in_roles("stranger", Role.RECRUITER), 404),
        (staff_in_roles("nobody"), 403),
        (owner, 200),
        (staff_in_roles("auditor", Role.COMPLIANCE), 200),
    ]
    for user, status in cases:
        client.force_login(user)
        for url in _urls():
            assert client.get(url).status_code == status, (user.username, url)
    shared = staff_in_roles("colleague", Role.RECRUITER)
    version.assessment.shared_with.add(shared)
    client.force_login(shared)
    assert all(client.get(url).status_code == 200 for url in _urls())
    client.force_login(owner)
    assert client.get(reverse("results:automation", args=["no-such"])).status_code == 404


def test_figures_and_the_flag_when_live_agreement_falls_below_the_target(
    client, settings, version, owner
):
    settings.TEXT_AUTO_TARGET_QWK = 0.7
    (model,) = [o.model for o in train_text_models(version) if o.criterion_key == KEY]
    assert model.active
    settings.TEXT_QC_SAMPLE_RATE = 1.0
    simulate_candidates(version, count=16, seed=21, score_inline=True)
    checks = list(ReviewItem.objects.filter(criterion_key=KEY, quality_control=True))
    assert len(checks) >= 10
    reviewer = staff_in_roles("rev", Role.REVIEWER)
    # The reviewers disagree: two levels off the machine wherever they can be.
    pairs = []
    for item in checks:
        level = item.machine_level + 2 if item.machine_level < 2 else item.machine_level - 2
        decide_review_item(item, level=level, reason="Checked.", user=reviewer)
        pairs.append((level, item.machine_level))

    client.force_login(owner)
    figures = client.get(reverse("results:automation-json", args=[SLUG])).json()
    (row,) = [c for c in figures["criteria"] if c["criterion"] == KEY]

    # Coverage from the first runs' breakdowns, read here independently.
    firsts = ScoreRun.objects.filter(supersedes__isnull=True, version=version)
    settled = 0
    for run in firsts:
        for step in json.loads(run.breakdown_json)["steps"]:
            for criterion in step["criteria"]:
                if f"{criterion['step_id']}/{criterion['criterion_id']}" == KEY:
                    settled += not criterion["needs_review"]
    live = row["live"]
    assert (live["answers_scored"], live["answers_automated"]) == (firsts.count(), settled)
    assert live["coverage"] == pytest.approx(settled / firsts.count())
    assert live["quality_control_reviews"] == len(checks)
    human, machine = zip(*pairs, strict=True)
    assert live["qwk"] == pytest.approx(hand_qwk(list(human), list(machine), 4), abs=1e-4)
    assert live["qwk"] < 0.7 and row["below_target"] is True
    metadata = json.loads(bytes(model.artifact))["metadata"]
    assert row["model_sha256"] == model.sha256
    assert row["cross_validated"] == {
        "qwk": round(model.cv_qwk, 4),
        "coverage": metadata["cv_coverage"],
        "qwk_auto": metadata["cv_qwk_auto"],
    }
    assert figures["target_qwk"] == 0.7 and figures["quality_control_sample_rate"] == 1.0

    page = client.get(reverse("results:automation", args=[SLUG])).content.decode()
    assert page.count('data-testid="below-target"') == 1
    assert 'role="img"' in page and "Agreement (QWK), quality control" in page
    assert "style=" not in page.split("<main", 1)[-1]  # CSP: no inline style in the page


def test_no_flag_on_too_few_quality_control_reviews(client, settings, version, owner):
    settings.TEXT_AUTO_TARGET_QWK = 0.7
    train_text_models(version)
    settings.TEXT_QC_SAMPLE_RATE = 1.0
    simulate_candidates(version, count=4, seed=22, score_inline=True)
    reviewer = staff_in_roles("rev", Role.REVIEWER)
    checks = list(ReviewItem.objects.filter(criterion_key=KEY, quality_control=True)[:3])
    for item in checks:
        level = 0 if item.machine_level > 1 else 3
        decide_review_item(item, level=level, reason="Checked.", user=reviewer)
    client.force_login(owner)
    (row,) = [
        c
        for c in client.get(reverse("results:automation-json", args=[SLUG])).json()["criteria"]
        if c["criterion"] == KEY
    ]
    assert row["live"]["quality_control_reviews"] == len(checks)
    assert row["below_target"] is False


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_in_chromium_passes_axe_and_the_csp(live_server, page, settings):
    from django.contrib.auth.models import Group

    from assessments.management.commands.seed_demo import DEMO_PASSWORD, ensure_staff
    from tests.support.browser import assert_no_axe_violations

    Group.objects.get_or_create(name=Role.RECRUITER.value)  # a flush may have removed it
    recruiter = ensure_staff("recruiter", Role.RECRUITER)
    settings.TEXT_AUTO_TARGET_QWK = 0.7
    version = assessment_services.publish_document(demo_document(SLUG), user=recruiter)
    train_text_models(version)
    simulate_candidates(version, count=4, seed=23, score_inline=True)

    page.goto(f"{live_server.url}/results/{SLUG}/")  # sends to the sign-in page first
    page.get_by_label("Username").fill("recruiter")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_test_id("automation-link").click()
    page.wait_for_url(f"**/results/{SLUG}/automation/")
    assert page.get_by_role("img").count() == 2  # a chart per free-text criterion
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_axe_violations(page, f"the automation page at {width} px")
