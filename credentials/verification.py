"""Verify a credential and report every check on its own, with a sentence a person can read.

The checks: the proof (eddsa-rdfc-2022 over the document as it is now), the issuer's key
(one of ours, or a did:key resolved offline; nothing is fetched), whether this deployment trusts
that issuer (its own keys, current or retired, and the DIDs in VERIFY_TRUSTED_ISSUERS), the
status (our own status lists are read locally; any other list "could not be checked"), the
validity window, and the Open Badges 3.0 JSON Schema for Open Badges credentials. A CLR also has
each credential inside it verified, within the same time budget. The web page, the API and
`manage.py verify_credential` all call `verify_credential`.

A valid signature by a key nobody vouches for proves only that someone made a key: anyone can
make a did:key and write any issuer name into what they sign. Such a credential comes out
"signature valid, issuer not trusted", never "verified", and the name it gives is never the
headline of a verdict.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from django.utils import timezone

from credentials import conf, keys
from credentials.models import IssuerKey, StatusList
from credentials.proofs import (
    VERIFY_LIMITS,
    CanonicalizationTimeout,
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
    "trust": "Issuer trusted here",
    "status": "Not revoked",
    "validity": "Within its validity period",
    "schema": "Open Badges 3.0 schema",
    "embedded": "Credentials inside",
}
OB_TYPES = {"AchievementCredential", "OpenBadgeCredential"}
# Credentials inside a CLR checked for staff and the command; anonymous callers get fewer
# (conf.verify_max_embedded_anonymous), since anyone can send any number of requests.
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
        """`verified`; `failed` (a check failed); `untrusted` (the signature holds, but no issuer
        this service trusts made it); or `incomplete` (something could not be checked)."""
        if self.verified:
            return "verified"
        failed = {check.name for check in self.checks if check.status == "failed"}
        if failed - {"trust"}:
            return "failed"
        return "untrusted" if failed else "incomplete"

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


# --- The time budget of one request -----------------------------------------------------------


class _Budget:
    """The seconds one verification request may spend, shared by every document in it.

    Each canonicalisation gets the per-document cap or what is left of the request's time,
    whichever is smaller, and the first one that times out ends the request: a CLR of twenty
    slow credentials costs one timeout, not twenty.
    """

    def __init__(self, limits: Limits, seconds: float) -> None:
        self.seconds = seconds
        self._limits = limits
        self._deadline = time.monotonic() + seconds
        self._timed_out = False

    def limits(self) -> Limits:
        """The limits for the next document, its time cut to what the request has left."""
        left = max(0.0, self._deadline - time.monotonic())
        return replace(self._limits, max_seconds=min(self._limits.max_seconds, left))

    def record(self, error: Exception | None) -> None:
        """Note how a proof verification ended; a timeout spends the whole budget."""
        if isinstance(error, CanonicalizationTimeout):
            self._timed_out = True

    @property
    def spent(self) -> bool:
        return self._timed_out or time.monotonic() >= self._deadline


# --- Keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Signer:
    """Whose key the proof names: its DID, and whether it is one of this service's keys."""

    did: str
    ours: bool
    detail: str


class _Resolver:
    """Resolves our own keys (any DID they were published under) and did:key, offline."""

    def __init__(self) -> None:
        self.signer: _Signer | None = None

    def __call__(self, method: str):
        if method.startswith("did:key:"):
            key = resolve_did_key(method)
            self.signer = _Signer(
                method.partition("#")[0],
                ours=False,
                detail="The issuer is a did:key, whose public key is part of its identifier "
                "(resolved offline). A did:key does not say which organisation stands behind it.",
            )
            return key
        did, _, fragment = method.partition("#")
        current = keys.issuer_id()
        record = IssuerKey.objects.filter(kid=fragment).first() if fragment else None
        if record is not None and did in (current, record.controller):
            state = (
                "the current signing key" if record.is_active else "a retired key, still published"
            )
            self.signer = _Signer(
                did,
                ours=True,
                detail=f"Signed with {record.kid}, {state} of this service's issuer ({did}), "
                "listed in its DID document.",
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
    document: Mapping[str, Any], budget: _Budget
) -> tuple[CheckResult, CheckResult, _Signer | None]:
    """The proof and issuer checks, and the signer when its key belongs to the issuer named."""
    resolver = _Resolver()
    result = verify(document, resolver, limits=budget.limits())
    budget.record(result.error)
    signer = resolver.signer
    if result.verified:
        return (
            CheckResult(
                "proof",
                "passed",
                "The Data Integrity proof (eddsa-rdfc-2022) matches: nothing in the credential "
                "changed since it was signed.",
            ),
            CheckResult("issuer", "passed", signer.detail),
            signer,
        )
    failed = next(check for check in result.checks if check.status == "failed")
    if failed.name in ("verificationMethod", "issuer"):
        return (
            CheckResult(
                "proof", "unchecked", "The signature cannot be checked without the issuer's key."
            ),
            CheckResult("issuer", "failed", failed.detail),
            None,
        )
    issuer = (
        CheckResult("issuer", "passed", signer.detail)
        if signer is not None
        else CheckResult("issuer", "unchecked", "Not checked: the proof could not be read.")
    )
    if failed.name == "signature":
        detail = (
            "The signature does not match the credential: something in it (the holder, the "
            "achievement, the issuer, the dates or the proof) was changed after it was signed."
        )
    else:
        detail = failed.detail
    return CheckResult("proof", "failed", detail), issuer, signer


def _trust(signer: _Signer | None, document: Mapping[str, Any]) -> CheckResult:
    if signer is None:
        return CheckResult("trust", "unchecked", "Not checked: the signing key is not known.")
    if signer.ours:
        return CheckResult(
            "trust", "passed", f"Issued by this service ({conf.issuer_name()}, {signer.did})."
        )
    if signer.did in conf.verify_trusted_issuers():
        return CheckResult(
            "trust", "passed", f"{signer.did} is on this service's list of trusted issuers."
        )
    _, name = _issuer(document)
    named = f" ({name!r})" if name else ""
    return CheckResult(
        "trust",
        "failed",
        f"Signed by {signer.did}, which is neither this service's issuer nor on its list of "
        "trusted issuers. Anyone can make such a key in seconds and sign anything with it, and "
        f"the issuer name written inside{named} proves nothing about who made it.",
    )


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


def _embedded(
    document: Mapping[str, Any], budget: _Budget, now: datetime, max_embedded: int
) -> CheckResult | None:
    if "ClrCredential" not in _types(document):
        return None
    subject = document.get("credentialSubject")
    inner = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    if not isinstance(inner, list) or not inner:
        return CheckResult("embedded", "failed", "The record holds no credentials.")
    if len(inner) > max_embedded:
        return CheckResult(
            "embedded",
            "unchecked",
            f"The record holds {len(inner)} credentials, more than the {max_embedded} this "
            "verifier checks in one request; check them one by one.",
        )
    problems = []
    not_reached = ""
    for position, credential in enumerate(inner, start=1):
        if budget.spent:
            not_reached = (
                f"Credentials #{position} to #{len(inner)} were not checked: this request's "
                f"{budget.seconds:g} s of checking time ran out."
            )
            break
        if not isinstance(credential, Mapping):
            problems.append(f"#{position} is not a credential")
            continue
        report = _verify_parsed(credential, budget, now, max_embedded, nested=True)
        if not report.verified:
            name = credential.get("name") if isinstance(credential.get("name"), str) else None
            problems.append(f"#{position} ({name or 'unnamed'}): {report.summary}")
    if problems:
        return CheckResult("embedded", "failed", " ".join([*problems, not_reached]).strip())
    if not_reached:
        return CheckResult("embedded", "unchecked", not_reached)
    return CheckResult(
        "embedded",
        "passed",
        f"All {len(inner)} credential{'s' if len(inner) != 1 else ''} inside verified "
        "on their own.",
    )


# --- The report ------------------------------------------------------------------------------


def _summary(
    checks: tuple[CheckResult, ...], document: Mapping[str, Any], signer: _Signer | None
) -> str:
    by_name = {check.name: check for check in checks}
    # Trust is judged last: a credential that fails anything else is simply not verified.
    failed = [check for check in checks if check.status == "failed" and check.name != "trust"]
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
    unchecked = " ".join(check.detail for check in checks if check.status == "unchecked")
    if by_name["trust"].status == "failed":
        sentence = (
            f"Signature valid, issuer not trusted: it is unchanged since {signer.did} signed it, "
            "but that is neither this service's issuer nor one it trusts. Anyone can make such "
            "a key, and the issuer name written inside proves nothing."
        )
        return f"{sentence} {unchecked}".rstrip()
    if unchecked:
        return "Partly verified: " + unchecked
    # Who issued it comes from the key that signed it, never from the name the document gives.
    who = f"{conf.issuer_name()} (this service)" if signer.ours else f"{signer.did} (trusted)"
    sentence = f"Verified: issued by {who}, unchanged since it was signed"
    if by_name["status"].status == "passed":
        sentence += ", not revoked"
    end = parse_datetime(document.get("validUntil"))
    sentence += f", valid until {human_date(end)}." if end else ", and currently valid."
    return sentence


def _verify_parsed(
    document: Mapping[str, Any],
    budget: _Budget,
    now: datetime,
    max_embedded: int,
    nested: bool = False,
) -> Report:
    proof, issuer, signer = _proof_and_issuer(document, budget)
    checks = [
        proof,
        issuer,
        _trust(signer, document),
        _status(document),
        _validity(document, now),
        _schema(document),
    ]
    if not nested:
        embedded = _embedded(document, budget, now, max_embedded)
        if embedded is not None:
            checks.append(embedded)
    checks_tuple = tuple(checks)
    return Report(
        verified=all(check.ok for check in checks_tuple),
        summary=_summary(checks_tuple, document, signer),
        checks=checks_tuple,
        credential=describe(document),
        checked_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def unreadable(reason: str, now: datetime | None = None) -> Report:
    """The report for input that is not a JSON credential at all."""
    now = now or timezone.now()
    checks = tuple(
        CheckResult(name, "unchecked", "Not checked: the input could not be read.")
        for name in ("proof", "issuer", "trust", "status", "validity", "schema")
    )
    return Report(
        verified=False,
        summary=f"Not verified: this is not a credential that can be read. {reason}",
        checks=checks,
        checked_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def max_embedded_for(user) -> int:
    """How many credentials inside a CLR one request checks for this caller."""
    return MAX_EMBEDDED if user.is_authenticated else conf.verify_max_embedded_anonymous()


def verify_credential(
    data: str | bytes | Mapping[str, Any],
    *,
    now: datetime | None = None,
    limits: Limits = VERIFY_LIMITS,
    max_embedded: int = MAX_EMBEDDED,
) -> Report:
    """Verify a credential given as JSON text, bytes or a parsed object, within one time budget
    (VERIFY_REQUEST_SECONDS) for it and every credential inside it; never raises for bad input
    (the report says what is wrong)."""
    now = now or timezone.now()
    try:
        document = parse_document(data, limits) if isinstance(data, str | bytes) else data
        check_document(document, limits)
    except ProofError as exc:
        return unreadable(str(exc), now)
    return _verify_parsed(
        document, _Budget(limits, conf.verify_request_seconds()), now, max_embedded
    )
