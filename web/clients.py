"""Who sent a request: the one place that reads the client's address.

Throttles and anything else keyed on "the same client" must use `client_address`, so that a
client cannot pick a fresh identity per request by sending its own `X-Forwarded-For` header.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address, as the first of this deployment's own proxies saw it.

    With `NUM_PROXIES = 0` (nothing in front of the app) it is `REMOTE_ADDR`; every
    `X-Forwarded-For` entry came from the client and is ignored. With N proxies, each appends
    the address it received the request from, so the entry N places from the right was written
    by our outermost proxy; anything left of it is the client's own claim. A request carrying
    fewer entries than that did not come through all our proxies: it is keyed on `REMOTE_ADDR`
    rather than on a header it could have written itself.
    """
    remote_address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote_address
    forwarded = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if len(forwarded) < proxies:
        return remote_address
    return forwarded[-proxies]
