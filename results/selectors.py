"""Reads of the recruiter's workspace: who may see which results, the funnel, the table.

Every page and export starts at `access_assessment_results`: the one door to an assessment's
candidates. Recruiters see the assessments they own or that are shared with them and record
decisions; Compliance sees every assessment, read-only; anyone else (Reviewers, who stay blind
to identity) is refused.
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import orjson
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Greatest, Lower

from assessments.models import Assessment, AssessmentVersion, Attempt, Invitation, Response
from assessments.selectors import (
    active_recruiters,
    assessments_recruited_by,
    assessments_visible_to,
    invitation_erased,
    may_manage_access,
)
from audit.canonical import json_sha256
from audit.roles import Role, has_role
from flow import steps_by_id
from results.exceptions import NoSuchResults
from results.models import Decision, DigestSubscription, ResultRow, Visit
from results.presenters import HISTOGRAM_BINS, duration, time_per_step
from scoring.models import ReviewDecision, ReviewItem
from scoring.review_display import answer_text, breakdown_layout
from scoring.selectors import current_score_run, runs_of_attempt


class Status(TextChoices):
    """Where an attempt stands, as the table shows and filters it (defined once, here)."""

    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Waiting for scoring"
    REVIEW = "review", "Waiting for review"
    SCORED = "scored", "Scored"


# --- Access ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsAccess:
    """An assessment the user may see, whether they may record decisions on it, and whether
    they choose who else sees it (its owner)."""

    assessment: Assessment
    can_decide: bool
    can_share: bool = False


def _require_results_role(user) -> None:
    if not (has_role(user, Role.RECRUITER) or has_role(user, Role.COMPLIANCE)):
        raise PermissionDenied(
            "Results are for the Recruiter and Compliance roles; reviewers stay blind to who "
            "the candidates are."
        )


def visible_assessments(user) -> QuerySet[Assessment]:
    """The assessments whose results ``user`` may read (PermissionDenied without the role)."""
    _require_results_role(user)
    return assessments_visible_to(user)


def _may_decide(user, assessment: Assessment) -> bool:
    return (
        has_role(user, Role.RECRUITER)
        and assessments_recruited_by(user).filter(pk=assessment.pk).exists()
    )


def access_assessment_results(user, slug: str) -> ResultsAccess:
    """The one door to an assessment's results.

    Raises PermissionDenied for users without the Recruiter or Compliance role and
    NoSuchResults (a 404) for an assessment the user may not see or that does not exist.
    """
    assessment = visible_assessments(user).filter(slug=slug).first()
    if assessment is None:
        raise NoSuchResults(f"No results for an assessment {slug!r} that you can see.")
    return ResultsAccess(
        assessment=assessment,
        can_decide=_may_decide(user, assessment),
        can_share=may_manage_access(user, assessment),
    )


def access_attempt_result(access: ResultsAccess, public_id) -> Attempt:
    """One attempt at the assessment ``access`` opened (NoSuchResults when it is not one)."""
    attempt = (
        Attempt.objects.filter(public_id=public_id, version__assessment=access.assessment)
        .select_related("invitation", "version", "result__version")
        .first()
    )
    if attempt is None:
        raise NoSuchResults("No such candidate in these results.")
    return attempt


def recruiters_to_share_with(access: ResultsAccess) -> QuerySet:
    """Active recruiters other than the owner, each marked ``shared`` when already chosen."""
    shared = access.assessment.shared_with.filter(pk=OuterRef("pk"))
    return (
        active_recruiters().exclude(pk=access.assessment.owner_id).annotate(shared=Exists(shared))
    )


def landing_page_name(user) -> str | None:
    """The URL name of the workspace a signed-in staff user starts from (None: no workspace)."""
    if has_role(user, Role.RECRUITER):
        return "results:index"
    if has_role(user, Role.REVIEWER):
        return "review:queue"
    if has_role(user, Role.COMPLIANCE):
        return "compliance:index"
    return None


# --- Versions and skills -------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionInfo:
    """What the table needs from a version: its number, skills, thresholds and rubric hash."""

    pk: int
    number: int
    skills: list[tuple[str, str]]  # (id, name) in the document's order
    skill_thresholds: dict[str, float]
    rubric_sha256: str


def _rubric(content: dict) -> dict:
    """The parts of a version that decide scores (not its wording around the items)."""
    return {
        "skills": [skill.get("id") for skill in content.get("skills") or []],
        "pass_rules": content.get("pass_rules") or {},
        "steps": [
            {key: step.get(key) for key in ("id", "item", "criteria", "next")}
            for step in content.get("steps") or []
        ],
    }


def assessment_versions(assessment: Assessment) -> list[VersionInfo]:
    """Every published version of an assessment, newest first."""
    versions = AssessmentVersion.objects.filter(assessment=assessment).order_by("-number")
    return [
        VersionInfo(
            pk=version.pk,
            number=version.number,
            skills=[(s["id"], s.get("name", s["id"])) for s in version.content.get("skills") or []],
            skill_thresholds=dict(
                (version.content.get("pass_rules") or {}).get("skill_thresholds") or {}
            ),
            rubric_sha256=json_sha256(_rubric(version.content)),
        )
        for version in versions
    ]


def rubric_changes(versions: list[VersionInfo]) -> list[tuple[int, int]]:
    """Pairs (older, newer) of consecutive versions whose rubric differs."""
    oldest_first = sorted(versions, key=lambda v: v.number)
    return [
        (older.number, newer.number)
        for older, newer in pairwise(oldest_first)
        if older.rubric_sha256 != newer.rubric_sha256
    ]


def skill_columns(versions: list[VersionInfo]) -> list[tuple[str, str]]:
    """Every skill of the versions shown, newest version's order and names first."""
    columns: dict[str, str] = {}
    for version in versions:
        for skill_id, name in version.skills:
            columns.setdefault(skill_id, name)
    return list(columns.items())


def versions_with_attempts(assessment: Assessment) -> list[int]:
    """Version numbers that rows would show (the scored-on version, else the attempt's)."""
    return sorted(
        set(
            _with_version_number(Attempt.objects.filter(version__assessment=assessment))
            .order_by()
            .values_list("version_number", flat=True)
            .distinct()
        ),
        reverse=True,
    )


# --- The table -------------------------------------------------------------------------------


@dataclass
class TableQuery:
    """What the results table was asked for (validated by `results.forms.ResultsFilterForm`)."""

    search: str = ""
    status: str = ""
    decision: str = ""  # an outcome, "none" for undecided, or "" for any
    passed: str = ""  # "yes", "no" or ""
    skill: str = ""
    skill_min: float | None = None
    version: int | None = None
    sort: str = "submitted"
    descending: bool = True
    skills: list[str] = field(default_factory=list)  # the skill columns, by id


def _with_version_number(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    return attempts.annotate(
        version_number=Coalesce(F("result__version__number"), F("version__number"))
    )


def skill_alias(index: int) -> str:
    """The annotation holding the score of the ``index``-th skill column."""
    return f"skill_{index}"


def _current_decision() -> Subquery:
    latest = Decision.objects.filter(attempt=OuterRef("pk")).order_by("-decided_at", "-pk")
    return Subquery(latest.values("outcome")[:1])


def _status() -> Case:
    """An attempt's Status, from its state and its result row."""
    return Case(
        When(result__needs_review=True, then=Value(Status.REVIEW)),
        When(result__isnull=False, then=Value(Status.SCORED)),
        When(state=Attempt.State.SUBMITTED, then=Value(Status.SUBMITTED)),
        default=Value(Status.IN_PROGRESS),
    )


# The result row's fields the table shows (its run id and version are not needed).
_RESULT_FIELDS = (
    "scored_at",
    "overall_score",
    "passed",
    "needs_review",
    "skill_scores",
    "skill_bands",
)


def _annotated(assessment: Assessment, skills: list[str]) -> QuerySet[Attempt]:
    attempts = _with_version_number(
        Attempt.objects.filter(version__assessment=assessment)
        .select_related("invitation", "result")
        .only(
            "public_id",
            "state",
            "started_at",
            "submitted_at",
            "invitation__candidate_name",
            "invitation__candidate_email",
            *(f"result__{name}" for name in _RESULT_FIELDS),
        )
    ).annotate(
        status=_status(),
        time_taken=ExpressionWrapper(F("submitted_at") - F("started_at"), DurationField()),
        decision=_current_decision(),
        **{
            skill_alias(index): Cast(
                KeyTextTransform(skill_id, "result__skill_scores"), FloatField()
            )
            for index, skill_id in enumerate(skills)
        },
    )
    return attempts


SORTS = {
    "name": Lower("invitation__candidate_name"),
    "email": Lower("invitation__candidate_email"),
    "status": F("status"),
    "submitted": F("submitted_at"),
    "overall": F("result__overall_score"),
    "passed": F("result__passed"),
    "time": F("time_taken"),
    "decision": F("decision"),
    "version": F("version_number"),
}


def _filtered(attempts: QuerySet[Attempt], query: TableQuery) -> QuerySet[Attempt]:
    if query.search:
        attempts = attempts.filter(
            Q(invitation__candidate_name__icontains=query.search)
            | Q(invitation__candidate_email__icontains=query.search)
        )
    if query.status:
        attempts = attempts.filter(status=query.status)
    if query.decision == "none":
        attempts = attempts.filter(decision__isnull=True)
    elif query.decision:
        attempts = attempts.filter(decision=query.decision)
    if query.passed:
        attempts = attempts.filter(result__passed=query.passed == "yes")
    if query.skill in query.skills and query.skill_min is not None:
        alias = skill_alias(query.skills.index(query.skill))
        attempts = attempts.filter(**{f"{alias}__gte": query.skill_min})
    if query.version is not None:
        attempts = attempts.filter(version_number=query.version)
    return attempts


def _ordering(query: TableQuery) -> list:
    if query.sort in query.skills:
        expression = F(skill_alias(query.skills.index(query.sort)))
    else:
        expression = SORTS.get(query.sort, SORTS["submitted"])
    direction = (
        expression.desc(nulls_last=True) if query.descending else expression.asc(nulls_last=True)
    )
    return [direction, "-pk" if query.descending else "pk"]


def result_table(assessment: Assessment, query: TableQuery) -> QuerySet[Attempt]:
    """The table's rows, filtered and sorted, one query for any page of it (no query per row).

    Each attempt carries ``status``, ``time_taken``, ``decision``, ``version_number`` and
    ``skill_<i>`` (the score of the i-th skill column); ``attempt.result`` is its current run.
    """
    return _filtered(_annotated(assessment, query.skills), query).order_by(*_ordering(query))


def skill_histograms(rows: QuerySet[Attempt], skills: list[str]) -> dict[str, list[int]]:
    """Per skill, how many of ``rows`` scored in each band of 10 points (100 counts as 90-100).

    One aggregate query over the filtered table, however many rows it has.
    """
    counts = {}
    for index in range(len(skills)):
        alias = skill_alias(index)
        for band in range(HISTOGRAM_BINS):
            low = band * 100 / HISTOGRAM_BINS
            bounds = Q(**{f"{alias}__gte": low})
            if band < HISTOGRAM_BINS - 1:
                bounds &= Q(**{f"{alias}__lt": low + 100 / HISTOGRAM_BINS})
            counts[f"{alias}_band_{band}"] = Count("pk", filter=bounds)
    totals = rows.order_by().aggregate(**counts) if counts else {}
    return {
        skill_id: [totals[f"{skill_alias(index)}_band_{band}"] for band in range(HISTOGRAM_BINS)]
        for index, skill_id in enumerate(skills)
    }


def decision_history(attempt: Attempt) -> QuerySet[Decision]:
    """Every decision on an attempt, newest (the one in force) first."""
    return Decision.objects.filter(attempt=attempt).select_related("decided_by")


def advanced_attempt_ids(version_ids: Iterable[int]) -> set[int]:
    """Attempts at these versions whose decision in force is *advance*.

    For the bias audit's "selection = recruiter advanced" variant (compliance), so it can ask
    for the humans' selections without reading this app's tables.
    """
    return set(
        Attempt.objects.filter(version_id__in=list(version_ids))
        .annotate(decision=_current_decision())
        .filter(decision=Decision.Outcome.ADVANCE)
        .values_list("pk", flat=True)
    )


def wants_digest(user) -> bool:
    """Whether ``user`` asked for the daily results digest email."""
    return DigestSubscription.objects.filter(user=user).exists()


def last_visit(user, assessment: Assessment) -> datetime | None:
    """When ``user`` last opened this assessment's results (None: never)."""
    return (
        Visit.objects.filter(user=user, assessment=assessment)
        .values_list("seen_at", flat=True)
        .first()
    )


# --- The funnel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One stage of the funnel: how many candidates reached it and how long it took them."""

    key: str
    label: str
    count: int
    conversion: float | None  # share of the stage it follows (None when that one is empty)
    median_wait: timedelta | None  # median time since the stage it follows


@dataclass(frozen=True)
class Funnel:
    assessment: Assessment
    stages: list[Stage]
    last_activity: datetime | None
    new_results: int


# (key, label, the stage its conversion is measured against)
STAGES = (
    ("invited", "Invited", None),
    ("started", "Started", "invited"),
    ("submitted", "Submitted", "started"),
    ("scored", "Scored", "submitted"),
    ("review", "Waiting for review", "scored"),
    ("passed", "Passed", "scored"),
)


def _stage_counts(assessment_ids: list[int]) -> dict[int, dict]:
    """Candidates (invitations) per stage, per assessment: two aggregate queries in all."""
    counts: dict[int, dict] = defaultdict(dict)
    for row in (
        Invitation.objects.filter(version__assessment_id__in=assessment_ids)
        .values("version__assessment_id")
        .annotate(invited=Count("pk"), last_invited=Max("created_at"))
    ):
        counts[row.pop("version__assessment_id")].update(row)
    scored = Q(result__isnull=False)
    for row in (
        Attempt.objects.filter(version__assessment_id__in=assessment_ids)
        .values("version__assessment_id")
        .annotate(
            started=Count("invitation", distinct=True),
            submitted=Count("invitation", distinct=True, filter=Q(state=Attempt.State.SUBMITTED)),
            scored=Count("invitation", distinct=True, filter=scored),
            review=Count("invitation", distinct=True, filter=Q(result__needs_review=True)),
            passed=Count(
                "invitation",
                distinct=True,
                filter=Q(result__passed=True, result__needs_review=False),
            ),
            last_started=Max("started_at"),
            last_submitted=Max("submitted_at"),
            last_scored=Max("result__scored_at"),
        )
    ):
        counts[row.pop("version__assessment_id")].update(row)
    return counts


def _median(waits: list[timedelta]) -> timedelta | None:
    return statistics.median(waits) if waits else None


def _stage_waits(assessment_ids: list[int]) -> dict[int, dict[str, timedelta | None]]:
    """Median time from invitation to start, start to submission, submission to first score."""
    waits: dict[int, dict[str, list[timedelta]]] = defaultdict(lambda: defaultdict(list))
    for assessment_id, invited, started, submitted, scored in Attempt.objects.filter(
        version__assessment_id__in=assessment_ids
    ).values_list(
        "version__assessment_id",
        "invitation__created_at",
        "started_at",
        "submitted_at",
        "result__first_scored_at",
    ):
        waits[assessment_id]["started"].append(started - invited)
        if submitted is not None:
            waits[assessment_id]["submitted"].append(submitted - started)
        if submitted is not None and scored is not None:
            waits[assessment_id]["scored"].append(scored - submitted)
    return {
        assessment_id: {stage: _median(values) for stage, values in by_stage.items()}
        for assessment_id, by_stage in waits.items()
    }


def _new_results(user, assessment_ids: list[int]) -> dict[int, int]:
    seen = Visit.objects.filter(user=user, assessment=OuterRef("assessment")).values("seen_at")
    rows = (
        ResultRow.objects.filter(assessment_id__in=assessment_ids)
        .annotate(seen_at=Subquery(seen[:1]))
        .filter(Q(seen_at__isnull=True) | Q(scored_at__gt=F("seen_at")))
        .values("assessment_id")
        .annotate(new=Count("pk"))
    )
    return {row["assessment_id"]: row["new"] for row in rows}


def _stages(counts: dict, waits: dict) -> list[Stage]:
    stages = []
    for key, label, base in STAGES:
        count = counts.get(key, 0)
        base_count = counts.get(base, 0) if base else 0
        stages.append(
            Stage(
                key=key,
                label=label,
                count=count,
                conversion=count / base_count if base_count else None,
                median_wait=waits.get(key),
            )
        )
    return stages


def funnels(user, assessments: Iterable[Assessment]) -> list[Funnel]:
    """Each assessment's funnel, with what is new since ``user`` last looked."""
    assessments = list(assessments)
    ids = [assessment.pk for assessment in assessments]
    counts = _stage_counts(ids)
    waits = _stage_waits(ids)
    new = _new_results(user, ids)
    result = []
    for assessment in assessments:
        these = counts.get(assessment.pk, {})
        moments = [
            these.get(name)
            for name in ("last_invited", "last_started", "last_submitted", "last_scored")
        ]
        result.append(
            Funnel(
                assessment=assessment,
                stages=_stages(these, waits.get(assessment.pk, {})),
                last_activity=max((m for m in moments if m is not None), default=None),
                new_results=new.get(assessment.pk, 0),
            )
        )
    return result


# --- A candidate's report ---------------------------------------------------------------------


def _answers_by_step(attempt: Attempt) -> tuple[dict[str, dict], dict[str, datetime]]:
    answers, saved_at = {}, {}
    for response in Response.objects.filter(attempt=attempt).only("step_id", "answer", "saved_at"):
        answers[response.step_id] = response.answer
        saved_at[response.step_id] = response.saved_at
    return answers, saved_at


def candidate_report(access: ResultsAccess, attempt: Attempt) -> dict:
    """Everything the hiring team's report on one attempt shows: per-skill results with their
    evidence, every answer and the time it took, review status, decisions and score runs."""
    run = current_score_run(attempt)
    version = run.version if run and run.version_id else attempt.version
    content = version.content
    breakdown = orjson.loads(run.breakdown_json) if run else {}
    answers, saved_at = _answers_by_step(attempt)
    layout = breakdown_layout(content, breakdown, answers) if run else None
    steps = steps_by_id(content)
    times = time_per_step(attempt.path, saved_at, attempt.started_at)
    criteria = {step["id"]: step["criteria"] for step in layout["steps"]} if layout else {}
    decisions = list(decision_history(attempt))
    open_reviews = ReviewItem.objects.filter(attempt=attempt, state=ReviewItem.State.OPEN).count()
    invitation = attempt.invitation
    return {
        "facts": [
            ("Candidate", f"{invitation.candidate_name} <{invitation.candidate_email}>"),
            ("Scored on", f"{access.assessment.title}, version {version.number}"),
            ("Submitted", _when(attempt.submitted_at) or "not yet"),
            ("Time taken", duration(_taken(attempt))),
            (
                "Review",
                f"{open_reviews} criteria waiting for a reviewer"
                if open_reviews
                else "none pending",
            ),
            ("Decision", decisions[0].get_outcome_display() if decisions else "none yet"),
        ],
        "assessment": access.assessment,
        "attempt": attempt,
        "candidate_name": attempt.invitation.candidate_name,
        # An erased candidate's decisions take no note (it would be personal data again).
        "erased": invitation_erased(invitation),
        "run": run,
        "layout": layout,
        "steps": [
            {
                "id": step_id,
                "title": steps.get(step_id, {}).get("title", step_id),
                "answer": answer_text(answers.get(step_id), steps.get(step_id, {})),
                "time": duration(times.get(step_id)),
                "criteria": criteria.get(step_id, []),
            }
            for step_id in attempt.path
        ],
        "open_reviews": open_reviews,
        "review_decisions": list(
            ReviewDecision.objects.filter(attempt=attempt).order_by("decided_at", "pk")
        ),
        "runs": list(runs_of_attempt(attempt.pk)),
        "decisions": decisions,
    }


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _taken(attempt: Attempt) -> timedelta | None:
    return attempt.submitted_at - attempt.started_at if attempt.submitted_at else None


COMPARE_MIN, COMPARE_MAX = 2, 4


def comparison(access: ResultsAccess, public_ids: list) -> dict:
    """2-4 attempts side by side: overall, pass, each skill on one 0-100 scale, and their
    answers to the same steps next to each other (steps in the newest version's order)."""
    try:
        public_ids = {uuid.UUID(str(value)) for value in public_ids}
    except ValueError as error:
        raise NoSuchResults("That is not a candidate of these results.") from error
    attempts = list(
        Attempt.objects.filter(version__assessment=access.assessment, public_id__in=public_ids)
        .select_related("invitation", "result", "version")
        .order_by("invitation__candidate_name", "pk")
    )
    if not COMPARE_MIN <= len(attempts) <= COMPARE_MAX or len(attempts) != len(public_ids):
        raise NoSuchResults(
            f"Pick {COMPARE_MIN} to {COMPARE_MAX} candidates of this assessment to compare."
        )
    versions = assessment_versions(access.assessment)
    skills = skill_columns(versions)
    responses: dict[int, dict[str, dict]] = defaultdict(dict)
    for attempt_id, step_id, answer in Response.objects.filter(attempt__in=attempts).values_list(
        "attempt_id", "step_id", "answer"
    ):
        responses[attempt_id][step_id] = answer
    steps: dict[str, dict] = {}
    for attempt in sorted(attempts, key=lambda a: -a.version.number):
        for step_id, step in steps_by_id(attempt.version.content).items():
            steps.setdefault(step_id, step)
    walked = {step_id for attempt in attempts for step_id in attempt.path}
    return {
        "attempts": attempts,
        "skills": [
            {
                "id": skill_id,
                "name": name,
                "scores": [_skill_score(attempt, skill_id) for attempt in attempts],
            }
            for skill_id, name in skills
        ],
        "steps": [
            {
                "id": step_id,
                "title": step.get("title", step_id),
                "answers": [
                    {
                        "candidate": attempt.invitation.candidate_name,
                        "walked": step_id in attempt.path,
                        "text": answer_text(responses[attempt.pk].get(step_id), step),
                    }
                    for attempt in attempts
                ],
            }
            for step_id, step in steps.items()
            if step_id in walked and step.get("item")
        ],
    }


def _skill_score(attempt: Attempt, skill_id: str) -> float | None:
    result = getattr(attempt, "result", None)
    return None if result is None else result.skill_scores.get(skill_id)


# --- The integration API -------------------------------------------------------------------------


def integration_attempts(assessment_ids: Iterable[int]) -> QuerySet[Attempt]:
    """Attempts at these assessments (the caller's visible ones) with their status, current
    result, the decision in force and when any of them last changed (``updated_at``)."""
    latest = Decision.objects.filter(attempt=OuterRef("pk")).order_by("-decided_at", "-pk")
    return (
        Attempt.objects.filter(version__assessment_id__in=list(assessment_ids))
        .select_related("invitation", "version__assessment", "result")
        .annotate(
            status=_status(),
            decision=_current_decision(),
            decided_at=Subquery(latest.values("decided_at")[:1]),
        )
        # PostgreSQL's GREATEST skips nulls: the newest of start, submission, score, decision.
        .annotate(
            updated_at=Greatest("started_at", "submitted_at", "result__scored_at", "decided_at")
        )
    )
