"""SPEC §13: the right people hear about the right cases on the right day, once."""

import datetime as dt
import io

from django.core import mail
from django.core.management import call_command

from requests_app import services
from requests_app.models import (
    OrganizationClosedDay,
    ReminderLog,
    ReminderStatus,
)
from requests_app.seeds import JUO, LEVERAGES
from tests.factories import register
from tests.reminder_calendar import SWEEP_DAY, K, expected, planned

D = dt.date.fromisoformat


def test_the_right_people_get_the_right_reminders(desk_calendar, desk_user, desk_user2, manager_user):
    result = services.reminder_sweep(today=SWEEP_DAY, dry_run=True)

    assert planned(result, [desk_user, desk_user2, manager_user], desk_calendar) == expected(
        desk_calendar, desk_user, desk_user2, manager_user
    )
    assert not ReminderLog.objects.exists()  # a dry run claims nothing


def test_sweep_claims_once_and_sends_one_digest_per_person(desk_calendar, desk_user, desk_user2, manager_user):
    out = io.StringIO()
    call_command("send_deadline_reminders", "--date", SWEEP_DAY.isoformat(), stdout=out)

    rows = expected(desk_calendar, desk_user, desk_user2, manager_user)
    assert ReminderLog.objects.filter(status=ReminderStatus.SENT).count() == len(rows)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (desk_user, desk_user2, manager_user))
    assert f"{len(rows)} reminder(s) claimed, {len(rows)} sent" in out.getvalue()

    mail.outbox.clear()
    call_command("send_deadline_reminders", "--date", SWEEP_DAY.isoformat(), stdout=io.StringIO())
    assert mail.outbox == []  # a second run sends nothing
    assert ReminderLog.objects.count() == len(rows)


def test_the_digest_is_grouped_by_urgency_without_personal_data(desk_calendar, manager_user):
    call_command("send_deadline_reminders", "--date", SWEEP_DAY.isoformat(), stdout=io.StringIO())

    digest = next(m for m in mail.outbox if m.to == [manager_user.email])
    text = digest.body
    assert digest.subject == "【PrivacyOps】2026-12-25 の期限のお知らせ（8件）"  # the overdue case is also Art. 39
    assert (
        text.index("■ 期限超過")
        < text.index("■ 到達から2週間経過・未回答（法39条）")
        < text.index("■ 本人確認が長期化")
    )
    overdue = desk_calendar["overdue"]
    assert overdue.reference in text and "1営業日超過" in text
    assert f"/admin/requests_app/request/{overdue.pk}/change/" in text
    assert "ヤ.ハ." in text  # initials only
    assert "山田" not in text and "花子" not in text and "hanako@example.jp" not in text
    html = digest.alternatives[0][0]
    assert overdue.reference in html and "山田" not in html


def test_digest_in_the_recipients_language(desk_calendar, desk_user2):
    desk_user2.language = "en"
    desk_user2.save()

    call_command("send_deadline_reminders", "--date", SWEEP_DAY.isoformat(), stdout=io.StringIO())

    digest = next(m for m in mail.outbox if m.to == [desk_user2.email])
    assert digest.subject == "[PrivacyOps] Deadlines on 2026-12-25: 2 case(s)"
    assert "■ Due today (1)" in digest.body and "■ Waiting for the fee too long (1)" in digest.body


def test_no_reminders_on_a_closed_day_of_the_organization(desk_calendar, seed_orgs, desk_user):
    OrganizationClosedDay.objects.create(organization=seed_orgs[LEVERAGES], date=SWEEP_DAY, note="創立記念日")

    result = services.reminder_sweep(today=SWEEP_DAY, dry_run=True)

    assert "leverages" in result.skipped_organizations
    leverages_cases = {c.pk for c in desk_calendar.values() if c.organization_id == seed_orgs[LEVERAGES].pk}
    assert not any(request_id in leverages_cases for _, request_id, _ in result.planned)
    assert any(kind == K.ART39 for _, _, kind in result.planned)  # JUO's cases still remind


def test_no_reminders_on_a_weekend_or_the_new_year_closure(desk_calendar):
    for day in ("2026-12-26", "2026-12-30", "2027-01-02"):
        assert services.reminder_sweep(today=D(day), dry_run=True).planned == [], day


def test_sweep_queries_do_not_grow_with_the_number_of_cases(desk_calendar, desk_user, policies, travel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        small = services.reminder_sweep(today=SWEEP_DAY, dry_run=True)
    travel("2026-12-01")
    for _ in range(15):  # fifteen more cases, overdue and Art. 39 by the sweep day
        register(desk_user, policies[LEVERAGES], reached_on=D("2026-12-01"), assignee=desk_user)
    travel(SWEEP_DAY.isoformat())
    with CaptureQueriesContext(connection) as after:
        large = services.reminder_sweep(today=SWEEP_DAY, dry_run=True)

    assert len(large.planned) > len(small.planned) + 15
    assert len(after) == len(before)  # one query per kind of reminder, whatever the number of cases


def test_failed_digest_is_kept_for_managers_and_sent_again_later(desk_calendar, desk_user, monkeypatch):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    err = io.StringIO()
    call_command("send_deadline_reminders", "--date", SWEEP_DAY.isoformat(), stdout=io.StringIO(), stderr=err)
    assert "will be retried" in err.getvalue()
    pending = ReminderLog.objects.filter(recipient=desk_user, status=ReminderStatus.PENDING)
    assert pending.exists() and all(r.attempts == 1 and "connection lost" in r.last_error for r in pending)

    monkeypatch.undo()
    call_command("send_deadline_reminders", "--date", SWEEP_DAY.isoformat(), stdout=io.StringIO())
    assert not ReminderLog.objects.filter(status=ReminderStatus.PENDING).exists()
    assert sum(1 for m in mail.outbox if m.to == [desk_user.email]) == 1

    services.reminder_digest_fail(recipient_id=desk_user.pk, error="gave up")  # nothing pending any more
    assert not ReminderLog.objects.filter(status=ReminderStatus.FAILED).exists()


def test_an_assignee_who_left_the_organization_gets_nothing_the_managers_do(
    desk_calendar, desk_user2, manager_user, seed_orgs
):
    seed_orgs["juo"].staff.remove(desk_user2)
    seed_orgs["copro"].staff.remove(desk_user2)

    result = services.reminder_sweep(today=SWEEP_DAY, dry_run=True)

    fee_paused = desk_calendar["fee_paused"]  # COPRO, assigned to desk_user2
    to = {
        recipient
        for recipient, request_id, kind in result.planned
        if request_id == fee_paused.pk and kind == K.FEE_WAITING_LONG
    }
    assert to == {manager_user.pk}


def test_initials_come_from_the_kana_only():
    from types import SimpleNamespace

    from requests_app.services.reminders import _initials

    assert _initials(SimpleNamespace(family_name="林", given_name="", family_name_kana="", given_name_kana="")) == "—"
    assert (
        _initials(
            SimpleNamespace(family_name="林", given_name="美月", family_name_kana="ハヤシ", given_name_kana="ミヅキ")
        )
        == "ハ.ミ."
    )


def test_a_digest_lists_at_most_the_limit_per_section_and_counts_the_rest(
    settings, travel, desk_user, policies, mailoutbox
):
    """Issue 16: a digest stays readable at any desk size — N cases per section, "and M more" with
    a link to the filtered list — and every reminder is still recorded (and marked sent) once."""
    from requests_app.models import ReminderKind, ReminderLog, ReminderStatus

    settings.REMINDER_DIGEST_SECTION_LIMIT = 2
    travel("2026-11-02")
    for _ in range(5):
        case = register(desk_user, policies[JUO], kinds=("correction",), reached_on=D("2026-11-02"), assignee=desk_user)
        services.request_start_verification(actor=desk_user, case=case)
        services.request_verify(actor=desk_user, case=case, outcome="verified", name_matches=True)
    travel("2026-11-25")
    services.reminder_sweep(today=D("2026-11-25"))
    overdue = ReminderLog.objects.filter(recipient=desk_user, kind=ReminderKind.OVERDUE)
    assert overdue.count() == 5

    services.reminder_digest_send(recipient_id=desk_user.pk, today=D("2026-11-25"))

    body = mailoutbox[-1].body
    section = body.split("■ ")[1]
    assert section.count("/admin/requests_app/request/") == 3  # two cases and the list
    assert "(5)" in section.splitlines()[0] and "?due=overdue" in section
    assert set(overdue.values_list("status", flat=True)) == {ReminderStatus.SENT}
