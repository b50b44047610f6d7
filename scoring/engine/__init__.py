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
from scoring.engine.plan import Assessment, compile_assessment
from scoring.engine.rubric import HumanOverride, LevelPredictor
from scoring.engine.score import ENGINE_VERSION, candidate_path, score
from scoring.engine.textmodel import ArtifactError, TextClassifier, TextPrediction

# Training needs scikit-learn; scoring does not, so it is imported only when asked for.
_TRAINING_NAMES = (
    "Replacement",
    "TrainedClassifier",
    "decide_replacement",
    "descriptors_of",
    "exemplars_of",
    "model_accepted",
    "train_text_model",
)


def __getattr__(name: str):
    if name in _TRAINING_NAMES:
        from scoring.engine import training

        return getattr(training, name)
    raise AttributeError(f"module 'scoring.engine' has no attribute {name!r}")


__all__ = [  # noqa: RUF022 - grouped: scoring first, then text models
    "BREAKDOWN_FORMAT",
    "Assessment",
    "ENGINE_VERSION",
    "SKILL_BANDS",
    "Breakdown",
    "CriterionScore",
    "HumanOverride",
    "Level",
    "LevelPredictor",
    "Overall",
    "SkillScore",
    "StepScore",
    "candidate_path",
    "compile_assessment",
    "score",
    "ArtifactError",
    "TextClassifier",
    "TextPrediction",
    "Replacement",
    "TrainedClassifier",
    "decide_replacement",
    "descriptors_of",
    "exemplars_of",
    "model_accepted",
    "train_text_model",
]
