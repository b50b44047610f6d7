"""Liveness and readiness for load balancers and orchestrators."""

from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import OperationalError as BrokerError

from audit.selectors import pending_events
from hiring.celery import app as celery_app


def database_ok() -> bool:
    """Whether the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def broker_ok() -> bool:
    """Whether the Celery broker accepts a connection within a second."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return True
    except (BrokerError, OSError, TimeoutError):
        return False


@never_cache
@require_GET
def healthz(request):
    """Report database and broker status as JSON; 503 when either is down.

    Also how many audit events wait for the sequencer and how long the oldest has: seconds at
    most while the beat runs. A backlog is for monitoring to alert on, not a reason for the load
    balancer to take this web process out.
    """
    checks = {"database": database_ok(), "broker": broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if up else "down" for name, up in checks.items()})
    if checks["database"]:
        pending = pending_events()
        body["audit_pending"] = pending.count
        body["audit_oldest_pending_seconds"] = pending.oldest_age_seconds
    return JsonResponse(body, status=200 if healthy else 503)
