"""Refuse a request body larger than its view accepts, before anything reads it.

Django writes a multipart upload of any size to a temporary file, and `CsrfViewMiddleware` parses
the form (reading the whole body) before the view runs, so a size check inside a view comes too
late: a 60 MB upload would already be on disk. `RequestBodyLimitMiddleware` sits before the CSRF
middleware and answers 413 from the declared `Content-Length` alone. WSGI servers read no more
than that length, so the body is never read. A view declares a tighter limit with
`@limit_request_body(max_bytes)`; every other view gets `MAX_REQUEST_BYTES`.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def limit_request_body(max_bytes: int) -> Callable:
    """Mark a view as accepting bodies of at most `max_bytes` (enforced by the middleware)."""

    def decorator(view: Callable) -> Callable:
        # Django's own view decorators copy the function's __dict__, so the mark survives them.
        view.max_request_bytes = max_bytes
        return view

    return decorator


def declared_body_size(request: HttpRequest) -> int:
    """The body size the client declared; what Django will read (an invalid value reads 0)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class RequestBodyLimitMiddleware:
    """Answer 413 to a request whose declared body exceeds its view's limit, unread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs) -> HttpResponse | None:
        limit = getattr(view_func, "max_request_bytes", settings.MAX_REQUEST_BYTES)
        size = declared_body_size(request)
        if size <= limit:
            return None
        context = {"size": size, "limit": limit}
        return render(request, "request_too_large.html", context, status=413)
