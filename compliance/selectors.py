"""Reads for compliance pages and reports. Compliance may read every app; none reads this."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.utils import timezone

from assessments.models import (
    AccommodationRequest,
    Assessment,
    AssessmentVersion,
    Attempt,
    AutomationPause,
    Invitation,
    NoticeVersion,
)
from audit.models import AuditEvent
from audit.services import Action
from compliance.exceptions import (
    UnknownAssessment,
    UnknownCandidate,
    UnknownPublishedAudit,
    UnknownRecordsPackage,
)
from compliance.models import (
    DataRightsRequest,
    ErasureRecord,
    PublishedBiasAudit,
    RecordsPackage,
    RetentionPolicy,
)
from scoring.models import ReviewDecision, ScoreRun, TextModel

EXPORT_CHUNK_SIZE = 500


def assessment_by_slug(slug: str) -> Assessment:
    """The assessment, or UnknownAssessment."""
    assessment = Assessment.objects.filter(slug=slug).first()
    if assessment is None:
        raise UnknownAssessment(f"There is no assessment with the slug {slug!r}.")
    return assessment


@dataclass(frozen=True)
class AssessmentSummary:
    """One line of the compliance overview."""

    assessment: Assessment
    versions: int
    invitations: int
    submitted: int
    scored: int
    passed: int
    bias_audit: BiasAuditStatus

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.scored if self.scored else None


def assessment_summaries() -> list[AssessmentSummary]:
    """Every assessment with its counts of versions, invitations and scored attempts, and
    whether its published bias audit is current."""
    current = ScoreRun.objects.filter(attempt=OuterRef("pk"), superseded_by__isnull=True)
    assessments = Assessment.objects.annotate(
        version_count=Count("versions", distinct=True),
        invitation_count=Count("versions__invitations", distinct=True),
    ).order_by("title")
    summaries = []
    for assessment in assessments:
        counts = Attempt.objects.filter(
            version__assessment=assessment, submitted_at__isnull=False
        ).aggregate(
            submitted=Count("pk"),
            scored=Count("pk", filter=Q(Exists(current))),
            passed=Count("pk", filter=Q(Exists(current.filter(passed=True)))),
        )
        summaries.append(
            AssessmentSummary(
                assessment=assessment,
                versions=assessment.version_count,
                invitations=assessment.invitation_count,
                submitted=counts["submitted"],
                scored=counts["scored"],
                passed=counts["passed"],
                bias_audit=bias_audit_status(assessment),
            )
        )
    return summaries


def export_attempts(
    assessment: Assessment,
    *,
    candidate_email: str | None = None,
    attempt_id: uuid.UUID | str | None = None,
) -> QuerySet[Attempt]:
    """The attempts an audit export covers: all of the assessment's, or one candidate's."""
    attempts = Attempt.objects.filter(version__assessment=assessment)
    if candidate_email:
        attempts = attempts.filter(invitation__candidate_email__iexact=candidate_email.strip())
        if not attempts.exists():
            raise UnknownCandidate(
                f"No attempt at {assessment.slug} was made by {candidate_email.strip()}."
            )
    if attempt_id:
        try:
            public_id = uuid.UUID(str(attempt_id))
        except ValueError as error:
            raise UnknownCandidate(f"{attempt_id!r} is not an attempt id.") from error
        attempts = attempts.filter(public_id=public_id)
        if not attempts.exists():
            raise UnknownCandidate(f"No attempt {public_id} at {assessment.slug}.")
    return attempts.order_by("started_at", "pk")


def invitation_ids(attempts: QuerySet[Attempt]) -> list[str]:
    """The public ids of the invitations behind some attempts (for an audit payload)."""
    ids = attempts.order_by().values_list("invitation__public_id", flat=True).distinct()
    return sorted(str(value) for value in ids)


def attempt_count(assessment: Assessment) -> int:
    """How many attempts an assessment has had."""
    return Attempt.objects.filter(version__assessment=assessment).count()


def recent_attempts(assessment: Assessment, limit: int = 25) -> QuerySet[Attempt]:
    """The newest attempts of an assessment, annotated with their current run's outcome."""
    current = ScoreRun.objects.filter(attempt=OuterRef("pk"), superseded_by__isnull=True).order_by(
        "-created_at", "-pk"
    )
    return (
        Attempt.objects.filter(version__assessment=assessment)
        .select_related("invitation", "version")
        .annotate(
            run_count=Count("score_runs"),
            current_score=Subquery(current.values("overall_score")[:1]),
            current_passed=Subquery(current.values("passed")[:1]),
            current_needs_review=Subquery(current.values("needs_review")[:1]),
        )
        .order_by("-started_at", "-pk")[:limit]
    )


def find_invitations(email: str) -> QuerySet[Invitation]:
    """Invitations sent to an email address (case-insensitive), newest first."""
    return Invitation.objects.filter(candidate_email__iexact=email.strip()).order_by("-created_at")


# --- published bias audits --------------------------------------------------------------------

# LL144 asks for a bias audit no more than a year before each use of the tool.
BIAS_AUDIT_VALID_DAYS = 365
# Flagged as due this long before the last audit turns a year old.
BIAS_AUDIT_DUE_SOON_DAYS = 30
# An assessment counts as in use when someone was invited or started in this window.
IN_USE_WINDOW_DAYS = 30


def first_use_date(assessment: Assessment) -> date | None:
    """The day the first candidate started this assessment (None: never used)."""
    first = Attempt.objects.filter(version__assessment=assessment).aggregate(Min("started_at"))
    started = first["started_at__min"]
    return timezone.localdate(started) if started else None


def published_audits(assessment: Assessment) -> QuerySet[PublishedBiasAudit]:
    """Every published bias audit of an assessment, newest first."""
    return PublishedBiasAudit.objects.filter(assessment=assessment).order_by("-number")


def published_audit(assessment: Assessment, number: int | None = None) -> PublishedBiasAudit:
    """One published audit (the latest without a number), or UnknownPublishedAudit."""
    audits = published_audits(assessment).select_related("assessment")
    audit = audits.filter(number=number).first() if number is not None else audits.first()
    if audit is None:
        raise UnknownPublishedAudit(f"No bias audit of {assessment.slug} has been published.")
    return audit


@dataclass(frozen=True)
class BiasAuditStatus:
    """Whether an assessment's published bias audit is current (LL144: within a year)."""

    in_use: bool
    latest: PublishedBiasAudit | None
    valid_until: date | None
    state: str  # "current", "due_soon", "stale", "never" or "not_in_use"

    @property
    def flagged(self) -> bool:
        return self.in_use and self.state in ("stale", "never")


def bias_audit_status(assessment: Assessment, *, today: date | None = None) -> BiasAuditStatus:
    """Whether the assessment is in use, and whether its last published audit still covers it."""
    today = today or timezone.localdate()
    window_start = timezone.now() - timedelta(days=IN_USE_WINDOW_DAYS)
    in_use = (
        Invitation.objects.filter(
            version__assessment=assessment, created_at__gte=window_start
        ).exists()
        or Attempt.objects.filter(
            version__assessment=assessment, started_at__gte=window_start
        ).exists()
    )
    latest = published_audits(assessment).first()
    if latest is None:
        return BiasAuditStatus(in_use, None, None, "never" if in_use else "not_in_use")
    valid_until = latest.audit_date + timedelta(days=BIAS_AUDIT_VALID_DAYS)
    if valid_until < today:
        state = "stale"
    elif valid_until <= today + timedelta(days=BIAS_AUDIT_DUE_SOON_DAYS):
        state = "due_soon"
    else:
        state = "current"
    return BiasAuditStatus(in_use, latest, valid_until, state)


# --- retention ------------------------------------------------------------------------------

DEFAULT_RULE = "DATA_RETENTION_DAYS (the deployment's default)"


@dataclass(frozen=True)
class RetentionRule:
    """How long a candidate's personal data is kept after their last activity, and why."""

    days: int
    decided_by: str
    # Every rule that applies, with its period: the longest one wins.
    applicable: tuple[tuple[str, int], ...]


def retention_enabled() -> bool:
    """``DATA_RETENTION_DAYS`` of 0 or less turns automatic erasure off altogether."""
    return settings.DATA_RETENTION_DAYS > 0


def retention_policies() -> QuerySet[RetentionPolicy]:
    """Every named retention policy with the assessments it is chosen for."""
    return RetentionPolicy.objects.prefetch_related("assessments").order_by("name")


def personal_data_rules(
    policies: Iterable[RetentionPolicy] | None = None,
) -> dict[int, RetentionRule]:
    """The personal-data rule of every assessment, by assessment id.

    The rules that apply are the deployment's default (``DATA_RETENTION_DAYS``) and every policy
    chosen for the assessment (or for all) that covers what erasure removes (personal data or
    answers); the longest period wins, so erasure never removes what a rule still requires.
    """
    erasing = [
        policy for policy in (policies or retention_policies()) if policy.covers_erasable_data
    ]
    rules = {}
    for assessment_id in Assessment.objects.values_list("pk", flat=True):
        applicable = [(DEFAULT_RULE, settings.DATA_RETENTION_DAYS)]
        applicable += [
            (policy.name, policy.keep_days)
            for policy in erasing
            if policy.applies_to_all_assessments
            or any(item.pk == assessment_id for item in policy.assessments.all())
        ]
        # max() keeps the first of equal periods: the default, then policies by name.
        name, days = max(applicable, key=lambda rule: rule[1])
        rules[assessment_id] = RetentionRule(days, name, tuple(applicable))
    return rules


def personal_data_retention(assessment: Assessment) -> RetentionRule:
    """The rule that decides when this assessment's candidates' personal data is erased."""
    return personal_data_rules()[assessment.pk]


def retention_schedule() -> QuerySet[Invitation]:
    """Invitations not erased yet, each with ``last_activity`` (invited or last started),
    ``keep_days`` (its assessment's rule) and ``erase_after``, soonest first."""
    rules = personal_data_rules()
    by_days: dict[int, list[int]] = defaultdict(list)
    for assessment_id, rule in rules.items():
        by_days[rule.days].append(assessment_id)
    keep_days = Case(
        *[When(version__assessment_id__in=ids, then=Value(days)) for days, ids in by_days.items()],
        default=Value(settings.DATA_RETENTION_DAYS),
        output_field=IntegerField(),
    )
    latest_start = (
        Attempt.objects.filter(invitation=OuterRef("pk"))
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    erased = ErasureRecord.objects.filter(invitation_public_id=OuterRef("public_id"))
    return (
        Invitation.objects.exclude(Exists(erased))
        .annotate(
            last_activity=Greatest("created_at", Coalesce(Subquery(latest_start), "created_at")),
            keep_days=keep_days,
        )
        .annotate(
            erase_after=ExpressionWrapper(
                F("last_activity") + F("keep_days") * Value(timedelta(days=1)),
                output_field=DateTimeField(),
            )
        )
        .order_by("erase_after", "pk")
    )


def invitations_due_for_erasure(now=None) -> QuerySet[Invitation]:
    """What a retention run erases now, in the order it erases them (the dry run reads this)."""
    if not retention_enabled():
        return Invitation.objects.none()
    return retention_schedule().filter(erase_after__lt=now or timezone.now())


# --- records package ---------------------------------------------------------------------------

# The audit actions a records package cites (with their inclusion proofs): what a regulator asks
# about. Model training and activation, pauses and data requests by prefix, so later actions of
# those families are included without a change here.
RECORDS_ACTIONS = (
    Action.BIAS_AUDIT_PUBLISHED,
    Action.CONSENT_GIVEN,
    Action.ACCOMMODATION_REQUESTED,
    Action.ACCOMMODATION_DECIDED,
    Action.RETENTION_POLICY_CHANGED,
)
RECORDS_ACTION_PREFIXES = ("model.", "automation.", "data_request.")


@dataclass(frozen=True)
class RecordsScope:
    """The period (whole days, in the deployment's time zone) and assessment a package covers."""

    date_from: date
    date_to: date
    assessment: Assessment | None = None

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

    def of_assessment(self, path: str) -> Q:
        """Rows of the scope's assessment (every row without one)."""
        return Q(**{path: self.assessment}) if self.assessment else Q()


def records_published_audits(scope: RecordsScope) -> list[PublishedBiasAudit]:
    """The audits published in the period, and for each assessment the one in force when it
    began (the summary candidates could read then), oldest first."""
    audits = PublishedBiasAudit.objects.filter(scope.of_assessment("assessment")).select_related(
        "assessment"
    )
    in_period = list(audits.filter(scope.within("published_at")))
    in_force = (
        audits.filter(published_at__lt=scope.start)
        .order_by("assessment_id", "-number")
        .distinct("assessment_id")
    )
    return sorted([*in_force, *in_period], key=lambda audit: (audit.published_at, audit.pk))


_CONSENT_FIELDS = (
    "public_id",
    "invitation__public_id",
    "version__assessment__slug",
    "version__number",
    "version__content_sha256",
    "consent_at",
    "notice_id",
    "notice__number",
    "notice__content_sha256",
    "invitation__notice__number",
    "invitation__available_from",
    "submitted_at",
)


def records_consents(scope: RecordsScope) -> QuerySet:
    """Each consent given in the period: the attempt, its version and the notice shown."""
    return (
        Attempt.objects.filter(
            scope.within("consent_at"), scope.of_assessment("version__assessment")
        )
        .order_by("consent_at", "pk")
        .values(*_CONSENT_FIELDS)
    )


def records_notices(scope: RecordsScope) -> QuerySet[NoticeVersion]:
    """Every notice version shown in the period (on a consent page or in an invitation)."""
    consented = Attempt.objects.filter(
        scope.within("consent_at"), scope.of_assessment("version__assessment")
    ).values("notice_id")
    invited = Invitation.objects.filter(
        scope.within("created_at"), scope.of_assessment("version__assessment")
    ).values("notice_id")
    return (
        NoticeVersion.objects.filter(Q(pk__in=consented) | Q(pk__in=invited))
        .select_related("assessment")
        .order_by("assessment__slug", "number")
    )


_ACCOMMODATION_FIELDS = (
    "pk",
    "invitation__public_id",
    "invitation__version__assessment__slug",
    "kind",
    "state",
    "created_at",
    "due_at",
    "decided_at",
    "decided_by_id",
    "granted_extra_minutes",
)


def records_accommodations(scope: RecordsScope) -> QuerySet:
    """Accommodation and alternative-process requests made or decided in the period, with their
    outcome (never the candidate's description: it may tell of a disability)."""
    return (
        AccommodationRequest.objects.filter(
            scope.within("created_at") | scope.within("decided_at"),
            scope.of_assessment("invitation__version__assessment"),
        )
        .order_by("created_at", "pk")
        .values(*_ACCOMMODATION_FIELDS)
    )


_DATA_REQUEST_FIELDS = (
    "public_id",
    "invitation__public_id",
    "attempt__public_id",
    "invitation__version__assessment__slug",
    "kind",
    "state",
    "outcome",
    "created_at",
    "due_at",
    "answered_at",
    "answered_by_id",
)


def records_data_requests(scope: RecordsScope) -> QuerySet:
    """Explanation and correction requests made or answered in the period, with their outcome
    (never what the candidate wrote or the answer's text)."""
    return (
        DataRightsRequest.objects.filter(
            scope.within("created_at") | scope.within("answered_at"),
            scope.of_assessment("invitation__version__assessment"),
        )
        .order_by("created_at", "pk")
        .values(*_DATA_REQUEST_FIELDS)
    )


def records_pauses(scope: RecordsScope) -> QuerySet[AutomationPause]:
    """Oversight pauses that were open at any time in the period."""
    return (
        AutomationPause.objects.filter(
            scope.of_assessment("assessment"),
            paused_at__lt=scope.end,
        )
        .filter(Q(resumed_at__isnull=True) | Q(resumed_at__gte=scope.start))
        .select_related("assessment")
        .order_by("paused_at", "pk")
    )


def records_events(scope: RecordsScope) -> QuerySet[AuditEvent]:
    """The sequenced audit events of the period that a records package cites."""
    actions = Q(action__in=RECORDS_ACTIONS)
    for prefix in RECORDS_ACTION_PREFIXES:
        actions |= Q(action__startswith=prefix)
    events = AuditEvent.objects.filter(actions, scope.within("occurred_at"), seq__isnull=False)
    if scope.assessment is not None:
        events = events.filter(_of_assessment_subjects(scope.assessment))
    return events.order_by("seq")


def _of_assessment_subjects(assessment: Assessment) -> Q:
    """Events whose subject belongs to the assessment: itself, its attempts, invitations and
    text models."""
    condition = Q(subject=f"assessment:{assessment.slug}")
    for model, prefix, key in (
        (Attempt, "attempt:", "public_id"),
        (Invitation, "invitation:", "public_id"),
        (TextModel, "text_model:", "pk"),
    ):
        subjects = (
            model.objects.filter(version__assessment=assessment)
            .annotate(subject=Concat(Value(prefix), Cast(key, CharField())))
            .values("subject")
        )
        condition |= Q(subject__in=subjects)
    return condition


def records_packages(limit: int = 20) -> QuerySet[RecordsPackage]:
    """The newest records packages (without their bytes)."""
    return RecordsPackage.objects.select_related("assessment").defer("content")[:limit]


def records_package_by_id(public_id) -> RecordsPackage:
    """One records package by its public id, or UnknownRecordsPackage."""
    package = (
        RecordsPackage.objects.select_related("assessment").filter(public_id=public_id).first()
    )
    if package is None:
        raise UnknownRecordsPackage(f"There is no records package {public_id}.")
    return package


# --- audit export records ---------------------------------------------------------------------


_ATTEMPT_FIELDS = (
    "pk",
    "public_id",
    "version_id",
    "state",
    "auto_submitted",
    "consent_at",
    "started_at",
    "deadline",
    "submitted_at",
    "invitation__public_id",
    "invitation__candidate_name",
    "invitation__candidate_email",
    "invitation__created_at",
)
_RUN_FIELDS = (
    "pk",
    "attempt_id",
    "created_at",
    "supersedes_id",
    "job__reason",
    "engine_version",
    "content_sha256",
    "responses_sha256",
    "model_hashes",
    "overrides",
    "inputs__erased_at",
    "redacted_at",
    "breakdown_json",
    "breakdown_sha256",
    "overall_score",
    "passed",
    "needs_review",
)


def attempt_records(
    attempts: QuerySet[Attempt], *, chunk_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """One plain dict per attempt, for the audit export; reads the database a chunk at a time.

    Each dict holds the attempt's version hash, timestamps, every score run (superseded ones
    too) with its parsed breakdown and model hashes, review decisions and the attempt's audit
    events. Memory is bounded by one chunk, never by the number of attempts: rows are read as
    plain values (model instances with prefetch caches form reference cycles that only the
    cyclic garbage collector frees, so they would pile up between collections).
    """
    chunk_size = chunk_size or EXPORT_CHUNK_SIZE
    # The frozen content is large and the export needs only its hash: read versions once.
    versions = {
        pk: {"number": number, "content_sha256": sha}
        for pk, number, sha in AssessmentVersion.objects.filter(
            pk__in=attempts.order_by().values("version_id")
        ).values_list("pk", "number", "content_sha256")
    }
    rows = attempts.values(*_ATTEMPT_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in _batched(rows, chunk_size):
        yield from _records_for_chunk(chunk, versions)


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _records_for_chunk(chunk: list[dict], versions: dict[int, dict]) -> Iterator[dict[str, Any]]:
    attempt_ids = [row["pk"] for row in chunk]
    runs_by_attempt: dict[int, list[dict]] = defaultdict(list)
    runs = ScoreRun.objects.filter(attempt_id__in=attempt_ids)
    for run in runs.order_by("created_at", "pk").values(*_RUN_FIELDS):
        runs_by_attempt[run["attempt_id"]].append(run)
    reviews_by_attempt: dict[int, list[dict]] = defaultdict(list)
    decisions = ReviewDecision.objects.filter(attempt_id__in=attempt_ids)
    for decision in decisions.order_by("decided_at", "pk").values(*_REVIEW_FIELDS):
        reviews_by_attempt[decision["attempt_id"]].append(_review_dict(decision))
    subjects = set()
    for row in chunk:
        subjects.add(f"attempt:{row['public_id']}")
        subjects.add(f"invitation:{row['invitation__public_id']}")
    events_by_subject: dict[str, list[dict]] = defaultdict(list)
    # Only sequenced events: an export states the signed tree head that covers them.
    events = AuditEvent.objects.filter(subject__in=list(subjects), seq__isnull=False).order_by(
        "seq"
    )
    for event in events.values(
        "seq", "occurred_at", "actor", "action", "subject", "payload", "event_hash"
    ):
        events_by_subject[event["subject"]].append(_event_dict(event))
    erased = set(
        ErasureRecord.objects.filter(
            invitation_public_id__in=[row["invitation__public_id"] for row in chunk]
        ).values_list("invitation_public_id", flat=True)
    )
    for row in chunk:
        attempt_events = events_by_subject[f"attempt:{row['public_id']}"]
        invitation_events = events_by_subject[f"invitation:{row['invitation__public_id']}"]
        yield _attempt_record(
            row,
            version=versions[row["version_id"]],
            runs=runs_by_attempt.get(row["pk"], []),
            reviews=reviews_by_attempt.get(row["pk"], []),
            events=sorted(attempt_events + invitation_events, key=lambda event: event["seq"]),
            erased=row["invitation__public_id"] in erased,
        )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _event_dict(event: dict) -> dict[str, Any]:
    return {
        **event,
        "occurred_at": _iso(event["occurred_at"]),
        "payload": json.loads(event["payload"]),
    }


def _attempt_record(
    row: dict,
    *,
    version: dict,
    runs: list[dict],
    reviews: list[dict],
    events: list[dict],
    erased: bool,
) -> dict[str, Any]:
    superseded = {run["supersedes_id"] for run in runs if run["supersedes_id"]}
    return {
        "attempt_id": str(row["public_id"]),
        "invitation_id": str(row["invitation__public_id"]),
        "candidate": {
            "name": row["invitation__candidate_name"],
            "email": row["invitation__candidate_email"],
            "erased": erased,
        },
        "version": dict(version),
        "state": row["state"],
        "auto_submitted": row["auto_submitted"],
        "timestamps": {
            "invited_at": _iso(row["invitation__created_at"]),
            "consent_at": _iso(row["consent_at"]),
            "started_at": _iso(row["started_at"]),
            "deadline": _iso(row["deadline"]),
            "submitted_at": _iso(row["submitted_at"]),
        },
        "score_runs": [_run_dict(run, current=run["pk"] not in superseded) for run in runs],
        "review_decisions": reviews,
        "events": events,
    }


_REVIEW_FIELDS = (
    "pk",
    "attempt_id",
    "criterion_key",
    "level",
    "reason",
    "reviewer_id",
    "reviewer_label",
    "decided_at",
    "item__run_id",
    "job__run__id",
)


def _review_dict(decision: dict) -> dict[str, Any]:
    return {
        "decision_id": decision["pk"],
        "decided_at": _iso(decision["decided_at"]),
        "reviewer": f"user:{decision['reviewer_id']}" if decision["reviewer_id"] else None,
        "reviewer_username": decision["reviewer_label"],
        "criterion": decision["criterion_key"],
        "level": decision["level"],
        "reason": decision["reason"],
        "run_reviewed": decision["item__run_id"],
        # The run that applied the decision (None until the review job has run).
        "run": decision["job__run__id"],
    }


def _run_dict(run: dict, *, current: bool) -> dict[str, Any]:
    try:
        breakdown = json.loads(run["breakdown_json"])
    except ValueError:
        breakdown = {"unreadable": run["breakdown_json"]}
    models = run["model_hashes"] or (breakdown.get("models") if isinstance(breakdown, dict) else {})
    return {
        "run_id": run["pk"],
        "created_at": _iso(run["created_at"]),
        "current": current,
        "supersedes": run["supersedes_id"],
        "reason": run["job__reason"],
        "engine_version": run["engine_version"],
        "content_sha256": run["content_sha256"],
        "responses_sha256": run["responses_sha256"],
        "breakdown_sha256": run["breakdown_sha256"],
        "model_hashes": models or {},
        "overrides": run["overrides"] or {},
        "answers_erased": run["inputs__erased_at"] is not None,
        # Erasure removed the answer's words from this breakdown; breakdown_sha256 is as scored.
        "breakdown_redacted_at": _iso(run["redacted_at"]),
        "overall_score": run["overall_score"],
        "passed": run["passed"],
        "needs_review": run["needs_review"],
        "breakdown": breakdown,
    }
