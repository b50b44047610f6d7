"""What the pages show, read from a credential's JSON (so a pasted credential displays too).

The display never trusts more than the document says: the verification report next to it says
whether the document can be believed. The public assessment page is built from the frozen
version, showing the rubric's structure and never keys, exemplars, prompts or answers.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from assessments.presenters import render_markdown
from credentials.documents import (
    certified_skills,
    clean_text,
    criteria_narrative,
    identity_hash,
)
from credentials.verification import parse_datetime
from flow import TEXT_ITEM_TYPES
from reports.numbers import percent
from scoring.engine import SKILL_BANDS

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"
ITEM_TYPE_NAMES = {
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "sjt": "Situational judgement",
    "ranking": "Ranking",
    "numeric": "Numeric answer",
    "short_text": "Short written answer",
    "long_text": "Written answer",
}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _web_url(value: Any) -> str:
    """A URL from a credential that may become a link: http(s) only, else ''.

    A credential is anyone's JSON: a `javascript:` or `data:` URL in it must never reach an href.
    """
    url = _text(value)
    return url if url.lower().startswith(("https://", "http://")) else ""


def _list(value: Any) -> list:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _alignments(entries: Any) -> list[dict[str, str]]:
    found = []
    for entry in _list(entries):
        if not isinstance(entry, Mapping):
            continue
        found.append(
            {
                "name": _text(entry.get("targetName")),
                "framework": _text(entry.get("targetFramework")),
                "code": _text(entry.get("targetCode")),
                "url": _web_url(entry.get("targetUrl")),
            }
        )
    return found


def _skills(achievement: Mapping[str, Any], results: list) -> list[dict[str, Any]]:
    by_description: dict[str, Mapping[str, Any]] = {}
    for result in results:
        if isinstance(result, Mapping) and isinstance(result.get("resultDescription"), str):
            by_description[result["resultDescription"]] = result
    skills = []
    for description in _list(achievement.get("resultDescription")):
        if not isinstance(description, Mapping):
            continue
        if description.get("resultType") != "RubricCriterionLevel":
            continue
        levels = [
            level
            for level in _list(description.get("rubricCriterionLevel"))
            if isinstance(level, Mapping)
        ]
        result = by_description.get(description.get("id"), {})
        achieved = result.get("achievedLevel")
        level_names = [_text(level.get("name")) for level in levels]
        index = next(
            (position for position, level in enumerate(levels) if level.get("id") == achieved),
            None,
        )
        required = description.get("requiredLevel")
        required_name = next(
            (_text(level.get("name")) for level in levels if level.get("id") == required), ""
        )
        skills.append(
            {
                "name": _text(description.get("name")) or "Skill",
                "level": level_names[index] if index is not None else "",
                "level_index": index,
                "levels": [
                    {"name": name, "reached": index is not None and position <= index}
                    for position, name in enumerate(level_names)
                ],
                "score": _text(result.get("value")),
                "required_level": required_name,
                "required_value": _text(description.get("requiredValue")),
                "alignments": _alignments(description.get("alignment")),
            }
        )
    return skills


def _overall(achievement: Mapping[str, Any], results: list) -> dict[str, str]:
    for description in _list(achievement.get("resultDescription")):
        if isinstance(description, Mapping) and description.get("resultType") == "Percent":
            for result in results:
                if isinstance(result, Mapping) and result.get(
                    "resultDescription"
                ) == description.get("id"):
                    return {
                        "score": _text(result.get("value")),
                        "required": _text(description.get("requiredValue")),
                    }
    return {}


def credential_display(document: Mapping[str, Any]) -> dict[str, Any]:
    """Everything a page shows about a credential: name, skills and levels, issuer, dates."""
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    results = _list(subject.get("result"))
    issuer = document.get("issuer")
    issuer = issuer if isinstance(issuer, Mapping) else {"id": issuer}
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, Mapping) else {}
    source = subject.get("source")
    evidence = [
        {
            "url": _web_url(entry.get("id")),
            "name": _text(entry.get("name")),
            "description": _text(entry.get("description")),
            "narrative": _text(entry.get("narrative")),
        }
        for entry in _list(document.get("evidence"))
        if isinstance(entry, Mapping)
    ]
    identifiers = [
        entry
        for entry in _list(subject.get("identifier"))
        if isinstance(entry, Mapping) and entry.get("identityType") == "emailAddress"
    ]
    return {
        "id": _text(document.get("id")),
        "name": _text(document.get("name")) or _text(achievement.get("name")) or "Credential",
        "description": _text(document.get("description")),
        "achievement_name": _text(achievement.get("name")),
        "achievement_description": _text(achievement.get("description")),
        "achievement_type": _text(achievement.get("achievementType")),
        "criteria": _text(criteria.get("narrative")),
        "issuer_name": _text(issuer.get("name")) or _text(issuer.get("id")) or "Unknown issuer",
        "issuer_id": _text(issuer.get("id")),
        "issuer_url": _web_url(issuer.get("url")),
        "source_name": _text(source.get("name")) if isinstance(source, Mapping) else "",
        "awarded": parse_datetime(document.get("awardedDate"))
        or parse_datetime(document.get("validFrom")),
        "valid_from": parse_datetime(document.get("validFrom")),
        "valid_until": parse_datetime(document.get("validUntil")),
        "skills": _skills(achievement, results),
        "overall": _overall(achievement, results),
        "alignments": _alignments(achievement.get("alignment")),
        "evidence": [entry for entry in evidence if entry["url"]],
        "hashed_email": bool(identifiers),
        "subject_id": _text(subject.get("id")),
    }


def linkedin_add_url(display: Mapping[str, Any], share_url: str, cert_id: str) -> str:
    """LinkedIn's 'add licence or certification' link, every parameter URL-encoded.

    `certUrl` is the public share page (LinkedIn shows it as the credential's link), never the
    urn:uuid identifier, which no browser can open.
    """
    awarded: datetime | None = display.get("awarded")
    params: list[tuple[str, str]] = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", display["name"]),
        ("organizationName", display["issuer_name"]),
    ]
    if awarded is not None:
        params += [("issueYear", str(awarded.year)), ("issueMonth", str(awarded.month))]
    until: datetime | None = display.get("valid_until")
    if until is not None:
        params += [("expirationYear", str(until.year)), ("expirationMonth", str(until.month))]
    params += [("certUrl", share_url), ("certId", cert_id)]
    return f"{LINKEDIN_ADD_URL}?{urlencode(params, quote_via=quote)}"


def holder_matches(document: Mapping[str, Any], email: str) -> bool:
    """Whether `email` hashes to one of the credential's hashed-email identifiers."""
    subject = document.get("credentialSubject")
    entries = _list(subject.get("identifier")) if isinstance(subject, Mapping) else []
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("identityType") != "emailAddress":
            continue
        salt = entry.get("salt") if isinstance(entry.get("salt"), str) else ""
        if entry.get("hashed") and identity_hash(email, salt) == entry.get("identityHash"):
            return True
    return False


def credential_status(credential, now: datetime) -> dict[str, str]:
    """The holder-facing state of a stored credential: active, expired or revoked."""
    if credential.revoked_at is not None:
        return {"key": "revoked", "label": "Revoked"}
    if credential.valid_until is not None and credential.valid_until <= now:
        return {"key": "expired", "label": "Expired"}
    return {"key": "active", "label": "Active"}


# --- The public page of an assessment version ------------------------------------------------


def _bands() -> list[dict[str, str]]:
    bands = []
    for index, (lowest, label) in enumerate(SKILL_BANDS):
        upper = SKILL_BANDS[index + 1][0] if index + 1 < len(SKILL_BANDS) else None
        bands.append(
            {
                "label": label,
                "range": f"{lowest:g} to under {upper:g}"
                if upper is not None
                else f"{lowest:g} to 100",
            }
        )
    return bands


def assessment_public(version) -> dict[str, Any]:
    """The public description of a version: skills, alignments, rubric structure, pass rules.

    Step prompts, options, keys, level descriptors, concepts and exemplars are left out: they
    would help the next candidate, and the rubric's shape is what a verifier needs.
    """
    content = version.content
    rules = content["pass_rules"]
    certified = {skill["id"] for skill in certified_skills(content)}
    total_weight = (
        sum(
            float(criterion.get("weight", 1))
            for step in content["steps"]
            for criterion in step.get("criteria", [])
        )
        or 1.0
    )
    skills = []
    for skill in content["skills"]:
        criteria = []
        for step in content["steps"]:
            for criterion in step.get("criteria", []):
                if criterion.get("skill") != skill["id"]:
                    continue
                criteria.append(
                    {
                        "item_type": ITEM_TYPE_NAMES.get(step["item"]["type"], "Answer"),
                        "weight_share": percent(
                            criterion.get("weight", 1), total_weight, decimals=0
                        ),
                        "levels": [
                            {"label": level["label"], "points": f"{float(level['points']):g}"}
                            for level in criterion.get("levels", [])
                        ],
                        "written": step["item"]["type"] in TEXT_ITEM_TYPES,
                    }
                )
        threshold = rules["skill_thresholds"].get(skill["id"])
        skills.append(
            {
                "id": skill["id"],
                "name": clean_text(skill["name"]),
                "description": render_markdown(skill.get("description", "")),
                "certified": skill["id"] in certified,
                "threshold": f"{float(threshold):g}" if threshold is not None else "",
                "alignments": [
                    {
                        "framework": entry["framework"],
                        "code": entry["code"],
                        "name": entry["name"],
                        "url": entry["url"],
                    }
                    for entry in skill.get("alignments") or []
                ],
                "criteria": criteria,
            }
        )
    return {
        "slug": content["slug"],
        "number": version.number,
        "title": content["title"],
        "role": content.get("role", ""),
        "description": render_markdown(content.get("description", "")),
        "minutes": int(content["time_limit_minutes"]),
        "validity_days": content.get("validity_days"),
        "overall_threshold": f"{float(rules['overall_threshold']):g}",
        "narrative": criteria_narrative(content, version.number, SKILL_BANDS),
        "skills": skills,
        "bands": _bands(),
        "published_at": version.published_at,
        "content_sha256": version.content_sha256,
        "steps": len(content["steps"]),
    }
