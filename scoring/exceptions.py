"""The scoring app's error tree."""


class ScoringError(Exception):
    """Base class for every scoring failure."""


class PermanentScoringError(ScoringError):
    """Scoring cannot succeed by retrying (bad stored data, engine bug): the job is failed."""


class InputsUnavailable(ScoringError):
    """A stored run cannot be recomputed: its answers were erased, or an artifact is missing."""


class RescoreRefused(ScoringError):
    """A re-score or model activation that must not happen (not submitted, answers erased,
    another assessment's version, a model below the bar)."""


class ReviewRefused(ScoringError):
    """A review decision that cannot be taken (item closed, level out of range, no reason)."""
