"""`Idempotency-Key` on every POST: a repeat gets the first response again, nothing is redone.

The key is claimed by inserting its row in the same transaction as the write it guards, so
of two concurrent requests with one key the second waits for the first to commit and then
replays its response; if the first fails, nothing was stored and the repeat runs anew.
"""

import functools
import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from apikeys.errors import errors_body
from apikeys.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
# How long a response is kept for replay; older keys may be used again.
KEPT_FOR = timedelta(hours=24)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): a repeat of this POST with the same key returns "
    "the first response again instead of acting twice. Kept for 24 hours.",
)


def _fingerprint(request) -> str:
    return hashlib.sha256(
        b"\n".join([request.method.encode(), request.path.encode(), request.body])
    ).hexdigest()


def _replay(stored: IdempotentRequest, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        return Response(
            errors_body(
                "This Idempotency-Key was already used for a different request.",
                path=HEADER,
            ),
            status=422,
        )
    response = Response(stored.body, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def forget_old_responses(api_key=None) -> int:
    """Delete the stored responses older than KEPT_FOR: one key's (before it claims a new one,
    which may reuse an old key), or every key's (on beat, for keys that never POST again)."""
    old = IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR)
    if api_key is not None:
        old = old.filter(api_key=api_key)
    return old.delete()[0]


def _claim(api_key, key: str, fingerprint: str) -> tuple[IdempotentRequest, bool]:
    forget_old_responses(api_key)
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                api_key=api_key, key=key, fingerprint=fingerprint
            ), True
    except IntegrityError:
        return IdempotentRequest.objects.get(api_key=api_key, key=key), False


def idempotent(post):
    """Decorate a view's `post`: replays the stored response for a repeated Idempotency-Key."""

    @functools.wraps(post)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return post(self, request, *args, **kwargs)
        if not key or len(key) > MAX_LENGTH:
            return Response(
                errors_body(f"Use 1 to {MAX_LENGTH} characters.", path=HEADER), status=400
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            stored, claimed = _claim(request.auth, key, fingerprint)
            if not claimed:
                return _replay(stored, fingerprint)
            response = post(self, request, *args, **kwargs)
            stored.status_code = response.status_code
            stored.body = response.data
            stored.save(update_fields=["status_code", "body"])
        return response

    return wrapper
