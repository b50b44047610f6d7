"""The shared report helpers: one formula guard, one percentage, one PDF look."""

import io
import shutil
import subprocess

import pytest
from reportlab.platypus import SimpleDocTemplate

from reports import pdf
from reports.numbers import percent
from reports.spreadsheet import formula_safe


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_would_start_a_formula_is_quoted(text):
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Ada", "a=b", "", 3, None, 1.5])
def test_other_cells_are_left_as_they_are(value):
    assert formula_safe(value) == value


def test_percent_of_a_whole_and_of_one():
    assert percent(1, 8) == "12.5%"
    assert percent(0.5) == "50.0%"
    assert percent(0.125, decimals=0) == "12%"  # half to even, as round() does
    assert percent(3, 0) == "n/a"


def test_user_text_in_a_pdf_paragraph_never_becomes_markup():
    assert pdf.markup("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert pdf.markup(None) == ""


def test_a_report_with_facts_a_table_and_the_footer_renders():
    styles = pdf.styles()
    output = io.BytesIO()
    document = SimpleDocTemplate(output, invariant=True)
    story = [
        pdf.facts_table([("Candidate", "<Ada>")], styles, document.width),
        pdf.table(
            ["A", "B"],
            [["1", "=2"], ["3", "4"]],
            styles,
            document.width,
            (0.5, 0.5),
            mono_columns={1},
            highlight=lambda index: pdf.TERM_BACKGROUND if index == 0 else None,
        ),
    ]
    footer = pdf.page_footer("Report title")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils", pytrace=False)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=output.getvalue(), capture_output=True, check=True
    ).stdout.decode()
    assert "Candidate" in text and "<Ada>" in text and "=2" in text
    assert "Report title" in text and "Page 1" in text
