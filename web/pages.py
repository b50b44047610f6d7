"""Pages behind a link in an email (invitation, result, erasure, share links): never cached,
and one friendly page, with the right status, when the link opens nothing.

A domain error that means "this link opens nothing" subclasses `LinkUnavailable` (its message
is written for the person holding the link); views raise it or let it rise, and the decorator
turns it into the page. No view repeats the try/except.
"""

from collections.abc import Callable
from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


class LinkUnavailable(Exception):
    """The link is unknown, expired, used, erased or not ready; ``status`` is the HTTP status
    its page is served with (404 unless a subclass or the raiser says otherwise)."""

    status = 404

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


def link_page(template: str = "candidate/unavailable.html") -> Callable:
    """Decorate a view: never cached (the back button and a shared computer show nothing
    stale), and LinkUnavailable becomes ``template`` with its message and status."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except LinkUnavailable as error:
                context = {"message": str(error)}
                return render(request, template, context, status=error.status)

        return never_cache(wrapper)

    return decorate


def link_endpoint(view: Callable) -> Callable:
    """The same for a JSON endpoint behind a link: LinkUnavailable becomes {"error": …}."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except LinkUnavailable as error:
            return JsonResponse({"error": str(error)}, status=error.status)

    return never_cache(wrapper)


candidate_page = link_page()
