"""The results app's exception tree; views map it to HTTP in one place (`results.views`)."""


class ResultsError(Exception):
    """Base of every error the results app raises on purpose."""


class NoSuchResults(ResultsError):
    """No assessment or attempt the user may see has this id (a 404: its existence stays hidden)."""


class DecisionNotAllowed(ResultsError):
    """The user may read these results but not record decisions on them (Compliance)."""


class NoteNotAllowed(ResultsError):
    """A note on a candidate whose personal data was erased (it would bring some back)."""


class SharingNotAllowed(ResultsError):
    """Only an assessment's owner (or a superuser) chooses who else sees its results."""
