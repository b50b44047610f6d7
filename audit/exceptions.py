"""The audit log's errors."""


class AuditError(Exception):
    """Something about the audit log cannot be done."""


class AnchorError(AuditError):
    """The signing key or the anchor file cannot be used."""


class LogMismatch(AuditError):
    """The log in the database no longer gives the last published signed tree head, so the
    sequencer refuses to sign anything over it (a tree head would launder the change)."""
