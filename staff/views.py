"""The two-factor pages: set up an authenticator app, then enter its codes."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from staff import services
from staff.forms import CodeForm


def _next_url(request) -> str:
    """Where to go once verified: the page asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index")


def _page(request, template: str, context: dict, status: int = 200):
    # The admin's header and titles: these pages are the last steps of the admin's sign-in.
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


def _to(name: str, next_url: str):
    return redirect(f"{reverse(name)}?{urlencode({'next': next_url})}")


@login_required
def verify(request):
    """Ask for the current code of the user's authenticator (set one up first if none)."""
    next_url = _next_url(request)
    device = services.confirmed_authenticator(request.user)
    if device is None:
        return _to("staff:two-factor-setup", next_url)
    if request.user.is_verified():
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            services.verify_session(request, device, form.cleaned_data["code"])
        except services.WrongCode as error:
            form.add_error("code", str(error))
        else:
            return redirect(next_url)
    return _page(request, "staff/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def set_up(request):
    """Show a new authenticator's QR code and secret; its first code confirms it."""
    next_url = _next_url(request)
    if services.confirmed_authenticator(request.user) is not None:
        # One authenticator per account: otherwise a stolen password could add its own.
        return _to("staff:two-factor", next_url)
    device = services.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            services.confirm_authenticator(request, device, form.cleaned_data["code"])
        except services.WrongCode as error:
            form.add_error("code", str(error))
        else:
            return redirect(next_url)
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        "uri": device.config_url,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        # Inline SVG written by segno from our own URI: nothing is fetched, no style attribute.
        "qr_code": mark_safe(
            segno.make(device.config_url, error="m").svg_inline(
                scale=5, title="QR code for your authenticator app", svgclass="qr-code"
            )
        ),
    }
    return _page(request, "staff/two_factor_set_up.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while the account is locked for this address."""
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT}
    return _page(request, "staff/locked_out.html", context, status=429)
