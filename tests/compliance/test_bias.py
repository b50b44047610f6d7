"""Bias audit computation (LL144 method), pinned against a hand-computed example."""

import json
import math
from datetime import date

import pytest
from scipy.stats import chi2_contingency, fisher_exact

from compliance.bias import (
    AuditRecord,
    BiasReport,
    category_label,
    compare_rates,
    compute_bias_audit,
    normalise_value,
)

BLACK = "black-or-african-american"
AIAN = "american-indian-or-alaska-native"
# The hand-computed example pins the LL144 arithmetic, so it runs with small-cell suppression
# off and the 2% option on; suppression has its own tests in tests/security/.
LL144_ARITHMETIC = {"min_cell": 1, "exclude_small_categories": True}


def group(
    sex: str | None,
    race: str | None,
    n: int,
    selected: int,
    scores: list[float] | None,
    day: int,
) -> list[AuditRecord]:
    """n records of one sex/race; the first `selected` are selected; scores given in order."""
    return [
        AuditRecord(
            sex=sex,
            race_ethnicity=race,
            selected=i < selected,
            score=scores[i] if scores else None,
            submitted_on=date(2024, 3, day),
        )
        for i in range(n)
    ]


def example_records() -> list[AuditRecord]:
    """95 records; every number asserted below is worked out by hand from this table.

    group  sex      race    n  selected  scores (90 / 70 / 50)  submitted
    A      male     white   30 15        10 / 10 / 10            2024-03-04
    B      male     black   20  8         5 / 10 /  5            2024-03-05
    C      female   white   25 10         5 / 10 / 10            2024-03-06
    D      female   black   10  1         1 /  4 /  5            2024-03-07
    E      female   AIAN     1  1        no score                2024-03-03
    F      decline  white    6  2         3 /  0 /  3            2024-03-20
    G      None     None     3  0         0 /  3 /  0            2024-03-08
    """
    return [
        *group("male", "white", 30, 15, [90] * 10 + [70] * 10 + [50] * 10, 4),
        *group("male", BLACK, 20, 8, [90] * 5 + [70] * 10 + [50] * 5, 5),
        *group("female", "white", 25, 10, [90] * 5 + [70] * 10 + [50] * 10, 6),
        *group("female", BLACK, 10, 1, [90] * 1 + [70] * 4 + [50] * 5, 7),
        *group("female", AIAN, 1, 1, None, 3),
        *group("decline", "white", 6, 2, [90] * 3 + [50] * 3, 20),
        *group(None, None, 3, 0, [70] * 3, 8),
    ]


@pytest.fixture(scope="module")
def report() -> BiasReport:
    return compute_bias_audit(example_records(), **LL144_ARITHMETIC)


def test_totals_date_range_and_unknown_counts(report: BiasReport) -> None:
    # 30 + 20 + 25 + 10 + 1 + 6 + 3 = 95 records, from E (03-03) to F (03-20).
    assert report.n == 95
    assert (report.date_from, report.date_to) == (date(2024, 3, 3), date(2024, 3, 20))
    # Unknown sex: F ("decline", 6) + G (None, 3) = 9; unknown race: G = 3;
    # intersectional needs both known: F + G = 9.
    assert report.dimension("sex").unknown == 9
    assert report.dimension("race_ethnicity").unknown == 3
    assert report.dimension("intersectional").unknown == 9
    assert report.dimension("sex").known == 86


def test_selection_rates_and_impact_ratios_by_sex(report: BiasReport) -> None:
    selection = report.dimension("sex").selection
    male, female = selection.category("male"), selection.category("female")
    # Male: A + B = 50 records, 15 + 8 = 23 selected -> 23 / 50 = 0.46 (the highest rate).
    assert (male.n, male.hits) == (50, 23)
    assert male.rate == pytest.approx(0.46)
    assert selection.reference == "male"
    assert male.impact_ratio == 1.0
    # Female: C + D + E = 36 records, 10 + 1 + 1 = 12 selected -> 12 / 36 = 0.3333;
    # impact ratio 0.3333 / 0.46 = 0.7246 < 0.8 -> flagged.
    assert (female.n, female.hits) == (36, 12)
    assert female.rate == pytest.approx(1 / 3)
    assert female.impact_ratio == pytest.approx((12 / 36) / (23 / 50))
    assert female.impact_ratio == pytest.approx(0.7246, abs=1e-4)
    assert female.flag
    assert not male.flag


def test_flagged_category_p_value_matches_an_independent_z_test(report: BiasReport) -> None:
    female = report.dimension("sex").selection.category("female")
    # 2x2 table female 12/36 vs male 23/50. Pooled rate 35/86 = 0.407; the smallest expected
    # cell is 36 * 35 / 86 = 14.65 >= 5, so the z-test is used.
    assert female.test == "two_proportion_z"
    # A pooled two-proportion z-test is the same as Pearson's chi-square without continuity
    # correction (z^2 = chi^2), which scipy computes by a different route.
    table = [[12, 24], [23, 27]]
    chi2, expected_p, _, _ = chi2_contingency(table, correction=False)
    assert female.p_value == pytest.approx(expected_p, rel=1e-9)
    # And by hand: z = (0.3333 - 0.46) / sqrt(0.407 * 0.593 * (1/36 + 1/50)) = -1.180.
    pooled = 35 / 86
    z = (12 / 36 - 23 / 50) / math.sqrt(pooled * (1 - pooled) * (1 / 36 + 1 / 50))
    assert z == pytest.approx(-1.180, abs=1e-3)
    assert z**2 == pytest.approx(chi2)


def test_small_category_is_excluded_from_impact_ratios(report: BiasReport) -> None:
    selection = report.dimension("race_ethnicity").selection
    # Known race: A + B + C + D + E + F = 30 + 20 + 25 + 10 + 1 + 6 = 92 records.
    assert selection.n == 92
    aian = selection.category(AIAN)
    # AIAN: 1 / 92 = 1.09% < 2% -> excluded. Its rate 1 / 1 = 1.0 would otherwise be the
    # highest and make every other category look adverse.
    assert aian.excluded
    assert aian.rate == 1.0
    assert aian.share == pytest.approx(1 / 92)
    assert aian.impact_ratio is None
    assert aian.p_value is None
    assert not aian.flag
    assert any("American Indian or Alaska Native" in note for note in selection.notes)
    # White: A + C + F = 61 records, 15 + 10 + 2 = 27 selected -> 0.4426 (reference).
    # Black: B + D = 30 records, 8 + 1 = 9 selected -> 0.3; ratio 0.3 / 0.4426 = 0.6778.
    assert selection.reference == "white"
    assert selection.category("white").rate == pytest.approx(27 / 61)
    black = selection.category(BLACK)
    assert black.impact_ratio == pytest.approx(0.3 / (27 / 61))
    assert black.impact_ratio == pytest.approx(0.6778, abs=1e-4)
    assert black.flag


def test_intersectional_categories(report: BiasReport) -> None:
    selection = report.dimension("intersectional").selection
    assert [c.category for c in selection.categories] == [
        "female/white",
        f"female/{BLACK}",
        f"female/{AIAN}",
        "male/white",
        f"male/{BLACK}",
    ]
    # Known both: 95 - 9 = 86. Female/AIAN: 1 / 86 = 1.16% < 2% -> excluded.
    assert selection.n == 86
    assert selection.category(f"female/{AIAN}").excluded
    # Rates: male/white 15/30 = 0.5 (reference), male/black 8/20 = 0.4, female/white
    # 10/25 = 0.4, female/black 1/10 = 0.1.
    # Ratios: 0.4 / 0.5 = 0.8 exactly -> NOT flagged (the rule is "below 0.8");
    # 0.1 / 0.5 = 0.2 -> flagged.
    assert selection.reference == "male/white"
    for key in (f"male/{BLACK}", "female/white"):
        assert selection.category(key).impact_ratio == pytest.approx(0.8)
        assert not selection.category(key).flag
    female_black = selection.category(f"female/{BLACK}")
    assert female_black.impact_ratio == pytest.approx(0.2)
    assert female_black.flag
    assert female_black.label == "Female / Black or African American"
    assert (female_black.sex, female_black.race_ethnicity) == ("female", BLACK)


def test_flagged_small_group_uses_fisher_and_matches_scipy(report: BiasReport) -> None:
    female_black = report.dimension("intersectional").selection.category(f"female/{BLACK}")
    # Female/black 1/10 vs male/white 15/30: pooled 16/40 = 0.4, smallest expected cell
    # 10 * 16 / 40 = 4 < 5 -> Fisher's exact test.
    assert female_black.test == "fisher_exact"
    expected = fisher_exact([[1, 9], [15, 15]], alternative="two-sided").pvalue
    assert female_black.p_value == pytest.approx(expected, rel=1e-12)
    assert female_black.p_value < 0.05


def test_scoring_rate_counts_only_scores_strictly_above_the_median(report: BiasReport) -> None:
    # 94 scored records (E has none): 24 x 90, 37 x 70, 33 x 50. Sorted, positions 34..70
    # are 70, so the 47th and 48th values are both 70 -> median 70. The 37 scores tied at 70
    # do not count as above it; only the 90s do.
    assert report.scored == 94
    assert report.median_score == 70
    scoring = report.dimension("sex").scoring
    male, female = scoring.category("male"), scoring.category("female")
    # Male: 50 scored, 10 + 5 = 15 above -> 0.3. Female: 35 scored (E unscored), 5 + 1 = 6
    # above -> 0.1714; ratio 0.1714 / 0.3 = 0.5714 -> flagged.
    assert (male.n, male.hits, male.rate) == (50, 15, pytest.approx(0.3))
    assert (female.n, female.hits) == (35, 6)
    assert female.impact_ratio == pytest.approx((6 / 35) / 0.3)
    assert female.flag
    race = report.dimension("race_ethnicity").scoring
    # AIAN has no scored record, so it is not a category of the scoring variant.
    assert [c.category for c in race.categories] == ["white", BLACK]
    # White 61 scored, 10 + 5 + 3 = 18 above; black 30 scored, 5 + 1 = 6 above.
    assert race.category("white").rate == pytest.approx(18 / 61)
    assert race.category(BLACK).impact_ratio == pytest.approx(0.2 / (18 / 61))
    intersectional = report.dimension("intersectional").scoring
    # male/white 10/30 (ref), male/black 5/20 -> 0.75, female/white 5/25 -> 0.6.
    assert intersectional.category(f"male/{BLACK}").impact_ratio == pytest.approx(0.75)
    assert intersectional.category("female/white").impact_ratio == pytest.approx(0.6)


def test_json_dict_is_stable_rounded_and_names_fields_per_variant(report: BiasReport) -> None:
    data = report.to_json_dict()
    assert list(data) == sorted(data)
    assert data["n"] == 95
    assert data["date_range"] == {"from": "2024-03-03", "to": "2024-03-20"}
    sex = data["dimensions"]["sex"]
    assert sex["unknown"] == 9
    female = sex["selection"]["categories"][0]
    assert female["category"] == "female"
    assert female["selected"] == 12
    assert female["selection_rate"] == 0.3333
    assert female["impact_ratio"] == 0.7246
    assert female["test"] == "two_proportion_z"
    scored = sex["scoring"]["categories"][0]
    assert scored["scored_above_median"] == 6
    assert scored["scoring_rate"] == 0.1714
    # Same records, same bytes.
    again = compute_bias_audit(example_records(), **LL144_ARITHMETIC).to_json_dict()
    assert json.dumps(data) == json.dumps(again)
    assert json.dumps(data) == json.dumps(data, sort_keys=True)


def test_summary_names_flags_exclusions_and_unknowns(report: BiasReport) -> None:
    text = "\n".join(report.summary)
    assert "95 assessed records" in text
    assert "Sex: 9 of 95 records" in text
    assert "Female / Black or African American has an impact ratio of 0.20" in text
    assert "Fisher's exact test: p = 0.0315, statistically significant" in text
    assert "under 2%" in text


def test_empty_input_gives_an_empty_report() -> None:
    report = compute_bias_audit([])
    assert report.n == 0
    assert report.date_from is None and report.date_to is None
    assert report.median_score is None
    for dimension in report.dimensions:
        assert dimension.selection.categories == ()
        assert dimension.scoring.categories == ()
    assert report.summary and "No records" in report.summary[0]
    data = report.to_json_dict()
    assert data["date_range"] == {"from": None, "to": None}
    json.dumps(data)


def test_category_with_zero_selected_has_ratio_zero_and_is_flagged() -> None:
    records = group("male", "white", 20, 10, None, 1) + group("female", "white", 20, 0, None, 1)
    selection = compute_bias_audit(records).dimension("sex").selection
    female = selection.category("female")
    assert female.rate == 0.0
    assert female.impact_ratio == 0.0
    assert female.flag
    # 0/20 vs 10/20: smallest expected cell 20 * 10 / 40 = 5, not below 5 -> z-test.
    assert female.test == "two_proportion_z"


def test_all_rates_zero_leaves_impact_ratio_undefined_with_a_note() -> None:
    records = group("male", "white", 10, 0, [1.0] * 10, 1) + group(
        "female", "asian", 10, 0, [1.0] * 10, 2
    )
    report = compute_bias_audit(records)
    selection = report.dimension("sex").selection
    assert selection.reference is None
    assert all(c.impact_ratio is None and not c.flag for c in selection.categories)
    assert any("undefined" in note for note in selection.notes)
    # Every score equals the median, so nobody is strictly above it: scoring rates all zero.
    scoring = report.dimension("sex").scoring
    assert [c.hits for c in scoring.categories] == [0, 0]
    assert scoring.reference is None
    assert any("undefined" in line for line in report.summary)


def test_exactly_two_percent_is_not_excluded() -> None:
    # 1 of 50 = 2.0% is not "under 2%"; 1 of 51 = 1.96% is.
    base = group("male", "white", 49, 20, None, 1)
    at_two = compute_bias_audit(
        [*base, *group("female", "white", 1, 1, None, 1)], **LL144_ARITHMETIC
    )
    assert not at_two.dimension("sex").selection.category("female").excluded
    under = compute_bias_audit(
        [*base, *group("male", "white", 1, 0, None, 1), *group("female", "white", 1, 1, None, 1)],
        **LL144_ARITHMETIC,
    )
    assert under.dimension("sex").selection.category("female").excluded


def test_values_are_normalised_and_other_categories_kept() -> None:
    assert normalise_value(None) is None
    assert normalise_value(" Decline ") is None
    assert normalise_value("") is None
    assert normalise_value("Female") == "female"
    assert normalise_value("non-binary") == "non-binary"
    assert category_label("race_ethnicity", "two-or-more-races") == "Two or More Races"
    assert category_label("sex", "non-binary") == "non-binary"
    records = [
        *group("female", "white", 10, 5, None, 1),
        *group("male", "white", 10, 5, None, 1),
        *group("non-binary", "white", 10, 5, None, 1),
    ]
    keys = [c.category for c in compute_bias_audit(records).dimension("sex").selection.categories]
    # Standard categories first in their fixed order, others after them.
    assert keys == ["female", "male", "non-binary"]


def test_nan_score_counts_as_not_scored() -> None:
    records = [
        AuditRecord("female", "white", True, float("nan"), date(2024, 1, 1)),
        AuditRecord("male", "white", True, 3.0, date(2024, 1, 1)),
    ]
    report = compute_bias_audit(records)
    assert report.scored == 1
    assert report.median_score == 3.0


def test_compare_rates_rule_switches_on_expected_counts() -> None:
    # 40/100 vs 50/100: every expected cell is 45 or 55 -> z-test.
    assert compare_rates(40, 100, 50, 100)[1] == "two_proportion_z"
    # 0/3 vs 2/3: expected selected 1 per row -> Fisher.
    p_value, test = compare_rates(0, 3, 2, 3)
    assert test == "fisher_exact"
    assert p_value == pytest.approx(fisher_exact([[0, 3], [2, 1]]).pvalue)
