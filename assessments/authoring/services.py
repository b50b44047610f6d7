"""Authoring writes, one function each: import, clone, new draft from a version, publish.

Publishing goes through ``assessments.services.publish_document``, the only place that
creates an AssessmentVersion.
"""

from django.db import transaction

from assessments.authoring.files import dump_document, read_document
from assessments.authoring.models import AssessmentDraft
from assessments.authoring.serialise import create_draft, draft_to_document, load_draft
from assessments.documents import validate_document
from assessments.exceptions import InvalidDocument
from assessments.models import Assessment, AssessmentVersion
from assessments.services import publish_document
from audit.canonical import json_sha256


def latest_version(slug: str) -> AssessmentVersion | None:
    """The newest published version of the assessment with this slug."""
    return AssessmentVersion.objects.filter(assessment__slug=slug).order_by("-number").first()


def draft_document(draft: AssessmentDraft) -> dict:
    """The document a draft describes now (not validated)."""
    return draft_to_document(load_draft(draft.pk))


def export_text(source: AssessmentDraft | AssessmentVersion) -> str:
    """The YAML file of a published version or of a draft."""
    document = source.content if isinstance(source, AssessmentVersion) else draft_document(source)
    return dump_document(document)


def import_draft(text: str, *, user=None) -> AssessmentDraft:
    """A new draft from an assessment YAML file; a bad file changes nothing.

    Raises DocumentFileError whose errors name each problem's document path and YAML line.
    The draft is based on the assessment's latest version when there is one.
    """
    document = read_document(text)
    return create_draft(document, user=user, based_on=latest_version(document["slug"]))


def new_draft_from_version(version: AssessmentVersion, *, user=None) -> AssessmentDraft:
    """A draft holding a published version's content: the start of its next version."""
    return create_draft(version.content, user=user, based_on=version)


def _unused_slug(base: str) -> str:
    taken = set(Assessment.objects.values_list("slug", flat=True))
    taken |= set(AssessmentDraft.objects.values_list("slug", flat=True))
    stem = base[:70]
    candidate, number = f"{stem}-copy", 2
    while candidate in taken:
        candidate, number = f"{stem}-copy-{number}", number + 1
    return candidate


def _clone(document: dict, user) -> AssessmentDraft:
    copy = dict(document, slug=_unused_slug(document["slug"]), title=f"{document['title']} (copy)")
    return create_draft(copy, user=user)


def clone_draft(draft: AssessmentDraft, *, user=None) -> AssessmentDraft:
    """A copy of a draft under a new, unused slug: a new assessment once published."""
    return _clone(draft_document(draft), user)


def clone_assessment(assessment: Assessment, *, user=None) -> AssessmentDraft:
    """A draft of a new assessment, copied from this one's latest version."""
    version = assessment.versions.order_by("-number").first()
    if version is None:
        raise InvalidDocument([f"(document): '{assessment.slug}' has no version to copy"])
    return _clone(version.content, user)


@transaction.atomic
def publish_draft(draft: AssessmentDraft, *, user=None) -> AssessmentVersion:
    """Validate a draft, freeze it as the next version of its assessment, and close the draft.

    Raises InvalidDocument (with ``problems`` when the document itself is at fault), also
    when the draft is identical to the latest version.
    """
    draft = AssessmentDraft.objects.select_for_update().get(pk=draft.pk)
    document = draft_document(draft)
    validate_document(document)
    latest = latest_version(document["slug"])
    if latest is not None and latest.content_sha256 == json_sha256(document):
        raise InvalidDocument(
            [f"(document): identical to version {latest.number}; there is nothing to publish"]
        )
    version = publish_document(document, user=user)
    draft.delete()
    return version
