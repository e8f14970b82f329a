"""Bulk work from the request list (issue 13): assign several cases at once, print several letters
as one PDF. Each case goes through its own service call (its own history row); the scope is the
user's organizations; a case that cannot be assigned is named with why."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from privacyops.audit.models import AccessKind, AccessLog
from requests_app import services
from requests_app.models import LetterKind, Request, Status
from requests_app.seeds import COPRO, JUO
from tests.exports import content, made
from tests.factories import case_in, register

D = dt.date.fromisoformat
TODAY = "2026-11-20"
URL = "/admin/requests_app/request/"


@pytest.fixture
def cases(travel, desk_user, policies):
    travel(TODAY)
    return [register(desk_user, policies[code], reached_on=D(TODAY)) for code in (COPRO, JUO, COPRO)]


def post_action(client, action, cases, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [c.pk for c in cases], "index": "0", **extra}
    return client.post(URL + "?status=all", data)


def test_assign_several_cases_at_once(client, cases, desk_user, desk_user2):
    client.force_login(desk_user)
    page = post_action(client, "assign_selected", cases)
    assert page.status_code == 200
    html = page.content.decode()
    assert all(case.reference in html for case in cases) and "3件の案件を選択しました" in html

    response = post_action(client, "assign_selected", cases, apply="1", assignee=desk_user2.pk, note="休暇の引継ぎ")

    assert response.status_code == 302
    for case in cases:
        case = Request.objects.get(pk=case.pk)
        assert case.assignee == desk_user2
        last = case.history.latest("history_date")
        assert (last.history_user, last.history_change_reason) == (desk_user, "休暇の引継ぎ")
    assert any("3件の案件の担当者を鈴木 翔太にしました" in str(m) for m in get_messages(response.wsgi_request))


def test_a_case_that_cannot_be_assigned_is_named_and_the_others_are_done(
    client, cases, desk_user, desk_user2, policies, travel
):
    closed = case_in(Status.WITHDRAWN, desk_user, policies[JUO], reached_on=D(TODAY))
    client.force_login(desk_user)

    response = post_action(client, "assign_selected", [*cases, closed], apply="1", assignee=desk_user2.pk)

    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(closed.reference in m and "担当者を設定できませんでした" in m for m in said)
    assert Request.objects.get(pk=closed.pk).assignee != desk_user2
    assert all(Request.objects.get(pk=c.pk).assignee == desk_user2 for c in cases)


def test_bulk_actions_never_reach_another_organizations_case(client, cases, desk_user, other_org_user):
    """The selection is read through the user's own list: another organization's ids do nothing."""
    for case in cases:
        services.request_update(actor=desk_user, case=case, assignee=desk_user)
    client.force_login(other_org_user)
    post_action(client, "assign_selected", cases, apply="1", assignee="")
    assert all(Request.objects.get(pk=c.pk).assignee == desk_user for c in cases)


def test_auditors_cannot_assign(client, cases, auditor_user):
    client.force_login(auditor_user)
    assert "assign_selected" not in client.get(URL).content.decode()


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils missing")
def test_print_several_letters_as_one_pdf(client, cases, desk_user, tmp_path):
    for case in cases:
        services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)
    client.force_login(desk_user)
    chooser = post_action(client, "print_letters", cases)
    assert chooser.status_code == 200 and chooser.content.decode().count('name="letter"') == 3
    letters = [case.letters.get() for case in cases]

    started = post_action(client, "print_letters", cases, apply="1", letter=[letter.pk for letter in letters])

    assert started.status_code == 302  # an export job (issue 16): made in the background
    assert not AccessLog.objects.filter(kind=AccessKind.LETTER).exists()
    response = made(client)
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "letters.pdf"
    path.write_bytes(content(response))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 3
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert all(case.reference in text for case in cases)
    assert AccessLog.objects.filter(user=desk_user, kind=AccessKind.LETTER).count() == 3


def test_an_auditor_is_never_assigned_a_case(client, cases, desk_user, auditor_user):
    """Auditors read only: a case assigned to one would wait on someone who cannot act on it."""
    client.force_login(desk_user)
    page = post_action(client, "assign_selected", cases).content.decode()
    assert f'<option value="{auditor_user.pk}"' not in page  # not offered

    response = post_action(client, "assign_selected", cases, apply="1", assignee=auditor_user.pk)

    assert response.status_code == 200  # the choice is refused on the form
    assert all(Request.objects.get(pk=c.pk).assignee != auditor_user for c in cases)
    with pytest.raises(ValidationError, match="閲覧のみ"):
        services.request_update(actor=desk_user, case=cases[0], assignee=auditor_user)


def test_the_letters_page_names_the_cases_without_a_letter(client, cases, desk_user):
    """Printing asks for a file (an export job): the chooser says which selected cases have no
    letter, rather than leaving them out silently."""
    services.letter_draft(actor=desk_user, case=cases[0], kind=LetterKind.ACKNOWLEDGEMENT)
    client.force_login(desk_user)

    page = post_action(client, "print_letters", cases).content.decode()

    assert page.count('name="letter"') == 1
    assert f"書面のない案件： {cases[1].reference}、{cases[2].reference}" in page
    assert "PDFを作成" in page
