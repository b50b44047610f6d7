"""Benchmark: eddsa-rdfc-2022 credential signing and verification on one core.

Run: .venv/bin/python bench/bench_credentials.py [--seconds 3]

Pure (no Django, no database). Signs and verifies a realistic Open Badges 3.0
AchievementCredential (VC 2.0 + OB 3.0.3 contexts, achievement with alignments and a rubric,
results, BitstringStatusListEntry, evidence) with a did:key, measures raw Ed25519 sign and
verify in the same run for the ratio, and the speedup of the shared context cache. The process
is pinned to one CPU; the verification worker process inherits the pin, so "verify (worker)"
is measured on the same core. The "as issued" rows sign and verify the exact document shape
the issuing pipeline builds (credentials.documents) for a demo assessment.
"""

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import __about__ as pyld_about

from credentials.proofs import (
    DEFAULT_LIMITS,
    VERIFY_LIMITS,
    canonicalize,
    clear_context_cache,
    did_key,
    did_key_verification_method,
    resolve_did_key,
    sign,
    verify,
)
from credentials.proofs.examples import example_achievement_credential

DEMO = Path(__file__).resolve().parents[1] / "assessments" / "demo" / "incident-triage.yaml"


def issued_credentials(issuer_id: str, count: int) -> list[dict]:
    """Credentials shaped exactly as the issuing pipeline builds them (credentials.documents),
    for the demo incident-triage assessment: four certified skills, nine framework alignments,
    a four-level rubric per skill, results, evidence and a status entry."""
    import yaml

    from credentials import documents
    from scoring.engine.breakdown import SKILL_BANDS

    content = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    issuer = documents.Issuer(issuer_id, "Acme Hiring", "https://hire.example")
    certified = content["pass_rules"]["certifies"]
    return [
        documents.credential_document(
            documents.Award(
                credential_id=f"urn:uuid:7c1d0f9e-2b4a-4e8f-9c3d-{index:012x}",
                content=content,
                version_number=1,
                email=f"candidate{index}@example.org",
                salt=f"{index:032x}",
                subject_did="",
                issued_at="2025-03-01T09:30:00Z",
                valid_until="2027-03-01T09:30:00Z",
                activity_start="2025-03-01T08:30:00Z",
                activity_end="2025-03-01T09:20:00Z",
                overall_score=81.5,
                skill_results=[
                    documents.SkillResult(skill, 70.0 + position * 5, "Proficient")
                    for position, skill in enumerate(certified)
                ],
                breakdown_sha256="0" * 64,
                engine_version="1.0.0",
                status_list_url="https://hire.example/credentials/status/1",
                status_index=index,
            ),
            "https://hire.example",
            issuer,
            SKILL_BANDS,
        )
        for index in range(count)
    ]


def rate(operation: Callable[[int], object], seconds: float) -> float:
    """Operations per second of `operation(i)`, run repeatedly for about `seconds`."""
    for warmup in range(3):
        operation(warmup)
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(10):
            operation(count)
            count += 1
    return count / (time.perf_counter() - started)


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    seconds = parser.parse_args().seconds

    pinning = pin_to_one_core()
    key = Ed25519PrivateKey.generate()
    public_key = key.public_key()
    method = did_key_verification_method(public_key)
    created = "2025-03-01T09:30:00Z"
    # Distinct credentials (ids, status indexes), as in a real issuance batch.
    credentials = [
        example_achievement_credential(
            issuer_id=did_key(public_key),
            credential_id=f"urn:uuid:5f0a3c2e-8d43-4c55-9a3e-{index:012x}",
            status_index=index,
        )
        for index in range(64)
    ]
    signed = [sign(credential, key, method, created) for credential in credentials]
    for document in signed:
        result = verify(document, resolve_did_key)
        if not result.verified:
            raise SystemExit(f"A signed credential does not verify: {result.reason}")
    issued = issued_credentials(did_key(public_key), 16)
    issued_signed = [sign(credential, key, method, created) for credential in issued]
    for document in issued_signed:
        result = verify(document, resolve_did_key)
        if not result.verified:
            raise SystemExit(f"An issued-shape credential does not verify: {result.reason}")
    message = bytes(64)  # what eddsa-rdfc-2022 signs: two SHA-256 hashes
    signature = key.sign(message)

    def pick(items: list, index: int):
        return items[index % len(items)]

    def canonicalize_cold(index: int) -> str:
        clear_context_cache()
        return canonicalize(pick(credentials, index))

    measured = {
        "Ed25519 sign (raw)": rate(lambda i: key.sign(message), seconds / 2),
        "Ed25519 verify (raw)": rate(lambda i: public_key.verify(signature, message), seconds / 2),
        "credential sign": rate(
            lambda i: sign(pick(credentials, i), key, method, created, limits=DEFAULT_LIMITS),
            seconds,
        ),
        "credential verify (worker)": rate(
            lambda i: verify(pick(signed, i), resolve_did_key, limits=VERIFY_LIMITS), seconds
        ),
        "credential verify (in-process)": rate(
            lambda i: verify(pick(signed, i), resolve_did_key, limits=DEFAULT_LIMITS), seconds
        ),
        "as issued: sign": rate(
            lambda i: sign(pick(issued, i), key, method, created, limits=DEFAULT_LIMITS), seconds
        ),
        "as issued: verify (worker)": rate(
            lambda i: verify(pick(issued_signed, i), resolve_did_key, limits=VERIFY_LIMITS),
            seconds,
        ),
        "canonicalise, context cache": rate(lambda i: canonicalize(pick(credentials, i)), seconds),
        "canonicalise, no cache": rate(canonicalize_cold, seconds),
    }

    size = len(str(signed[0]).encode())
    print("Skillproof credential benchmark (eddsa-rdfc-2022, Open Badges 3.0)")
    print(
        f"Python {platform.python_version()}, pyld {pyld_about.__version__}, "
        f"{platform.machine()}, {pinning}; ~{size // 1024} KiB credential, "
        f"{len(canonicalize(credentials[0]).splitlines())} quads; {seconds:g} s per row"
    )
    issued_size = len(str(issued_signed[0]).encode())
    print(
        f"'as issued': the pipeline's own document for the incident-triage demo, "
        f"~{issued_size // 1024} KiB, {len(canonicalize(issued[0]).splitlines())} quads"
    )
    print()
    print(f"{'operation':34} {'per second':>12} {'ms each':>9}")
    print(f"{'-' * 34} {'-' * 12} {'-' * 9}")
    for name, per_second in measured.items():
        print(f"{name:34} {per_second:12,.0f} {1000 / per_second:9.3f}")
    print()
    sign_ratio = measured["Ed25519 sign (raw)"] / measured["credential sign"]
    verify_ratio = measured["Ed25519 verify (raw)"] / measured["credential verify (worker)"]
    cache = measured["canonicalise, context cache"] / measured["canonicalise, no cache"]
    print(f"raw Ed25519 sign / credential sign:          {sign_ratio:7.0f}x")
    print(f"raw Ed25519 verify / credential verify:      {verify_ratio:7.0f}x")
    print(f"context cache speedup of canonicalisation:   {cache:7.1f}x")
    issued_sign = measured["Ed25519 sign (raw)"] / measured["as issued: sign"]
    issued_verify = measured["Ed25519 verify (raw)"] / measured["as issued: verify (worker)"]
    print(f"raw Ed25519 sign / as-issued sign:           {issued_sign:7.0f}x")
    print(f"raw Ed25519 verify / as-issued verify:       {issued_verify:7.0f}x")


if __name__ == "__main__":
    main()
