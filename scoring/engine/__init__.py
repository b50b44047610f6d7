"""The pure scoring engine: frozen assessment content + answers -> a replayable Breakdown.

No Django, no database, no clock, no network, no unseeded randomness. See score.py for the
aggregation rules, textscore.py/text.py for free text and its guards, textmodel.py for models.
"""

from scoring.engine.breakdown import (
    BREAKDOWN_FORMAT,
    SKILL_BANDS,
    Breakdown,
    CriterionScore,
    Level,
    Overall,
    SkillScore,
    StepScore,
)
from scoring.engine.rubric import HumanOverride
from scoring.engine.score import ENGINE_VERSION, candidate_path, score

__all__ = [
    "BREAKDOWN_FORMAT",
    "ENGINE_VERSION",
    "SKILL_BANDS",
    "Breakdown",
    "CriterionScore",
    "HumanOverride",
    "Level",
    "Overall",
    "SkillScore",
    "StepScore",
    "candidate_path",
    "score",
]
