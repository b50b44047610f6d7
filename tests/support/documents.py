"""Small assessment documents for tests that need a published version but not the demo library."""

import copy

_LEVELS_KEYED = [
    {
        "points": 0,
        "label": "Not yet",
        "descriptor": "Misses the point.",
        "feedback": "Start from the customer's goal.",
    },
    {
        "points": 1,
        "label": "Partly",
        "descriptor": "Helps, partly.",
        "feedback": "Good start; confirm the facts first.",
    },
    {
        "points": 2,
        "label": "Strong",
        "descriptor": "Sound judgement.",
        "feedback": "You put the customer first.",
    },
]

_LEVELS_TEXT = [
    {
        "points": 0,
        "label": "Not yet",
        "descriptor": "No apology and no plan.",
        "feedback": "Acknowledge the problem and say what happens next.",
        "min_coverage": 0.0,
        "exemplars": ["whatever", "not my problem"],
    },
    {
        "points": 1,
        "label": "Partly",
        "descriptor": "Apologises or gives a plan.",
        "feedback": "Add a concrete next step with a time.",
        "min_coverage": 0.5,
        "exemplars": ["sorry about that", "we will look into it"],
    },
    {
        "points": 2,
        "label": "Strong",
        "descriptor": "Apologises and gives a concrete plan.",
        "feedback": "Clear and kind: keep doing this.",
        "min_coverage": 1.0,
        "exemplars": ["I'm sorry for the double charge, I will refund it today."],
    },
]

SMALL_DOCUMENT = {
    "format": "skillproof/assessment@1",
    "slug": "small-support",
    "title": "Small support scenario",
    "role": "Support Specialist",
    "description": "A short scenario used by tests.",
    "time_limit_minutes": 15,
    "skills": [
        {"id": "judgement", "name": "Judgement", "description": "Choosing what to do."},
        {"id": "writing", "name": "Writing", "description": "Writing to customers."},
    ],
    "pass_rules": {
        "overall_threshold": 50,
        "skill_thresholds": {"judgement": 50, "writing": 40},
        "certifies": ["judgement", "writing"],
    },
    "start": "first-move",
    "steps": [
        {
            "id": "first-move",
            "title": "A double charge",
            "context": "A customer was **charged twice** for one order.",
            "prompt": "What do you do first?",
            "item": {
                "type": "single_choice",
                "options": [
                    {
                        "id": "check",
                        "text": "Check the payment log",
                        "points": 2,
                        "rationale": "Facts first.",
                    },
                    {
                        "id": "refund",
                        "text": "Refund at once",
                        "points": 1,
                        "rationale": "Fast, but unchecked.",
                    },
                    {
                        "id": "ignore",
                        "text": "Wait for them to write again",
                        "points": 0,
                        "rationale": "The customer waits.",
                    },
                ],
            },
            "next": "reply",
            "criteria": [
                {"id": "choice", "skill": "judgement", "weight": 1, "levels": _LEVELS_KEYED}
            ],
        },
        {
            "id": "reply",
            "title": "Your reply",
            "context": "Write to the customer.",
            "prompt": "Write your reply.",
            "item": {"type": "short_text", "max_length": 600},
            "next": None,
            "criteria": [
                {
                    "id": "reply-quality",
                    "skill": "writing",
                    "weight": 1,
                    "confidence_threshold": 0.0,
                    "concepts": [
                        {
                            "id": "apology",
                            "label": "Apologises",
                            "phrasings": ["sorry", "apologi[sz]e"],
                        },
                        {
                            "id": "plan",
                            "label": "Says what happens next",
                            "phrasings": ["refund", "today", "will"],
                        },
                    ],
                    "levels": _LEVELS_TEXT,
                }
            ],
        },
    ],
}


def small_document(**overrides) -> dict:
    """A fresh copy of the small document, with top-level fields overridden."""
    document = copy.deepcopy(SMALL_DOCUMENT)
    document.update(overrides)
    return document
