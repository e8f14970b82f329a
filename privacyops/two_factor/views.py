"""The second-factor pages: enrolment (QR code, first code, recovery codes shown once),
verification after the password, and the user's own management page."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from privacyops import two_factor
from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_code(self):
        return two_factor.clean_code(self.cleaned_data["code"])


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")


def _context(site, request, **extra) -> dict:
    # No navigation before the second factor: the sidebar would list the site's sections.
    base = {**site.each_context(request), "is_nav_sidebar_enabled": False, "available_apps": []}
    return {**base, "next": _next_url(request), **extra}


def _verify(device, code: str, *, recovery_possible: bool = True) -> tuple[bool, str]:
    """Check ``code`` on ``device`` under its lock (django-otp's throttling counts each failure:
    the next try waits 1, 2, 4 … seconds). Returns (accepted, the message when refused)."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            until = timezone.localtime(info["locked_until"]) if info and info.get("locked_until") else None
            return False, (
                gettext("After a wrong code, the next one is taken from %(time)s: enter it again then.")
                % {"time": until.strftime("%H:%M:%S")}
                if until
                else gettext("After a wrong code, the next one is taken a little later: enter it again.")
            )
        if device.verify_token(code):
            return True, ""
    if recovery_possible:
        return False, gettext(
            "This code is not right. Codes from the app change every 30 seconds; a recovery code works once."
        )
    return False, gettext(
        "This code is not right. Codes from the app change every 30 seconds: enter the one shown now, and "
        "check that the phone's clock is set automatically."
    )


def _finish_login(request, device) -> None:
    from django_otp import login as otp_login

    otp_login(request, device)
    request.session[two_factor.ENROLLED_SESSION_KEY] = True


@never_cache
def verify(request, site):
    """After the password: a code from the app, or a recovery code."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if totp is None:  # never enrolled, or reset by the administrator since this session began
        request.session[two_factor.ENROLLED_SESSION_KEY] = False
        if not settings.OTP_REQUIRED:
            return HttpResponseRedirect(_next_url(request))
        return HttpResponseRedirect(f"{reverse('admin:two_factor')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = totp if two_factor.is_totp_code(code) else StaticDevice.objects.filter(user=user).first()
        accepted, message = _verify(device, code) if device is not None else (False, gettext("This code is not right."))
        if accepted:
            _finish_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    gettext(
                        "You signed in with a recovery code; %(n)s are left. If you lost your phone, ask the "
                        "administrator to reset your two-factor login, then enrol again."
                    )
                    % {"n": left},
                )
            return HttpResponseRedirect(_next_url(request))
        log_access(request, AccessKind.TWO_FACTOR_FAILED)
        form.add_error("code", message)
    return TemplateResponse(
        request,
        "privacyops/two_factor_verify.html",
        _context(site, request, form=form, title=gettext("Two-factor login")),
    )


@never_cache
def manage(request, site):
    """Enrolment (no authenticator yet: the QR code, then the first code) or, once enrolled, the
    user's page: new recovery codes, and turning it off where it is not required."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = CodeForm(request.POST or None)
    if confirmed is None:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=two_factor.TOTP_NAME, confirmed=False)
        if request.method == "POST" and form.is_valid():
            accepted, message = _verify(device, form.cleaned_data["code"], recovery_possible=False)
            if accepted:
                with transaction.atomic():
                    device.refresh_from_db()
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    codes = two_factor.new_recovery_codes(user)
                _finish_login(request, device)
                log_access(request, AccessKind.TWO_FACTOR_ENROLLED)
                return TemplateResponse(
                    request,
                    "privacyops/two_factor_codes.html",
                    _context(site, request, codes=codes, title=gettext("Your recovery codes")),
                )
            form.add_error("code", message)
        secret = base64.b32encode(device.bin_key).decode()
        return TemplateResponse(
            request,
            "privacyops/two_factor_setup.html",
            _context(
                site,
                request,
                form=form,
                secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
                title=gettext("Set up two-factor login"),
            ),
        )

    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        accepted, message = _verify(confirmed, form.cleaned_data["code"], recovery_possible=False)
        if not accepted:
            log_access(request, AccessKind.TWO_FACTOR_FAILED)
            form.add_error("code", message)
        elif action == "recovery":
            codes = two_factor.new_recovery_codes(user)
            return TemplateResponse(
                request,
                "privacyops/two_factor_codes.html",
                _context(site, request, codes=codes, renewed=True, title=gettext("Your recovery codes")),
            )
        elif action == "disable" and not settings.OTP_REQUIRED:
            two_factor.reset(user)
            request.session[two_factor.ENROLLED_SESSION_KEY] = False
            log_access(request, AccessKind.TWO_FACTOR_RESET)
            messages.success(request, gettext("Two-factor login is off for your account."))
            return HttpResponseRedirect(reverse("admin:index"))
        else:
            form.add_error(None, gettext("Choose what to do."))
    recovery = StaticDevice.objects.filter(user=user).first()
    return TemplateResponse(
        request,
        "privacyops/two_factor_manage.html",
        _context(
            site,
            request,
            form=form,
            device=confirmed,
            recovery_left=recovery.token_set.count() if recovery else 0,
            can_disable=not settings.OTP_REQUIRED,
            title=gettext("Two-factor login"),
        ),
    )


@never_cache
def qr_code(request, site):
    """The enrolment QR code (SVG, same origin, never cached); only while not yet confirmed."""
    import qrcode
    import qrcode.image.svg
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        raise Http404
    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).save(out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")
