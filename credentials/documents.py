"""The JSON documents the issuer publishes and signs, built from plain data (no ORM, no clock).

- the issuer `Profile` and its did:web DID document;
- the Open Badges 3.0 credential for a pass: the achievement (criteria generated from the pass
  rules, alignments from the skills' framework entries, a result description per certified
  skill) and the candidate's results, read from the frozen version and the score breakdown;
- the Bitstring Status List credential and the entry that points into it;
- the CLR 2.0 `ClrCredential` that bundles a learner's credentials.

Every property used here is defined by the bundled contexts, so signing never drops a term.
"""

import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import markdown as markdown_lib
import nh3

from credentials.proofs.loader import CLR_V2P0, DID_V1, OB_V3P0, VC_V2
from flow import TEXT_ITEM_TYPES

MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CREDENTIAL_CONTEXT = [VC_V2, OB_V3P0]
CLR_CONTEXT = [VC_V2, CLR_V2P0, OB_V3P0]
ACHIEVEMENT_TYPE = "Competency"
ENGINE_NAME = "Skillproof"

# The score bands of the engine (scoring.engine.SKILL_BANDS): lowest score and label.
Band = tuple[float, str]

# C0 controls other than tab, line feed and carriage return, and DEL: the proofs core refuses
# them (RDFC-1.0 escaping), so text from authors is cleaned before it goes into a credential.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any) -> str:
    """Text safe to sign: a string without control characters, trimmed."""
    return _CONTROL.sub("", str(value or "")).strip()


def plain_text(markdown_source: str) -> str:
    """Markdown as plain text: paragraphs kept, markup, links and HTML removed."""
    rendered = markdown_lib.markdown(
        (markdown_source or "").replace("<", "&lt;").replace(">", "&gt;"),
        extensions=["sane_lists"],
    )
    rendered = re.sub(r"</(p|h[1-6]|li|blockquote|pre)>", "\n", rendered)
    rendered = re.sub(r"<li>", "- ", rendered)
    text = html.unescape(nh3.clean(rendered, tags=set()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return clean_text("\n".join(line for line in lines if line))


def format_score(score: float) -> str:
    """A 0..100 score as credentials show it: one decimal at most (`72.5`, `80`)."""
    return f"{round(float(score), 1):g}"


def format_datetime(moment) -> str:
    """An aware datetime as an XML Schema dateTimeStamp in UTC, to the second."""
    from datetime import UTC

    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- The issuer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """Who issues: the did:web id and what the profile says about them."""

    id: str
    name: str
    url: str
    description: str = ""
    email: str = ""


def issuer_profile(issuer: Issuer) -> dict[str, Any]:
    """The issuer as an OB 3.0 `Profile` object (embedded in every credential)."""
    profile: dict[str, Any] = {
        "id": issuer.id,
        "type": ["Profile"],
        "name": clean_text(issuer.name),
        "url": issuer.url,
    }
    if issuer.description:
        profile["description"] = clean_text(issuer.description)
    if issuer.email:
        profile["email"] = issuer.email
    return profile


def profile_document(issuer: Issuer) -> dict[str, Any]:
    """The issuer's published Profile document (validates against OB 3.0 profile.json)."""
    return {"@context": list(CREDENTIAL_CONTEXT), **issuer_profile(issuer)}


def did_document(did: str, keys: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The did:web DID document: one Multikey per (kid, publicKeyMultibase), all under
    assertionMethod (the proof purpose of credentials) and authentication."""
    methods = [
        {
            "id": f"{did}#{kid}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multibase,
        }
        for kid, multibase in keys
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


# --- The achievement -------------------------------------------------------------------------


def assessment_page_url(site_url: str, slug: str, number: int) -> str:
    """The public page describing one version of an assessment and its rubric."""
    return f"{site_url}/assessments/{slug}/v{number}/"


def _skill_anchor(page: str, skill_id: str) -> str:
    return f"{page}#skill-{skill_id}"


def _band_ranges(bands: Sequence[Band]) -> list[tuple[int, str, float, float]]:
    """(index, label, lowest, highest) for each band, the highest being 100 for the top one."""
    return [
        (index, label, lowest, bands[index + 1][0] if index + 1 < len(bands) else 100.0)
        for index, (lowest, label) in enumerate(bands)
    ]


def _level_id(page: str, skill_id: str, label: str) -> str:
    return f"{_skill_anchor(page, skill_id)}-{label.lower()}"


def _band_of(score: float, bands: Sequence[Band]) -> str:
    label = bands[0][1]
    for lowest, name in bands:
        if score >= lowest:
            label = name
    return label


def certified_skills(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's skills that a pass certifies, in the document's order."""
    certifies = set(content["pass_rules"]["certifies"])
    return [skill for skill in content["skills"] if skill["id"] in certifies]


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def criteria_narrative(content: Mapping[str, Any], number: int, bands: Sequence[Band]) -> str:
    """What a candidate must do to earn the credential, in words, from the pass rules."""
    rules = content["pass_rules"]
    names = {skill["id"]: clean_text(skill["name"]) for skill in content["skills"]}
    methods = {
        "text" if step["item"]["type"] in TEXT_ITEM_TYPES else "key"
        for step in content["steps"]
        if step.get("criteria")
    }
    scored = []
    if "key" in methods:
        scored.append("closed questions against the answer key its authors wrote")
    if "text" in methods:
        scored.append("written answers against the rubric's levels")
    band_words = ", ".join(
        f"{label} ({lowest:g} to {'under ' if index + 1 < len(bands) else ''}{highest:g})"
        for index, label, lowest, highest in _band_ranges(bands)
    )
    parts = [
        f"Complete the scenario assessment “{clean_text(content['title'])}” (version {number}"
        + (f", for the {clean_text(content['role'])} role" if content.get("role") else "")
        + f"), timed at {int(content['time_limit_minutes'])} minutes.",
        "Every answer is scored per rubric criterion"
        + (f" ({'; '.join(scored)})" if scored else "")
        + f", and each skill gets a score from 0 to 100 and a level: {band_words}.",
    ]
    # In the document's skill order: jsonb does not keep the order of an object's keys.
    order = [skill["id"] for skill in content["skills"]]
    thresholds = [
        f"{names.get(skill, skill)} at least {float(rules['skill_thresholds'][skill]):g}"
        for skill in sorted(
            rules["skill_thresholds"], key=lambda s: order.index(s) if s in order else len(order)
        )
    ]
    overall = float(rules["overall_threshold"])
    requirement = f"To pass, the weighted overall score must be at least {overall:g} out of 100"
    if thresholds:
        requirement += ", with " + _join(thresholds)
    parts.append(requirement + ".")
    certified = [names[skill] for skill in rules["certifies"] if skill in names]
    if certified:
        parts.append(f"A pass certifies {_join(certified)}.")
    parts.append(
        "When the automated scoring is not confident about an answer, a trained reviewer "
        "scores it before any credential is issued. The public page of the assessment "
        "describes the rubric."
    )
    return " ".join(parts)


def _alignment(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetName": clean_text(entry["name"]),
        "targetUrl": entry["url"],
        "targetCode": clean_text(entry["code"]),
        "targetFramework": clean_text(entry["framework"]),
    }


def skill_alignments(skill: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The OB alignments of one skill: its framework entries (O*NET, ESCO, SFIA…)."""
    return [_alignment(entry) for entry in skill.get("alignments") or []]


def _result_description(
    page: str, skill: Mapping[str, Any], threshold: float | None, bands: Sequence[Band]
) -> dict[str, Any]:
    levels = [
        {
            "id": _level_id(page, skill["id"], label),
            "type": ["RubricCriterionLevel"],
            "name": label,
            "description": (
                f"At least {lowest:g} and below {highest:g} out of 100 in this skill."
                if index + 1 < len(bands)
                else f"At least {lowest:g} out of 100 in this skill."
            ),
            "level": str(index + 1),
            "points": f"{lowest:g}",
        }
        for index, label, lowest, highest in _band_ranges(bands)
    ]
    description: dict[str, Any] = {
        "id": _skill_anchor(page, skill["id"]),
        "type": ["ResultDescription"],
        "name": clean_text(skill["name"]),
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": levels,
        "valueMin": "0",
        "valueMax": "100",
    }
    alignments = skill_alignments(skill)
    if alignments:
        description["alignment"] = alignments
    if threshold is not None:
        description["requiredLevel"] = _level_id(page, skill["id"], _band_of(threshold, bands))
        description["requiredValue"] = f"{threshold:g}"
    return description


def achievement(
    content: Mapping[str, Any],
    number: int,
    site_url: str,
    issuer: Issuer,
    bands: Sequence[Band],
) -> dict[str, Any]:
    """The OB 3.0 `Achievement` of passing one version of an assessment."""
    page = assessment_page_url(site_url, content["slug"], number)
    rules = content["pass_rules"]
    skills = certified_skills(content)
    alignments = [entry for skill in skills for entry in skill_alignments(skill)]
    result_descriptions = [
        _result_description(page, skill, rules["skill_thresholds"].get(skill["id"]), bands)
        for skill in skills
    ]
    result_descriptions.append(
        {
            "id": f"{page}#overall",
            "type": ["ResultDescription"],
            "name": "Overall score",
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
            "requiredValue": f"{float(rules['overall_threshold']):g}",
        }
    )
    description = plain_text(content.get("description", "")) or clean_text(content["title"])
    document: dict[str, Any] = {
        "id": f"{page}#achievement",
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPE,
        "name": clean_text(content["title"]),
        "description": description,
        "criteria": {
            "id": f"{page}#criteria",
            "narrative": criteria_narrative(content, number, bands),
        },
        "humanCode": f"{content['slug']}-v{number}",
        "version": str(number),
        "inLanguage": "en",
        "creator": {"id": issuer.id, "type": ["Profile"], "name": clean_text(issuer.name)},
        "resultDescription": result_descriptions,
        "tag": [clean_text(skill["name"]) for skill in skills],
    }
    if alignments:
        document["alignment"] = alignments
    return document


# --- The credential --------------------------------------------------------------------------


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityHash of an email address: `sha256$` + hex(sha256(address + salt)).

    The address is trimmed and lower-cased first, so a verifier who types it in any case
    computes the same hash.
    """
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def identity_object(email: str, salt: str) -> dict[str, Any]:
    """The hashed-email `IdentityObject` that identifies a candidate without revealing them."""
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(email, salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def status_entry(list_url: str, index: int, purpose: str = "revocation") -> dict[str, Any]:
    """A `BitstringStatusListEntry` pointing at one bit of a status list."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def source_profile(site_url: str) -> dict[str, Any]:
    """Skillproof, the system that assessed the candidate on the issuer's behalf."""
    return {
        "id": f"{site_url}/verify/#skillproof",
        "type": ["Profile"],
        "name": ENGINE_NAME,
        "url": site_url,
        "description": (
            "Skillproof, the open-source skills-based assessment engine that delivered and "
            "scored the assessment for the issuer."
        ),
    }


@dataclass(frozen=True)
class SkillResult:
    """A certified skill's outcome, from the breakdown."""

    skill_id: str
    score: float
    level: str


@dataclass(frozen=True)
class Award:
    """Everything about one pass that goes into its credential."""

    credential_id: str  # urn:uuid:…
    content: Mapping[str, Any]
    version_number: int
    email: str
    salt: str
    subject_did: str
    issued_at: str  # dateTimeStamp
    valid_until: str | None
    activity_start: str
    activity_end: str
    overall_score: float
    skill_results: Sequence[SkillResult]
    breakdown_sha256: str
    engine_version: str
    status_list_url: str
    status_index: int


def skill_results(breakdown: Mapping[str, Any], certified: Iterable[str]) -> list[SkillResult]:
    """The breakdown's score and level for each certified skill."""
    by_id = {skill["skill"]: skill for skill in breakdown["skills"]}
    return [
        SkillResult(skill_id, float(by_id[skill_id]["score"]), by_id[skill_id]["level"]["label"])
        for skill_id in certified
        if skill_id in by_id
    ]


def credential_document(
    award: Award, site_url: str, issuer: Issuer, bands: Sequence[Band]
) -> dict[str, Any]:
    """The unsigned OB 3.0 credential (`VerifiableCredential`, `OpenBadgeCredential`)."""
    content = award.content
    page = assessment_page_url(site_url, content["slug"], award.version_number)
    the_achievement = achievement(content, award.version_number, site_url, issuer, bands)
    names = {skill["id"]: clean_text(skill["name"]) for skill in content["skills"]}
    results: list[dict[str, Any]] = [
        {
            "type": ["Result"],
            "resultDescription": _skill_anchor(page, result.skill_id),
            "achievedLevel": _level_id(page, result.skill_id, result.level),
            "value": format_score(result.score),
        }
        for result in award.skill_results
    ]
    results.append(
        {
            "type": ["Result"],
            "resultDescription": f"{page}#overall",
            "value": format_score(award.overall_score),
        }
    )
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if award.subject_did:
        subject["id"] = award.subject_did
    subject.update(
        {
            "identifier": [identity_object(award.email, award.salt)],
            "activityStartDate": award.activity_start,
            "activityEndDate": award.activity_end,
            "achievement": the_achievement,
            "result": results,
            "source": source_profile(site_url),
        }
    )
    certified = _join([names[result.skill_id] for result in award.skill_results])
    title = clean_text(content["title"])
    document: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": award.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "description": (
            f"Passed the skills assessment “{title}” (version {award.version_number})"
            + (f", certifying {certified}." if certified else ".")
        ),
        "issuer": issuer_profile(issuer),
        "validFrom": award.issued_at,
    }
    if award.valid_until:
        document["validUntil"] = award.valid_until
    document.update(
        {
            "awardedDate": award.issued_at,
            "credentialSubject": subject,
            "evidence": [
                {
                    "id": page,
                    "type": ["Evidence"],
                    "name": f"How “{title}” is assessed",
                    "description": (
                        "The public description of the assessment: the skills it measures, "
                        "their framework alignments, the rubric's criteria and levels, and the "
                        "pass rules. It never shows a candidate's answers."
                    ),
                    "narrative": (
                        f"Scored by the Skillproof engine {award.engine_version}; the score "
                        f"breakdown has sha256 {award.breakdown_sha256}, which an auditor can "
                        "replay from the frozen assessment version."
                    ),
                    "genre": "Assessment description and rubric",
                    "audience": "Employers and verifiers",
                }
            ],
            "credentialStatus": status_entry(award.status_list_url, award.status_index),
        }
    )
    return document


# --- Status lists ----------------------------------------------------------------------------


def status_list_credential(
    list_url: str, issuer_id: str, encoded_list: str, valid_from: str, purpose: str = "revocation"
) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` publishing one list."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }


# --- CLR 2.0 ---------------------------------------------------------------------------------


def clr_document(
    credential_id: str,
    issuer: Issuer,
    issued_at: str,
    email: str,
    salt: str,
    subject_did: str,
    credentials: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """An unsigned CLR 2.0 `ClrCredential` bundling signed OB credentials, unchanged."""
    achievements = []
    seen = set()
    for credential in credentials:
        found = credential.get("credentialSubject", {}).get("achievement")
        if isinstance(found, Mapping) and found.get("id") not in seen:
            seen.add(found.get("id"))
            achievements.append(dict(found))
    subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if subject_did:
        subject["id"] = subject_did
    subject.update(
        {
            "identifier": [identity_object(email, salt)],
            "achievement": achievements,
            "verifiableCredential": [dict(credential) for credential in credentials],
        }
    )
    count = len(credentials)
    return {
        "@context": list(CLR_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Skill credentials (Comprehensive Learner Record)",
        "description": (
            f"{count} skill credential{'s' if count != 1 else ''} issued by "
            f"{clean_text(issuer.name)}, each signed on its own, bundled by the learner."
        ),
        "issuer": issuer_profile(issuer),
        "validFrom": issued_at,
        "credentialSubject": subject,
    }
