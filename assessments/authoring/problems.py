"""Validation problems of a draft, located on the draft rows and fields they concern."""

from dataclasses import dataclass

from django.db.models import Model

from assessments.authoring.models import (
    AssessmentDraft,
    DraftConcept,
    DraftCriterion,
    DraftEmailMessage,
    DraftExemplar,
    DraftLevel,
    DraftOption,
    DraftRule,
    DraftSkill,
    DraftSkillAlignment,
    DraftStep,
)
from assessments.authoring.serialise import Origins, draft_to_document, load_draft
from assessments.documents import document_problems

PARENT_FIELD = {
    DraftSkill: "draft",
    DraftStep: "draft",
    DraftSkillAlignment: "skill",
    DraftOption: "step",
    DraftRule: "step",
    DraftEmailMessage: "step",
    DraftCriterion: "step",
    DraftConcept: "criterion",
    DraftLevel: "criterion",
    DraftExemplar: "level",
}


@dataclass(frozen=True)
class LocatedProblem:
    """A problem, the draft row it concerns and the field (None: the row as a whole)."""

    obj: Model | None
    field: str | None
    message: str
    text: str  # with its document path, e.g. "steps[3].next: ..."


def parent_of(obj: Model) -> Model | None:
    """The row that owns ``obj`` (a draft has none)."""
    name = PARENT_FIELD.get(type(obj))
    return getattr(obj, name) if name else None


def ancestry(obj: Model) -> list[Model]:
    """``obj``, its parent, and so on up to the draft."""
    chain = [obj]
    while (parent := parent_of(chain[-1])) is not None:
        chain.append(parent)
    return chain


def draft_of(obj: Model) -> AssessmentDraft:
    return ancestry(obj)[-1]


def same_row(a: Model | None, b: Model | None) -> bool:
    return a is not None and b is not None and type(a) is type(b) and a.pk == b.pk


def draft_problems(draft: AssessmentDraft) -> tuple[dict, list[LocatedProblem]]:
    """The draft's document and every problem that would stop it from being published."""
    origins = Origins()
    document = draft_to_document(load_draft(draft.pk), origins)
    located = []
    for problem in document_problems(document):
        obj, field = origins.locate(problem.path)
        located.append(LocatedProblem(obj, field, problem.message, str(problem)))
    return document, located
