"""The assessments app's error tree; views map these to HTTP in one place."""


class AssessmentError(Exception):
    """Base class for every domain error of this app."""


class InvalidDocument(AssessmentError):
    """An assessment document failed validation; ``errors`` lists each problem."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


class InvitationUnavailable(AssessmentError):
    """The invitation link is unknown, expired or already used."""


class AttemptClosed(AssessmentError):
    """The attempt was submitted or its deadline has passed: nothing more can be saved."""


class InvalidAnswer(AssessmentError):
    """An answer has the wrong shape, is too large, or is for a step not reached."""
