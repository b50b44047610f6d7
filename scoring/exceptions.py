"""The scoring app's error tree."""


class ScoringError(Exception):
    """Base class for every scoring failure."""


class PermanentScoringError(ScoringError):
    """Scoring cannot succeed by retrying (bad stored data, engine bug): the job is failed."""
