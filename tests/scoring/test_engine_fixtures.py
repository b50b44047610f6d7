"""Small assessment documents and answers for the engine tests (helpers only, no tests).

Built here rather than read from assessments/demo so the engine tests do not move when the demo
content does.
"""

import copy

REPLY_LEVELS = [
    {
        "points": 0,
        "label": "Not yet",
        "descriptor": "No apology, no action and no timeline for the customer.",
        "feedback": "Tell the customer what happened, what you did and when they will see it.",
        "min_coverage": 0.0,
        "exemplars": ["We have received your email.", "ok noted"],
    },
    {
        "points": 1,
        "label": "Developing",
        "descriptor": "Only one of apology, action or timeline is present.",
        "feedback": "Add what you did and when she will see the money.",
        "min_coverage": 0.3,
        "exemplars": ["Sorry about that, we are looking into it."],
    },
    {
        "points": 2,
        "label": "Secure",
        "descriptor": "Two of apology, action and timeline are present.",
        "feedback": "Nearly there; add the missing piece, usually the timeline.",
        "min_coverage": 0.6,
        "exemplars": ["Sorry, I have refunded the duplicate charge."],
    },
    {
        "points": 3,
        "label": "Strong",
        "descriptor": "Apology, action and timeline, specific and warm.",
        "feedback": "Complete and warm reply, well done.",
        "min_coverage": 1.0,
        "exemplars": ["So sorry! I refunded the charge; you will see it within 5 days."],
    },
]

REPLY_CONCEPTS = [
    {"id": "apology", "label": "Apologises", "phrasings": ["sorry", "apologi[sz]e", "apologies"]},
    {"id": "action", "label": "States the refund", "phrasings": ["refund(ed)?", "reversed?"]},
    {
        "id": "timeline",
        "label": "Gives a timeline",
        "phrasings": [r"\d+\s*(-|\u2013|to)\s*\d+\s*(business |working )?days", r"within \d+"],
    },
]

HONEST_MID_REPLY = (
    "Hi Zoe, I am sorry about the double charge on your card. I have refunded the second "
    "payment for you."
)
HONEST_STRONG_REPLY = (
    "Hi Zoe, I am really sorry for the trouble. I have refunded the duplicate charge today and "
    "you should see the money back within 5 business days. Thank you for your patience."
)


def _levels(*points: float) -> list[dict]:
    labels = ["Not yet", "Developing", "Secure", "Strong"]
    return [
        {
            "points": value,
            "label": labels[index],
            "descriptor": f"Level {index}.",
            "feedback": f"Feedback {index}.",
        }
        for index, value in enumerate(points)
    ]


def make_content() -> dict:
    """A document with every item type, branching and two free-text steps."""
    return copy.deepcopy(_CONTENT)


_CONTENT = {
    "format": "skillproof/assessment@1",
    "slug": "engine-test",
    "title": "Engine test",
    "role": "Tester",
    "description": "Test content.",
    "time_limit_minutes": 30,
    "skills": [
        {"id": "judgement", "name": "Judgement", "description": "Choosing well."},
        {"id": "numeracy", "name": "Numeracy", "description": "Numbers."},
        {"id": "writing", "name": "Writing", "description": "Words."},
    ],
    "pass_rules": {
        "overall_threshold": 60,
        "skill_thresholds": {"judgement": 50, "writing": 50},
        "certifies": ["judgement", "writing"],
    },
    "start": "intro",
    "steps": [
        {
            "id": "intro",
            "title": "First move",
            "context": "A customer was charged twice.",
            "prompt": "What do you do first?",
            "item": {
                "type": "single_choice",
                "options": [
                    {"id": "own", "text": "Own it", "points": 2, "rationale": "Best start."},
                    {"id": "proof", "text": "Ask proof", "points": 1, "rationale": "Extra work."},
                    {"id": "forward", "text": "Forward", "points": 0, "rationale": "Silence."},
                ],
            },
            "next": "rate",
            "rules": [{"when": {"option": "proof"}, "next": "order"}],
            "criteria": [
                {
                    "id": "first-move",
                    "skill": "judgement",
                    "weight": 1.5,
                    "levels": _levels(0, 1, 2),
                }
            ],
        },
        {
            "id": "rate",
            "title": "Rate replies",
            "context": "",
            "prompt": "Rate each reply.",
            "item": {
                "type": "sjt",
                "mode": "rate",
                "scale": {"min": 1, "max": 5, "labels": ["1", "2", "3", "4", "5"]},
                "options": [
                    {"id": "specific", "text": "Specific", "key": 5, "rationale": "Facts."},
                    {"id": "vague", "text": "Vague", "key": 3, "rationale": "No facts."},
                    {"id": "blame", "text": "Blame", "key": 1, "rationale": "Wrong."},
                ],
            },
            "next": "best-worst",
            "criteria": [
                {"id": "ratings", "skill": "writing", "weight": 1, "levels": _levels(0, 1, 2)}
            ],
        },
        {
            "id": "best-worst",
            "title": "Best and worst",
            "context": "",
            "prompt": "Pick the best and the worst.",
            "item": {
                "type": "sjt",
                "mode": "best_worst",
                "options": [
                    {"id": "goodwill", "text": "Goodwill", "rationale": "Fair."},
                    {"id": "refuse", "text": "Refuse", "rationale": "Escalates."},
                    {"id": "promise", "text": "Promise", "rationale": "Precedent."},
                ],
                "key": {"best": "goodwill", "worst": "refuse"},
            },
            "next": "order",
            "criteria": [
                {"id": "picks", "skill": "judgement", "weight": 1, "levels": _levels(0, 0.5, 1)}
            ],
        },
        {
            "id": "order",
            "title": "Order",
            "context": "",
            "prompt": "Order the tasks.",
            "item": {
                "type": "ranking",
                "options": [
                    {"id": "refund", "text": "Refund", "rationale": "First."},
                    {"id": "reply", "text": "Reply", "rationale": "Second."},
                    {"id": "bug", "text": "Bug", "rationale": "Third."},
                    {"id": "retro", "text": "Retro", "rationale": "Last."},
                ],
                "key_order": ["refund", "reply", "bug", "retro"],
            },
            "next": "checks",
            "criteria": [
                {"id": "ordering", "skill": "judgement", "weight": 1, "levels": _levels(0, 1, 2)}
            ],
        },
        {
            "id": "checks",
            "title": "Checks",
            "context": "",
            "prompt": "Pick the useful checks.",
            "item": {
                "type": "multiple_choice",
                "min_select": 1,
                "max_select": 3,
                "options": [
                    {"id": "amount", "text": "Amount", "points": 1, "rationale": "Same amount."},
                    {"id": "invoice", "text": "Invoice", "points": 1, "rationale": "Same one."},
                    {"id": "credit", "text": "Credit", "points": -1, "rationale": "Intrusive."},
                    {"id": "history", "text": "History", "points": 0.5, "rationale": "Context."},
                ],
            },
            "next": "amount",
            "criteria": [
                {"id": "checks", "skill": "judgement", "weight": 1, "levels": _levels(0, 1, 2)}
            ],
        },
        {
            "id": "amount",
            "title": "Credit",
            "context": "",
            "prompt": "10% of 45.50?",
            "item": {
                "type": "numeric",
                "answer": 4.55,
                "tolerance": 0.01,
                "tolerance_kind": "absolute",
                "partial_tolerance": 0.5,
                "unit": "EUR",
            },
            "next": "summary",
            "rules": [{"when": {"op": "gt", "value": 10}, "next": "recheck"}],
            "criteria": [
                {"id": "credit", "skill": "numeracy", "weight": 1, "levels": _levels(0, 1)}
            ],
        },
        {
            "id": "recheck",
            "title": "Recheck",
            "context": "",
            "prompt": "Total?",
            "item": {
                "type": "numeric",
                "answer": 50.05,
                "tolerance": 0.01,
                "tolerance_kind": "relative",
                "unit": "EUR",
            },
            "next": "summary",
            "criteria": [
                {"id": "total", "skill": "numeracy", "weight": 0.5, "levels": _levels(0, 1)}
            ],
        },
        {
            "id": "summary",
            "title": "Summary",
            "context": "",
            "prompt": "One line for the log.",
            "item": {"type": "short_text", "max_length": 200},
            "next": "reply",
            "criteria": [
                {
                    "id": "facts",
                    "skill": "writing",
                    "weight": 1,
                    "confidence_threshold": 0.5,
                    "concepts": [
                        {
                            "id": "duplicate",
                            "label": "Names the duplicate charge",
                            "phrasings": ["duplicate", "double[- ]?charged?", "charged twice"],
                        },
                        {
                            "id": "refunded",
                            "label": "Says it was refunded",
                            "phrasings": ["refund(ed)?"],
                        },
                    ],
                    "levels": [
                        {
                            "points": 0,
                            "label": "Not yet",
                            "descriptor": "Does not say what happened.",
                            "feedback": "Say what went wrong and what you did.",
                            "min_coverage": 0.0,
                            "exemplars": ["see ticket"],
                        },
                        {
                            "points": 1,
                            "label": "Secure",
                            "descriptor": "States the duplicate charge and the refund.",
                            "feedback": "Clear summary.",
                            "min_coverage": 1.0,
                            "exemplars": ["Duplicate charge refunded."],
                        },
                    ],
                }
            ],
        },
        {
            "id": "reply",
            "title": "Reply",
            "context": "Write to Zoe.",
            "prompt": "Write the email.",
            "item": {"type": "long_text", "max_length": 2000},
            "next": None,
            "criteria": [
                {
                    "id": "quality",
                    "skill": "writing",
                    "weight": 2,
                    "confidence_threshold": 0.65,
                    "concepts": REPLY_CONCEPTS,
                    "reference_answer": HONEST_STRONG_REPLY,
                    "levels": REPLY_LEVELS,
                }
            ],
        },
    ],
}


def best_answers() -> dict[str, dict]:
    """Answers that earn every point on the main path."""
    return {
        "intro": {"option": "own"},
        "rate": {"ratings": {"specific": 5, "vague": 3, "blame": 1}},
        "best-worst": {"best": "goodwill", "worst": "refuse"},
        "order": {"order": ["refund", "reply", "bug", "retro"]},
        "checks": {"options": ["amount", "invoice", "history"]},
        "amount": {"value": 4.55},
        "summary": {"text": "Duplicate charge found on the account and refunded today."},
        "reply": {"text": HONEST_STRONG_REPLY},
    }


_OPENINGS = ["Hi Zoe,", "Hello Zoe,", "Dear Zoe,", "Hi there,", "Good morning Zoe,", "Hey Zoe,"]
_APOLOGIES = [
    "I am sorry for the trouble.",
    "we apologise for the double charge.",
    "apologies for the mix-up with your card.",
    "I am so sorry this happened to you.",
]
_ACTIONS = [
    "I have refunded the second payment.",
    "the extra charge has been reversed.",
    "I refunded the duplicate charge this morning.",
    "we reversed the payment that went through twice.",
]
_TIMELINES = [
    "You will see it within 5 days.",
    "It should show in 3-5 business days.",
    "Expect the money in 2 to 4 working days.",
    "Your bank will show it within 7 days.",
]
_FILLER = [
    "Thanks for writing to us.",
    "We received your message about the payment.",
    "Let me know if you have other questions.",
    "Thank you for your patience with us.",
]


def labelled_replies(n_per_level: int = 12) -> list[tuple[str, int]]:
    """Deterministic synthetic replies whose level is how many of apology/refund/timeline they
    contain (0..3), for training and gating tests."""
    parts = [_APOLOGIES, _ACTIONS, _TIMELINES]
    result = []
    for level in range(4):
        for i in range(n_per_level):
            text = [_OPENINGS[i % len(_OPENINGS)], _FILLER[i % len(_FILLER)]]
            for which in range(level):
                chosen = parts[(which + i) % 3]
                text.append(chosen[(i + which) % len(chosen)])
            text.append(_FILLER[(i + 1) % len(_FILLER)])
            result.append((" ".join(text), level))
    return result
