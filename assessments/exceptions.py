"""The assessments app's error tree; views map these to HTTP in one place."""

from web.pages import LinkUnavailable

# Longest validation message shown anywhere (admin, import command, API). A message quotes what
# it complains about, and an upload controls that: a long string, or a structure whose text
# would run to megabytes.
MESSAGE_LIMIT = 300


def shorten(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """``message`` cut to ``limit`` characters, ending in an ellipsis when it was cut."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


class AssessmentError(Exception):
    """Base class for every domain error of this app."""


class InvalidDocument(AssessmentError):
    """An assessment document failed validation; ``errors`` lists each problem (shortened)."""

    def __init__(self, errors: list[str]):
        errors = [shorten(error) for error in errors]
        super().__init__("; ".join(errors))
        self.errors = errors


class InvitationUnavailable(AssessmentError, LinkUnavailable):
    """The invitation link is unknown, expired or already used (a candidate page says so)."""


class InvitationErased(InvitationUnavailable):
    """The invitation's personal data was erased: its link opens nothing any more."""

    status = 410  # gone for good


class NotYetAvailable(AssessmentError):
    """The invitation's notice period has not run yet; ``available_from`` says when it has."""

    def __init__(self, available_from):
        super().__init__(f"This assessment can be started from {available_from.isoformat()}.")
        self.available_from = available_from


class NotPaused(AssessmentError):
    """Resuming automation on an assessment whose automation is not paused."""


class AlreadyPaused(AssessmentError):
    """Pausing automation on an assessment whose automation is already paused."""


class AttemptClosed(AssessmentError):
    """The attempt was submitted or its deadline has passed: nothing more can be saved."""


class InvalidAnswer(AssessmentError):
    """An answer has the wrong shape, is too large, or is for a step not reached."""


class ContentMismatch(AssessmentError):
    """A published version's stored document no longer hashes to its content_sha256."""
