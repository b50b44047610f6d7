"""Verify a credential and report every check on its own, with a sentence a person can read.

The checks: the proof (eddsa-rdfc-2022 over the document as it is now), the issuer's key
(one of ours, or a did:key resolved offline; nothing is fetched), the status (our own status
lists are read locally; any other list "could not be checked"), the validity window, and the
Open Badges 3.0 JSON Schema for Open Badges credentials. A CLR also has each credential inside
it verified. The web page, the API and `manage.py verify_credential` all call `verify_credential`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from django.utils import timezone

from credentials import conf, keys
from credentials.models import IssuerKey, StatusList
from credentials.proofs import (
    VERIFY_LIMITS,
    KeyResolutionError,
    Limits,
    ProofError,
    ResolvedKey,
    StatusBitstring,
    StatusListError,
    check_document,
    parse_document,
    public_key_from_multibase,
    resolve_did_key,
    verify,
)
from credentials.schemas import ACHIEVEMENT_CREDENTIAL, schema_errors

Status = Literal["passed", "failed", "unchecked", "not_applicable"]

LABELS = {
    "proof": "Proof valid",
    "issuer": "Issuer key known",
    "status": "Not revoked",
    "validity": "Within its validity period",
    "schema": "Open Badges 3.0 schema",
    "embedded": "Credentials inside",
}
OB_TYPES = {"AchievementCredential", "OpenBadgeCredential"}
MAX_EMBEDDED = 50


@dataclass(frozen=True)
class CheckResult:
    """One check: its name, what it is called on screen, the outcome and why."""

    name: str
    status: Status
    detail: str

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "not_applicable")

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "label": self.label,
            "status": self.status,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Report:
    """The outcome of verifying one document."""

    verified: bool
    summary: str
    checks: tuple[CheckResult, ...]
    credential: dict[str, Any] = field(default_factory=dict)
    checked_at: str = ""

    def check(self, name: str) -> CheckResult:
        return next(check for check in self.checks if check.name == name)

    @property
    def outcome(self) -> str:
        """`verified`, `failed` (a check failed) or `incomplete` (something was not checkable)."""
        if self.verified:
            return "verified"
        return "failed" if any(c.status == "failed" for c in self.checks) else "incomplete"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "outcome": self.outcome,
            "summary": self.summary,
            "checks": [check.to_dict() for check in self.checks],
            "credential": self.credential,
            "checked_at": self.checked_at,
        }


# --- Helpers ---------------------------------------------------------------------------------


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type", [])
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def _issuer(document: Mapping[str, Any]) -> tuple[str | None, str | None]:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        name = issuer.get("name")
        return issuer.get("id"), name if isinstance(name, str) else None
    return (issuer if isinstance(issuer, str) else None), None


def describe(document: Mapping[str, Any]) -> dict[str, Any]:
    """What a report says about the document itself (read from it, not verified)."""
    issuer_id, issuer_name = _issuer(document)
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    achievement_name = achievement.get("name") if isinstance(achievement, Mapping) else None
    return {
        "id": document.get("id") if isinstance(document.get("id"), str) else None,
        "type": _types(document),
        "name": document.get("name") if isinstance(document.get("name"), str) else None,
        "achievement": achievement_name if isinstance(achievement_name, str) else None,
        "issuer": {"id": issuer_id, "name": issuer_name},
        "validFrom": document.get("validFrom") or document.get("issuanceDate"),
        "validUntil": document.get("validUntil") or document.get("expirationDate"),
    }


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date-time with a time zone, else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def human_date(moment: datetime) -> str:
    """A date as people read it in reports: `3 March 2026, 09:30 UTC`."""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


# --- Keys ------------------------------------------------------------------------------------


@dataclass
class _KeyOutcome:
    kind: str = ""  # "ours", "did:key"
    detail: str = ""


class _Resolver:
    """Resolves our own keys (any DID they were published under) and did:key, offline."""

    def __init__(self) -> None:
        self.outcome = _KeyOutcome()

    def __call__(self, method: str):
        if method.startswith("did:key:"):
            key = resolve_did_key(method)
            self.outcome = _KeyOutcome(
                "did:key",
                "The issuer is a did:key, whose public key is part of its identifier (resolved "
                "offline). A did:key does not say which organisation stands behind it.",
            )
            return key
        did, _, fragment = method.partition("#")
        current = keys.issuer_id()
        record = IssuerKey.objects.filter(kid=fragment).first() if fragment else None
        if record is not None and did in (current, record.controller):
            state = (
                "the current signing key" if record.is_active else "a retired key, still published"
            )
            self.outcome = _KeyOutcome(
                "ours",
                f"Signed with {record.kid}, {state} of this service's issuer ({did}), listed in "
                "its DID document.",
            )
            return ResolvedKey(public_key_from_multibase(record.public_key_multibase), did)
        if did == current:
            raise KeyResolutionError(
                f"The key {method!r} is not one this issuer has ever published: the credential "
                "was not signed by this service."
            )
        raise KeyResolutionError(
            f"The credential was signed with a key of {did or method!r}, an issuer this service "
            "does not know. Its keys could only be found by fetching them over the network, "
            "which this verifier never does; check it with that issuer's own tools."
        )


def _proof_and_issuer(
    document: Mapping[str, Any], limits: Limits
) -> tuple[CheckResult, CheckResult]:
    resolver = _Resolver()
    result = verify(document, resolver, limits=limits)
    if result.verified:
        return (
            CheckResult(
                "proof",
                "passed",
                "The Data Integrity proof (eddsa-rdfc-2022) matches: nothing in the credential "
                "changed since it was signed.",
            ),
            CheckResult("issuer", "passed", resolver.outcome.detail),
        )
    failed = next(check for check in result.checks if check.status == "failed")
    if failed.name in ("verificationMethod", "issuer"):
        return (
            CheckResult(
                "proof", "unchecked", "The signature cannot be checked without the issuer's key."
            ),
            CheckResult("issuer", "failed", failed.detail),
        )
    issuer = (
        CheckResult("issuer", "passed", resolver.outcome.detail)
        if resolver.outcome.kind
        else CheckResult("issuer", "unchecked", "Not checked: the proof could not be read.")
    )
    if failed.name == "signature":
        detail = (
            "The signature does not match the credential: something in it (the holder, the "
            "achievement, the issuer, the dates or the proof) was changed after it was signed."
        )
    else:
        detail = failed.detail
    return CheckResult("proof", "failed", detail), issuer


# --- Status ----------------------------------------------------------------------------------


def own_status_list(url: str) -> StatusList | None:
    """The status list of ours that `url` names, if it is one (never fetched)."""
    site = urlsplit(conf.site_url())
    parts = urlsplit(url)
    prefix = (site.path.rstrip("/") + "/credentials/status/").lstrip("/")
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc) or parts.query:
        return None
    path = parts.path.lstrip("/")
    if not path.startswith(prefix) or not path[len(prefix) :].isdigit():
        return None
    return StatusList.objects.filter(pk=int(path[len(prefix) :])).first()


def _status(document: Mapping[str, Any]) -> CheckResult:
    entries = document.get("credentialStatus")
    if entries is None:
        return CheckResult(
            "status",
            "not_applicable",
            "The credential has no status entry, so its issuer cannot revoke it.",
        )
    entries = entries if isinstance(entries, list) else [entries]
    details = []
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
            kind = entry.get("type") if isinstance(entry, Mapping) else type(entry).__name__
            return CheckResult(
                "status",
                "unchecked",
                f"The status entry is of type {kind!r}, which this verifier cannot check.",
            )
        url = entry.get("statusListCredential")
        status_list = own_status_list(url) if isinstance(url, str) else None
        if status_list is None:
            return CheckResult(
                "status",
                "unchecked",
                f"The status list {url!r} is not published by this service, so whether the "
                "credential was revoked could not be checked (this verifier never fetches).",
            )
        try:
            index = int(entry.get("statusListIndex"))
            revoked = StatusBitstring.from_bytes(bytes(status_list.bits)).get(index)
        except (TypeError, ValueError, StatusListError):
            return CheckResult(
                "status",
                "failed",
                f"The status entry points outside status list {status_list.pk}.",
            )
        purpose = entry.get("statusPurpose", "revocation")
        if revoked:
            word = "suspended" if purpose == "suspension" else "revoked"
            return CheckResult("status", "failed", f"The issuer has {word} this credential.")
        details.append(f"status list {status_list.pk}, checked live")
    return CheckResult("status", "passed", "Not revoked (" + "; ".join(details) + ").")


# --- Validity and schema ---------------------------------------------------------------------


def _validity(document: Mapping[str, Any], now: datetime) -> CheckResult:
    start_value = document.get("validFrom", document.get("issuanceDate"))
    end_value = document.get("validUntil", document.get("expirationDate"))
    start = parse_datetime(start_value)
    end = parse_datetime(end_value)
    if start_value is not None and start is None:
        return CheckResult("validity", "failed", f"validFrom {start_value!r} is not a date-time.")
    if end_value is not None and end is None:
        return CheckResult("validity", "failed", f"validUntil {end_value!r} is not a date-time.")
    if start is not None and now < start:
        return CheckResult(
            "validity", "failed", f"The credential is not valid before {human_date(start)}."
        )
    if end is not None and now > end:
        return CheckResult("validity", "failed", f"The credential expired on {human_date(end)}.")
    if start is None and end is None:
        return CheckResult("validity", "passed", "The credential has no validity period.")
    detail = f"Valid from {human_date(start)}" if start else "Valid"
    detail += f" until {human_date(end)}." if end else ", with no end date."
    return CheckResult("validity", "passed", detail)


def _schema(document: Mapping[str, Any]) -> CheckResult:
    types = set(_types(document))
    if not types & OB_TYPES:
        kind = "a CLR 2.0 record" if "ClrCredential" in types else "not an Open Badges credential"
        return CheckResult(
            "schema",
            "not_applicable",
            f"This is {kind}; the OB 3.0 schema applies to Open Badges credentials.",
        )
    problems = schema_errors(dict(document), ACHIEVEMENT_CREDENTIAL)
    if problems:
        return CheckResult(
            "schema",
            "failed",
            "It does not follow the Open Badges 3.0 AchievementCredential schema: "
            + "; ".join(problems[:3])
            + ("…" if len(problems) > 3 else ""),
        )
    return CheckResult(
        "schema",
        "passed",
        "Valid against the official Open Badges 3.0 AchievementCredential schema.",
    )


def _embedded(document: Mapping[str, Any], limits: Limits, now: datetime) -> CheckResult | None:
    if "ClrCredential" not in _types(document):
        return None
    subject = document.get("credentialSubject")
    inner = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    if not isinstance(inner, list) or not inner:
        return CheckResult("embedded", "failed", "The record holds no credentials.")
    if len(inner) > MAX_EMBEDDED:
        return CheckResult(
            "embedded", "unchecked", f"The record holds more than {MAX_EMBEDDED} credentials."
        )
    problems = []
    for position, credential in enumerate(inner, start=1):
        if not isinstance(credential, Mapping):
            problems.append(f"#{position} is not a credential")
            continue
        report = _verify_parsed(credential, limits, now, nested=True)
        if not report.verified:
            name = credential.get("name") if isinstance(credential.get("name"), str) else None
            problems.append(f"#{position} ({name or 'unnamed'}): {report.summary}")
    if problems:
        return CheckResult("embedded", "failed", " ".join(problems))
    return CheckResult(
        "embedded",
        "passed",
        f"All {len(inner)} credential{'s' if len(inner) != 1 else ''} inside verified "
        "on their own.",
    )


# --- The report ------------------------------------------------------------------------------


def _summary(checks: tuple[CheckResult, ...], document: Mapping[str, Any]) -> str:
    by_name = {check.name: check for check in checks}
    issuer_id, issuer_name = _issuer(document)
    failed = [check for check in checks if check.status == "failed"]
    if failed:
        reasons = []
        for check in failed:
            if check.name == "proof":
                reasons.append(
                    "it was changed after it was signed, or its signature is not valid"
                    if "changed" in check.detail
                    else f"its proof is not valid ({check.detail.rstrip('.')})"
                )
            elif check.name == "issuer":
                reasons.append("its issuer is unknown or is not who signed it")
            elif check.name in ("status", "validity"):
                reasons.append(check.detail[0].lower() + check.detail[1:].rstrip("."))
            elif check.name == "schema":
                reasons.append("it is not a valid Open Badges 3.0 credential")
            elif check.name == "embedded":
                reasons.append("a credential inside it does not verify")
        return "Not verified: " + "; ".join(reasons) + "."
    unchecked = [check for check in checks if check.status == "unchecked"]
    if unchecked:
        return "Partly verified: " + " ".join(check.detail for check in unchecked)
    who = issuer_name or issuer_id or "its issuer"
    sentence = f"Verified: issued by {who}, unchanged since it was signed"
    if by_name["status"].status == "passed":
        sentence += ", not revoked"
    end = parse_datetime(document.get("validUntil"))
    sentence += f", valid until {human_date(end)}." if end else ", and currently valid."
    return sentence


def _verify_parsed(
    document: Mapping[str, Any], limits: Limits, now: datetime, nested: bool = False
) -> Report:
    proof, issuer = _proof_and_issuer(document, limits)
    checks = [proof, issuer, _status(document), _validity(document, now), _schema(document)]
    if not nested:
        embedded = _embedded(document, limits, now)
        if embedded is not None:
            checks.append(embedded)
    checks_tuple = tuple(checks)
    return Report(
        verified=all(check.ok for check in checks_tuple),
        summary=_summary(checks_tuple, document),
        checks=checks_tuple,
        credential=describe(document),
        checked_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def unreadable(reason: str, now: datetime | None = None) -> Report:
    """The report for input that is not a JSON credential at all."""
    now = now or timezone.now()
    checks = tuple(
        CheckResult(name, "unchecked", "Not checked: the input could not be read.")
        for name in ("proof", "issuer", "status", "validity", "schema")
    )
    return Report(
        verified=False,
        summary=f"Not verified: this is not a credential that can be read. {reason}",
        checks=checks,
        checked_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def verify_credential(
    data: str | bytes | Mapping[str, Any],
    *,
    now: datetime | None = None,
    limits: Limits = VERIFY_LIMITS,
) -> Report:
    """Verify a credential given as JSON text, bytes or a parsed object; never raises for bad
    input (the report says what is wrong)."""
    now = now or timezone.now()
    try:
        document = parse_document(data, limits) if isinstance(data, str | bytes) else data
        check_document(document, limits)
    except ProofError as exc:
        return unreadable(str(exc), now)
    return _verify_parsed(document, limits, now)
