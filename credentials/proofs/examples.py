"""A complete Open Badges 3.0 AchievementCredential, as the issuing pipeline shapes one.

Used by the tests and the benchmark, and a reference for what signs cleanly: every property
here is defined by the VC 2.0 and OB 3.0 contexts, so nothing is dropped by JSON-LD expansion.
"""

import hashlib
from typing import Any

from .loader import OB_V3P0, VC_V2


def example_achievement_credential(
    issuer_id: str = "https://skillproof.example/issuers/acme",
    credential_id: str = "urn:uuid:5f0a3c2e-8d43-4c55-9a3e-0f6d2b7c1a90",
    status_index: int = 94_567,
) -> dict[str, Any]:
    """An unsigned AchievementCredential with alignments, results, evidence and status."""
    site = "https://skillproof.example"
    achievement_id = f"{site}/achievements/incident-response-l2"
    result_description_id = f"{achievement_id}/results/triage"
    level_ids = [f"{result_description_id}/levels/{level}" for level in ("1", "2", "3")]
    # OB 3.0 identifies a subject without a DID by a salted hash of their email address.
    salt = "s4lt-0f9e8d"
    email_hash = hashlib.sha256(f"candidate@example.org{salt}".encode()).hexdigest()

    def alignment(code: str, name: str) -> dict[str, Any]:
        return {
            "type": ["Alignment"],
            "targetCode": code,
            "targetName": name,
            "targetDescription": f"Skill: {name}.",
            "targetFramework": "Skillproof skills framework",
            "targetType": "ext:SkillproofSkill",
            "targetUrl": f"{site}/skills/{code}",
        }

    return {
        "@context": [VC_V2, OB_V3P0],
        "id": credential_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": "Incident Response, Level 2",
        "description": "Passed the Incident Response level 2 scenario assessment.",
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": "Acme Hiring",
            "url": "https://acme.example",
            "email": "talent@acme.example",
        },
        "validFrom": "2025-03-01T09:30:00Z",
        "validUntil": "2028-03-01T09:30:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": f"sha256${email_hash}",
                    "identityType": "emailAddress",
                    "salt": salt,
                }
            ],
            "activityEndDate": "2025-02-27T16:05:00Z",
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": "Incident Response, Level 2",
                "description": "Triages, contains and communicates a production incident.",
                "humanCode": "IR-2",
                "inLanguage": "en",
                "version": "3",
                "criteria": {
                    "id": f"{achievement_id}/criteria",
                    "narrative": (
                        "Score at least level 2 on every rubric criterion of the published "
                        "scenario; the rubric is public at the criteria URL."
                    ),
                },
                "alignment": [
                    alignment("triage", "Incident triage"),
                    alignment("containment", "Containment"),
                    alignment("stakeholder-comms", "Stakeholder communication"),
                ],
                "resultDescription": [
                    {
                        "id": result_description_id,
                        "type": ["ResultDescription"],
                        "name": "Incident triage",
                        "resultType": "RubricCriterionLevel",
                        "alignment": [alignment("triage", "Incident triage")],
                        "requiredLevel": level_ids[1],
                        "rubricCriterionLevel": [
                            {
                                "id": level_id,
                                "type": ["RubricCriterionLevel"],
                                "name": name,
                                "description": f"{name} triage of the incident.",
                                "level": str(number),
                                "points": str(number * 5),
                            }
                            for number, (level_id, name) in enumerate(
                                zip(level_ids, ("Partial", "Sound", "Exemplary"), strict=True),
                                start=1,
                            )
                        ],
                    },
                    {
                        "id": f"{achievement_id}/results/overall",
                        "type": ["ResultDescription"],
                        "name": "Overall score",
                        "resultType": "Percent",
                        "valueMin": "0",
                        "valueMax": "100",
                        "requiredValue": "70",
                    },
                ],
                "creator": {"id": issuer_id, "type": ["Profile"], "name": "Acme Hiring"},
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": result_description_id,
                    "achievedLevel": level_ids[2],
                    "status": "Completed",
                },
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement_id}/results/overall",
                    "value": "86",
                    "status": "Completed",
                },
            ],
        },
        "credentialStatus": {
            "id": f"{site}/status/revocation/1#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": f"{site}/status/revocation/1",
        },
        "evidence": [
            {
                "id": f"{site}/evidence/attempt-7d1c",
                "type": ["Evidence"],
                "name": "Scored rubric breakdown",
                "description": "Per-criterion scores with the rubric version and model used.",
                "narrative": "Scored by rubric v3; two criteria confirmed by a human reviewer.",
                "genre": "Assessment result",
                "audience": "Employers",
            }
        ],
    }
