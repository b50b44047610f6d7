"""Compliance's exception tree; views and commands map it to 404s and command errors."""


class ComplianceError(Exception):
    """Base of every error compliance raises on purpose."""


class UnknownAssessment(ComplianceError):
    """No assessment has the slug asked for."""


class UnknownCandidate(ComplianceError):
    """No attempt matches the candidate (email or attempt id) asked for."""


class ErasureRefused(ComplianceError):
    """The candidate's personal data cannot be erased yet: they are still taking an attempt."""


class InvalidReportRequest(ComplianceError):
    """A report was asked for with a format or a date range that cannot be honoured."""


class PopulationTooSmall(InvalidReportRequest):
    """A bias audit over too few candidates: its figures would single people out."""


class UnknownPublishedAudit(ComplianceError):
    """No published bias audit matches (none yet, or not that number)."""


class UnknownRecordsPackage(ComplianceError):
    """No records package has the id asked for."""


class RequestRefused(ComplianceError):
    """An explanation or correction request, or a step on it, that cannot be taken as asked."""
