"""The bias audit's third variant: selection = advanced by a recruiter (the decision in force).

Simulated candidates get decisions with a history (an advance later put on hold does not count,
a reject later turned into an advance does); impact ratios by sex, race/ethnicity and their
intersection must equal the hand computation below, in JSON and in the HTML page, with small
cells suppressed and the 2% option applied as in the other variants.
"""

import json
import re
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Attempt
from audit.roles import Role
from results.models import Decision
from tests.compliance.helpers import bulk_candidates_with_answers
from tests.support.factories import published_version, staff_in_roles

pytestmark = pytest.mark.django_db

BLACK = "black-or-african-american"
HISPANIC = "hispanic-or-latino"
# (sex, race/ethnicity, people, passed, advanced): who passed and whom a recruiter advanced
# differ on purpose, so the variant cannot be read from the pass.
COHORT = [
    ("female", "white", 20, 10, 12),
    ("male", "white", 20, 12, 15),
    ("female", BLACK, 10, 4, 3),
    ("male", BLACK, 10, 6, 6),
    ("female", "asian", 3, 3, 3),  # under 5 people: suppressed
    ("male", "asian", 6, 2, 2),
    ("female", HISPANIC, 8, 4, 4),
    ("male", HISPANIC, 8, 4, 2),
]
# By hand, from COHORT (advanced / people; impact ratio against the highest shown rate).
# Sex: female 22/41, male 25/44 (reference).
# Race: white 27/40 (reference), Black 9/20, Asian 5/9, Hispanic 6/16.
# Sex by race: Asian women are under 5; so that they cannot be worked out from the table's,
# the women's and the men's totals, Asian men, Hispanic women and Hispanic men are hidden too.
# Shown: white women 12/20, white men 15/20 (reference), Black women 3/10, Black men 6/10.
EXPECTED = {
    "sex": {"female": Fraction(22, 41) / Fraction(25, 44), "male": Fraction(1)},
    "race_ethnicity": {
        "white": Fraction(1),
        BLACK: Fraction(9, 20) / Fraction(27, 40),
        "asian": Fraction(5, 9) / Fraction(27, 40),
        HISPANIC: Fraction(6, 16) / Fraction(27, 40),
    },
    "intersectional": {
        "female/white": Fraction(12, 20) / Fraction(15, 20),
        "male/white": Fraction(1),
        f"female/{BLACK}": Fraction(3, 10) / Fraction(15, 20),
        f"male/{BLACK}": Fraction(6, 10) / Fraction(15, 20),
    },
}
SUPPRESSED = {
    "female/asian": "fewer than 5",
    "male/asian": "suppressed",
    f"female/{HISPANIC}": "suppressed",
    f"male/{HISPANIC}": "suppressed",
}
REFERENCES = {"sex": "male", "race_ethnicity": "white", "intersectional": "male/white"}
HTML_LABELS = {
    "sex": {"female": "Female", "male": "Male"},
    "race_ethnicity": {
        "white": "White",
        BLACK: "Black or African American",
        "asian": "Asian",
        HISPANIC: "Hispanic or Latino",
    },
    "intersectional": {
        "female/white": "Female / White",
        "male/white": "Male / White",
        f"female/{BLACK}": "Female / Black or African American",
        f"male/{BLACK}": "Male / Black or African American",
    },
}


def _decisions(attempt: Attempt, advanced: bool, index: int) -> list[Decision]:
    """Decisions oldest first; only the last one is in force."""
    if advanced:
        outcomes = ["reject", "advance"] if index % 2 else ["advance"]
    else:
        outcomes = ["advance", "hold"] if index % 2 == 0 else []
    return [Decision(attempt=attempt, outcome=outcome) for outcome in outcomes]


def make_cohort(version, cohort) -> None:
    bulk_candidates_with_answers(version, [group[:4] for group in cohort])
    # bulk_create numbers the attempts in the order of the groups.
    attempts = iter(Attempt.objects.filter(version=version).order_by("pk"))
    decisions = []
    for _, _, people, _, advanced in cohort:
        for index in range(people):
            decisions += _decisions(next(attempts), index < advanced, index)
    Decision.objects.bulk_create(decisions)


@pytest.fixture
def auditor(client):
    client.force_login(staff_in_roles("auditor", Role.COMPLIANCE))
    return client


@pytest.fixture
def version():
    return published_version()


@pytest.fixture
def url(version):
    make_cohort(version, COHORT)
    return reverse("compliance:bias-audit", kwargs={"slug": version.assessment.slug})


def _json(auditor, url, **data) -> dict:
    response = auditor.post(url, {"format": "json", **data})
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def test_json_impact_ratios_equal_the_hand_computation(auditor, url):
    document = _json(auditor, url)
    assert document["advanced"] == sum(group[4] for group in COHORT)
    for dimension, expected in EXPECTED.items():
        variant = document["dimensions"][dimension]["advanced"]
        assert variant["reference"] == REFERENCES[dimension]
        cells = {cell["category"]: cell for cell in variant["categories"]}
        for category, ratio in expected.items():
            assert cells[category]["impact_ratio"] == round(float(ratio), 4), category
            # The four-fifths rule is exact: 12/20 against 15/20 is 0.8, not flagged.
            assert cells[category]["flag"] is (ratio < Fraction(4, 5)), category
    cells = {
        c["category"]: c for c in document["dimensions"]["intersectional"]["advanced"]["categories"]
    }
    for category, label in SUPPRESSED.items():
        cell = cells[category]
        assert cell["suppressed"] == label
        assert cell["n"] is cell["advanced"] is cell["advanced_rate"] is None
        assert cell["impact_ratio"] is None and cell["flag"] is None
    # The same cells are hidden in every variant: suppression depends on people, not rates.
    for variant in ("selection", "advanced", "scoring"):
        cells = document["dimensions"]["intersectional"][variant]["categories"]
        assert {c["category"]: c["suppressed"] for c in cells if c["suppressed"]} == SUPPRESSED


def test_html_tables_show_the_hand_computed_impact_ratios(auditor, url):
    html = auditor.get(url).content.decode()
    tables = re.findall(
        r'<table class="bias-audit-table" data-variant="advanced_rate">(.*?)</table>', html, re.S
    )
    assert len(tables) == 3  # sex, race/ethnicity, sex by race/ethnicity
    for table, (dimension, expected) in zip(tables, EXPECTED.items(), strict=True):
        assert "<caption>Selection rate (recruiter advanced) by " in table
        for category, ratio in expected.items():
            label = HTML_LABELS[dimension][category]
            cells = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table)[1]
            impact = re.findall(r"<td>(.*?)</td>", cells)[4]
            assert impact == f"{float(ratio):.3f}", (dimension, category)
    assert '<th scope="row">Female / Asian</th><td>fewer than 5</td>' in tables[2]


def test_findings_name_the_flagged_categories_of_the_variant(auditor, url):
    summary = _json(auditor, url)["summary"]
    flagged = [line for line in summary if "selection rate (recruiter advanced):" in line]
    assert any(
        line.startswith("Race/ethnicity, selection rate (recruiter advanced): Black")
        for line in flagged
    )
    assert any("Sex by race/ethnicity" in line and "Female / Black" in line for line in flagged)
    assert not any("Female / White" in line for line in flagged)  # exactly 0.8
    assert f"{sum(group[4] for group in COHORT)} records were advanced by a recruiter" in " ".join(
        summary
    )


def test_the_2_percent_option_leaves_small_categories_out_of_this_variant_too(version, capsys):
    # Asian women: 5 of 260 people with a known race (1.9%).
    make_cohort(
        version,
        [
            ("female", "white", 128, 64, 60),
            ("male", "white", 127, 70, 70),
            ("female", "asian", 5, 5, 5),
        ],
    )
    call_command(
        "bias_audit",
        assessment=version.assessment.slug,
        format="json",
        exclude_small_categories=True,
    )
    race = json.loads(capsys.readouterr().out)["dimensions"]["race_ethnicity"]["advanced"]
    asian = next(cell for cell in race["categories"] if cell["category"] == "asian")
    assert asian["excluded"] is True and asian["impact_ratio"] is None
    assert (asian["n"], asian["advanced"]) == (5, 5)
    assert race["reference"] == "white"
    assert any(note.endswith("Asian.") for note in race["notes"])


def test_without_any_decision_the_variant_is_all_zero_and_says_so(auditor, version):
    bulk_candidates_with_answers(version, [group[:4] for group in COHORT])
    url = reverse("compliance:bias-audit", kwargs={"slug": version.assessment.slug})
    document = _json(auditor, url)
    assert document["advanced"] == 0
    sex = document["dimensions"]["sex"]["advanced"]
    assert sex["reference"] is None
    assert {cell["advanced_rate"] for cell in sex["categories"]} == {0.0}
    assert "No record was advanced by a recruiter" in " ".join(document["summary"])
