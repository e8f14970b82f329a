"""Two-factor staff login (issue 12): TOTP from an authenticator app after the password, required
under production settings, optional under ``make run``; recovery codes; throttled wrong codes in
the audit trail; the administrator's reset."""

import datetime as dt
import re

from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacyops import two_factor
from privacyops.audit.models import AccessLog

PASSWORD = "pw-for-tests-only"
LOGIN = "/admin/login/?next=/admin/"


def _code(device) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name=two_factor.TOTP_NAME, confirmed=True)
    two_factor.new_recovery_codes(user)
    return device


def _sign_in(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


@override_settings(OTP_REQUIRED=True)
def test_password_alone_gets_no_page_and_no_write_when_the_second_factor_is_required(client, desk_user, policies):
    _sign_in(client, desk_user)
    for path in ["/admin/", "/admin/requests_app/request/", "/admin/audit/", "/admin/requests_app/request/add/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/two-factor/?next=")  # not enrolled yet: set it up
    response = client.post("/admin/requests_app/organization/1/change/", {"name": "hijacked"})
    assert response.status_code == 302 and "/admin/two-factor/" in response["Location"]
    from requests_app.models import Organization

    assert not Organization.objects.filter(name="hijacked").exists()


@override_settings(OTP_REQUIRED=True)
def test_enrolment_shows_a_qr_code_then_ten_recovery_codes_once(client, desk_user):
    _sign_in(client, desk_user)
    page = client.get("/admin/two-factor/?next=/admin/", HTTP_ACCEPT_LANGUAGE="ja")
    assert page.status_code == 200 and "二要素" in page.text
    device = TOTPDevice.objects.get(user=desk_user, confirmed=False)
    qr = client.get("/admin/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert "no-store" in qr["Cache-Control"]

    wrong = client.post("/admin/two-factor/", {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "errorlist" in wrong.text
    device.throttle_reset()

    done = client.post("/admin/two-factor/", {"code": _code(device), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.text)
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200  # this session is verified now
    assert client.get("/admin/two-factor/qr.svg").status_code == 404  # the secret is never shown again
    assert AccessLog.objects.filter(user=desk_user, kind="two_factor_enrolled").count() == 1


@override_settings(OTP_REQUIRED=True)
def test_at_the_next_login_the_code_is_asked_and_wrong_codes_slow_down_and_are_recorded(client, desk_user, travel):
    travel("2026-12-01")
    device = _enrolled(desk_user)
    _sign_in(client, desk_user)
    response = client.get("/admin/requests_app/request/")
    assert response["Location"].startswith("/admin/two-factor/verify/?next=")

    first = client.post("/admin/two-factor/verify/", {"code": "123456", "next": "/admin/"})
    assert "コードが正しくありません" in first.text
    second = client.post("/admin/two-factor/verify/", {"code": _code(device), "next": "/admin/"})
    assert "誤ったコードの後は" in second.text  # the right code too, within the delay
    assert client.get("/admin/").status_code == 302
    assert AccessLog.objects.filter(user=desk_user, kind="two_factor_failed").count() == 2

    # After the delay (1, 2, 4, … seconds) the right code is accepted.
    device.refresh_from_db()
    device.throttling_failure_timestamp -= dt.timedelta(seconds=60)
    device.save()
    ok = client.post("/admin/two-factor/verify/", {"code": _code(device), "next": "/admin/requests_app/request/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/requests_app/request/"
    assert client.get("/admin/requests_app/request/").status_code == 200


@override_settings(OTP_REQUIRED=True)
def test_a_recovery_code_signs_in_once(client, desk_user):
    _enrolled(desk_user)
    code = StaticDevice.objects.get(user=desk_user).token_set.first().token
    _sign_in(client, desk_user)
    # As typed from paper: upper case, spaced, full-width.
    typed = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in f"{code[:4]} {code[4:]}".upper())
    ok = client.post("/admin/two-factor/verify/", {"code": typed, "next": "/admin/"})
    assert ok.status_code == 302
    client.post("/admin/logout/")
    _sign_in(client, desk_user)
    again = client.post("/admin/two-factor/verify/", {"code": code, "next": "/admin/"})
    assert again.status_code == 200 and client.get("/admin/").status_code == 302
    assert StaticDevice.objects.get(user=desk_user).token_set.count() == 9


def test_under_make_run_it_is_optional_but_binding_once_enrolled(client, desk_user, desk_user2):
    """OTP_REQUIRED off (the default outside production): no prompt for a user without an
    authenticator; a user who set one up gives the code like in production."""
    _sign_in(client, desk_user)
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")

    _enrolled(desk_user2)
    _sign_in(client, desk_user2)
    assert client.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")


def test_production_settings_require_the_second_factor():
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.OTP_REQUIRED)",
        ],
        env={
            "DJANGO_SETTINGS_MODULE": "privacyops.settings.production",
            "SECRET_KEY": "x" * 60,
            "OTP_REQUIRED": "false",  # cannot be turned off there
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_the_administrator_resets_a_lost_authenticator_and_the_trail_says_whose(client, desk_user, manager_user):
    from django.contrib.auth import get_user_model

    _enrolled(desk_user)
    admin = get_user_model().objects.create_superuser("root_admin", "root@example.jp", PASSWORD)
    client.force_login(manager_user)
    listing = client.get("/admin/privacyops/user/")
    assert "reset_two_factor" not in listing.text  # a manager cannot
    client.force_login(admin)
    response = client.post(
        "/admin/privacyops/user/", {"action": "reset_two_factor", "_selected_action": [desk_user.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=desk_user).exists()
    assert not StaticDevice.objects.filter(user=desk_user).exists()
    event = AccessLog.objects.get(kind="two_factor_reset")
    assert event.user == admin and event.path == f"/admin/privacyops/user/{desk_user.pk}/change/"


def test_nobody_reads_authenticator_secrets_in_the_admin(client, desk_user):
    from django.contrib.auth import get_user_model

    _enrolled(desk_user)
    admin = get_user_model().objects.create_superuser("root_admin", "root@example.jp", PASSWORD)
    client.force_login(admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_a_user_turns_it_off_with_a_current_code_where_it_is_optional(client, desk_user):
    device = _enrolled(desk_user)
    _sign_in(client, desk_user)
    client.post("/admin/two-factor/verify/", {"code": _code(device), "next": "/admin/"})
    device.refresh_from_db()
    device.last_t = -1  # the same 30-second step may be used again in this test
    device.save()
    page = client.get("/admin/two-factor/")
    assert "disable" in page.text
    client.post("/admin/two-factor/", {"code": _code(device), "action": "disable"})
    assert not TOTPDevice.objects.filter(user=desk_user).exists()
    assert AccessLog.objects.filter(user=desk_user, kind="two_factor_reset").exists()
