"""Nothing but the second-factor pages for a signed-in user who has not given it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

from privacyops import two_factor

# URL names a user may reach between the password and the second factor.
OPEN_VIEWS = frozenset(
    {
        "admin:two_factor",
        "admin:two_factor_verify",
        "admin:two_factor_qr",
        "admin:logout",
        "admin:login",
        "set_language",
        "healthz",
    }
)


class SecondFactorMiddleware:
    """After ``django_otp.middleware.OTPMiddleware``: a signed-in user who must give the second
    factor (``two_factor.required``) and has not is redirected to enrolment or verification, with
    the page they asked for as ``next``; a POST is refused the same way (nothing is saved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if not two_factor.required(request):
            return None
        target = reverse("admin:two_factor_verify" if two_factor.enrolled_in_session(request) else "admin:two_factor")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
