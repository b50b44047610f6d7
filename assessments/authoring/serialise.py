"""Draft tables ⇄ assessment document, in both directions.

``draft_to_document`` writes exactly the document format (assessments/CONTENT_FORMAT.md), in a
fixed key order, and records which draft row and field every part of the document came from so
that a validation problem can be shown next to the field it concerns. ``create_draft`` does
the reverse for a document that has already been validated.

Normalisation (the only ways a document can change on its way through a draft): numbers that
are whole come back as integers, optional lists that are empty (``rules``, ``alignments``) and
optional values that are absent stay absent, and ``pass_rules.certifies`` lists skills in the
order of ``skills``.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Model, Prefetch

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
    ItemType,
    SjtMode,
)
from assessments.documents import FORMAT
from flow import TEXT_ITEM_TYPES


def number(value):
    """A stored float as the document writes it: whole numbers as int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class Origins:
    """Which draft row (and which of its fields) each document path came from."""

    rows: dict[tuple, Model] = field(default_factory=dict)
    fields: dict[tuple, tuple[Model, str]] = field(default_factory=dict)

    def row(self, path: tuple, obj: Model, field_names: dict[str, str]) -> None:
        self.rows[path] = obj
        for key, name in field_names.items():
            self.fields[(*path, *key.split("."))] = (obj, name)

    def locate(self, path: tuple) -> tuple[Model | None, str | None]:
        """The draft row and field a document path points at (field None: the row itself)."""
        for cut in range(len(path), -1, -1):
            prefix = tuple(path[:cut])
            if prefix in self.fields:
                return self.fields[prefix]
            if prefix in self.rows:
                return self.rows[prefix], None
        return None, None


DRAFT_FIELDS = {
    "slug": "slug",
    "title": "title",
    "role": "role",
    "description": "description",
    "time_limit_minutes": "time_limit_minutes",
    "validity_days": "validity_days",
    "start": "start",
    "pass_rules.overall_threshold": "overall_threshold",
}
SKILL_FIELDS = {"id": "skill_id", "name": "name", "description": "description"}
ALIGNMENT_FIELDS = {"framework": "framework", "code": "code", "name": "name", "url": "url"}
STEP_FIELDS = {
    "id": "step_id",
    "title": "title",
    "context": "context",
    "prompt": "prompt",
    "next": "next_step",
    "item.type": "item_type",
    "item.max_length": "max_length",
    "item.min_select": "min_select",
    "item.max_select": "max_select",
    "item.mode": "sjt_mode",
    "item.scale.min": "scale_min",
    "item.scale.max": "scale_max",
    "item.scale.labels": "scale_labels",
    "item.key.best": "best_option",
    "item.key.worst": "worst_option",
    "item.key_order": "options",
    "item.answer": "numeric_answer",
    "item.tolerance": "tolerance",
    "item.tolerance_kind": "tolerance_kind",
    "item.partial_tolerance": "partial_tolerance",
    "item.unit": "unit",
    "data.kind": "data_kind",
    "data.columns": "table_columns",
    "data.rows": "table_rows",
    "data.lines": "log_lines",
    "data.messages": "emails",
}
OPTION_FIELDS = {
    "id": "option_id",
    "text": "text",
    "points": "points",
    "rationale": "rationale",
    "next": "next_step",
    "key": "key_rating",
}
RULE_FIELDS = {
    "when.option": "when_option",
    "when.op": "when_op",
    "when.value": "when_value",
    "next": "next_step",
}
EMAIL_FIELDS = {
    "from": "sender",
    "to": "recipient",
    "date": "date",
    "subject": "subject",
    "body": "body",
}
CRITERION_FIELDS = {
    "id": "criterion_id",
    "skill": "skill",
    "weight": "weight",
    "confidence_threshold": "confidence_threshold",
    "reference_answer": "reference_answer",
}
CONCEPT_FIELDS = {"id": "concept_id", "label": "label", "phrasings": "phrasings"}
LEVEL_FIELDS = {
    "points": "points",
    "label": "label",
    "descriptor": "descriptor",
    "feedback": "feedback",
    "min_coverage": "min_coverage",
}


def load_draft(pk: int) -> AssessmentDraft:
    """A draft with every row it owns, in order, in a fixed number of queries."""
    criteria = DraftCriterion.objects.prefetch_related(
        "concepts",
        Prefetch("levels", queryset=DraftLevel.objects.prefetch_related("exemplars")),
    )
    steps = DraftStep.objects.prefetch_related(
        "options", "rules", "emails", Prefetch("criteria", queryset=criteria)
    )
    return AssessmentDraft.objects.prefetch_related(
        Prefetch("skills", queryset=DraftSkill.objects.prefetch_related("alignments")),
        Prefetch("steps", queryset=steps),
    ).get(pk=pk)


def _item(step: DraftStep, path: tuple, origins: Origins) -> dict:
    kind = step.item_type
    item: dict = {"type": str(kind)}
    options = list(step.options.all())
    if kind in TEXT_ITEM_TYPES:
        item["max_length"] = step.max_length
        return item
    if kind == ItemType.NUMERIC:
        item["answer"] = number(step.numeric_answer)
        item["tolerance"] = number(step.tolerance)
        item["tolerance_kind"] = str(step.tolerance_kind)
        if step.partial_tolerance is not None:
            item["partial_tolerance"] = number(step.partial_tolerance)
        item["unit"] = step.unit
        return item
    if kind == ItemType.SJT:
        item["mode"] = str(step.sjt_mode)
        if step.sjt_mode == SjtMode.RATE:
            item["scale"] = {
                "min": step.scale_min,
                "max": step.scale_max,
                "labels": list(step.scale_labels or []),
            }
    rows = []
    for index, option in enumerate(options):
        row: dict = {"id": option.option_id, "text": option.text}
        if kind in {ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE}:
            row["points"] = number(option.points)
        if kind == ItemType.SJT and step.sjt_mode == SjtMode.RATE:
            row["key"] = option.key_rating
        row["rationale"] = option.rationale
        if kind == ItemType.SINGLE_CHOICE and option.next_step:
            row["next"] = option.next_step
        origins.row((*path, "options", index), option, OPTION_FIELDS)
        rows.append(row)
    item["options"] = rows
    if kind == ItemType.MULTIPLE_CHOICE:
        item["min_select"] = step.min_select
        item["max_select"] = step.max_select
    elif kind == ItemType.SJT and step.sjt_mode == SjtMode.BEST_WORST:
        item["key"] = {"best": step.best_option, "worst": step.worst_option}
    elif kind == ItemType.RANKING:
        ranked = sorted(options, key=lambda o: (o.key_rank is None, o.key_rank or 0, o.position))
        item["key_order"] = [option.option_id for option in ranked]
        for index, option in enumerate(ranked):
            origins.fields[(*path, "key_order", index)] = (option, "key_rank")
    return item


def _data(step: DraftStep) -> dict | None:
    if step.data_kind == "table":
        return {
            "kind": "table",
            "columns": list(step.table_columns or []),
            "rows": list(step.table_rows or []),
        }
    if step.data_kind == "email":
        messages = [
            {
                "from": email.sender,
                "to": email.recipient,
                "date": email.date,
                "subject": email.subject,
                "body": email.body,
            }
            for email in step.emails.all()
        ]
        return {"kind": "email", "messages": messages}
    if step.data_kind == "log":
        return {"kind": "log", "lines": list(step.log_lines or [])}
    return None


def _criterion(criterion: DraftCriterion, text_item: bool, path: tuple, origins: Origins) -> dict:
    origins.row(path, criterion, CRITERION_FIELDS)
    result: dict = {
        "id": criterion.criterion_id,
        "skill": criterion.skill,
        "weight": number(criterion.weight),
    }
    if text_item:
        result["confidence_threshold"] = number(criterion.confidence_threshold)
        concepts = []
        for index, concept in enumerate(criterion.concepts.all()):
            origins.row((*path, "concepts", index), concept, CONCEPT_FIELDS)
            concepts.append(
                {"id": concept.concept_id, "label": concept.label, "phrasings": concept.phrasings}
            )
        result["concepts"] = concepts
        if criterion.reference_answer:
            result["reference_answer"] = criterion.reference_answer
    levels = []
    for index, level in enumerate(criterion.levels.all()):
        origins.row((*path, "levels", index), level, LEVEL_FIELDS)
        row = {
            "points": number(level.points),
            "label": level.label,
            "descriptor": level.descriptor,
            "feedback": level.feedback,
        }
        if text_item:
            row["min_coverage"] = number(level.min_coverage)
            row["exemplars"] = [exemplar.text for exemplar in level.exemplars.all()]
            for exemplar_index, exemplar in enumerate(level.exemplars.all()):
                exemplar_path = (*path, "levels", index, "exemplars", exemplar_index)
                origins.fields[exemplar_path] = (exemplar, "text")
        levels.append(row)
    result["levels"] = levels
    return result


def _step(step: DraftStep, path: tuple, origins: Origins) -> dict:
    origins.row(path, step, STEP_FIELDS)
    text_item = step.item_type in TEXT_ITEM_TYPES
    result: dict = {
        "id": step.step_id,
        "title": step.title,
        "context": step.context,
        "prompt": step.prompt,
    }
    data = _data(step)
    if data is not None:
        result["data"] = data
        for index, email in enumerate(step.emails.all()):
            origins.row((*path, "data", "messages", index), email, EMAIL_FIELDS)
    result["item"] = _item(step, (*path, "item"), origins)
    result["next"] = step.next_step or None
    rules = []
    for index, rule in enumerate(step.rules.all()):
        origins.row((*path, "rules", index), rule, RULE_FIELDS)
        when = (
            {"option": rule.when_option}
            if rule.when_option
            else {"op": rule.when_op, "value": number(rule.when_value)}
        )
        rules.append({"when": when, "next": rule.next_step})
    if rules:
        result["rules"] = rules
    result["criteria"] = [
        _criterion(criterion, text_item, (*path, "criteria", index), origins)
        for index, criterion in enumerate(step.criteria.all())
    ]
    return result


def draft_to_document(draft: AssessmentDraft, origins: Origins | None = None) -> dict:
    """The assessment document this draft describes (not validated here)."""
    origins = origins if origins is not None else Origins()
    origins.row((), draft, DRAFT_FIELDS)
    skills = list(draft.skills.all())
    document: dict = {
        "format": FORMAT,
        "slug": draft.slug,
        "title": draft.title,
        "role": draft.role,
        "description": draft.description,
        "time_limit_minutes": draft.time_limit_minutes,
    }
    if draft.validity_days is not None:
        document["validity_days"] = draft.validity_days
    document["skills"] = []
    for index, skill in enumerate(skills):
        origins.row(("skills", index), skill, SKILL_FIELDS)
        entry: dict = {"id": skill.skill_id, "name": skill.name, "description": skill.description}
        alignments = []
        for alignment_index, alignment in enumerate(skill.alignments.all()):
            origins.row(
                ("skills", index, "alignments", alignment_index), alignment, ALIGNMENT_FIELDS
            )
            alignments.append(
                {
                    "framework": alignment.framework,
                    "code": alignment.code,
                    "name": alignment.name,
                    "url": alignment.url,
                }
            )
        if alignments:
            entry["alignments"] = alignments
        document["skills"].append(entry)
    thresholds = {s.skill_id: number(s.threshold) for s in skills if s.threshold is not None}
    certified = [skill for skill in skills if skill.certifies]
    document["pass_rules"] = {
        "overall_threshold": number(draft.overall_threshold),
        "skill_thresholds": thresholds,
        "certifies": [skill.skill_id for skill in certified],
    }
    for skill in skills:
        if skill.threshold is not None:
            origins.fields[("pass_rules", "skill_thresholds", skill.skill_id)] = (
                skill,
                "threshold",
            )
    for index, skill in enumerate(certified):
        origins.fields[("pass_rules", "certifies", index)] = (skill, "certifies")
    steps = list(draft.steps.all())
    document["start"] = draft.start or (steps[0].step_id if steps else "")
    document["steps"] = [_step(step, ("steps", index), origins) for index, step in enumerate(steps)]
    return document


# --- document → draft ----------------------------------------------------------------------


def _float(value):
    return None if value is None else float(value)


def _create_step(draft: AssessmentDraft, position: int, doc: dict) -> None:
    item = doc["item"]
    data = doc.get("data") or {}
    scale = item.get("scale") or {}
    key = item.get("key") if isinstance(item.get("key"), dict) else {}
    step = DraftStep.objects.create(
        draft=draft,
        position=position,
        step_id=doc["id"],
        title=doc["title"],
        context=doc["context"],
        prompt=doc["prompt"],
        next_step=doc["next"] or "",
        item_type=item["type"],
        max_length=item.get("max_length"),
        min_select=item.get("min_select"),
        max_select=item.get("max_select"),
        sjt_mode=item.get("mode", ""),
        scale_min=scale.get("min"),
        scale_max=scale.get("max"),
        scale_labels=list(scale.get("labels", [])),
        best_option=key.get("best", ""),
        worst_option=key.get("worst", ""),
        numeric_answer=_float(item.get("answer")),
        tolerance=_float(item.get("tolerance")),
        tolerance_kind=item.get("tolerance_kind", ""),
        partial_tolerance=_float(item.get("partial_tolerance")),
        unit=item.get("unit", ""),
        data_kind=data.get("kind", ""),
        table_columns=list(data.get("columns", [])),
        table_rows=list(data.get("rows", [])),
        log_lines=list(data.get("lines", [])),
    )
    DraftEmailMessage.objects.bulk_create(
        DraftEmailMessage(
            step=step,
            position=index,
            sender=message["from"],
            recipient=message["to"],
            date=message["date"],
            subject=message["subject"],
            body=message["body"],
        )
        for index, message in enumerate(data.get("messages", []))
    )
    key_order = item.get("key_order", [])
    DraftOption.objects.bulk_create(
        DraftOption(
            step=step,
            position=index,
            option_id=option["id"],
            text=option["text"],
            points=_float(option.get("points")),
            rationale=option["rationale"],
            next_step=option.get("next", ""),
            key_rating=option.get("key"),
            key_rank=(key_order.index(option["id"]) + 1) if option["id"] in key_order else None,
        )
        for index, option in enumerate(item.get("options", []))
    )
    DraftRule.objects.bulk_create(
        DraftRule(
            step=step,
            position=index,
            when_option=rule["when"].get("option", ""),
            when_op=rule["when"].get("op", ""),
            when_value=_float(rule["when"].get("value")),
            next_step=rule["next"],
        )
        for index, rule in enumerate(doc.get("rules", []))
    )
    for index, criterion_doc in enumerate(doc["criteria"]):
        criterion = DraftCriterion.objects.create(
            step=step,
            position=index,
            criterion_id=criterion_doc["id"],
            skill=criterion_doc["skill"],
            weight=float(criterion_doc["weight"]),
            confidence_threshold=_float(criterion_doc.get("confidence_threshold")),
            reference_answer=criterion_doc.get("reference_answer", ""),
        )
        DraftConcept.objects.bulk_create(
            DraftConcept(
                criterion=criterion,
                position=concept_index,
                concept_id=concept["id"],
                label=concept["label"],
                phrasings=list(concept["phrasings"]),
            )
            for concept_index, concept in enumerate(criterion_doc.get("concepts", []))
        )
        for level_index, level_doc in enumerate(criterion_doc["levels"]):
            level = DraftLevel.objects.create(
                criterion=criterion,
                position=level_index,
                points=float(level_doc["points"]),
                label=level_doc["label"],
                descriptor=level_doc["descriptor"],
                feedback=level_doc["feedback"],
                min_coverage=_float(level_doc.get("min_coverage")),
            )
            DraftExemplar.objects.bulk_create(
                DraftExemplar(level=level, position=exemplar_index, text=text)
                for exemplar_index, text in enumerate(level_doc.get("exemplars", []))
            )


@transaction.atomic
def create_draft(document: dict, *, user=None, based_on=None) -> AssessmentDraft:
    """A new draft holding ``document`` (which the caller has validated)."""
    rules = document["pass_rules"]
    draft = AssessmentDraft.objects.create(
        slug=document["slug"],
        title=document["title"],
        role=document["role"],
        description=document["description"],
        time_limit_minutes=document["time_limit_minutes"],
        validity_days=document.get("validity_days"),
        overall_threshold=float(rules["overall_threshold"]),
        start=document["start"],
        based_on=based_on,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    for index, skill_doc in enumerate(document["skills"]):
        threshold = rules["skill_thresholds"].get(skill_doc["id"])
        skill = DraftSkill.objects.create(
            draft=draft,
            position=index,
            skill_id=skill_doc["id"],
            name=skill_doc["name"],
            description=skill_doc["description"],
            threshold=_float(threshold),
            certifies=skill_doc["id"] in rules["certifies"],
        )
        DraftSkillAlignment.objects.bulk_create(
            DraftSkillAlignment(skill=skill, position=position, **alignment)
            for position, alignment in enumerate(skill_doc.get("alignments", []))
        )
    for index, step_doc in enumerate(document["steps"]):
        _create_step(draft, index, step_doc)
    return draft
