"""A calendar of cases whose reminders on Fri 2026-12-25 are known (SPEC §13), shared by the
service tests and the tests with a real worker. Dec 29 – Jan 3 closed; Jan 11 a holiday."""

import datetime as dt

import pytest

from requests_app import services
from requests_app.deadlines import BusinessCalendar
from requests_app.models import (
    DocumentKind,
    Outcome,
    PauseKind,
    PaymentMethod,
    ReminderKind,
    Status,
)
from requests_app.seeds import COPRO, JUO, LEVERAGES
from tests.factories import case_in, document_data, register

D = dt.date.fromisoformat
SWEEP_DAY = D("2026-12-25")
K = ReminderKind
JP = BusinessCalendar()


@pytest.fixture
def desk_calendar(travel, desk_user, desk_user2, manager_user, policies):
    """Cases whose conditions on SWEEP_DAY are known; returns ``{name: case}``."""
    leverages = policies[LEVERAGES]
    leverages.acknowledgement_limit = 3
    leverages.save()

    def acknowledged(case):
        acknowledgement = services.letter_draft(actor=case.assignee, case=case, kind="acknowledgement")
        services.response_send(actor=case.assignee, letter=acknowledgement, method="post")

    def leverages_case(name, due, assignee=desk_user, **kwargs):
        reached = JP.add_business_days(due, -14)  # Leverages answers in 14 business days
        travel(reached.isoformat())
        case = case_in(
            Status.IN_PROGRESS,
            assignee,
            leverages,
            reached_on=reached,
            assignee=assignee,
            documents=[document_data(DocumentKind.PASSPORT)],
            at_intake=acknowledged,
            **kwargs,
        )
        assert case.due_on == due, name
        return case

    cases = {
        "overdue": leverages_case("overdue", D("2026-12-24")),
        "due_today": leverages_case("due_today", D("2026-12-25"), assignee=desk_user2),
        "due_in_1": leverages_case("due_in_1", D("2026-12-28")),
        "due_in_2": leverages_case("due_in_2", D("2027-01-04")),  # nothing today
        # Dec 28, then Jan 4 and 5 after the closure.
        "due_in_3_over_new_year": leverages_case("due_in_3_over_new_year", D("2027-01-05")),
    }
    # Verified a while ago, ID copy still kept: Leverages disposes of copies at once.
    for name in ("overdue", "due_today", "due_in_1", "due_in_2", "due_in_3_over_new_year"):
        services.document_dispose(
            actor=desk_user,
            case=cases[name],
            documents=cases[name].documents.all(),
            disposed_on=cases[name].reached_on,
            method="shredded",
        )
    travel("2026-12-21")
    cases["disposal_due"] = case_in(
        Status.IN_PROGRESS,
        desk_user,
        leverages,
        reached_on=D("2026-12-21"),
        assignee=desk_user,
        documents=[document_data(DocumentKind.PASSPORT)],
        at_intake=acknowledged,
    )
    # Acknowledgement: reached Dec 21, due in 3 business days (Dec 24), not sent.
    cases["ack_due"] = register(desk_user, leverages, reached_on=D("2026-12-21"), assignee=desk_user)

    # Verification for 8 business days (more than the policy's 5), unassigned → the managers.
    travel("2026-12-15")
    cases["verification_long"] = register(desk_user, policies[JUO], reached_on=D("2026-12-15"))
    services.request_start_verification(actor=desk_user, case=cases["verification_long"])
    services.request_update(actor=desk_user, case=cases["verification_long"], assignee=None)

    # Paused since Dec 1 for the fee (16 business days > 10): COPRO, assigned to desk2.
    travel("2026-12-01")
    cases["fee_paused"] = register(
        desk_user2,
        policies[COPRO],
        reached_on=D("2026-12-01"),
        assignee=desk_user2,
        payments=[{"method": PaymentMethod.POSTAL_MONEY_ORDER, "amount": 100, "received_on": D("2026-12-01")}],
    )
    services.request_pause(actor=desk_user2, case=cases["fee_paused"], kind=PauseKind.FEE_SHORTFALL, note="不足額")

    # Reached Dec 10, unanswered: two weeks on Dec 24 (Art. 39) → the managers.
    travel("2026-12-10")
    cases["art39"] = register(desk_user, policies[JUO], reached_on=D("2026-12-10"), assignee=desk_user)

    # Answered: nothing, whatever its dates.
    travel("2026-11-02")
    cases["answered"] = case_in(
        Status.RESPONDED,
        desk_user,
        policies[JUO],
        kinds=("correction",),
        reached_on=D("2026-11-02"),
        assignee=desk_user,
        decisions={"correction": {"outcome": Outcome.NO_DATA}},
        reply_method="post",  # not e-mail: the only mail on the sweep day is the reminders
    )

    travel(SWEEP_DAY.isoformat())
    return cases


def expected(cases, desk, desk2, manager):
    # Reached on or before Dec 11 and unanswered (the verification case reached Dec 15: not yet).
    art39_cases = ["overdue", "due_today", "due_in_1", "due_in_2", "due_in_3_over_new_year", "fee_paused", "art39"]
    rows = {
        (desk, "overdue", K.OVERDUE),
        (manager, "overdue", K.OVERDUE),
        (desk2, "due_today", K.DUE_TODAY),
        (desk, "due_in_1", K.DUE_IN_1),
        (desk, "due_in_3_over_new_year", K.DUE_IN_3),
        (desk, "disposal_due", K.DISPOSAL_DUE),
        (desk, "ack_due", K.ACKNOWLEDGEMENT_DUE),
        (manager, "verification_long", K.VERIFICATION_LONG),
        (desk2, "fee_paused", K.FEE_WAITING_LONG),
        (desk, "art39", K.VERIFICATION_LONG),  # never verified since Dec 10
    }
    rows |= {(manager, name, K.ART39) for name in art39_cases}
    return rows


def planned(result, users, cases):
    by_pk = {case.pk: name for name, case in cases.items()}
    names = {user.pk: user for user in users}
    return {(names[r], by_pk[c], kind) for r, c, kind in result.planned}
