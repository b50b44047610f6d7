"""Scored attempts for the receipt downloads: compliance's fixture (staff by role come from the
root conftest)."""

from tests.compliance.conftest import scored  # noqa: F401
