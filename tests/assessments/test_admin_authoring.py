# ruff: noqa: F811 -- pytest fixtures imported from authoring_support
"""The authoring admin: pages render for recruiters, are refused to other roles, and work."""

import re

import pytest
import yaml
from django.urls import reverse

from assessments.authoring.models import AssessmentDraft, DraftCriterion, DraftOption
from assessments.authoring.services import publish_draft
from assessments.models import AssessmentVersion, Attempt, Invitation, Response
from audit.models import AuditEvent
from audit.roles import Role
from tests.assessments.authoring_support import (  # noqa: F401 -- fixtures
    ALL_ITEM_TYPES,
    draft_from,
    recruiter,
    recruiter_client,
)
from tests.support.documents import small_document
from tests.support.factories import staff_in_roles

pytestmark = pytest.mark.django_db


def admin_pages(draft, version) -> list[str]:
    """Every authoring page a recruiter uses, for one draft and one version."""
    step = draft.steps.get(step_id="choose-path")
    text_step = draft.steps.get(step_id="final-reply")
    criterion = DraftCriterion.objects.get(step=text_step)
    level = criterion.levels.last()
    skill = draft.skills.first()
    return [
        reverse("admin:index"),
        reverse("admin:assessments_assessmentdraft_changelist"),
        reverse("admin:assessments_assessmentdraft_changelist") + "?q=fixture",
        reverse("admin:assessments_assessmentdraft_change", args=[draft.pk]),
        reverse("admin:assessments_assessmentdraft_add"),
        reverse("admin:assessments_assessmentdraft_import"),
        reverse("admin:assessments_assessmentdraft_publish", args=[draft.pk]),
        reverse("admin:assessments_assessmentdraft_preview", args=[draft.pk]),
        reverse("admin:assessments_draftstep_change", args=[step.pk]),
        reverse("admin:assessments_draftstep_change", args=[text_step.pk]),
        reverse("admin:assessments_draftcriterion_change", args=[criterion.pk]),
        reverse("admin:assessments_draftlevel_change", args=[level.pk]),
        reverse("admin:assessments_draftskill_change", args=[skill.pk]),
        reverse("admin:assessments_assessment_changelist"),
        reverse("admin:assessments_assessmentversion_changelist"),
        reverse("admin:assessments_assessmentversion_change", args=[version.pk]),
        reverse("admin:assessments_assessmentversion_preview", args=[version.pk]),
    ]


@pytest.fixture
def draft_and_version(recruiter):
    text = ALL_ITEM_TYPES.read_text(encoding="utf-8")
    version = publish_draft(draft_from(yaml.safe_load(text)), user=recruiter)
    draft = draft_from(yaml.safe_load(text) | {"title": "Edited fixture"}, user=recruiter)
    return draft, version


def test_authoring_pages_render_for_a_recruiter(recruiter_client, draft_and_version):
    for url in admin_pages(*draft_and_version):
        response = recruiter_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", [Role.REVIEWER, None], ids=["reviewer", "staff-without-role"])
def test_authoring_pages_are_refused_to_other_staff(client, draft_and_version, role):
    client.force_login(staff_in_roles("other", *([role] if role else [])))
    for url in admin_pages(*draft_and_version)[1:]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/login/" in response["Location"], url


def test_authoring_pages_send_non_staff_to_the_login_page(client, draft_and_version):
    client.force_login(staff_in_roles("candidate", Role.RECRUITER, is_staff=False))
    for url in admin_pages(*draft_and_version):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], url


def test_compliance_sees_drafts_but_cannot_publish_or_edit(client, draft_and_version):
    draft, _ = draft_and_version
    client.force_login(staff_in_roles("carol", Role.COMPLIANCE))
    change = reverse("admin:assessments_assessmentdraft_change", args=[draft.pk])
    assert client.get(change).status_code == 200
    publish = reverse("admin:assessments_assessmentdraft_publish", args=[draft.pk])
    assert client.get(publish).status_code == 403
    assert client.post(publish).status_code == 403
    assert client.post(change, {"title": "Hijacked"}).status_code == 403
    assert AssessmentDraft.objects.get(pk=draft.pk).title == "Edited fixture"


def test_publish_page_summarises_changes_against_the_previous_version(
    recruiter_client, draft_and_version
):
    draft, version = draft_and_version
    url = reverse("admin:assessments_assessmentdraft_publish", args=[draft.pk])
    page = recruiter_client.get(url).content.decode()
    assert f"What changes against all-item-types v{version.number}" in page
    assert "title: &#x27;All item types (fixture)&#x27; → &#x27;Edited fixture&#x27;" in page
    response = recruiter_client.post(url)
    new = AssessmentVersion.objects.get(assessment__slug="all-item-types", number=2)
    assert response["Location"] == reverse(
        "admin:assessments_assessmentversion_change", args=[new.pk]
    )
    assert new.content["title"] == "Edited fixture"
    assert not AssessmentDraft.objects.filter(pk=draft.pk).exists()


def test_publish_is_refused_with_the_problems_listed(recruiter_client, recruiter):
    draft = draft_from(small_document(), user=recruiter)
    draft.steps.filter(step_id="first-move").update(next_step="nowhere")
    url = reverse("admin:assessments_assessmentdraft_publish", args=[draft.pk])
    response = recruiter_client.post(url)
    assert response.status_code == 400
    assert "step &#x27;first-move&#x27; points to no step &#x27;nowhere&#x27;" in (
        response.content.decode()
    )
    assert not AssessmentVersion.objects.exists()


def test_validation_errors_appear_next_to_the_field_they_concern(recruiter_client, recruiter):
    draft = draft_from(small_document(), user=recruiter)
    DraftOption.objects.filter(option_id="refund").update(next_step="escalate-2")
    step = draft.steps.get(step_id="first-move")
    page = recruiter_client.get(
        reverse("admin:assessments_draftstep_change", args=[step.pk])
    ).content.decode()
    # The error list sits inside the option row's "branch to" cell, before its select.
    cell = page.split('name="options-1-next_step"')[0].rsplit("<div", 3)
    assert "points to no step &#x27;escalate-2&#x27;" in "".join(cell[-3:])
    draft_page = recruiter_client.get(
        reverse("admin:assessments_assessmentdraft_change", args=[draft.pk])
    ).content.decode()
    assert "1 problem to fix before this draft can be published" in draft_page
    assert "Inside: step &#x27;first-move&#x27; option &#x27;refund&#x27;" in draft_page


def test_draft_page_edits_skills_and_steps_in_order(recruiter_client, recruiter):
    draft = draft_from(small_document(), user=recruiter)
    page = recruiter_client.get(
        reverse("admin:assessments_assessmentdraft_change", args=[draft.pk])
    ).content.decode()
    assert page.index('value="first-move"') < page.index('value="reply"')
    assert "Skills measured" in page and "Steps (open a step" in page


def test_lists_are_edited_one_per_line_not_as_json(recruiter_client, recruiter):
    draft = draft_from(small_document(), user=recruiter)
    criterion = DraftCriterion.objects.get(step__draft=draft, criterion_id="reply-quality")
    page = recruiter_client.get(
        reverse("admin:assessments_draftcriterion_change", args=[criterion.pk])
    ).content.decode()
    assert "sorry\napologi[sz]e</textarea>" in page
    assert "[&quot;sorry&quot;" not in page


def test_preview_renders_candidate_pages_and_records_nothing(recruiter_client, recruiter):
    draft = draft_from(small_document(), user=recruiter)
    events = AuditEvent.objects.count()
    base = reverse("admin:assessments_assessmentdraft_preview", args=[draft.pk])
    first = recruiter_client.get(base)
    assert first.status_code == 200
    html = first.content.decode()
    assert "charged twice" in html and "nothing you answer is saved" in html
    assert "Check the payment log" in html
    assert "rationale" not in html and "Facts first." not in html  # no keys or feedback
    templates = {t.name for t in first.templates}
    assert "candidate/step.html" in templates
    alias = re.search(r'name="option"[^>]*value="([^"]+)"', html).group(1)
    moved = recruiter_client.post(f"{base}first-move/?path=first-move", {"option": alias})
    assert moved.status_code == 302
    assert moved["Location"] == f"{base}reply/?path=first-move,reply"
    reply = recruiter_client.get(moved["Location"])
    assert reply.status_code == 200
    end = recruiter_client.post(f"{base}reply/?path=first-move,reply", {"text": "Sorry!"})
    assert end["Location"] == f"{base}end/?path=first-move,reply"
    assert recruiter_client.get(end["Location"]).status_code == 200
    assert AuditEvent.objects.count() == events
    assert not (
        Invitation.objects.exists() or Attempt.objects.exists() or Response.objects.exists()
    )


def test_preview_of_every_step_of_every_item_type(recruiter_client, draft_and_version):
    draft, version = draft_and_version
    for name, pk in (("assessmentdraft", draft.pk), ("assessmentversion", version.pk)):
        base = reverse(f"admin:assessments_{name}_preview", args=[pk])
        for step in version.content["steps"]:
            response = recruiter_client.get(f"{base}{step['id']}/")
            assert response.status_code == 200, (name, step["id"])
            assert step["title"].split(" ")[0] in response.content.decode()


def test_clone_and_new_draft_from_version_buttons(recruiter_client, draft_and_version):
    draft, version = draft_and_version
    cloned = recruiter_client.post(
        reverse("admin:assessments_assessmentdraft_clone", args=[draft.pk])
    )
    copy = AssessmentDraft.objects.get(slug="all-item-types-copy")
    assert cloned["Location"] == reverse("admin:assessments_assessmentdraft_change", args=[copy.pk])
    assert copy.title == "Edited fixture (copy)" and copy.based_on is None
    started = recruiter_client.post(
        reverse("admin:assessments_assessmentversion_new_draft", args=[version.pk])
    )
    new = AssessmentDraft.objects.filter(based_on=version).latest("pk")
    assert started["Location"] == reverse("admin:assessments_assessmentdraft_change", args=[new.pk])
    assert new.title == "All item types (fixture)"


def test_import_upload_creates_a_draft_and_export_downloads_it(recruiter_client):
    text = ALL_ITEM_TYPES.read_text(encoding="utf-8")
    url = reverse("admin:assessments_assessmentdraft_import")
    with ALL_ITEM_TYPES.open("rb") as handle:
        response = recruiter_client.post(url, {"file": handle})
    draft = AssessmentDraft.objects.get()
    assert response["Location"] == reverse(
        "admin:assessments_assessmentdraft_change", args=[draft.pk]
    )
    download = recruiter_client.get(
        reverse("admin:assessments_assessmentdraft_export", args=[draft.pk])
    )
    assert download["Content-Disposition"] == 'attachment; filename="all-item-types-draft.yaml"'
    assert yaml.safe_load(download.content) == yaml.safe_load(text)


def test_import_upload_of_a_bad_file_changes_nothing_and_names_path_and_line(
    recruiter_client, tmp_path
):
    text = ALL_ITEM_TYPES.read_text(encoding="utf-8").replace(
        "next: rate-replies\n        - id: ask-for-proof",
        "next: escalate-2\n        - id: ask-for-proof",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with bad.open("rb") as handle:
        response = recruiter_client.post(
            reverse("admin:assessments_assessmentdraft_import"), {"file": handle}
        )
    assert response.status_code == 400
    line = text.splitlines().index("          next: escalate-2") + 1
    assert "steps[1].item.options[0].next: step &#x27;choose-path&#x27; option" in (
        response.content.decode()
    )
    assert f"no step &#x27;escalate-2&#x27; (line {line})" in response.content.decode()
    assert not AssessmentDraft.objects.exists()


def test_search_and_filters_on_the_draft_list(recruiter_client, draft_and_version):
    url = reverse("admin:assessments_assessmentdraft_changelist")
    assert "Edited fixture" in recruiter_client.get(url + "?q=Rate+the+draft").content.decode()
    assert "Edited fixture" not in recruiter_client.get(url + "?q=zzz-nothing").content.decode()
    assert recruiter_client.get(url + "?role=Fixture+Role").status_code == 200


def test_saving_a_step_keeps_its_text_exactly(recruiter_client, recruiter):
    """Saving an untouched form must not change the document (no stripping, LF line breaks)."""
    from assessments.authoring.services import draft_document

    document = small_document()
    document["steps"][0]["context"] = "Line one\nLine two\n"
    draft = draft_from(document, user=recruiter)
    before = draft_document(draft)
    step = draft.steps.get(step_id="first-move")
    url = reverse("admin:assessments_draftstep_change", args=[step.pk])
    page = recruiter_client.get(url)
    form = page.context["adminform"].form
    data = {
        name: (form[name].value() if form[name].value() is not None else "") for name in form.fields
    }
    data["context"] = "Line one\r\nLine two\r\n"
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(formset.management_form.initial | {})
        prefix = formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = len(formset.forms)
        data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is None or value is False:
                    continue
                data[sub.add_prefix(name)] = (
                    sub.fields[name].prepare_value(value) if name != "id" else value
                )
    response = recruiter_client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    assert draft_document(draft) == before
