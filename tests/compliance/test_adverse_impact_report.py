"""The bias audit over real rows: demographics joined to current score runs, by command/page.

(The pure LL144 computation has its own hand-computed tests in test_bias.py.)
"""

import json
import statistics
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Action
from compliance import demographics
from compliance.services import compute_bias_report, export_bias_audit
from tests.compliance.helpers import bulk_scored_attempts

pytestmark = pytest.mark.django_db

# (sex, race/ethnicity, candidates, passed). 61 with known values, 5 who declined everything.
COHORT = [
    ("female", "white", 20, 10),
    ("male", "white", 20, 16),
    ("female", "black-or-african-american", 10, 3),
    ("male", "black-or-african-american", 10, 6),
    ("female", "asian", 1, 1),  # 1 of 61: under 2%, excluded from impact ratios
    ("", "", 5, 2),  # declined
]


def _cohort(version, *, submitted_at=None):
    rows, answers = [], []
    index = 0
    for sex, race, count, passed in COHORT:
        for i in range(count):
            index += 1
            selected = i < passed
            rows.append(
                {
                    "email": f"c{index}@example.com",
                    "passed": selected,
                    "score": (70.0 if selected else 30.0) + index % 7,
                    **({"submitted_at": submitted_at} if submitted_at else {}),
                }
            )
            answers.append((sex, race))
    attempts = bulk_scored_attempts(version, rows)
    for attempt, (sex, race) in zip(attempts, answers, strict=True):
        demographics.save_self_identification(
            attempt.public_id, sex=sex, race_ethnicity=race, declined=not (sex or race)
        )
    return attempts, rows


@pytest.fixture
def cohort(scored):
    return _cohort(scored.version)


def test_selection_rates_impact_ratios_and_flags_match_the_hand_computed_example(
    scored, cohort, settings
):
    # The arithmetic is pinned with suppression off; tests/security covers suppression.
    settings.BIAS_AUDIT_MIN_CELL = 1
    assessment = scored.version.assessment
    report = compute_bias_report(assessment, exclude_small_categories=True).to_json_dict()
    assert report["n"] == 66
    sex = report["dimensions"]["sex"]
    assert (sex["known"], sex["unknown"]) == (61, 5)
    female = sex["selection"]["categories"][0]
    male = sex["selection"]["categories"][1]
    assert (female["category"], female["n"], female["selected"]) == ("female", 31, 14)
    assert (male["category"], male["n"], male["selected"]) == ("male", 30, 22)
    assert female["selection_rate"] == round(14 / 31, 4)
    assert female["impact_ratio"] == round((14 / 31) / (22 / 30), 4)
    assert female["flag"] is True and male["flag"] is False
    assert female["p_value"] is not None and male["impact_ratio"] == 1.0

    race = {
        c["category"]: c for c in report["dimensions"]["race_ethnicity"]["selection"]["categories"]
    }
    assert race["white"]["selection_rate"] == 0.65
    assert race["black-or-african-american"]["impact_ratio"] == round(0.45 / 0.65, 4)
    assert race["black-or-african-american"]["flag"] is True
    # The small-category rule: listed, but excluded from impact ratios.
    assert race["asian"]["excluded"] is True and race["asian"]["impact_ratio"] is None

    both = report["dimensions"]["intersectional"]["selection"]
    assert both["reference"] == "male/white"
    ratios = {c["category"]: c["impact_ratio"] for c in both["categories"]}
    assert ratios["female/white"] == 0.625
    assert ratios["female/black-or-african-american"] == 0.375
    assert ratios["male/black-or-african-american"] == 0.75
    assert ratios["female/asian"] is None


def test_scoring_rate_counts_scores_strictly_above_the_median_of_everyone(scored, cohort):
    _, rows = cohort
    median = statistics.median(row["score"] for row in rows)
    report = compute_bias_report(scored.version.assessment).to_json_dict()
    assert report["median_score"] == median
    female = report["dimensions"]["sex"]["scoring"]["categories"][0]
    female_scores = [
        row["score"] for row, (sex, *_rest) in zip(rows, _answers(), strict=True) if sex == "female"
    ]
    assert female["scored_above_median"] == sum(score > median for score in female_scores)


def _answers():
    return [(sex, race) for sex, race, count, _ in COHORT for _ in range(count)]


def test_only_the_latest_scored_attempt_of_a_candidate_counts(scored):
    first = scored.take(email="twice@example.com", option="ignore")
    demographics.save_self_identification(first.public_id, sex="female", race_ethnicity="white")
    report = compute_bias_report(scored.version.assessment)
    assert report.n == 1 and report.dimension("sex").known == 1
    # A retake on the same invitation (the later attempt) replaces the first in the audit.
    retake = {"passed": True, "submitted_at": first.submitted_at + timedelta(hours=1)}
    later = bulk_scored_attempts(scored.version, [retake])[0]
    later.invitation = first.invitation
    later.save(update_fields=["invitation"])
    report = compute_bias_report(scored.version.assessment)
    assert report.n == 1 and report.dimension("sex").unknown == 1  # the retake has no answers


def test_attempts_not_scored_yet_are_left_out(scored, cohort):
    scored.take(score=False)
    assert compute_bias_report(scored.version.assessment).n == 66


def test_dates_filter_by_submission_day(scored):
    old = timezone.now() - timedelta(days=40)
    _cohort(scored.version, submitted_at=old)
    recent_from = (timezone.now() - timedelta(days=10)).date()
    assert compute_bias_report(scored.version.assessment, date_from=recent_from).n == 0
    everything = compute_bias_report(scored.version.assessment, date_to=timezone.now().date())
    assert everything.n == 66 and everything.date_from == old.date()


def test_json_command_lists_every_dimension_with_the_required_fields(scored, cohort, capsys):
    call_command("bias_audit", assessment=scored.version.assessment.slug, format="json")
    document = json.loads(capsys.readouterr().out)
    assert document["assessment"] == scored.version.assessment.slug
    assert set(document["date_range"]) == {"from", "to"}
    for name in ("sex", "race_ethnicity", "intersectional"):
        dimension = document["dimensions"][name]
        assert "unknown" in dimension
        for category in dimension["selection"]["categories"]:
            assert {
                "n",
                "selected",
                "selection_rate",
                "impact_ratio",
                "excluded",
                "flag",
                "p_value",
            } <= set(category)
        for category in dimension["scoring"]["categories"]:
            assert {"n", "scored_above_median", "scoring_rate", "impact_ratio", "flag"} <= set(
                category
            )


def test_command_writes_csv_pdf_and_html(scored, cohort, tmp_path):
    slug = scored.version.assessment.slug
    for fmt in ("csv", "pdf", "html"):
        path = tmp_path / f"bias.{fmt}"
        call_command(
            "bias_audit",
            assessment=slug,
            format=fmt,
            output=str(path),
            **{"date_from": "2000-01-01", "date_to": "2999-12-31"},
        )
        assert path.stat().st_size > 0
    assert (tmp_path / "bias.pdf").read_bytes().startswith(b"%PDF")
    assert 'class="flagged"' in (tmp_path / "bias.html").read_text()
    assert (tmp_path / "bias.csv").read_text().startswith("dimension,variant,category")


def test_command_refuses_a_bad_date_and_a_reversed_range(scored):
    slug = scored.version.assessment.slug
    with pytest.raises(CommandError, match="not a date"):
        call_command("bias_audit", assessment=slug, date_from="yesterday")
    with pytest.raises(CommandError, match="after the end"):
        call_command("bias_audit", assessment=slug, date_from="2024-02-01", date_to="2024-01-01")


def test_each_bias_audit_is_recorded_without_per_person_data(scored, cohort):
    output = export_bias_audit(scored.version.assessment, format="csv", actor="user:7")
    event = AuditEvent.objects.get(pk=output.event.pk)
    assert event.action == Action.REPORT_EXPORTED
    assert json.loads(event.payload)["report"] == "bias_audit"
    assert json.loads(event.payload)["records"] == 66


def test_a_tiny_p_value_reads_p_less_than_not_p_equals_less_than():
    from datetime import date

    from compliance.bias import AuditRecord, compute_bias_audit

    records = [AuditRecord("male", "white", True, 90.0, date(2024, 1, 1))] * 200 + [
        AuditRecord("female", "white", False, 10.0, date(2024, 1, 1))
    ] * 200
    findings = " ".join(compute_bias_audit(records).summary)
    assert "p < 0.0001" in findings and "p = <" not in findings
