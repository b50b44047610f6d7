"""Markdown is rendered safely: raw HTML, scripts and javascript: links never pass."""

from html.parser import HTMLParser

import pytest

from assessments.presenters import render_markdown

SAFE_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3"}
SAFE_TAGS |= {"h4", "hr"}


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src='https://evil.example'></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "<style>body{display:none}</style>",
    '<div onclick="alert(1)">x</div>',
    "![tracker](https://evil.example/pixel.png)",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_never_produces_live_html(source):
    html = str(render_markdown(source))
    for tag, attrs in Elements(html).found:
        assert tag in SAFE_TAGS, (source, html)
        assert not any(name.startswith("on") or name in {"style", "src"} for name in attrs)
        href = attrs.get("href", "")
        assert href == "" or href.lower().startswith(("http://", "https://", "mailto:")), html


def test_raw_html_is_shown_as_text_not_dropped_silently():
    html = str(render_markdown("Use <b>bold</b> tags"))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>" not in html


def test_ordinary_formatting_survives():
    html = str(
        render_markdown("**Bold**, *em*, `code` and [a link](https://example.com)\n\n- one\n- two")
    )
    assert "<strong>Bold</strong>" in html and "<em>em</em>" in html and "<code>code</code>" in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<ul>" in html and "<li>one</li>" in html


def test_step_context_from_a_document_is_sanitised_in_the_preview(client, django_user_model, db):
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from tests.assessments.authoring_support import draft_from
    from tests.support.documents import small_document

    user = django_user_model.objects.create_user("rita", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiter"))
    client.force_login(user)
    document = small_document()
    document["steps"][0]["context"] = "Hi <script>alert('x')</script> [x](javascript:alert(1))"
    draft = draft_from(document)
    html = client.get(
        reverse("admin:assessments_assessmentdraft_preview", args=[draft.pk])
    ).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert 'href="javascript' not in html
