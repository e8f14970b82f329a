"""Who may open what in the desk admin (STYLE: a permission matrix for every view, SPEC §15).

Five users: anonymous, desk staff and a desk manager of the five seed organizations, an auditor
(read-only) and desk staff of an unrelated organization, who must see none of the seed cases.
Each row asserts what the user relies on: the status code, what the page shows or hides, and
that a refused request changed nothing.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from requests_app import services
from requests_app.actions import ACTIONS
from requests_app.models import (
    DeskPolicy,
    DocumentKind,
    Organization,
    Request,
    Status,
)
from requests_app.pipeline import allowed
from requests_app.seeds import COPRO, LEVERAGES, RECRUIT_CC
from tests.exports import content, made
from tests.factories import (
    UserFactory,
    case_in,
    document_data,
    fill_in,
    make_auditor_user,
    make_desk_user,
    make_manager_user,
    make_other_org_user,
    make_seed_orgs,
)
from tests.once import kept_for_the_module

D = dt.date.fromisoformat
TODAY = "2026-11-20"

ANONYMOUS, DESK, MANAGER, AUDITOR, OTHER_ORG = "anonymous", "desk staff", "manager", "auditor", "other organization"
EVERYONE = [ANONYMOUS, DESK, MANAGER, AUDITOR, OTHER_ORG]
# A case in progress under a policy that allows extending the deadline.
EXTENDABLE = "extendable"
# A responding case whose result letter was recorded as leaving by e-mail, then interrupted.
SENDING_CHECK = "sending-check"
BY_PHONE = "received-by-phone"  # a phone request: the form is still to come back
LINK_SENT = "link-sent"  # a request sent online, answered by download link (issue 14)
HELD = "held"  # a case under a legal hold (issue 15)
ABANDONED = "abandoned"  # no answer from the requester past the policy's limit (issue 15)
# Actions that need the manager permission ``requests_app.approve_decision`` (four eyes).
MANAGER_ONLY = {"approve", "return"}
# Every action that needs a manager's permission: approvals, and legal holds (issue 15).
MANAGER_ACTIONS = MANAGER_ONLY | {"hold", "lift-hold"}


# ------------------------------------------------------------------------------------------
# Fixtures and helpers
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The seed organizations and the four users (conftest's), built once for the module: each test
    starts from exactly this state and is rolled back to it (``kept_for_the_module``). Their keys."""
    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            orgs = make_seed_orgs()
            users = {
                DESK: make_desk_user(orgs),
                MANAGER: make_manager_user(orgs),
                AUDITOR: make_auditor_user(orgs),
                OTHER_ORG: make_other_org_user(),
            }
        yield {
            "orgs": {code: organization.pk for code, organization in orgs.items()},
            "users": {who: user.pk for who, user in users.items()},
        }


# Conftest's fixtures of the same names, here the module's (read again for each test).
@pytest.fixture
def seed_orgs(built, db):
    found = Organization.objects.in_bulk(built["orgs"].values())
    return {code: found[pk] for code, pk in built["orgs"].items()}


def _user(built, who):
    return get_user_model().objects.get(pk=built["users"][who])


@pytest.fixture
def desk_user(built, db):
    return _user(built, DESK)


@pytest.fixture
def manager_user(built, db):
    return _user(built, MANAGER)


@pytest.fixture
def auditor_user(built, db):
    return _user(built, AUDITOR)


@pytest.fixture
def other_org_user(built, db):
    return _user(built, OTHER_ORG)


@pytest.fixture
def users(desk_user, manager_user, auditor_user, other_org_user):
    return {ANONYMOUS: None, DESK: desk_user, MANAGER: manager_user, AUDITOR: auditor_user, OTHER_ORG: other_org_user}


@pytest.fixture
def signed_in(client, users):
    """``signed_in(who)``: the test client, signed in as that user (or not at all for anonymous)."""

    def sign_in(who):
        if users[who] is not None:
            client.force_login(users[who])
        return client

    return sign_in


@pytest.fixture
def make_case(travel, desk_user, manager_user, policies):
    """``make_case(status)``: a seed-organization case brought to that status by ``case_in``."""
    travel(TODAY)
    today = D(TODAY)

    def make(status=Status.RECEIVED):
        if status == Status.RECEIVED:
            # COPRO charges a fee per disclosure and purpose notice: nothing is paid yet, and the
            # copy of the driver's licence is still held, so every recording action is offered.
            return case_in(
                status,
                desk_user,
                policies[COPRO],
                kinds=("disclosure", "purpose_notice"),
                reached_on=today,
                documents=[document_data(DocumentKind.DRIVERS_LICENSE)],
            )
        if status == BY_PHONE:
            return case_in(
                Status.RECEIVED, desk_user, policies[RECRUIT_CC], kinds=("erasure",), reached_on=today, channel="phone"
            )
        if status == SENDING_CHECK:
            from requests_app.models import DeliveryState, LetterKind, Response

            case = make(Status.RESPONDING)
            letter = services.letter_draft(actor=desk_user, case=case, kind=LetterKind.RESULT)
            Response.objects.create(
                request=case,
                letter=letter,
                method="email",
                addressee=letter.addressee,
                email="someone@example.jp",
                sent_on=today,
                sent_by=desk_user,
                text_sent=letter.body,
                state=DeliveryState.SENDING,
                recorded_at=timezone.now() - dt.timedelta(minutes=10),  # interrupted, not in progress
            )
            return reload(case)
        if status == ABANDONED:
            travel("2026-10-01")
            case = case_in(
                Status.AWAITING_REQUESTER,
                desk_user,
                policies[LEVERAGES],
                reached_on=D("2026-10-01"),
                documents=[document_data(DocumentKind.PASSPORT)],
            )
            letter = fill_in(case.letters.get(kind="request_missing", sent_at__isnull=True), desk_user)
            services.response_send(actor=desk_user, letter=letter, method="post")
            travel(TODAY)
            return reload(case)
        if status == HELD:
            case = make(Status.RECEIVED)
            services.hold_place(actor=manager_user, case=case, reason="訴訟係属中")
            return reload(case)
        if status == LINK_SENT:
            from requests_app.models import PortalAccess

            case = make(Status.RESPONDING)
            PortalAccess.objects.create(request=case, pin_hash="!")
            letter = fill_in(services.letter_draft(actor=desk_user, case=case, kind="result"), desk_user)
            services.response_send(actor=desk_user, letter=letter, method="download_link")
            return reload(case)
        if status == EXTENDABLE:
            policy = policies[LEVERAGES]
            policy.extension_limit, policy.extension_notice_limit = 14, 14
            policy.save()
            status = Status.IN_PROGRESS
        # A granted correction: entering "responding" creates its fulfilment task.
        kinds = ("correction",) if status in {Status.RESPONDING, Status.RESPONDED, Status.CLOSED} else ("disclosure",)
        return case_in(
            status,
            desk_user,
            policies[LEVERAGES],
            kinds=kinds,
            reached_on=today,
            approver=manager_user,
            documents=[document_data(DocumentKind.PASSPORT)],
        )

    return make


def reload(case):
    return Request.objects.get(pk=case.pk)


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def case_url(case):
    return admin_url("requests_app_request_change", case.pk)


def action_url(case, slug):
    url = admin_url("requests_app_request_action", case.pk, slug)
    target = ACTIONS[slug].target
    if target:
        related = {
            "item": case.items,
            "letter": case.letters,
            "task": case.tasks,
            "response": case.responses,
            "document": case.documents,
        }[target]
        url += f"?{target}={related.order_by('pk').first().pk}"
    return url


def assert_sent_to_login(response, url):
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert f"next={url.split('?')[0]}" in response.url


def assert_refused(response, who, status):
    """403/404 for a signed-in user; anonymous is sent to the login page instead."""
    if who == ANONYMOUS:
        assert_sent_to_login(response, response.request["PATH_INFO"])
    else:
        assert response.status_code == status


# ------------------------------------------------------------------------------------------
# The request list
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status", "sees_the_case"),
    [
        (ANONYMOUS, 302, False),
        (DESK, 200, True),
        (MANAGER, 200, True),
        (AUDITOR, 200, True),
        (OTHER_ORG, 200, False),
    ],
)
def test_request_list(signed_in, make_case, seed_orgs, who, status, sees_the_case):
    case = make_case()
    url = admin_url("requests_app_request_changelist")

    response = signed_in(who).get(url)

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
        return
    page = response.content.decode()
    assert (case.reference in page) is sees_the_case
    assert (case.data_subject.full_name in page) is sees_the_case
    # The organization filter offers only organizations the user may see.
    assert (seed_orgs[COPRO].name in page) is sees_the_case


def test_request_list_search_by_reference_finds_nothing_of_another_organization(signed_in, make_case):
    case = make_case()
    url = admin_url("requests_app_request_changelist")

    response = signed_in(OTHER_ORG).get(url, {"q": case.reference, "status": "all"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


# ------------------------------------------------------------------------------------------
# The request ledger and the statistics (issue 15): every desk role reads them, scoped
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status", "sees_the_case"),
    [
        (ANONYMOUS, 302, False),
        (DESK, 200, True),
        (MANAGER, 200, True),
        (AUDITOR, 200, True),
        (OTHER_ORG, 400, False),
    ],
)
@pytest.mark.parametrize("url_name", ["requests_app_request_ledger", "requests_app_request_statistics"])
def test_ledger_and_statistics(signed_in, make_case, seed_orgs, who, status, sees_the_case, url_name):
    case = make_case()
    url = admin_url(url_name)
    query = {"organization": case.organization_id, "first": "2026-01-01", "last": "2026-12-31"}

    response = signed_in(who).get(url, query)

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, url + "?" + "&".join(f"{k}={v}" for k, v in query.items()))
        return
    page = response.content.decode()
    # Another organization's user cannot choose it: the form refuses it, nothing is counted.
    assert (seed_orgs[COPRO].name in page) is sees_the_case
    if url_name.endswith("ledger"):
        assert (case.reference in page) is sees_the_case
        assert case.data_subject.full_name not in page  # the ledger names no one
        client = signed_in(who)
        started = client.post(url + "?" + "&".join(f"{k}={v}" for k, v in query.items()), {"format": "csv"})
        assert started.status_code == (302 if status == 200 else status)  # an export job (issue 16)
        if sees_the_case:
            assert case.reference in content(made(client)).decode()
    else:
        assert (response.context.get("stats") is not None and response.context["stats"].total == 1) is sees_the_case


# ------------------------------------------------------------------------------------------
# Intake
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status", "offers_seed_policies"),
    [
        (ANONYMOUS, 302, False),
        (DESK, 200, True),
        (MANAGER, 200, True),
        (AUDITOR, 403, False),
        (OTHER_ORG, 200, False),
    ],
)
def test_intake_page(signed_in, seed_orgs, who, status, offers_seed_policies):
    url = admin_url("requests_app_request_add")

    response = signed_in(who).get(url)

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
    if status == 200:
        # The policy drop-down lists only the user's organizations.
        assert (seed_orgs[COPRO].name in response.content.decode()) is offers_seed_policies


@pytest.mark.parametrize("who", [ANONYMOUS, AUDITOR])
def test_intake_post_is_refused_to_those_who_cannot_register(signed_in, policies, travel, who):
    travel(TODAY)
    url = admin_url("requests_app_request_add")

    response = signed_in(who).post(url, {"policy": policies[COPRO].pk, "channel": "post", "reached_on": TODAY})

    assert_refused(response, who, 403)
    assert Request.objects.count() == 0


# ------------------------------------------------------------------------------------------
# The case page
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status", "can_act"),
    [
        (ANONYMOUS, 302, False),
        (DESK, 200, True),
        (MANAGER, 200, True),
        (AUDITOR, 200, False),
        (OTHER_ORG, 404, False),
    ],
)
def test_case_page(signed_in, make_case, who, status, can_act):
    case = make_case()

    response = signed_in(who).get(case_url(case))

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, case_url(case))
    if status != 200:
        assert case.reference not in response.content.decode()
        return
    page = response.content.decode()
    assert case.reference in page
    # Action buttons and the edit form (it carries the hidden case version) only for who may change.
    assert ("/action/" in page) is can_act
    assert ("/action/start-verification/" in page) is can_act
    assert ('name="version"' in page) is can_act
    assert (response.context["edit_form"] is not None) is can_act
    # Everyone who may open the case may read its history, and the page links to it.
    assert admin_url("requests_app_request_case_history", case.pk) in page


def test_case_page_needs_the_view_permission(client, make_case, seed_orgs):
    case = make_case()
    no_role = UserFactory(username="no_role", organizations=seed_orgs.values())  # staff, in scope, no group
    client.force_login(no_role)
    assert client.get(admin_url("requests_app_request_changelist")).status_code == 403

    response = client.get(case_url(case))

    assert response.status_code == 403
    assert case.data_subject.full_name not in response.content.decode()


@pytest.mark.parametrize(("who", "sees_approval_buttons"), [(DESK, False), (MANAGER, True), (AUDITOR, False)])
def test_approval_buttons_only_for_managers(signed_in, make_case, who, sees_approval_buttons):
    case = make_case(Status.AWAITING_APPROVAL)

    page = signed_in(who).get(case_url(case)).content.decode()

    for slug in sorted(MANAGER_ONLY):
        assert (f"/action/{slug}/" in page) is sees_approval_buttons


@pytest.mark.parametrize("who", EVERYONE)
def test_cases_are_never_deleted(signed_in, make_case, who):
    case = make_case()
    url = admin_url("requests_app_request_delete", case.pk)

    get, post = signed_in(who).get(url), signed_in(who).post(url, {"post": "yes"})

    for response in (get, post):
        assert_refused(response, who, 403)
    assert Request.objects.filter(pk=case.pk).exists()


# ------------------------------------------------------------------------------------------
# Case actions: every action, in a state where it is offered
# ------------------------------------------------------------------------------------------
# A status in which each action is available (see ``make_case``).
ACTION_STATUS = {
    "start-verification": Status.RECEIVED,
    "verify": Status.VERIFYING,
    "record-document": Status.RECEIVED,
    "record-form": BY_PHONE,
    "attach-file": Status.RECEIVED,  # the driver's licence was recorded without its file
    "check-sending": SENDING_CHECK,
    "dispose-documents": Status.RECEIVED,
    "dispose-form": Status.CLOSED,
    "record-payment": Status.RECEIVED,
    "pause": Status.RECEIVED,
    "resume": Status.AWAITING_REQUESTER,
    "decide": Status.IN_PROGRESS,
    "submit-decisions": Status.IN_PROGRESS,
    "approve": Status.AWAITING_APPROVAL,
    "return": Status.AWAITING_APPROVAL,
    "withdraw": Status.RECEIVED,
    "withdraw-no-answer": ABANDONED,
    "reject": Status.RECEIVED,
    "edit-people": Status.RECEIVED,
    "draft-letter": Status.RECEIVED,
    "edit-letter": Status.AWAITING_REQUESTER,  # the request for information was drafted when pausing
    "send-letter": Status.AWAITING_REQUESTER,
    "discard-letter": Status.AWAITING_REQUESTER,
    "record-return": Status.RESPONDED,
    "revoke-link": LINK_SENT,
    "hold": Status.RECEIVED,
    "lift-hold": HELD,
    "complete-task": Status.RESPONDED,
    "extend": EXTENDABLE,
    "close": Status.RESPONDED,
}


def expected_action_status(who, slug):
    if who == ANONYMOUS:
        return 302  # to the login page
    if who == AUDITOR:
        return 403  # read-only: no action at all
    if who == OTHER_ORG:
        # The permission is checked before the case is looked up: a manager-only action is a 403,
        # every other action a 404 (the case is outside the user's organizations).
        return 403 if slug in MANAGER_ACTIONS else 404
    if who == DESK:
        return 403 if slug in MANAGER_ACTIONS else 200
    return 200  # manager


def test_the_matrix_covers_every_action():
    assert set(ACTION_STATUS) == set(ACTIONS)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("slug", sorted(ACTION_STATUS))
def test_action_page(signed_in, make_case, who, slug):
    case = make_case(ACTION_STATUS[slug])
    assert allowed(case, ACTIONS[slug].op)
    url = action_url(case, slug)
    expected = expected_action_status(who, slug)

    response = signed_in(who).get(url)

    assert response.status_code == expected
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
    elif expected == 200:
        page = response.content.decode()
        assert response.context["action"].slug == slug
        assert f'name="version" value="{case.version}"' in page
        assert case.reference in page
    else:
        assert case.reference not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [(ANONYMOUS, 302), (AUDITOR, 403), (OTHER_ORG, 404)],
)
def test_action_post_is_refused_and_changes_nothing(signed_in, make_case, who, status):
    case = make_case()

    response = signed_in(who).post(action_url(case, "start-verification"), {"version": case.version, "note": ""})

    assert_refused(response, who, status)
    after = reload(case)
    assert (after.status, after.version) == (Status.RECEIVED, case.version)


def test_desk_staff_cannot_approve_by_posting_either(signed_in, make_case):
    case = make_case(Status.AWAITING_APPROVAL)

    response = signed_in(DESK).post(action_url(case, "approve"), {"version": case.version, "comment": "承認"})

    assert response.status_code == 403
    assert reload(case).status == Status.AWAITING_APPROVAL
    assert not case.approvals.exists()


def test_unknown_action_is_404(signed_in, make_case):
    case = make_case()

    response = signed_in(DESK).get(admin_url("requests_app_request_action", case.pk, "delete-everything"))

    assert response.status_code == 404


def test_action_not_offered_in_the_status_goes_back_to_the_case(signed_in, make_case):
    case = make_case(Status.IN_PROGRESS)

    response = signed_in(DESK).post(action_url(case, "start-verification"), {"version": case.version, "note": ""})

    assert response.status_code == 302
    assert response.url == case_url(case)
    assert reload(case).status == Status.IN_PROGRESS


def test_desk_staff_start_verification(signed_in, make_case, desk_user):
    case = make_case()
    assert case.status == Status.RECEIVED

    response = signed_in(DESK).post(action_url(case, "start-verification"), {"version": case.version, "note": ""})

    assert response.status_code == 302
    assert response.url == case_url(case)
    after = reload(case)
    assert after.status == Status.VERIFYING
    assert after.version == case.version + 1
    assert after.assignee == desk_user
    row = after.history.latest()
    assert (row.history_user, row.history_operation) == (desk_user, "start_verification")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Another member of staff saved case {reference} after you opened it."),
        ("ja", "案件 {reference} は、あなたが開いた後に他の職員が保存しました。"),
    ],
)
def test_stale_version_shows_the_conflict_and_changes_nothing(
    client, make_case, desk_user, desk_user2, language, message
):
    desk_user.language = language
    desk_user.save()
    client.force_login(desk_user)
    case = make_case()
    url = action_url(case, "start-verification")
    seen = client.get(url).context["form"].initial["version"]
    # A colleague edits the case while the form is open.
    services.request_update(actor=desk_user2, case=case, notes="鈴木のメモ")

    response = client.post(url, {"version": seen, "note": ""})

    assert response.status_code == 200
    assert message.format(reference=case.reference) in response.content.decode()
    after = reload(case)
    assert after.status == Status.RECEIVED
    assert after.version == seen + 1  # only the colleague's save
    assert after.assignee is None


# ------------------------------------------------------------------------------------------
# Case history
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [(ANONYMOUS, 302), (DESK, 200), (MANAGER, 200), (AUDITOR, 200), (OTHER_ORG, 404)],
)
@pytest.mark.parametrize("url_name", ["requests_app_request_case_history", "requests_app_request_history"])
def test_case_history(signed_in, make_case, desk_user, who, status, url_name):
    case = make_case()
    url = admin_url(url_name, case.pk)

    response = signed_in(who).get(url)

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
    page = response.content.decode()
    if status == 200:
        assert "受付登録" in page  # the registration, with its reason
        assert desk_user.get_full_name() in page
    else:
        assert "受付登録" not in page


# ------------------------------------------------------------------------------------------
# Desk set-up: organizations and desk policies
# ------------------------------------------------------------------------------------------
def admin_form_data(response, **changes):
    """The POST a browser sends back for the admin form on the page, with ``changes`` applied."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.field.prepare_value(field.value())
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    data.update(changes)
    return data


SETUP = {
    "deskpolicy": lambda seed_orgs: DeskPolicy.objects.get(organization=seed_orgs[COPRO]),
    "organization": lambda seed_orgs: Organization.objects.get(pk=seed_orgs[COPRO].pk),
}
# A harmless change to each, through its form.
SETUP_CHANGE = {"deskpolicy": "deadline_notes", "organization": "desk_hours"}


@pytest.mark.parametrize(
    ("who", "status", "sees_seed"),
    [
        (ANONYMOUS, 302, False),
        (DESK, 200, True),
        (MANAGER, 200, True),
        (AUDITOR, 200, True),
        # Neither in the rows nor in the organization filter of the side bar.
        (OTHER_ORG, 200, False),
    ],
)
@pytest.mark.parametrize("model", sorted(SETUP))
def test_setup_list(signed_in, seed_orgs, model, who, status, sees_seed):
    url = admin_url(f"requests_app_{model}_changelist")

    response = signed_in(who).get(url)

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
        return
    page = response.content.decode()
    assert (seed_orgs[COPRO].name in page) is sees_seed
    assert (seed_orgs[LEVERAGES].name in page) is sees_seed
    # The rows themselves are scoped either way.
    shown = {getattr(row, "organization_id", row.pk) for row in response.context["cl"].result_list}
    assert (seed_orgs[COPRO].pk in shown) is sees_seed


@pytest.mark.parametrize(
    ("who", "status", "can_save"),
    [
        (ANONYMOUS, 302, False),
        (DESK, 200, False),
        (MANAGER, 200, True),
        (AUDITOR, 200, False),
        (OTHER_ORG, 302, False),  # not in the user's organizations: "does not exist", back to the index
    ],
)
@pytest.mark.parametrize("model", sorted(SETUP))
def test_setup_change_page(signed_in, seed_orgs, model, who, status, can_save):
    obj = SETUP[model](seed_orgs)
    url = admin_url(f"requests_app_{model}_change", obj.pk)

    response = signed_in(who).get(url)

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
    elif who == OTHER_ORG:
        assert response.url == admin_url("index")
    else:
        page = response.content.decode()
        assert seed_orgs[COPRO].name in page
        assert ('name="_save"' in page) is can_save


@pytest.mark.parametrize(
    ("who", "status"),
    # Desk staff (of any organization) and auditors may only view the set-up.
    [(ANONYMOUS, 302), (DESK, 403), (MANAGER, 302), (AUDITOR, 403), (OTHER_ORG, 403)],
)
@pytest.mark.parametrize("model", sorted(SETUP))
def test_setup_change_post(signed_in, client, manager_user, seed_orgs, model, who, status):
    obj = SETUP[model](seed_orgs)
    field = SETUP_CHANGE[model]
    url = admin_url(f"requests_app_{model}_change", obj.pk)
    # The form exactly as a manager sees it; then whoever ``who`` is sends it.
    client.force_login(manager_user)
    data = admin_form_data(client.get(url), **{field: "変更テスト", "change_reason": "窓口時間の変更"})
    client.logout()

    response = signed_in(who).post(url, data)

    assert response.status_code == status
    after = SETUP[model](seed_orgs)
    if who == MANAGER:
        assert response.url == admin_url(f"requests_app_{model}_changelist")
        assert getattr(after, field) == "変更テスト"
        row = after.history.latest()
        assert (row.history_user, row.history_change_reason) == (manager_user, "窓口時間の変更")
    else:
        assert_refused(response, who, status)
        assert getattr(after, field) == getattr(obj, field)


@pytest.mark.parametrize(
    ("who", "status"),
    [(ANONYMOUS, 302), (DESK, 403), (MANAGER, 200), (AUDITOR, 403), (OTHER_ORG, 403)],
)
@pytest.mark.parametrize("model", sorted(SETUP))
def test_setup_add_page(signed_in, seed_orgs, model, who, status):
    url = admin_url(f"requests_app_{model}_add")

    response = signed_in(who).get(url)

    assert response.status_code == status
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
