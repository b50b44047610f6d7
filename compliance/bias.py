"""Bias audit computation following the NYC Local Law 144 method (6 RCNY § 5-300 ff.).

Pure: takes plain `AuditRecord`s and returns a `BiasReport`; no Django, no database, no clock.
The same records always give the same report (and the same `to_json_dict()`), so an auditor
can replay it. Rendering (CSV, HTML, PDF) lives in `compliance.reporting`.

Method, per dimension (sex, race/ethnicity and every sex and race/ethnicity pair):

* selection rate = selected / n for each category, where selected means the assessment
  passed the candidate;
* recruiter-advanced selection rate = advanced / n, where advanced means the recruiter's
  decision in force on the candidate's attempt is "advance" (the people's selection, beside the
  assessment's);
* scoring rate = share of the category's scored records strictly above the median score of
  the whole scored sample (a score equal to the median is not above it);
* impact ratio = the category's rate / the highest rate among non-excluded categories;
* a category with under 2% of the records whose value for that dimension is known may be
  excluded from impact ratios (LL144 allows this): only when the caller asks for it
  (`exclude_small_categories`), and the report then names what was left out and why;
* a category is flagged when its impact ratio is below 0.8 (the four-fifths rule);
* p-value: the category against the highest-rate (reference) category, see `SIGNIFICANCE_RULE`.

Small cells are suppressed so that the report never singles people out: a category with fewer
than `min_cell` people carries no count, rate, share, impact ratio or p-value (renderers show
"fewer than 5"), and is never the reference (every impact ratio would reveal its rate). So
that a hidden count cannot be worked out by subtraction, each published total (a table's, and
in the intersection table each sex's and each race's) never hides exactly one cell: the
smallest shown cell beside a lone hidden one is suppressed too ("complementary").
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from scipy.stats import fisher_exact

from reports.numbers import percent

Dimension = Literal["sex", "race_ethnicity", "intersectional"]
Variant = Literal["selection", "advanced", "scoring"]
# Why a cell's numbers are withheld: too few people, or to protect another cell of its total.
Suppression = Literal["small_cell", "complementary"]

DIMENSIONS: tuple[Dimension, ...] = ("sex", "race_ethnicity", "intersectional")
VARIANTS: tuple[Variant, ...] = ("selection", "advanced", "scoring")

# Display names are defined here once; the renderers and the summary read them from here.
SEX_LABELS: dict[str, str] = {"female": "Female", "male": "Male"}
RACE_ETHNICITY_LABELS: dict[str, str] = {
    "hispanic-or-latino": "Hispanic or Latino",
    "white": "White",
    "black-or-african-american": "Black or African American",
    "native-hawaiian-or-pacific-islander": "Native Hawaiian or Pacific Islander",
    "asian": "Asian",
    "american-indian-or-alaska-native": "American Indian or Alaska Native",
    "two-or-more-races": "Two or More Races",
}
DIMENSION_LABELS: dict[str, str] = {
    "sex": "Sex",
    "race_ethnicity": "Race/ethnicity",
    "intersectional": "Sex by race/ethnicity",
}
VARIANT_LABELS: dict[str, str] = {
    "selection": "Selection rate",
    "advanced": "Selection rate (recruiter advanced)",
    "scoring": "Scoring rate",
}
# JSON names of the count and rate fields, so each variant reads as LL144 words it.
VARIANT_FIELDS: dict[str, tuple[str, str]] = {
    "selection": ("selected", "selection_rate"),
    "advanced": ("advanced", "advanced_rate"),
    "scoring": ("scored_above_median", "scoring_rate"),
}
TEST_LABELS: dict[str, str] = {
    "fisher_exact": "Fisher's exact test",
    "two_proportion_z": "two-proportion z-test",
}

UNKNOWN_VALUES = frozenset({"", "decline", "unknown"})
INTERSECTION_SEPARATOR = "/"

IMPACT_RATIO_THRESHOLD = Fraction(4, 5)
SMALL_CATEGORY_SHARE = Fraction(2, 100)
DEFAULT_MIN_CELL = 5
COMPLEMENTARY_LABEL = "suppressed"
SIGNIFICANCE_LEVEL = 0.05
# Below this expected count the normal approximation behind the z-test is unreliable
# (Cochran's rule), so the exact test is used instead.
MIN_EXPECTED_CELL = 5
SIGNIFICANCE_RULE = (
    "Each category is compared with the reference (highest-rate, non-excluded) category in a "
    "2x2 table (hits and misses of each). When any expected cell count is below 5, Fisher's "
    "exact test (two-sided, scipy.stats.fisher_exact) is used; otherwise the two-sided pooled "
    "two-proportion z-test. Significance level 0.05."
)
METHOD = "NYC Local Law 144 bias audit (6 RCNY § 5-301): impact ratios, four-fifths rule"

_JSON_DECIMALS = 4


@dataclass(frozen=True)
class AuditRecord:
    """One assessed candidate: voluntary demographics, outcome, score and recruiter decision."""

    sex: str | None
    race_ethnicity: str | None
    selected: bool
    score: float | None
    submitted_on: date
    # Whether a recruiter's decision in force on the attempt is "advance".
    advanced: bool = False


@dataclass(frozen=True)
class CategoryResult:
    """One category of one dimension in one variant (selection, advanced or scoring)."""

    category: str
    label: str
    # n, hits, rate and share are None when the cell is suppressed: the numbers are dropped
    # here, so no renderer can print them by mistake.
    n: int | None
    # Selected (selection), advanced by a recruiter (advanced) or scored strictly above the
    # median (scoring).
    hits: int | None
    rate: float | None
    # Share of the variant's records with a known value for this dimension.
    share: float | None
    impact_ratio: float | None
    excluded: bool
    flag: bool
    p_value: float | None
    test: str | None
    suppressed: Suppression | None = None
    # Set only for intersectional categories.
    sex: str | None = None
    race_ethnicity: str | None = None


@dataclass(frozen=True)
class VariantResult:
    """Rates, impact ratios and flags of every category for one variant of one dimension."""

    variant: Variant
    # Records with a known value for the dimension (and, for scoring, with a score).
    n: int
    reference: str | None
    highest_rate: float | None
    categories: tuple[CategoryResult, ...]
    notes: tuple[str, ...]

    @property
    def threshold_rate(self) -> float | None:
        """Rate below which a category is flagged: 0.8 times the highest rate."""
        if self.highest_rate is None or self.highest_rate == 0:
            return None
        return self.highest_rate * float(IMPACT_RATIO_THRESHOLD)

    def category(self, key: str) -> CategoryResult:
        """The result for one category key (an intersectional key is `sex/race`)."""
        for result in self.categories:
            if result.category == key:
                return result
        raise KeyError(key)


@dataclass(frozen=True)
class DimensionResult:
    """Every variant for one dimension, with the count of records of unknown value."""

    dimension: Dimension
    label: str
    known: int
    unknown: int
    selection: VariantResult
    advanced: VariantResult
    scoring: VariantResult

    def variant(self, name: Variant) -> VariantResult:
        """The selection, advanced or scoring variant by name."""
        return getattr(self, name)


@dataclass(frozen=True)
class BiasReport:
    """The whole bias audit: totals, date range, every dimension and plain-language findings."""

    n: int
    date_from: date | None
    date_to: date | None
    scored: int
    median_score: float | None
    # Records whose recruiter decision in force is "advance".
    advanced: int
    dimensions: tuple[DimensionResult, ...]
    summary: tuple[str, ...]
    min_cell: int = DEFAULT_MIN_CELL
    exclude_small_categories: bool = False

    @property
    def small_cell_label(self) -> str:
        """What a cell with too few people shows instead of its numbers."""
        return f"fewer than {self.min_cell}"

    def suppression_label(self, result: CategoryResult) -> str:
        """The text shown instead of a suppressed cell's numbers ('' when it is shown)."""
        if result.suppressed == "small_cell":
            return self.small_cell_label
        if result.suppressed == "complementary":
            return COMPLEMENTARY_LABEL
        return ""

    @property
    def method_notes(self) -> tuple[str, ...]:
        """How small cells and small categories were handled, in words for every format."""
        if self.exclude_small_categories:
            exclusion = (
                "Categories under 2% of the records with a known value were left out of the "
                "impact ratios (the option Local Law 144 allows, chosen for this report); each "
                "table names the categories left out. They are still listed."
            )
        else:
            exclusion = (
                "No category was left out of the impact ratios for being under 2% of the data "
                "(the Local Law 144 option was not chosen for this report)."
            )
        suppression = (
            f'Cells with fewer than {self.min_cell} people show "{self.small_cell_label}" '
            "instead of their count, rate, impact ratio and p-value, so that no one is singled "
            "out; such a cell is never the reference. Where one hidden cell could be worked "
            "out by subtraction from a total, the next smallest cell of that total shows "
            f'"{COMPLEMENTARY_LABEL}" too.'
        )
        return (exclusion, suppression)

    def dimension(self, name: Dimension) -> DimensionResult:
        """The result for `sex`, `race_ethnicity` or `intersectional`."""
        for result in self.dimensions:
            if result.dimension == name:
                return result
        raise KeyError(name)

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: keys sorted, floats rounded to 4 decimals, dates as ISO strings."""
        return _sorted_keys(
            {
                "method": METHOD,
                "n": self.n,
                "date_range": {
                    "from": self.date_from.isoformat() if self.date_from else None,
                    "to": self.date_to.isoformat() if self.date_to else None,
                },
                "scored": self.scored,
                "advanced": self.advanced,
                "median_score": _round(self.median_score),
                "thresholds": {
                    "impact_ratio": float(IMPACT_RATIO_THRESHOLD),
                    "small_category_share": float(SMALL_CATEGORY_SHARE),
                    "significance_level": SIGNIFICANCE_LEVEL,
                    "min_cell": self.min_cell,
                },
                "small_categories_excluded": self.exclude_small_categories,
                "method_notes": list(self.method_notes),
                "significance_test": SIGNIFICANCE_RULE,
                "dimensions": {d.dimension: _dimension_json(d, self) for d in self.dimensions},
                "summary": list(self.summary),
            }
        )


def bias_report_from_json(document: dict[str, Any]) -> BiasReport:
    """The report back from its ``to_json_dict()`` (a published snapshot), for rendering.

    Numbers come back as published (rounded to 4 decimals); suppressed cells come back without
    numbers, as they were published.
    """
    min_cell = document["thresholds"]["min_cell"]
    date_range = document["date_range"]
    return BiasReport(
        n=document["n"],
        date_from=_date_or_none(date_range["from"]),
        date_to=_date_or_none(date_range["to"]),
        scored=document["scored"],
        median_score=document["median_score"],
        advanced=document["advanced"],
        dimensions=tuple(
            _dimension_from_json(name, document["dimensions"][name], min_cell)
            for name in DIMENSIONS
        ),
        summary=tuple(document["summary"]),
        min_cell=min_cell,
        exclude_small_categories=document["small_categories_excluded"],
    )


def normalise_value(value: str | None) -> str | None:
    """A category slug, or None when the value is missing or the candidate declined."""
    if value is None:
        return None
    cleaned = value.strip()
    if cleaned.lower() in UNKNOWN_VALUES:
        return None
    # Known slugs are matched case-insensitively so "Female" and "female" are one category;
    # any other value is kept as written (it is only ever displayed escaped).
    lowered = cleaned.lower()
    if lowered in SEX_LABELS or lowered in RACE_ETHNICITY_LABELS:
        return lowered
    return cleaned


def category_label(dimension: Dimension, key: str) -> str:
    """Display name of a category; unknown slugs are shown as they are."""
    if dimension == "sex":
        return SEX_LABELS.get(key, key)
    if dimension == "race_ethnicity":
        return RACE_ETHNICITY_LABELS.get(key, key)
    sex, _, race = key.partition(INTERSECTION_SEPARATOR)
    return f"{SEX_LABELS.get(sex, sex)} / {RACE_ETHNICITY_LABELS.get(race, race)}"


def compute_bias_audit(
    records: Iterable[AuditRecord],
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    exclude_small_categories: bool = False,
) -> BiasReport:
    """Compute the LL144 bias audit (selection, recruiter-advanced and scoring rates).

    Cells with fewer than `min_cell` people are suppressed; `exclude_small_categories` leaves
    categories under 2% of the data out of the impact ratios (the LL144 option).
    """
    rows = [_Row.from_record(record) for record in records]
    scores = [row.score for row in rows if row.score is not None]
    median = _median(scores)
    rules = _Rules(min_cell=min_cell, exclude_small_categories=exclude_small_categories)
    dimensions = tuple(
        _dimension_result(dimension, rows, median, rules) for dimension in DIMENSIONS
    )
    dates = [row.submitted_on for row in rows]
    report = BiasReport(
        n=len(rows),
        date_from=min(dates) if dates else None,
        date_to=max(dates) if dates else None,
        scored=len(scores),
        median_score=median,
        advanced=sum(row.advanced for row in rows),
        dimensions=dimensions,
        summary=(),
        min_cell=min_cell,
        exclude_small_categories=exclude_small_categories,
    )
    # The findings read the finished numbers, so they are written last.
    return replace(report, summary=tuple(_findings(report)))


def compare_rates(hits: int, n: int, ref_hits: int, ref_n: int) -> tuple[float, str]:
    """Two-sided p-value of hits/n against ref_hits/ref_n, and the test used (see the rule)."""
    total = n + ref_n
    total_hits = hits + ref_hits
    total_misses = total - total_hits
    smallest_expected = min(n, ref_n) * min(total_hits, total_misses) / total
    if smallest_expected < MIN_EXPECTED_CELL:
        table = [[hits, n - hits], [ref_hits, ref_n - ref_hits]]
        p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
        return min(p_value, 1.0), "fisher_exact"
    pooled = total_hits / total
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / ref_n))
    z = (hits / n - ref_hits / ref_n) / standard_error
    # Two-sided tail of the standard normal: 2 * (1 - Phi(|z|)) == erfc(|z| / sqrt 2).
    return math.erfc(abs(z) / math.sqrt(2)), "two_proportion_z"


def format_p_value(p_value: float) -> str:
    """A p-value for people: four decimals, or '< 0.0001' when smaller."""
    return "< 0.0001" if p_value < 0.0001 else f"{p_value:.4f}"


# --- internals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    min_cell: int
    exclude_small_categories: bool


@dataclass(frozen=True)
class _Row:
    sex: str | None
    race_ethnicity: str | None
    selected: bool
    score: float | None
    submitted_on: date
    advanced: bool

    @classmethod
    def from_record(cls, record: AuditRecord) -> _Row:
        score = record.score
        # A NaN score cannot be ranked against the median; treat it as not scored.
        if score is not None and math.isnan(score):
            score = None
        return cls(
            sex=normalise_value(record.sex),
            race_ethnicity=normalise_value(record.race_ethnicity),
            selected=bool(record.selected),
            score=None if score is None else float(score),
            submitted_on=record.submitted_on,
            advanced=bool(record.advanced),
        )

    def key(self, dimension: Dimension) -> str | None:
        if dimension == "sex":
            return self.sex
        if dimension == "race_ethnicity":
            return self.race_ethnicity
        if self.sex is None or self.race_ethnicity is None:
            return None
        return f"{self.sex}{INTERSECTION_SEPARATOR}{self.race_ethnicity}"


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _sort_key(dimension: Dimension, key: str) -> tuple[Any, ...]:
    # Standard categories in their EEO-1 order first, then any others alphabetically.
    def rank(table: dict[str, str], value: str) -> tuple[int, str]:
        order = list(table)
        return (order.index(value), "") if value in table else (len(order), value)

    if dimension == "sex":
        return rank(SEX_LABELS, key)
    if dimension == "race_ethnicity":
        return rank(RACE_ETHNICITY_LABELS, key)
    sex, _, race = key.partition(INTERSECTION_SEPARATOR)
    return (*rank(SEX_LABELS, sex), *rank(RACE_ETHNICITY_LABELS, race))


def _dimension_result(
    dimension: Dimension, rows: Sequence[_Row], median: float | None, rules: _Rules
) -> DimensionResult:
    known = [(key, row) for row in rows if (key := row.key(dimension)) is not None]
    selection = _variant_result(
        dimension, "selection", [(key, row.selected) for key, row in known], rules
    )
    advanced = _variant_result(
        dimension, "advanced", [(key, row.advanced) for key, row in known], rules
    )
    # Strictly above: a score tied with the median does not count as above it.
    scored_pairs = [
        (key, row.score > median)
        for key, row in known
        if row.score is not None and median is not None
    ]
    scoring = _variant_result(dimension, "scoring", scored_pairs, rules)
    return DimensionResult(
        dimension=dimension,
        label=DIMENSION_LABELS[dimension],
        known=len(known),
        unknown=len(rows) - len(known),
        selection=selection,
        advanced=advanced,
        scoring=scoring,
    )


def _variant_result(
    dimension: Dimension, variant: Variant, pairs: Sequence[tuple[str, bool]], rules: _Rules
) -> VariantResult:
    total = len(pairs)
    sizes: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for key, hit in pairs:
        sizes[key] += 1
        hits[key] += int(hit)
    keys = sorted(sizes, key=lambda key: _sort_key(dimension, key))
    rate_word = VARIANT_LABELS[variant].lower()
    notes: list[str] = []
    if not keys:
        notes.append(
            "No scored records with a known value."
            if variant == "scoring"
            else "No records with a known value."
        )
        return VariantResult(variant, total, None, None, (), tuple(notes))

    # Fractions keep the 2% cut and the 0.8 comparison exact: a ratio of exactly 0.8 must not
    # be flagged because of floating-point noise.
    excluded = set()
    if rules.exclude_small_categories:
        excluded = {key for key in keys if Fraction(sizes[key], total) < SMALL_CATEGORY_SHARE}
    suppressed = _suppressed_cells(dimension, keys, sizes, rules.min_cell)
    rates = {key: Fraction(hits[key], sizes[key]) for key in keys}
    # A suppressed cell is never compared: its impact ratio would give its rate away, and as
    # the reference it would give it away through every other ratio.
    included = [key for key in keys if key not in excluded and key not in suppressed]
    if excluded:
        names = ", ".join(category_label(dimension, key) for key in keys if key in excluded)
        notes.append(
            f"Left out of impact ratios by the LL144 option (under 2% of the {total} records "
            f"with a known value): {names}."
        )
    if "complementary" in suppressed.values():
        notes.append(
            f'Cells marked "{COMPLEMENTARY_LABEL}" have enough people but are hidden so that a '
            "smaller hidden cell cannot be worked out by subtraction from a total."
        )

    reference: str | None = None
    highest = max((rates[key] for key in included), default=None)
    if highest is None:
        notes.append(
            "No category has enough people to be compared (or every one was left out); "
            "impact ratios are not computed."
        )
    elif highest == 0:
        notes.append(
            f"Every included category has a {rate_word} of zero, so impact ratios are "
            "undefined (division by zero) and no category is flagged."
        )
    else:
        # Ties for the highest rate go to the first category in display order.
        reference = next(key for key in included if rates[key] == highest)

    results = [
        _category_result(
            dimension,
            key,
            sizes=sizes,
            hits=hits,
            reference=reference,
            excluded=key in excluded,
            suppressed=suppressed.get(key),
        )
        for key in keys
    ]
    return VariantResult(
        variant=variant,
        n=total,
        reference=reference,
        highest_rate=None if highest is None else float(highest),
        categories=tuple(results),
        notes=tuple(notes),
    )


def _category_result(
    dimension: Dimension,
    key: str,
    *,
    sizes: Counter[str],
    hits: Counter[str],
    reference: str | None,
    excluded: bool,
    suppressed: Suppression | None,
) -> CategoryResult:
    sex, race = (None, None)
    if dimension == "intersectional":
        sex, _, race = key.partition(INTERSECTION_SEPARATOR)
    common = {
        "category": key,
        "label": category_label(dimension, key),
        "excluded": excluded,
        "sex": sex,
        "race_ethnicity": race,
    }
    if suppressed is not None:
        return CategoryResult(
            **common,
            n=None,
            hits=None,
            rate=None,
            share=None,
            impact_ratio=None,
            flag=False,
            p_value=None,
            test=None,
            suppressed=suppressed,
        )
    rate = Fraction(hits[key], sizes[key])
    impact: Fraction | None = None
    p_value: float | None = None
    test: str | None = None
    if reference is not None and not excluded:
        impact = rate / Fraction(hits[reference], sizes[reference])
        if key != reference:
            p_value, test = compare_rates(hits[key], sizes[key], hits[reference], sizes[reference])
    return CategoryResult(
        **common,
        n=sizes[key],
        hits=hits[key],
        rate=float(rate),
        share=sizes[key] / sizes.total(),
        impact_ratio=None if impact is None else float(impact),
        flag=impact is not None and impact < IMPACT_RATIO_THRESHOLD,
        p_value=p_value,
        test=test,
    )


def _suppressed_cells(
    dimension: Dimension, keys: Sequence[str], sizes: Counter[str], min_cell: int
) -> dict[str, Suppression]:
    """Cells under `min_cell`, then complementary cells until no total hides exactly one."""
    suppressed: dict[str, Suppression] = {
        key: "small_cell" for key in keys if sizes[key] < min_cell
    }
    totals = _published_totals(dimension, keys)
    changed = True
    while changed:
        changed = False
        for members in totals:
            hidden = [key for key in members if key in suppressed]
            shown = [key for key in members if key not in suppressed]
            if len(hidden) == 1 and shown:
                # The smallest shown cell costs the least information; ties in display order.
                suppressed[min(shown, key=lambda key: sizes[key])] = "complementary"
                changed = True
    return suppressed


def _published_totals(dimension: Dimension, keys: Sequence[str]) -> list[list[str]]:
    # Every table prints its total; the sex and race tables print the total of each row and
    # column of the intersection table (up to the people whose other value is unknown).
    totals = [list(keys)]
    if dimension == "intersectional":
        by_sex: defaultdict[str, list[str]] = defaultdict(list)
        by_race: defaultdict[str, list[str]] = defaultdict(list)
        for key in keys:
            sex, _, race = key.partition(INTERSECTION_SEPARATOR)
            by_sex[sex].append(key)
            by_race[race].append(key)
        totals.extend([*by_sex.values(), *by_race.values()])
    return totals


def _findings(report: BiasReport) -> list[str]:
    if report.n == 0 or report.date_from is None or report.date_to is None:
        return ["No records: there is nothing to audit, so no rates or impact ratios."]
    findings = [
        f"{report.n} assessed records submitted from {report.date_from.isoformat()} "
        f"to {report.date_to.isoformat()}."
    ]
    if report.scored:
        findings.append(
            f"{report.scored} records have a score; the median score is "
            f"{_format_number(report.median_score)}. The scoring rate counts scores strictly "
            "above the median."
        )
    else:
        findings.append("No record has a score, so the scoring-rate variant is not computed.")
    if report.advanced:
        findings.append(
            f"{report.advanced} records were advanced by a recruiter (their decision in force is "
            "advance); the recruiter-advanced selection rate counts them."
        )
    else:
        findings.append(
            "No record was advanced by a recruiter, so the recruiter-advanced selection rates "
            "are all zero and their impact ratios undefined."
        )
    for dimension in report.dimensions:
        if dimension.unknown:
            findings.append(
                f"{dimension.label}: {dimension.unknown} of {report.n} records "
                f"({percent(dimension.unknown / report.n)}) have an unknown value and are "
                "left out of this dimension's rates."
            )
    flagged = 0
    for dimension in report.dimensions:
        for variant_name in VARIANTS:
            variant = dimension.variant(variant_name)
            # Said once above rather than once per dimension.
            if (variant_name == "scoring" and not report.scored) or (
                variant_name == "advanced" and not report.advanced
            ):
                continue
            rate_word = VARIANT_LABELS[variant_name]
            for note in variant.notes:
                findings.append(f"{dimension.label}, {rate_word.lower()}: {note}")
            for result in variant.categories:
                if not result.flag:
                    continue
                flagged += 1
                findings.append(_flag_finding(dimension, variant, result))
    if flagged == 0:
        findings.append("No category has an impact ratio below 0.8.")
    return findings


def _flag_finding(
    dimension: DimensionResult, variant: VariantResult, result: CategoryResult
) -> str:
    reference_label = category_label(dimension.dimension, variant.reference or "")
    text = (
        f"{dimension.label}, {VARIANT_LABELS[variant.variant].lower()}: {result.label} has an "
        f"impact ratio of {result.impact_ratio:.2f} ({percent(result.rate)} against "
        f"{percent(variant.highest_rate or 0)} for {reference_label}), below the four-fifths "
        "threshold of 0.8."
    )
    if result.p_value is not None and result.test is not None:
        significant = result.p_value < SIGNIFICANCE_LEVEL
        test_label = TEST_LABELS[result.test]
        text += (
            f" {test_label[0].upper()}{test_label[1:]}: p {_p_relation(result.p_value)}, "
            f"{'statistically significant' if significant else 'not statistically significant'}"
            f" at the {SIGNIFICANCE_LEVEL} level."
        )
    return text


def _p_relation(p_value: float) -> str:
    # "p = 0.0315", but "p < 0.0001" rather than "p = < 0.0001".
    text = format_p_value(p_value)
    return text if text.startswith("<") else f"= {text}"


def _format_number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:g}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, _JSON_DECIMALS)


def _dimension_json(dimension: DimensionResult, report: BiasReport) -> dict[str, Any]:
    return {
        "label": dimension.label,
        "known": dimension.known,
        "unknown": dimension.unknown,
        **{name: _variant_json(dimension.variant(name), report) for name in VARIANTS},
    }


def _variant_json(variant: VariantResult, report: BiasReport) -> dict[str, Any]:
    count_field, rate_field = VARIANT_FIELDS[variant.variant]
    categories = []
    for result in variant.categories:
        entry: dict[str, Any] = {
            "category": result.category,
            "label": result.label,
            "n": result.n,
            count_field: result.hits,
            rate_field: _round(result.rate),
            "share": _round(result.share),
            "impact_ratio": _round(result.impact_ratio),
            "excluded": result.excluded,
            # A suppressed cell is neither flagged nor cleared: it was not compared.
            "flag": None if result.suppressed else result.flag,
            "p_value": _round(result.p_value),
            "test": result.test,
            "suppressed": report.suppression_label(result) or None,
        }
        if result.sex is not None:
            entry["sex"] = result.sex
            entry["race_ethnicity"] = result.race_ethnicity
        categories.append(entry)
    return {
        "n": variant.n,
        "reference": variant.reference,
        "highest_rate": _round(variant.highest_rate),
        "categories": categories,
        "notes": list(variant.notes),
    }


def _sorted_keys(value: Any) -> Any:
    # Insertion order is what json.dumps writes, so sorting here makes the output stable even
    # without sort_keys=True; lists keep their (deterministic) order.
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def _date_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _dimension_from_json(name: Dimension, data: dict[str, Any], min_cell: int) -> DimensionResult:
    return DimensionResult(
        dimension=name,
        label=data["label"],
        known=data["known"],
        unknown=data["unknown"],
        **{variant: _variant_from_json(variant, data[variant], min_cell) for variant in VARIANTS},
    )


def _variant_from_json(variant: Variant, data: dict[str, Any], min_cell: int) -> VariantResult:
    count_field, rate_field = VARIANT_FIELDS[variant]
    # The JSON names a suppressed cell by the label it shows; the kind is read back from it.
    kinds: dict[str, Suppression] = {
        f"fewer than {min_cell}": "small_cell",
        COMPLEMENTARY_LABEL: "complementary",
    }
    categories = tuple(
        CategoryResult(
            category=entry["category"],
            label=entry["label"],
            n=entry["n"],
            hits=entry[count_field],
            rate=entry[rate_field],
            share=entry["share"],
            impact_ratio=entry["impact_ratio"],
            excluded=entry["excluded"],
            flag=bool(entry["flag"]),
            p_value=entry["p_value"],
            test=entry["test"],
            suppressed=kinds[entry["suppressed"]] if entry["suppressed"] else None,
            sex=entry.get("sex"),
            race_ethnicity=entry.get("race_ethnicity"),
        )
        for entry in data["categories"]
    )
    return VariantResult(
        variant=variant,
        n=data["n"],
        reference=data["reference"],
        highest_rate=data["highest_rate"],
        categories=categories,
        notes=tuple(data["notes"]),
    )
