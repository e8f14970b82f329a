"""The case page at work (issue 13): operations folded on the page, nothing silent.

- the operations that need no page of their own are forms on the case page (one page load each);
- verification is one form from "received", beside the policy's checklist;
- an operation that drafts a letter says so and opens it; a second identical draft is refused;
  an unsent draft can be discarded (its history kept);
- recording the payment that completes a request says the clock started and the due date;
- at a "dispose at once" desk, the copies are said to be due for disposal today;
- nothing on a closed case can be edited.
"""

import datetime as dt
import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from requests_app import services
from requests_app.models import DocumentKind, Letter, LetterKind, PauseKind, Request, Status
from requests_app.pipeline import Op
from requests_app.seeds import COPRO, JUO, LEVERAGES
from tests import desk
from tests.factories import case_in, document_data, register

D = dt.date.fromisoformat
TODAY = "2026-11-20"  # a Friday


def page(client, case) -> str:
    return html.unescape(client.get(desk.case_url(case)).content.decode())


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def post_inline(client, case, slug, target=None, **fields):
    """Submit the form folded on the case page for ``slug`` (and ``target``), as the browser does."""
    html_page = client.get(desk.case_url(case)).content.decode()
    url = reverse("admin:requests_app_request_action", args=[case.pk, slug])
    if target is not None:
        url += f"?{type(target).__name__.lower().replace('requestitem', 'item')}={target.pk}"
    marker = f'action="{url}"'
    assert marker in html_page, f"no inline form for {slug} on the case page"
    form_html = html_page[html_page.index(marker) : html_page.index("</form>", html_page.index(marker))]
    data = desk.form_defaults("<form " + form_html + "</form>")
    data.update(fields)
    return client.post(url, data)


@pytest.fixture
def signed_in(client, travel, desk_user):
    travel(TODAY)
    client.force_login(desk_user)
    return client


# ------------------------------------------------------------------------------------------
# Operations on the page
# ------------------------------------------------------------------------------------------
def test_operations_without_a_long_form_are_folded_on_the_case_page(signed_in, desk_user, policies):
    case = register(desk_user, policies[JUO], reached_on=D(TODAY))
    text = page(signed_in, case)
    for label in ("書面を作成", "請求者による取下げ", "不受理"):
        assert f"実行：{label}" in text, label  # the confirming button of the folded form
    # Long forms keep a page of their own: a plain link.
    assert f'href="/admin/requests_app/request/{case.pk}/action/edit-people/"' in text


def test_verification_is_one_form_from_received(signed_in, desk_user, policies):
    """From "received", the one form on the page starts and records the verification: the case is
    in progress, the verification is recorded, and the unassigned case goes to the verifier."""
    case = register(
        desk_user,
        policies[JUO],
        reached_on=D(TODAY),
        kinds=("correction",),
        documents=[document_data(DocumentKind.DRIVERS_LICENSE)],
    )
    Request.objects.filter(pk=case.pk).update(assignee=None)
    text = page(signed_in, case)
    assert "受付方針で必要な書類" in text and "本人確認の結果を記録" in text

    response = post_inline(signed_in, case, "verify", outcome="verified", name_matches="on", address_matches="on")

    assert response.status_code == 302, desk.describe(response)
    case = Request.objects.get(pk=case.pk)
    assert case.status == Status.IN_PROGRESS and case.assignee == desk_user
    assert case.verifications.get().verified_by == desk_user


def test_a_decision_is_made_on_the_case_page(signed_in, desk_user, policies):
    case = case_in(Status.IN_PROGRESS, desk_user, policies[JUO], reached_on=D(TODAY), kinds=("correction",),
                   documents=[document_data(DocumentKind.DRIVERS_LICENSE)])  # fmt: skip
    item = case.items.get()
    assert "決定する：訂正" in page(signed_in, case)

    response = post_inline(signed_in, case, "decide", item, outcome="no_data")

    assert response.status_code == 302, desk.describe(response)
    assert item.__class__.objects.get(pk=item.pk).decision.outcome == "no_data"


# ------------------------------------------------------------------------------------------
# Letters: said, opened, never twice, discardable
# ------------------------------------------------------------------------------------------
def test_a_drafted_letter_is_announced_and_opened(signed_in, desk_user, policies):
    case = register(desk_user, policies[JUO], reached_on=D(TODAY))

    response = post_inline(signed_in, case, "draft-letter", kind=LetterKind.ACKNOWLEDGEMENT, language="ja")

    letter = case.letters.get()
    assert response["Location"].endswith(f"/action/edit-letter/?letter={letter.pk}")
    assert any("書面（受付のお知らせ）を作成しました" in message or "を作成しました。以下に開いています" in message
               for message in said(response))  # fmt: skip


def test_verification_asking_for_more_opens_the_letter_it_drafted(signed_in, desk_user, policies):
    case = register(desk_user, policies[JUO], reached_on=D(TODAY), kinds=("correction",))

    response = post_inline(signed_in, case, "verify", outcome="more_needed", note="運転免許証の裏面の写し")

    letter = case.letters.get(kind=LetterKind.REQUEST_MISSING)
    assert response["Location"].endswith(f"/action/edit-letter/?letter={letter.pk}")
    assert any("以下に開いています" in message for message in said(response))


def test_a_second_identical_draft_is_not_created(signed_in, desk_user, policies):
    """Drafting the same letter again opens the waiting draft with a message; no second letter."""
    case = register(desk_user, policies[JUO], reached_on=D(TODAY))
    post_inline(signed_in, case, "draft-letter", kind=LetterKind.ACKNOWLEDGEMENT, language="ja")
    first = case.letters.get()

    response = post_inline(signed_in, case, "draft-letter", kind=LetterKind.ACKNOWLEDGEMENT, language="ja")

    assert case.letters.count() == 1
    assert response["Location"].endswith(f"/action/edit-letter/?letter={first.pk}")
    assert any("未送付の同じ書面の下書きがあります" in message for message in said(response))
    with pytest.raises(services.DraftExists):
        services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)


def test_the_same_request_for_information_twice_is_one_draft(desk_user, policies, travel):
    """A draft the system makes (asking for what is missing) is not made twice with the same text."""
    travel(TODAY)
    case = register(desk_user, policies[JUO], reached_on=D(TODAY), kinds=("correction",))
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.INFORMATION, note="対象期間の確認")
    services.request_resume(actor=desk_user, case=case)
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.INFORMATION, note="対象期間の確認")
    assert case.letters.filter(kind=LetterKind.REQUEST_MISSING).count() == 1


def test_an_unsent_draft_can_be_discarded_and_its_history_stays(signed_in, desk_user, policies):
    case = register(desk_user, policies[JUO], reached_on=D(TODAY))
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)

    response = post_inline(signed_in, case, "discard-letter", letter)

    assert response.status_code == 302, desk.describe(response)
    assert not Letter.objects.filter(pk=letter.pk).exists()
    last = Letter.history.filter(id=letter.pk).latest("history_date")
    assert (last.history_type, last.history_operation, last.history_user) == ("-", Op.DISCARD_LETTER, desk_user)
    history = html.unescape(
        signed_in.get(reverse("admin:requests_app_request_case_history", args=[case.pk])).content.decode()
    )
    assert "書面の下書きを破棄" in history


def test_a_sent_letter_cannot_be_discarded(desk_user, policies, travel):
    travel(TODAY)
    case = case_in(Status.RESPONDED, desk_user, policies[JUO], reached_on=D(TODAY), kinds=("correction",),
                   documents=[document_data(DocumentKind.DRIVERS_LICENSE)])  # fmt: skip
    letter = case.letters.get(kind=LetterKind.RESULT)
    with pytest.raises(services.TransitionNotAllowed):
        services.letter_discard(actor=desk_user, letter=letter)
    assert Letter.objects.filter(pk=letter.pk).exists()


# ------------------------------------------------------------------------------------------
# The clock and the copies: said when they change
# ------------------------------------------------------------------------------------------
def test_the_payment_that_completes_the_request_says_the_clock_started(signed_in, desk_user, policies):
    """COPRO: 500 yen per item, 1,000 due, 500 enclosed — the second 500 completes the request."""
    case = register(
        desk_user,
        policies[COPRO],
        reached_on=D(TODAY),
        kinds=("purpose_notice", "disclosure"),
        payments=[{"amount": 500, "method": "postal_money_order", "received_on": D(TODAY)}],
        documents=[document_data(DocumentKind.DRIVERS_LICENSE)],
    )
    assert case.complete_on is None

    response = post_inline(signed_in, case, "record-payment", amount="500", method="postal_money_order")

    case = Request.objects.get(pk=case.pk)
    assert case.complete_on == D(TODAY) and case.due_on is not None
    assert (
        f"{TODAY} に請求がそろいました。期限の計算を開始しました。回答期限は {case.due_on.isoformat()} です。"
        in said(response)
    )


def test_a_dispose_at_once_desk_is_told_the_copies_are_due_today(signed_in, desk_user, policies):
    """Leverages disposes of the ID copy as soon as verification ends (SCENARIOS §2)."""
    case = register(
        desk_user,
        policies[LEVERAGES],
        reached_on=D(TODAY),
        channel="email",
        documents=[document_data(DocumentKind.MY_NUMBER_CARD_FRONT, domicile="not_shown")],
    )

    response = post_inline(signed_in, case, "verify", outcome="verified", name_matches="on", address_matches="on")

    assert any("本日廃棄すべき写しが 1 件あります" in message for message in said(response))
    text = page(signed_in, case)
    assert "本人確認書類の写し 1 件が本日廃棄の対象です。" in text
    post_inline(signed_in, case, "dispose-documents", method="shredded")
    assert "本日廃棄の対象" not in page(signed_in, case)


# ------------------------------------------------------------------------------------------
# A closed case is read-only
# ------------------------------------------------------------------------------------------
EDITING_ACTIONS = [
    "edit-people",
    "record-document",
    "record-payment",
    "draft-letter",
    "pause",
    "verify",
    "start-verification",
    "extend",
    "withdraw",
    "reject",
    "close",
]


@pytest.mark.parametrize("slug", EDITING_ACTIONS)
def test_nothing_on_a_closed_case_can_be_edited(signed_in, desk_user, policies, slug):
    """A closed case offers no form but the disposal records the law still expects; posting to any
    editing action is refused with a message and changes nothing."""
    case = case_in(Status.CLOSED, desk_user, policies[JUO], reached_on=D(TODAY), kinds=("correction",),
                   documents=[document_data(DocumentKind.DRIVERS_LICENSE)])  # fmt: skip
    text = page(signed_in, case)
    assert 'name="notes"' not in text  # no case-details form
    assert "実行：" not in text or "実行：請求書の廃棄を記録" in text  # only the form's disposal record
    version = case.version

    response = signed_in.post(desk.action_url(case, slug), {"version": version, "note": "x", "reason": "x"})

    assert response.status_code == 302 and response["Location"].endswith(desk.case_url(case))
    assert Request.objects.get(pk=case.pk).version == version
    assert signed_in.post(desk.case_url(case), {"version": version, "notes": "x"}).status_code == 403


# ------------------------------------------------------------------------------------------
# The returned form: what went wrong is said of its row; the rows are never silently dropped
# ------------------------------------------------------------------------------------------
@pytest.fixture
def phone_case(signed_in, desk_user, policies):
    from requests_app.seeds import RECRUIT_CC

    return register(desk_user, policies[RECRUIT_CC], reached_on=D(TODAY), kinds=("erasure",), channel="phone")


def returned_form(client, case, **rows):
    page = client.get(desk.action_url(case, "record-form")).content.decode()
    data = desk.form_defaults(desk.form_html(page, "action-form"))
    data.update(rows)
    return client.post(desk.action_url(case, "record-form"), data)


ROW = {
    "documents-0-kind": "family_register_extract",
    "documents-0-holder": "data_subject",
    "documents-0-individual_number": "not_shown",
    "documents-0-insurer_number": "not_shown",
    "documents-0-domicile": "not_shown",
}


def test_a_bad_document_row_is_named_and_nothing_is_recorded(signed_in, phone_case):
    response = returned_form(signed_in, phone_case, **{**ROW, "documents-0-received_on": "2026-11-01"})

    assert response.status_code == 200
    assert "書類1行目" in html.unescape(response.content.decode())
    case = Request.objects.get(pk=phone_case.pk)
    assert case.form_received_on is None and not case.documents.exists()


def test_a_negative_row_count_is_refused_not_read_as_no_document(signed_in, phone_case):
    response = returned_form(signed_in, phone_case, **{**ROW, "documents-TOTAL_FORMS": "-5"})

    assert response.status_code == 200
    assert "再読み込み" in html.unescape(response.content.decode())
    assert Request.objects.get(pk=phone_case.pk).form_received_on is None


def test_discarding_a_letter_whose_e_mail_is_on_its_way_says_so(signed_in, desk_user, policies):
    from requests_app.models import DeliveryState, Response

    case = register(desk_user, policies[JUO], reached_on=D(TODAY))
    letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.ACKNOWLEDGEMENT)
    Response.objects.create(
        request=case, letter=letter, method="email", addressee=letter.addressee, email="x@example.jp",
        sent_on=D(TODAY), sent_by=desk_user, text_sent=letter.body, state=DeliveryState.SENDING,
    )  # fmt: skip

    response = signed_in.post(
        f"{desk.action_url(case, 'discard-letter')}?letter={letter.pk}", {"version": case.version}
    )

    assert any("メール送信中のため破棄できません" in message for message in said(response))
    assert Letter.objects.filter(pk=letter.pk).exists()
