"""Skillproof Django project: settings, root URLs, the Celery app. Configuration only."""

from .celery import app as celery_app

__all__ = ("celery_app",)
