"""The notice candidates read before they consent, and the notice period before they may start.

What the notice says follows the rules the issue names: NYC Local Law 144 (6 RCNY § 5-303:
that an automated tool is used, the qualifications and characteristics it assesses, the data
kept and the retention policy, how to ask for an alternative selection process or an
accommodation, at least 10 business days before use), Illinois HB 3773 (notice whenever AI is
used), Colorado SB 26-189 and EU AI Act Art. 26(11) and 86 (informing affected people; an
explanation of a decision, a correction and a review by a person on request).

Each distinct wording is stored once as a NoticeVersion, so an invitation and a consent can
name the exact notice the candidate was shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment, AssessmentVersion, NoticeVersion
from audit.canonical import json_sha256

SATURDAY, SUNDAY = 5, 6


class UnknownJurisdiction(ValueError):
    """A jurisdiction code that NOTICE_JURISDICTIONS does not define."""


# --- Jurisdictions and the business-day calendar -------------------------------------------------


def jurisdictions() -> dict[str, dict]:
    """Every jurisdiction the deployment knows: code -> {"name", "notice_business_days"}."""
    return settings.NOTICE_JURISDICTIONS


def jurisdiction_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for forms."""
    return [(code, rule["name"]) for code, rule in jurisdictions().items()]


def applicable_rules(assessment: Assessment) -> list[dict]:
    """The rules of the assessment's jurisdictions, each with its code; unknown codes raise."""
    known = jurisdictions()
    rules = []
    for code in assessment.notice_jurisdictions or []:
        if code not in known:
            raise UnknownJurisdiction(f"'{code}' is not in NOTICE_JURISDICTIONS")
        rules.append({"code": code, **known[code]})
    return rules


def notice_business_days(assessment: Assessment) -> int:
    """The longest notice period of the rules that apply (0 when none asks for one)."""
    return max(
        (int(rule["notice_business_days"]) for rule in applicable_rules(assessment)), default=0
    )


def holidays() -> frozenset[date]:
    """NOTICE_HOLIDAYS as dates."""
    return frozenset(date.fromisoformat(day) for day in settings.NOTICE_HOLIDAYS)


def is_business_day(day: date, closed: frozenset[date]) -> bool:
    return day.weekday() not in (SATURDAY, SUNDAY) and day not in closed


def add_business_days(start: date, days: int, closed: frozenset[date] | None = None) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself never counts)."""
    closed = holidays() if closed is None else closed
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, closed):
            remaining -= 1
    return day


def notice_period_end(assessment: Assessment, notified_at: datetime | None = None):
    """When an invitation sent at ``notified_at`` may be started: the start of the day after
    the notice period, in the site's time zone; None when no rule asks for a period."""
    days = notice_business_days(assessment)
    if days <= 0:
        return None
    notified = timezone.localdate(notified_at or timezone.now())
    first_day = add_business_days(notified, days) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(first_day, time.min))


# --- The notice -----------------------------------------------------------------------------------


def default_retention_days(assessment: Assessment) -> int:
    """How long personal data is kept where no retention policy says longer."""
    return int(settings.DATA_RETENTION_DAYS)


# Retention policies live in compliance, which this app may not import. Compliance installs its
# rule (the longest applicable period) when it loads, so the notice promises the period that
# erasure then follows.
_retention_days_for: Callable[[Assessment], int] = default_retention_days


def use_retention_rule(days_for: Callable[[Assessment], int]) -> None:
    """Install the rule that says how many days an assessment's personal data is kept."""
    global _retention_days_for
    _retention_days_for = days_for


def _skills(content: dict) -> list[str]:
    return [
        f"{skill['name']}: {skill['description']}" if skill.get("description") else skill["name"]
        for skill in content.get("skills", [])
    ]


def notice_content(version: AssessmentVersion) -> dict:
    """The notice for candidates invited to ``version``, as headed sections of plain sentences
    (the email and the landing page render the same document)."""
    assessment = version.assessment
    content = version.content
    respond = settings.REQUEST_RESPONSE_DAYS
    assessed = _skills(content)
    if assessment.notice_qualifications.strip():
        assessed.append(assessment.notice_qualifications.strip())
    sections = [
        {
            "heading": "An automated tool is used",
            "items": [
                f"“{content['title']}” is scored by an automated tool (artificial intelligence) "
                "against a rubric written by the hiring team, the same for every candidate.",
                "When the tool is not confident, a trained person reviews the answer without "
                "seeing your name or email address. People on the hiring team make the decision.",
            ],
        },
        {"heading": "The qualifications and skills it assesses", "items": assessed},
        {
            "heading": "The data we keep, and for how long",
            "items": [
                "Your name and email address, your answers, when you consented, started and "
                "submitted, and your scores with how they were reached.",
                f"Your personal data is deleted {_retention_days_for(assessment)} days after it "
                "was collected; records the law requires us to keep stay pseudonymous, without "
                "your name.",
                "You can download everything we hold about you, or ask us to erase it, at any "
                "time.",
            ],
        },
        {
            "heading": "An alternative process or an accommodation",
            "items": [
                "You may ask for an alternative selection process (without automated scoring) "
                "or an accommodation such as extra time, before you start. Asking will not count "
                f"against you; the hiring team answers within {respond} days.",
            ],
        },
        {
            "heading": "After a decision",
            "items": [
                "You may ask for an explanation of the decision and of the tool's role in it, "
                "for a correction of data you think is wrong, and for a review by a person. "
                f"We answer within {respond} days.",
            ],
        },
    ]
    rules = applicable_rules(assessment)
    if rules:
        sections.append(
            {
                "heading": "Rules that apply",
                "items": [
                    rule["name"]
                    + (
                        f": notice at least {rule['notice_business_days']} business days "
                        "before the tool is used"
                        if rule["notice_business_days"]
                        else ""
                    )
                    for rule in rules
                ],
            }
        )
    return {
        "assessment": assessment.slug,
        "version": version.number,
        "title": f"Notice: automated assessment in “{content['title']}”",
        "sections": sections,
    }


def current_notice(version: AssessmentVersion) -> NoticeVersion:
    """The stored NoticeVersion of the notice for ``version`` as it reads now (stored on first
    use; the same wording is never stored twice)."""
    content = notice_content(version)
    sha = json_sha256(content)
    assessment = version.assessment
    for _ in range(3):
        found = NoticeVersion.objects.filter(assessment=assessment, content_sha256=sha).first()
        if found is not None:
            return found
        last = NoticeVersion.objects.filter(assessment=assessment).order_by("-number").first()
        try:
            with transaction.atomic():
                return NoticeVersion.objects.create(
                    assessment=assessment,
                    number=(last.number + 1) if last else 1,
                    content=content,
                    content_sha256=sha,
                )
        except IntegrityError:  # a concurrent request stored a notice first: look again
            continue
    raise IntegrityError(f"could not store a notice version of {assessment.slug}")


def notice_text(notice: NoticeVersion) -> str:
    """The notice as plain text (the invitation email's text part, the records package)."""
    lines = [notice.content["title"], ""]
    for section in notice.content["sections"]:
        lines.append(section["heading"])
        lines.extend(f"- {item}" for item in section["items"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
