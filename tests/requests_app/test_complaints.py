"""The complaints and consultations register (苦情・相談, issue 15): APPI Art. 40-1 (appropriate and
prompt handling), JIS Q 15001 A.3.6 (the record and the manager's approval of each reply)."""

import datetime as dt
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from requests_app import reports, services
from requests_app.models import (
    Channel,
    Complaint,
    ComplaintFrom,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintStatus,
    ComplaintTopic,
)
from requests_app.pipeline import Op
from requests_app.seeds import COPRO, JUO
from tests.factories import register

D = dt.date.fromisoformat
LIST = "/admin/requests_app/complaint/"
ADD = LIST + "add/"


def _facts(**overrides):
    facts = {
        "kind": ComplaintKind.COMPLAINT,
        "received_on": D("2026-11-02"),
        "channel": Channel.PHONE,
        "complainant_type": ComplaintFrom.DATA_SUBJECT,
        "complainant_name": "山田 花子",
        "complainant_contact": "090-1234-5678",
        "topic": ComplaintTopic.REQUEST_HANDLING,
        "summary": "開示の回答が遅いとのお申出。",
    }
    facts.update(overrides)
    return facts


def _form(organization, **changes):
    """The registration form as the desk fills it in (a fresh one-time key each time)."""
    return {
        **{k: v for k, v in _facts().items() if k != "received_on"},
        "organization": organization.pk,
        "received_on": "2026-11-02",
        "request_reference": "",
        "reply_due_on": "",
        "assignee": "",
        "intake_token": str(uuid.uuid4()),
        **changes,
    }


@pytest.fixture
def complaint(travel, desk_user, seed_orgs):
    travel("2026-11-02")
    return services.complaint_register(actor=desk_user, organization=seed_orgs[JUO], **_facts())


def test_the_reply_is_drafted_approved_sent_and_closed_with_cause_and_measure(
    complaint, travel, desk_user, manager_user
):
    """The road a complaint takes, each step in its history with who did it."""
    assert complaint.status == ComplaintStatus.RECEIVED
    # Due after the organization's internal target, 14 business days (11-03 and 11-23 are holidays).
    assert complaint.reply_due_on == D("2026-11-24")

    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="ご迷惑をおかけしました。")
    services.complaint_approve(actor=manager_user, complaint=complaint, comment="この内容で")
    travel("2026-11-04")
    services.complaint_record_reply(
        actor=desk_user, complaint=complaint, replied_on=D("2026-11-04"), method=Channel.POST
    )
    services.complaint_close(
        actor=desk_user,
        complaint=complaint,
        outcome=ComplaintOutcome.RESOLVED,
        cause="担当者の引継ぎ漏れ",
        measure="引継ぎ表に回答期限の欄を追加",
    )

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    assert (complaint.drafted_by, complaint.approved_by) == (desk_user, manager_user)
    assert (complaint.replied_on, complaint.closed_on, complaint.outcome) == (
        D("2026-11-04"),
        D("2026-11-04"),
        "resolved",
    )
    history = list(complaint.history.order_by("history_id").values_list("history_operation", "history_user__username"))
    assert history == [
        (Op.COMPLAINT_REGISTER, "desk_a"),
        (Op.COMPLAINT_DRAFT, "desk_a"),
        (Op.COMPLAINT_APPROVE, "manager_a"),
        (Op.COMPLAINT_REPLY, "desk_a"),
        (Op.COMPLAINT_CLOSE, "desk_a"),
    ]


def test_the_reply_cannot_be_approved_by_its_drafter(complaint, manager_user, manager_user2):
    """Four eyes (JIS Q 15001 A.3.6): a manager who drafted the reply cannot approve it; another can."""
    services.complaint_draft_reply(actor=manager_user, complaint=complaint, reply_text="回答案")

    with pytest.raises(services.TransitionNotAllowed, match="別の責任者が承認"):
        services.complaint_approve(actor=manager_user, complaint=complaint)

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.AWAITING_APPROVAL and complaint.approved_by is None
    services.complaint_approve(actor=manager_user2, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.APPROVED


def test_the_drafter_is_not_offered_the_approval_and_a_posted_one_is_refused(client, complaint, manager_user):
    services.complaint_draft_reply(actor=manager_user, complaint=complaint, reply_text="回答案")
    client.force_login(manager_user)
    url = f"{LIST}{complaint.pk}/change/"

    page = client.get(url)
    assert 'id="op-approve"' not in page.content.decode()
    assert "別の責任者が承認" in page.content.decode()

    response = client.post(url, {"op": "approve", "approve-version": complaint.version + 1, "approve-comment": ""})
    assert response.status_code == 400
    assert "別の責任者が承認" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.AWAITING_APPROVAL


def test_desk_staff_cannot_approve(complaint, desk_user, desk_user2):
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答案")

    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_approve(actor=desk_user2, complaint=complaint)


def test_a_manager_returns_the_reply_with_a_reason(complaint, desk_user, manager_user):
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答案")

    with pytest.raises(ValidationError) as error:
        services.complaint_return(actor=manager_user, complaint=complaint, comment=" ")
    assert "comment" in error.value.message_dict
    services.complaint_return(actor=manager_user, complaint=complaint, comment="謝罪の文言を追加")

    complaint.refresh_from_db()
    assert (complaint.status, complaint.approval_comment, complaint.reply_text) == (
        ComplaintStatus.RECEIVED,
        "謝罪の文言を追加",
        "回答案",
    )


def test_a_complaint_closes_only_with_cause_and_measure_a_consultation_without(
    travel, desk_user, manager_user, seed_orgs
):
    travel("2026-11-02")
    complaint = services.complaint_register(actor=desk_user, organization=seed_orgs[JUO], **_facts())
    consultation = services.complaint_register(
        actor=desk_user, organization=seed_orgs[JUO], **_facts(kind=ComplaintKind.CONSULTATION)
    )
    for each in (complaint, consultation):
        services.complaint_draft_reply(actor=desk_user, complaint=each, reply_text="回答")
        services.complaint_approve(actor=manager_user, complaint=each)
        services.complaint_record_reply(actor=desk_user, complaint=each, replied_on=D("2026-11-02"), method="email")

    with pytest.raises(ValidationError) as error:
        services.complaint_close(actor=desk_user, complaint=complaint, outcome=ComplaintOutcome.RESOLVED)
    assert set(error.value.message_dict) == {"cause", "measure"}
    services.complaint_close(actor=desk_user, complaint=consultation, outcome=ComplaintOutcome.EXPLAINED)
    consultation.refresh_from_db()
    assert consultation.status == ComplaintStatus.CLOSED


def test_steps_out_of_order_are_refused(complaint, desk_user):
    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_record_reply(actor=desk_user, complaint=complaint, replied_on=D("2026-11-02"), method="post")
    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_close(actor=desk_user, complaint=complaint, outcome="resolved", cause="x", measure="y")


def test_a_reply_before_its_approval_or_in_the_future_is_refused(complaint, travel, desk_user, manager_user):
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答")
    travel("2026-11-05")
    services.complaint_approve(actor=manager_user, complaint=complaint)
    for day in ("2026-11-04", "2026-11-06"):
        with pytest.raises(ValidationError) as error:
            services.complaint_record_reply(actor=desk_user, complaint=complaint, replied_on=D(day), method="post")
        assert "replied_on" in error.value.message_dict


def test_another_organization_sees_nothing(client, complaint, other_org_user, policies):
    client.force_login(other_org_user)

    assert client.get(f"{LIST}{complaint.pk}/change/").status_code == 404
    assert client.get(f"{LIST}{complaint.pk}/edit/").status_code == 404
    assert complaint.pk not in [c.pk for c in client.get(LIST).context["cl"].result_list]
    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_draft_reply(actor=other_org_user, complaint=complaint, reply_text="x")


def test_registered_from_the_admin_linked_to_a_request(client, travel, desk_user, policies):
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-02"))
    client.force_login(desk_user)
    data = _form(case.organization, request_reference=case.reference)

    response = client.post(ADD, data)

    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{complaint.pk}/change/")
    assert (complaint.request, complaint.created_by, complaint.reply_due_on) == (case, desk_user, D("2026-11-24"))


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"summary": ""}, "summary", "このフィールドは必須です。"),
        ({"topic": "gossip"}, "topic", "正しく選択してください"),
        ({"received_on": "2026-11-31"}, "received_on", "日付を正しく入力してください。"),
        ({"received_on": "2026-12-01"}, "received_on", "未来の日付"),
        ({"reply_due_on": "2026-11-01"}, "reply_due_on", "受け付けた日より前"),
        ({"request_reference": "2026-999999"}, "request_reference", "2026-999999"),
        ({"summary": "マイナンバー 1234 5678 9018"}, "summary", "個人番号"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_keeps_what_was_typed(
    client, travel, desk_user, seed_orgs, change, field, message
):
    travel("2026-11-02")
    client.force_login(desk_user)
    data = _form(seed_orgs[COPRO], **change)

    response = client.post(ADD, data)

    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field]), form.errors
    assert "開示の回答が遅い" in response.content.decode() or field == "summary"
    assert not Complaint.objects.exists()


def test_another_organizations_request_cannot_be_linked(client, travel, desk_user, other_org_user, seed_orgs):
    from tests.factories import DeskPolicyFactory

    travel("2026-11-02")
    stranger = register(
        other_org_user,
        DeskPolicyFactory(organization=other_org_user.organizations.get()),
        reached_on=D("2026-11-02"),
    )
    with pytest.raises(ValidationError) as error:
        services.complaint_register(actor=desk_user, organization=seed_orgs[JUO], **_facts(request=stranger))
    assert "request" in error.value.message_dict


def test_the_auditor_reads_but_cannot_register_or_act(client, complaint, auditor_user):
    client.force_login(auditor_user)

    page = client.get(f"{LIST}{complaint.pk}/change/")
    assert page.status_code == 200 and "開示の回答が遅い" in page.content.decode()
    assert 'class="po-complaint-op"' not in page.content.decode()
    assert client.get(ADD).status_code == 403
    assert client.get(f"{LIST}{complaint.pk}/edit/").status_code == 403
    assert client.get(f"{LIST}{complaint.pk}/history/").status_code == 200


def test_the_statistics_count_complaints_by_outcome(complaint, travel, desk_user, manager_user, seed_orgs):
    services.complaint_register(
        actor=desk_user, organization=seed_orgs[COPRO], **_facts(kind=ComplaintKind.CONSULTATION, topic="use")
    )
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答")
    services.complaint_approve(actor=manager_user, complaint=complaint)
    services.complaint_record_reply(actor=desk_user, complaint=complaint, replied_on=D("2026-11-02"), method="post")
    services.complaint_close(actor=desk_user, complaint=complaint, outcome="partly_resolved", cause="c", measure="m")

    stats = reports.statistics(actor=desk_user, first=D("2026-11-01"), last=D("2026-11-30"))

    assert stats.complaints == {
        "total": 2,
        "by_kind_outcome": {("complaint", "partly_resolved"): 1, ("consultation", reports.OPEN): 1},
        "by_topic": {"request_handling": 1, "use": 1},
    }


def test_deadline_reminders_like_cases(complaint, travel, desk_user, manager_user):
    """The reply's due date reminds the assignee (or the managers) the business day before and on
    the day, and every day after it together with the managers — once a day each, in the digest."""
    from requests_app.models import ReminderKind, ReminderLog

    services.complaint_update(actor=desk_user, complaint=complaint, assignee=desk_user)
    complaint.refresh_from_db()
    due = complaint.reply_due_on  # Tue 11-24 (Mon 11-23 is a holiday)

    def planned(day):
        return sorted(
            (recipient, kind)
            for recipient, target, kind in services.reminder_sweep(today=D(day), dry_run=True).planned
            if target == complaint.pk and kind.startswith("complaint")
        )

    assert planned("2026-11-19") == []
    assert planned("2026-11-20") == [(desk_user.pk, ReminderKind.COMPLAINT_DUE)]  # Fri: next business day 11-24
    assert planned(due.isoformat()) == [(desk_user.pk, ReminderKind.COMPLAINT_DUE)]
    assert planned("2026-11-25") == sorted(
        [(desk_user.pk, ReminderKind.COMPLAINT_OVERDUE), (manager_user.pk, ReminderKind.COMPLAINT_OVERDUE)]
    )

    travel("2026-11-25")
    first = services.reminder_sweep(today=D("2026-11-25"))
    again = services.reminder_sweep(today=D("2026-11-25"))
    assert first.claimed >= 2 and again.claimed == 0
    assert set(ReminderLog.objects.filter(complaint=complaint).values_list("recipient", "kind")) == {
        (desk_user.pk, ReminderKind.COMPLAINT_OVERDUE),
        (manager_user.pk, ReminderKind.COMPLAINT_OVERDUE),
    }

    # Once the reply has gone, nothing more.
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答")
    services.complaint_approve(actor=manager_user, complaint=complaint)
    services.complaint_record_reply(actor=desk_user, complaint=complaint, replied_on=D("2026-11-25"), method="post")
    assert planned("2026-11-26") == []


def test_the_digest_names_the_complaint_without_personal_data(complaint, travel, desk_user, mailoutbox):
    services.complaint_update(actor=desk_user, complaint=complaint, assignee=desk_user)
    travel("2026-11-25")
    services.reminder_sweep(today=D("2026-11-25"))

    sent = services.reminder_digest_send(recipient_id=desk_user.pk, today=D("2026-11-25"))

    assert sent >= 1
    body = mailoutbox[-1].body
    assert f"C-{complaint.pk}" in body and f"/admin/requests_app/complaint/{complaint.pk}/change/" in body
    assert "山田" not in body and "090-1234-5678" not in body


def test_re_drafting_someone_elses_text_does_not_let_its_author_approve(complaint, manager_user, desk_user):
    """Four eyes hold across drafts: whoever drafted any version of the reply may not approve it."""
    services.complaint_draft_reply(actor=manager_user, complaint=complaint, reply_text="責任者の文案")
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="責任者の文案")

    with pytest.raises(services.TransitionNotAllowed, match="別の責任者が承認"):
        services.complaint_approve(actor=manager_user, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.AWAITING_APPROVAL


def test_the_facts_are_frozen_once_the_reply_is_approved(complaint, desk_user, manager_user):
    """What the manager approved stands: no edit (nor a switch to "consultation" to close without a
    cause) after approval; a manager returns the reply first."""
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答")
    services.complaint_update(actor=desk_user, complaint=complaint, summary="補足：電話で再度のお申出")  # still open
    services.complaint_approve(actor=manager_user, complaint=complaint)

    for change in ({"summary": "全く別の内容"}, {"kind": ComplaintKind.CONSULTATION}):
        with pytest.raises(services.TransitionNotAllowed):
            services.complaint_update(actor=desk_user, complaint=complaint, **change)
    complaint.refresh_from_db()
    assert (complaint.kind, complaint.summary) == (ComplaintKind.COMPLAINT, "補足：電話で再度のお申出")


@pytest.mark.parametrize(
    "change,field",
    [
        ({"received_on": D("2021-10-01")}, "received_on"),
        ({"reply_due_on": D("2027-11-04")}, "reply_due_on"),
    ],
)
def test_dates_far_from_the_complaint_are_refused(travel, desk_user, seed_orgs, change, field):
    travel("2026-11-02")
    with pytest.raises(ValidationError) as error:
        services.complaint_register(actor=desk_user, organization=seed_orgs[JUO], **_facts(**change))
    assert field in error.value.message_dict
    assert not Complaint.objects.exists()


def test_the_same_form_sent_twice_registers_one_complaint(client, travel, desk_user, seed_orgs):
    travel("2026-11-02")
    client.force_login(desk_user)
    form = client.get(ADD).context["form"]
    data = _form(seed_orgs[JUO], intake_token=str(form["intake_token"].initial))

    first, second = client.post(ADD, data), client.post(ADD, data, follow=True)

    complaint = Complaint.objects.get()
    assert first.url == second.redirect_chain[-1][0] == f"{LIST}{complaint.pk}/change/"
    assert "すでに送信" in second.content.decode()


def test_complaint_pages_are_in_the_access_log_and_another_organization_gets_404(
    client, complaint, desk_user, other_org_user
):
    from privacyops.audit.models import AccessKind, AccessLog

    client.force_login(desk_user)
    client.get(f"{LIST}{complaint.pk}/change/")
    client.get(f"{LIST}{complaint.pk}/history/")
    logged = list(AccessLog.objects.filter(user=desk_user).order_by("pk").values_list("kind", "organization"))
    assert logged == [
        (AccessKind.COMPLAINT, complaint.organization_id),
        (AccessKind.COMPLAINT_HISTORY, complaint.organization_id),
    ]

    client.force_login(other_org_user)
    assert client.get(f"{LIST}{complaint.pk}/history/").status_code == 404
    assert not AccessLog.objects.filter(user=other_org_user).exists()


def test_an_altered_page_says_so(client, complaint, desk_user):
    """A form whose hidden version is missing or altered is refused with words, not silently."""
    client.force_login(desk_user)

    response = client.post(
        f"{LIST}{complaint.pk}/change/", {"op": "draft", "draft-version": "", "draft-reply_text": "x"}
    )

    assert response.status_code == 400
    assert "このページは古くなっています" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_the_start_page_shows_complaints_needing_the_desk(client, complaint, travel, desk_user, manager_user):
    """Overdue replies and replies awaiting approval are on the start page, each a link to the list."""
    services.complaint_update(actor=desk_user, complaint=complaint, assignee=desk_user)
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答")
    travel("2026-11-25")  # the reply was due on 11-24
    client.force_login(manager_user)

    page = client.get("/admin/").content.decode()

    assert 'id="complaints-needing"' in page and "?needs=overdue" in page and "?needs=approval" in page
    listed = client.get(LIST + "?needs=overdue").context["cl"].result_list
    assert [c.pk for c in listed] == [complaint.pk]
    client.force_login(desk_user)
    assert [c.pk for c in client.get(LIST + "?needs=mine").context["cl"].result_list] == [complaint.pk]


def test_the_case_page_links_its_complaints(client, travel, desk_user, policies, seed_orgs):
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-02"))
    complaint = services.complaint_register(actor=desk_user, organization=seed_orgs[JUO], **_facts(request=case))
    client.force_login(desk_user)

    page = client.get(f"/admin/requests_app/request/{case.pk}/change/").content.decode()

    assert f'href="/admin/requests_app/complaint/{complaint.pk}/change/"' in page


def test_a_form_key_with_twelve_digits_in_a_row_is_not_taken_for_an_individual_number(
    client, travel, desk_user, seed_orgs
):
    """The form's one-time key is a UUID: twelve digits in a row there are not personal data."""
    travel("2026-11-02")
    client.force_login(desk_user)
    data = _form(seed_orgs[JUO], intake_token="12345678-1234-4234-9234-123456789012")

    assert client.post(ADD, data).status_code == 302
    assert Complaint.objects.get().intake_token is not None


def test_the_retention_purge_erases_a_closed_complaint_and_keeps_its_skeleton(
    complaint, travel, desk_user, manager_user, manager_user2, seed_orgs
):
    """SPEC §14 for the register: after the organization's period from the day it closed, who
    complained and what was written go — live and in the history —; kind, topic, dates, outcome,
    cause and measure stay. An open complaint, or one about a held case, stays whole."""
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="山田様へのご回答")
    services.complaint_approve(actor=manager_user, complaint=complaint, comment="山田様の件、承認")
    services.complaint_record_reply(actor=desk_user, complaint=complaint, replied_on=D("2026-11-02"), method="post")
    services.complaint_close(actor=desk_user, complaint=complaint, outcome="resolved", cause="原因", measure="対策")
    still_open = services.complaint_register(actor=desk_user, organization=seed_orgs[JUO], **_facts())
    years = seed_orgs[JUO].retention_years

    later = D("2026-11-02").replace(year=2026 + years)
    assert list(services.complaints_due_for_purge(later - dt.timedelta(days=1))) == []
    purged = services.purge_expired(today=later)

    assert f"C-{complaint.pk}" in purged and f"C-{still_open.pk}" not in purged
    complaint.refresh_from_db()
    assert (complaint.complainant_name, complaint.complainant_contact, complaint.summary) == (
        "（消去済）",
        "",
        "（消去済）",
    )
    assert (complaint.cause, complaint.measure, complaint.outcome, complaint.purged_on) == (
        "原因",
        "対策",
        "resolved",
        later,
    )
    history = " ".join(
        f"{row.complainant_name} {row.complainant_contact} {row.summary} {row.reply_text} {row.approval_comment}"
        for row in complaint.history.all()
    )
    assert "山田" not in history and "090-1234-5678" not in history
    assert complaint.history.latest().history_operation == Op.PURGE
    still_open.refresh_from_db()
    assert still_open.complainant_name == "山田 花子"


def test_a_complaint_about_a_held_case_is_kept(travel, desk_user, manager_user, policies, seed_orgs):
    travel("2026-11-02")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-02"))
    complaint = services.complaint_register(actor=desk_user, organization=seed_orgs[JUO], **_facts(request=case))
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答")
    services.complaint_approve(actor=manager_user, complaint=complaint)
    services.complaint_record_reply(actor=desk_user, complaint=complaint, replied_on=D("2026-11-02"), method="post")
    services.complaint_close(actor=desk_user, complaint=complaint, outcome="resolved", cause="c", measure="m")
    services.hold_place(actor=manager_user, case=case, reason="訴訟係属中")

    later = D("2026-11-02").replace(year=2026 + seed_orgs[JUO].retention_years)
    out = io.StringIO()
    call_command("purge_expired", "--date", later.isoformat(), stdout=out)
    assert f"kept (legal hold on its case): C-{complaint.pk}" in out.getvalue()
    assert f"C-{complaint.pk}" not in services.purge_expired(today=later)
    complaint.refresh_from_db()
    assert complaint.complainant_name == "山田 花子" and complaint.purged_on is None


def test_a_far_future_date_is_an_error_not_a_crash(client, travel, desk_user, seed_orgs):
    travel("2026-11-02")
    client.force_login(desk_user)

    response = client.post(ADD, _form(seed_orgs[JUO], received_on="9999-12-31"))

    assert response.status_code == 400 and "received_on" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_someone_elses_form_key_is_a_stale_page(client, travel, desk_user, desk_user2, seed_orgs):
    """A copied page does not lead to another's complaint, nor register one silently."""
    travel("2026-11-02")
    token = "11111111-2222-4333-8444-555555555555"
    client.force_login(desk_user)
    assert client.post(ADD, _form(seed_orgs[JUO], intake_token=token)).status_code == 302
    client.force_login(desk_user2)

    response = client.post(ADD, _form(seed_orgs[JUO], intake_token=token, summary="別の申出"))

    assert response.status_code == 400 and "このページは古くなっています" in response.content.decode()
    assert "別の申出" in response.content.decode()  # what was typed is kept
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("blank", ["", "　", "\u200b", " \u200b\u3000\ufeff "])
def test_an_invisible_cause_is_no_cause(complaint, desk_user, manager_user, blank):
    services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text="回答")
    services.complaint_approve(actor=manager_user, complaint=complaint)
    services.complaint_record_reply(actor=desk_user, complaint=complaint, replied_on=D("2026-11-02"), method="post")

    with pytest.raises(ValidationError) as error:
        services.complaint_close(actor=desk_user, complaint=complaint, outcome="resolved", cause=blank, measure=blank)
    assert set(error.value.message_dict) == {"cause", "measure"}
    with pytest.raises(ValidationError):
        services.complaint_draft_reply(actor=desk_user, complaint=complaint, reply_text=blank)


def test_the_approval_figure_leaves_out_what_the_manager_drafted(complaint, manager_user, manager_user2, desk_user):
    from requests_app import selectors

    services.complaint_draft_reply(actor=manager_user, complaint=complaint, reply_text="回答案")

    assert selectors.dashboard_complaints(actor=manager_user, today=D("2026-11-02"))["approval"] == 0
    assert selectors.dashboard_complaints(actor=manager_user2, today=D("2026-11-02"))["approval"] == 1
    assert selectors.dashboard_complaints(actor=desk_user, today=D("2026-11-02"))["approval"] == 0


def test_the_selectors_draft_code_is_the_pipelines():
    """Selectors sit below the pipeline and name its code themselves: the two must agree, or the
    four-eyes rule would find no drafter."""
    from requests_app import selectors

    assert selectors.COMPLAINT_DRAFT_OP == Op.COMPLAINT_DRAFT
