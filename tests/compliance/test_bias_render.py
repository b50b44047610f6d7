"""Bias audit rendering: CSV fields, escaped HTML with an SVG chart, and a PDF."""

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest

from compliance.bias import VARIANTS, AuditRecord, BiasReport, compute_bias_audit
from compliance.reporting.bias import CSV_COLUMNS, render_csv, render_html, render_pdf
from compliance.reporting.charts import bar_chart, build_drawing
from tests.compliance.test_bias import LL144_ARITHMETIC, example_records

MALICIOUS = '<script>alert("x")</script>&'


@pytest.fixture(scope="module")
def report() -> BiasReport:
    return compute_bias_audit(example_records(), **LL144_ARITHMETIC)


def malicious_report() -> BiasReport:
    records = [
        AuditRecord("female", "white", i < 5, float(i), date(2024, 1, 1)) for i in range(10)
    ] + [
        AuditRecord(MALICIOUS, "=HYPERLINK(1)", i < 1, float(i), date(2024, 1, 2))
        for i in range(10)
    ]
    return compute_bias_audit(records)


def test_csv_has_one_row_per_dimension_variant_and_category(report: BiasReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == CSV_COLUMNS
    expected = sum(len(d.variant(v).categories) for d in report.dimensions for v in VARIANTS)
    assert len(rows) == expected
    female = next(
        r
        for r in rows
        if r["dimension"] == "sex" and r["variant"] == "selection" and r["category"] == "female"
    )
    assert female["n"] == "36"
    assert female["count"] == "12"
    assert female["rate"] == "0.3333"
    assert female["impact_ratio"] == "0.7246"
    assert female["flag"] == "true"
    assert female["test"] == "two_proportion_z"
    excluded = next(
        r
        for r in rows
        if r["dimension"] == "race_ethnicity"
        and r["category"] == "american-indian-or-alaska-native"
    )
    assert excluded["excluded"] == "true"
    assert excluded["impact_ratio"] == ""


def test_csv_neutralises_spreadsheet_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(malicious_report()))))
    race_labels = {r["label"] for r in rows if r["dimension"] == "race_ethnicity"}
    assert "'=HYPERLINK(1)" in race_labels
    assert not any(value.startswith("=") for row in rows for value in row.values())


def test_html_has_tables_and_an_accessible_svg(report: BiasReport) -> None:
    html = render_html(report)
    assert html.count("<table") == 9  # three dimensions, three variants
    assert '<th scope="col">Impact ratio</th>' in html
    assert html.count("<svg") == 9
    assert 'role="img"' in html
    assert '<title id="bias-audit-sex-selection-chart-title">' in html
    # The dashed four-fifths line: 0.8 x 46.0% = 36.8% for sex.
    assert "stroke-dasharray" in html
    assert "36.8%" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<link" not in html and "<img" not in html


def test_html_escapes_category_names() -> None:
    html = render_html(malicious_report())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in html


def test_html_of_empty_report_says_no_data() -> None:
    html = render_html(compute_bias_audit([]))
    assert "No records" in html
    assert "<table" not in html


def test_pdf_is_a_pdf_and_reproducible(report: BiasReport) -> None:
    pdf = render_pdf(report, "Bias audit <Q1> & co")
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5_000
    assert render_pdf(report, "Bias audit <Q1> & co") == pdf


def test_pdf_renders_malicious_names_and_empty_reports() -> None:
    assert render_pdf(malicious_report(), MALICIOUS).startswith(b"%PDF")
    assert render_pdf(compute_bias_audit([]), "Empty").startswith(b"%PDF")


def test_chart_drawing_fits_the_width(report: BiasReport) -> None:
    dimension = report.dimension("intersectional")
    chart = bar_chart(report, dimension, dimension.selection)
    # 0.8 x 0.5 (male/white) = 0.4.
    assert chart.threshold == pytest.approx(0.4)
    drawing = build_drawing(chart, 450)
    assert drawing.width == 450
    assert len(chart.bars) == 5


def test_pdf_text_shows_findings_and_tables(report: BiasReport, tmp_path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils", pytrace=False)
    path = tmp_path / "audit.pdf"
    path.write_bytes(render_pdf(report, "Bias audit"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Findings" in text
    assert "Selection rate by sex" in text
    assert "Fisher's exact test" in text
