"""Bias audits do not single people out.

Cells of fewer than 5 people show "fewer than 5" instead of their numbers in every format (and
no hidden cell can be worked out from a total), a report over too few candidates is refused,
the LL144 option to leave out categories under 2% is offered and stated, and opening the
report writes nothing.
"""

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from audit.roles import Role
from compliance.bias import VARIANTS, AuditRecord, compute_bias_audit
from tests.compliance.helpers import bulk_candidates_with_answers
from tests.support.factories import published_version, staff_in_roles

pytestmark = pytest.mark.django_db

BLACK = "black-or-african-american"
# (sex, race/ethnicity, people, selected). 43 people; Asian women (2, both selected) and Asian
# men (1, not selected) are the small cells: the report must not tell who they are.
COHORT = [
    ("female", "white", 12, 6),
    ("male", "white", 12, 9),
    ("female", BLACK, 8, 2),
    ("male", BLACK, 8, 4),
    ("female", "asian", 2, 2),
    ("male", "asian", 1, 0),
]
HIDDEN = "fewer than 5"
COHORT_SLUG = "small-support"  # the slug of published_version()'s document


@pytest.fixture
def auditor(client):
    client.force_login(staff_in_roles("auditor", Role.COMPLIANCE))
    return client


@pytest.fixture
def version():
    return published_version()


def report_url(version) -> str:
    return reverse("compliance:bias-audit", kwargs={"slug": version.assessment.slug})


@pytest.fixture
def url(version):
    bulk_candidates_with_answers(version, COHORT)
    return report_url(version)


def download(auditor, url, fmt: str, **data):
    response = auditor.post(url, {"format": fmt, **data})
    assert response.status_code == 200, response.content[:500]
    return response.content


def categories(document: dict):
    for dimension, tables in document["dimensions"].items():
        for variant in VARIANTS:
            for category in tables[variant]["categories"]:
                yield dimension, variant, category


# --- small cells, format by format ----------------------------------------------------------


def test_json_shows_fewer_than_5_and_no_number_of_a_small_cell(auditor, url):
    document = json.loads(download(auditor, url, "json"))
    assert document["thresholds"]["min_cell"] == 5
    asian_women = next(
        c
        for d, v, c in categories(document)
        if d == "intersectional" and v == "selection" and c["category"] == "female/asian"
    )
    assert asian_women["suppressed"] == HIDDEN
    for field in ("n", "selected", "selection_rate", "share", "impact_ratio", "p_value", "flag"):
        assert asian_women[field] is None, field
    for _, _, category in categories(document):
        # Every number shown belongs to a cell of at least 5 people.
        assert category["n"] is None or category["n"] >= 5, category
        if category["suppressed"]:
            assert category["impact_ratio"] is None and category["p_value"] is None


def test_csv_shows_fewer_than_5_instead_of_counts_and_rates(auditor, url):
    rows = list(csv.DictReader(io.StringIO(download(auditor, url, "csv").decode())))
    asian = next(r for r in rows if r["dimension"] == "race_ethnicity" and r["category"] == "asian")
    assert (asian["n"], asian["count"], asian["rate"]) == (HIDDEN, HIDDEN, HIDDEN)
    assert asian["share"] == asian["impact_ratio"] == asian["p_value"] == asian["flag"] == ""
    assert "fewer than 5 people" in asian["note"]
    assert all(row["n"] in (HIDDEN, "suppressed") or int(row["n"]) >= 5 for row in rows)


def test_html_tables_and_charts_show_fewer_than_5(auditor, url):
    html = auditor.get(url).content.decode()
    rows = re.findall(r'<th scope="row">Female / Asian</th>(.*?)</tr>', html)
    assert len(rows) == len(VARIANTS)
    for row in rows:
        assert re.findall(r"<td>(.*?)</td>", row) == [HIDDEN] + ["\u2013"] * 6
    # The chart has no bar for the cell, only its label.
    assert "<title>Female / Asian: fewer than 5</title>" in html
    assert "Female / Asian: 100.0%" not in html


def test_pdf_tables_and_charts_show_fewer_than_5(auditor, url, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils", pytrace=False)
    path = tmp_path / "bias.pdf"
    path.write_bytes(download(auditor, url, "pdf"))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = " ".join(text.split())
    # A table row and a chart bar for each variant, each with the label where numbers were.
    assert flat.count("Female / Asian") == 2 * len(VARIANTS)
    assert flat.count(f"Female / Asian {HIDDEN}") == 2 * len(VARIANTS)


def test_a_small_cell_is_never_the_reference_nor_recoverable_from_a_total():
    def people(race: str, count: int, selected: int) -> list[AuditRecord]:
        return [
            AuditRecord("female", race, i < selected, 50.0, date(2024, 1, 1)) for i in range(count)
        ]

    # Three Asian candidates, all selected: as the reference (the highest rate), every other
    # impact ratio would give their rate away.
    records = [
        *people("asian", 3, 3),
        *people("hispanic-or-latino", 10, 6),
        *people("white", 10, 5),
        *people(BLACK, 10, 4),
    ]
    race = compute_bias_audit(records).dimension("race_ethnicity").selection
    assert race.category("asian").suppressed == "small_cell"
    # The table's total (33) minus the shown cells would give the hidden one, so the smallest
    # shown cell (the first in display order among equals) is hidden with it.
    assert race.category("hispanic-or-latino").suppressed == "complementary"
    assert race.reference == "white"
    assert race.category(BLACK).impact_ratio == pytest.approx(0.8)
    assert race.category("asian").impact_ratio is None


def test_no_published_total_hides_exactly_one_cell(auditor, url):
    document = json.loads(download(auditor, url, "json"))
    for dimension, tables in document["dimensions"].items():
        for variant in VARIANTS:
            cells = tables[variant]["categories"]
            totals = [cells]
            if dimension == "intersectional":
                for field in ("sex", "race_ethnicity"):
                    for value in {c[field] for c in cells}:
                        totals.append([c for c in cells if c[field] == value])
            for members in totals:
                hidden = [c for c in members if c["suppressed"]]
                assert len(hidden) != 1 or len(members) == 1, (dimension, variant, members)


# --- minimum population ---------------------------------------------------------------------


def test_a_report_over_too_few_candidates_is_refused_in_every_format(auditor, url, settings):
    settings.BIAS_AUDIT_MIN_POPULATION = 50
    message = "would cover 43 scored candidates; it needs at least 50"

    page = auditor.get(url)
    assert page.status_code == 400
    assert message in page.content.decode() and 'class="bias-audit"' not in page.content.decode()
    for fmt in ("json", "csv", "pdf"):
        response = auditor.post(url, {"format": fmt})
        assert response.status_code == 400, fmt
        assert "Content-Disposition" not in response.headers
        assert message in response.content.decode()
    with pytest.raises(CommandError, match=message):
        call_command("bias_audit", assessment=COHORT_SLUG, format="json")
    assert not AuditEvent.objects.filter(payload__contains="bias_audit").exists()


# --- the LL144 option to leave out categories under 2% --------------------------------------


# Asian women: 5 of 260 people with a known race (1.9%), enough to be shown, under 2%.
SMALL_CATEGORY = [
    ("female", "white", 128, 64),
    ("male", "white", 127, 70),
    ("female", "asian", 5, 5),
]


@pytest.fixture
def small_category_url(version):
    bulk_candidates_with_answers(version, SMALL_CATEGORY)
    return report_url(version)


def test_leaving_out_small_categories_is_an_option_stated_in_every_format(
    auditor, small_category_url, tmp_path
):
    url = small_category_url
    stated = "Left out of impact ratios by the LL144 option (under 2% of the 260 records"
    document = json.loads(download(auditor, url, "json", exclude_small_categories="on"))
    assert document["small_categories_excluded"] is True
    race = document["dimensions"]["race_ethnicity"]["selection"]
    asian = next(c for c in race["categories"] if c["category"] == "asian")
    assert asian["excluded"] is True and asian["impact_ratio"] is None and asian["n"] == 5
    assert any(note.startswith(stated) and note.endswith("Asian.") for note in race["notes"])

    rows = csv.DictReader(
        io.StringIO(download(auditor, url, "csv", exclude_small_categories="on").decode())
    )
    asian_row = next(
        r for r in rows if r["dimension"] == "race_ethnicity" and r["category"] == "asian"
    )
    assert asian_row["excluded"] == "true"
    assert "under 2% of the data (LL144 option)" in asian_row["note"]

    html = auditor.get(url, {"exclude_small_categories": "on"}).content.decode()
    assert stated in html and "left out (&lt;2%)" in html
    assert 'name="exclude_small_categories" value="on">' in html  # kept for the downloads

    path = tmp_path / "bias.pdf"
    path.write_bytes(download(auditor, url, "pdf", exclude_small_categories="on"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    flat = " ".join(text.stdout.split())
    assert "Left out of impact ratios by the LL144 option" in flat
    assert "left out of impact ratios (LL144 option)" in flat  # the facts table


def test_without_the_option_every_category_is_compared_and_the_report_says_so(
    auditor, small_category_url
):
    document = json.loads(download(auditor, small_category_url, "json"))
    assert document["small_categories_excluded"] is False
    race = document["dimensions"]["race_ethnicity"]["selection"]
    asian = next(c for c in race["categories"] if c["category"] == "asian")
    assert asian["excluded"] is False and asian["impact_ratio"] is not None
    assert any("option was not chosen" in note for note in document["method_notes"])


def test_the_command_offers_the_option(version, capsys):
    bulk_candidates_with_answers(version, SMALL_CATEGORY)
    slug = version.assessment.slug
    call_command("bias_audit", assessment=slug, format="json", exclude_small_categories=True)
    assert json.loads(capsys.readouterr().out)["small_categories_excluded"] is True


# --- opening the report is a read --------------------------------------------------------------


def test_opening_the_report_writes_nothing_and_a_download_is_audited(auditor, url):
    events = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        page = auditor.get(url)
    assert page.status_code == 200 and 'class="bias-audit"' in page.content.decode()
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert AuditEvent.objects.count() == events

    download(auditor, url, "csv")
    assert AuditEvent.objects.count() == events + 1
    payload = json.loads(AuditEvent.objects.order_by("-pk").first().payload)
    assert (payload["report"], payload["format"]) == ("bias_audit", "csv")
