"""Who is acting in the current request, for audit events recorded from signal receivers.

Services take the acting user as an argument. Django's own auth signals (login, group changes
made in the admin) do not, so `AuditActorMiddleware` leaves the request's user here for them.
"""

from contextvars import ContextVar

from audit.services import actor_for_user

_current_request = ContextVar("skillproof_current_request", default=None)


def current_actor() -> str:
    """``user:<id>`` of the signed-in user of the current request, else ``system``."""
    request = _current_request.get()
    return actor_for_user(getattr(request, "user", None)) if request is not None else "system"


class AuditActorMiddleware:
    """Keeps the current request reachable by audit signal receivers (after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
