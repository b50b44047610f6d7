"""Staff users and scored attempts for the receipt downloads: compliance's fixtures."""

from tests.compliance.conftest import compliance_user, recruiter, scored  # noqa: F401
