"""No page behind a staff sign-in opens before this session's second factor."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from staff.services import needs_second_factor


class SecondFactorRequiredMiddleware:
    """Sends a signed-in user who still owes an authenticator code to the two-factor page.

    Runs after django-otp's OTPMiddleware (which tells whether the session is verified). Only
    signing in and out, and the two-factor pages themselves, stay open meanwhile.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_second_factor(request.user) and request.path not in _open_paths():
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Enter the code from your authenticator app first, at "
                        f"{reverse('staff:two-factor')}."
                    },
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('staff:two-factor')}?{query}")
        return self.get_response(request)


def _open_paths() -> set[str]:
    return {
        reverse(name)
        for name in ("staff:two-factor", "staff:two-factor-setup", "admin:login", "admin:logout")
    }
