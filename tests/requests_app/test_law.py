"""The law applied right (issue 10): each test names the article it holds the desk to.

Sources: APPI (as amended 2022) Arts. 32–39; Civil Code Arts. 140, 143; PPC Guidelines
(General Rules) 3-8; SPEC §5–§8.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from requests_app import derived, services
from requests_app.deadlines import BusinessCalendar
from requests_app.models import (
    ClockStart,
    DocumentKind,
    FeeBasis,
    Ground,
    ItemKind,
    Outcome,
    Request,
    Status,
    grounds_for,
)
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP
from tests.factories import (
    REFUSALS,
    DeskPolicyFactory,
    OrganizationFactory,
    case_in,
    document_data,
    fill_in,
    register,
    subject_data,
)

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------
# Art. 39: when the person may sue
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reached", "may_sue"),
    [
        ("2026-03-02", "2026-03-17"),  # SPEC §5's worked example: Mon → Tue two weeks and a day later
        ("2026-01-31", "2026-02-15"),  # across a month end
        ("2026-02-14", "2026-03-01"),  # across February (28 days)
        ("2028-02-14", "2028-02-29"),  # a leap year
        ("2026-12-20", "2027-01-04"),  # across the year end: calendar days, the closure does not matter
        ("2026-12-31", "2027-01-15"),
    ],
)
def test_art39_date_is_the_15th_day_after_the_request_reached_us(travel, desk_user, policies, reached, may_sue):
    """APPI Art. 39-1: no suit until two weeks have passed from the day the request reached the
    business; Civil Code Art. 140 (the first day is not counted) and Art. 143 (a period in weeks ends
    on the day before the same weekday): the person may sue from the 15th day after arrival."""
    travel(reached)
    case = register(desk_user, policies[JUO], reached_on=D(reached))

    assert case.art39_on == D(may_sue)
    assert Request.objects.art39_passed(D(may_sue)).filter(pk=case.pk).exists()
    assert not Request.objects.art39_passed(D(may_sue) - dt.timedelta(days=1)).filter(pk=case.pk).exists()


def test_art39_does_not_cover_purpose_notices(travel, desk_user, policies):
    """APPI Art. 39-1 names the requests under Arts. 33-1, 34-1, 35-1/3/5 — not the purpose
    notice of Art. 32-2: a case of purpose notices only has no Art. 39 date; a mixed case has one."""
    travel("2026-03-02")
    notice_only = register(desk_user, policies[COPRO], kinds=("purpose_notice",), reached_on=D("2026-03-02"))
    mixed = register(desk_user, policies[COPRO], kinds=("purpose_notice", "disclosure"), reached_on=D("2026-03-02"))

    assert notice_only.art39_on is None
    assert mixed.art39_on == D("2026-03-17")
    assert not Request.objects.art39_passed(D("2026-12-31")).filter(pk=notice_only.pk).exists()


def test_after_a_refusal_the_person_may_sue_at_once(travel, desk_user, manager_user, policies):
    """APPI Art. 39-1 proviso: the two weeks do not apply once the business has refused the
    request: the Art. 39 date becomes the day the (partial) refusal was sent."""
    travel("2026-03-02")
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        reached_on=D("2026-03-02"),
        documents=[document_data(DocumentKind.PASSPORT)],
        decisions={"disclosure": REFUSALS["disclosure"]},
        approver=manager_user,
    )
    travel("2026-03-05")
    letter = services.letter_draft(actor=desk_user, case=case, kind="result")
    services.response_send(actor=desk_user, letter=letter, method="post")

    case.refresh_from_db()
    assert case.art39_on == D("2026-03-05")
    assert derived.art39_on(case) == case.art39_on


# ------------------------------------------------------------------------------------------
# Days left and overdue: one computation, every day of the week
# ------------------------------------------------------------------------------------------
JP = BusinessCalendar()


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        ("2026-11-20", "2026-11-20", 0),  # Fri, due Fri: due today
        ("2026-11-21", "2026-11-20", -1),  # Sat, due the Friday before: overdue, not "due today"
        ("2026-11-22", "2026-11-20", -1),  # Sun
        ("2026-11-24", "2026-11-20", -1),  # Tue after Labour Thanksgiving Day (Mon 23): one business day late
        ("2026-11-25", "2026-11-20", -2),
        ("2026-11-21", "2026-11-24", 1),  # Sat, due Tue: Mon 23 is a holiday → Tue is the 1st business day
        ("2026-12-31", "2026-12-28", -1),  # in the year-end closure, due before it: overdue
        ("2027-01-02", "2027-01-04", 1),  # in the closure, due on the first business day after it
    ],
)
def test_days_left_and_overdue_agree_on_every_day(today, due, left):
    """SPEC §5: "days left" and "overdue" are one computation — on a non-business day a case due on
    the last business day before it is overdue, and the list filter (``due_on < today``) agrees."""
    assert derived.days_left(JP, D(today), D(due)) == left
    assert (left < 0) == (D(due) < D(today))
    assert (left == 0) == (D(due) == D(today))


# ------------------------------------------------------------------------------------------
# Verification by holder and role (SPEC §6)
# ------------------------------------------------------------------------------------------
K = DocumentKind
REACHED = "2026-11-20"


def agent_case(travel, desk_user, policy, agent_type, documents, **subject):
    travel(REACHED)
    return register(
        desk_user,
        policy,
        reached_on=D(REACHED),
        agent={"agent_type": agent_type, "family_name": "代理", "given_name": "人"},
        subject={"family_name": "山田", "given_name": "花子", **subject},
        documents=documents,
    )


def missing(case):
    return " / ".join(derived.identity_missing(Request.objects.get(pk=case.pk), on=D(REACHED)))


def test_one_document_never_counts_twice(travel, desk_user, policies):
    """SPEC §6: one eligibility certificate listing the dependants cannot be both the minor's
    representative's proof of relation and the representative's own ID (PPC Guidelines 3-8-4)."""
    card = document_data(K.ELIGIBILITY_CERTIFICATE, holder="agent")
    case = agent_case(travel, desk_user, policies[COPRO], "minor_legal_rep", [card], birth_date=D("2012-05-01"))
    assert "代理人自身の本人確認書類" in missing(case)

    services.document_record(
        actor=desk_user, case=case, **document_data(K.DRIVERS_LICENSE, holder="agent", received_on=D(REACHED))
    )
    assert missing(case) == ""


def test_the_agents_own_id_must_be_the_agents(travel, desk_user, policies):
    """SPEC §6 / PPC Guidelines 3-8-4: the agent's identity is checked on the agent's own document;
    the data subject's licence does not stand in for it."""
    case = agent_case(
        travel,
        desk_user,
        policies[COPRO],
        "entrusted",
        [
            document_data(K.POWER_OF_ATTORNEY),
            document_data(K.SEAL_REGISTRATION_CERTIFICATE),
            document_data(K.DRIVERS_LICENSE, holder="data_subject"),
        ],
    )
    assert missing(case) != ""

    services.document_record(
        actor=desk_user, case=case, **document_data(K.DRIVERS_LICENSE, holder="agent", received_on=D(REACHED))
    )
    assert missing(case) == ""


def test_the_seal_certificate_must_be_the_data_subjects(travel, desk_user, policies):
    """SPEC §6: the seal registration certificate proves the seal of whoever signed the power of
    attorney — the data subject (COPRO's policy asks for it); the agent's own certificate proves nothing."""
    case = agent_case(
        travel,
        desk_user,
        policies[COPRO],
        "entrusted",
        [
            document_data(K.POWER_OF_ATTORNEY),
            document_data(K.SEAL_REGISTRATION_CERTIFICATE, holder="agent"),
            document_data(K.DRIVERS_LICENSE, holder="agent"),
        ],
    )
    assert "印鑑登録証明書" in missing(case)


@pytest.mark.parametrize(
    ("birth_date", "allowed"),
    [
        ("2008-11-21", True),  # 17 on the day it reached us (18 the next day)
        ("2008-11-20", False),  # 18 on that very day: an adult
        ("1990-01-01", False),
        (None, False),  # unknown: the desk must record it
    ],
)
def test_a_minors_representative_needs_a_data_subject_under_18(travel, desk_user, policies, birth_date, allowed):
    """Civil Code Art. 4 (age of majority 18 since 2022-04-01) and APPI Art. 37-3 / Order Art. 13:
    a legal representative of a minor acts only for a person under 18 on the day the request reached us."""
    subject = {"birth_date": D(birth_date)} if birth_date else {}
    case = agent_case(
        travel,
        desk_user,
        policies[COPRO],
        "minor_legal_rep",
        [document_data(K.FAMILY_REGISTER_EXTRACT), document_data(K.DRIVERS_LICENSE, holder="agent")],
        **subject,
    )
    assert (missing(case) == "") is allowed


def test_an_adult_guardian_needs_the_guardianship_certificate(travel, desk_user, policies):
    """APPI Order Art. 13 / PPC Guidelines 3-8-4: an adult guardian proves the appointment with the
    certificate of registered matters (後見登記等に関する登記事項証明書)."""
    case = agent_case(
        travel, desk_user, policies[LEVERAGES], "adult_guardian", [document_data(K.DRIVERS_LICENSE, holder="agent")]
    )
    assert "後見" in missing(case)


def test_a_stale_certificate_is_refused_with_its_reason(travel, desk_user, policies):
    """SPEC §6: a policy may require certificates issued within 3 or 6 months, counted from the
    document's issue date (to the day we received it)."""
    policy = policies[COPRO]
    policy.certificate_max_age_months = 3
    policy.save()
    case = agent_case(
        travel,
        desk_user,
        policy,
        "entrusted",
        [
            document_data(K.POWER_OF_ATTORNEY),
            document_data(K.SEAL_REGISTRATION_CERTIFICATE, issued_on=D("2026-08-19")),  # 3 months and a day
            document_data(K.DRIVERS_LICENSE, holder="agent"),
        ],
    )
    assert "3" in missing(case) and "印鑑登録証明書" in missing(case)

    services.document_record(
        actor=desk_user,
        case=case,
        **document_data(K.SEAL_REGISTRATION_CERTIFICATE, issued_on=D("2026-08-20"), received_on=D(REACHED)),
    )
    assert missing(case) == ""


def test_an_expired_id_is_refused_with_its_reason(travel, desk_user, policies):
    """SPEC §6: documents must be valid on the day they are checked."""
    travel(REACHED)
    case = register(
        desk_user,
        policies[LEVERAGES],
        reached_on=D(REACHED),
        documents=[document_data(K.PASSPORT, valid_until=D("2026-11-19"))],
    )
    text = missing(case)
    assert "2026-11-19" in text


@pytest.mark.parametrize(
    ("reached", "accepted"), [("2025-11-28", True), ("2025-12-01", True), ("2025-12-02", False), ("2026-11-20", False)]
)
def test_health_insurance_cards_count_only_for_requests_before_december_2025(
    travel, desk_user, policies, reached, accepted
):
    """SPEC §6: health-insurance cards were valid at the longest until 2025-12-01 (the eligibility
    certificate replaced them); they count only for requests that reached us by that day."""
    travel(reached)
    policy = policies[LEVERAGES]
    case = register(desk_user, policy, reached_on=D(reached), documents=[document_data(K.HEALTH_INSURANCE_CARD)])
    assert (derived.identity_missing(case, on=D(reached)) == []) is accepted


def test_leverages_agents_also_send_the_persons_id(travel, desk_user, policies):
    """seeds/004 3) b.: an agent sends the person's ID "in addition", and the agent's own driver's
    licence or health-insurance document (a passport of the agent's is not on that list)."""
    case = agent_case(
        travel,
        desk_user,
        policies[LEVERAGES],
        "entrusted",
        [document_data(K.POWER_OF_ATTORNEY), document_data(K.PASSPORT, holder="agent")],
    )
    assert "代理人自身の本人確認書類" in missing(case) and "本人の本人確認書類" in missing(case)

    for kind, holder in ((K.DRIVERS_LICENSE, "agent"), (K.PASSPORT, "data_subject")):
        services.document_record(
            actor=desk_user, case=case, **document_data(kind, holder=holder, received_on=D(REACHED))
        )
    assert missing(case) == ""


# ------------------------------------------------------------------------------------------
# Grounds paired with kinds (Arts. 32–35)
# ------------------------------------------------------------------------------------------
G = Ground
_35_1 = {G.BEYOND_PURPOSE, G.IMPROPER_USE, G.IMPROPER_ACQUISITION}  # breach of Arts. 18 / 19 / 20
_35_5 = {G.NO_LONGER_NEEDED, G.LEAK_OCCURRED, G.HARM_TO_RIGHTS}
_33_2 = {G.HARM_TO_PERSON, G.BUSINESS_INTERFERENCE, G.OTHER_LAW}
_34 = {G.NOT_INACCURATE, G.CORRECTION_OTHER_PROCEDURE, G.CORRECTION_NOT_NEEDED}
_32_2 = {G.PURPOSE_ALREADY_CLEAR, G.ART21_4_I, G.ART21_4_II, G.ART21_4_III}
# (kind, outcome) → the grounds the law pairs with it; every pair not listed takes none.
ALLOWED = {
    # Art. 35-1 → suspension of use or erasure; Art. 35-3 (Arts. 27-1/28) → suspension of provision;
    # Art. 35-5 → all three; VOLUNTARY: granted without an obligation (SPEC §8).
    **{(kind, outcome): _35_1 | _35_5 | {G.VOLUNTARY}
       for kind in ("suspension_of_use", "erasure") for outcome in ("comply", "partial")},
    **{("suspension_of_provision", outcome): {G.UNLAWFUL_PROVISION} | _35_5 | {G.VOLUNTARY}
       for outcome in ("comply", "partial")},
    **{(kind, "refuse"): {G.NO_STATUTORY_GROUND}
       for kind in ("suspension_of_use", "erasure", "suspension_of_provision")},
    # Provisos of Art. 35-2/4/6: large cost or other difficulty → alternative measure.
    **{(kind, "alternative"): {G.EXCESSIVE_COST}
       for kind in ("suspension_of_use", "erasure", "suspension_of_provision")},
    # Art. 33-2 (i)–(iii) and Art. 33-4 for disclosure; Art. 33-5 applies only 33-1..3 to records.
    **{("disclosure", outcome): _33_2 | {G.DISCLOSED_UNDER_OTHER_LAW} for outcome in ("partial", "refuse")},
    **{("third_party_record_disclosure", outcome): _33_2 for outcome in ("partial", "refuse")},
    # Art. 34: not inaccurate; another law's own procedure; not needed for the purpose of use.
    **{(kind, outcome): _34 for kind in ("correction", "addition", "deletion") for outcome in ("partial", "refuse")},
    # Art. 32-2: the purpose is already clear; the Art. 21-4 (i)–(iii) cases.
    ("purpose_notice", "refuse"): _32_2,
}  # fmt: skip


DECIDED_OUTCOMES = [Outcome.COMPLY, Outcome.PARTIAL, Outcome.REFUSE, Outcome.ALTERNATIVE]


@pytest.mark.parametrize("outcome", DECIDED_OUTCOMES)
@pytest.mark.parametrize("kind", list(ItemKind))
def test_every_ground_is_paired_only_with_its_kinds(kind, outcome):
    """APPI Arts. 32-2, 33-2, 33-4, 33-5, 34, 35-1/3/5 and their provisos: for every kind and
    outcome, the grounds offered are exactly those the law pairs with them (``ALLOWED``; none where
    the pair is not listed)."""
    assert set(grounds_for(kind, outcome)) == ALLOWED.get((kind, outcome), set())


@pytest.mark.parametrize("kind", list(ItemKind))
def test_the_service_accepts_a_paired_ground_and_refuses_any_other(travel, desk_user, policies, kind):
    """The decision service applies the table: for each kind, a ground of another kind is refused
    on the "ground" field, and (where the kind has one) its own ground is accepted."""
    travel(REACHED)
    case = case_in(Status.IN_PROGRESS, desk_user, policies[JUO], kinds=(kind,), reached_on=D(REACHED))
    item = case.items.get()
    extra = {"method_used": "paper"} if kind in {"disclosure", "third_party_record_disclosure"} else {}
    for outcome in DECIDED_OUTCOMES:
        own = sorted(ALLOWED.get((kind, outcome), set()))
        foreign = sorted(set(Ground) - set(own))
        with pytest.raises(ValidationError) as refused:
            services.item_decide(
                actor=desk_user, item=item, outcome=outcome, ground=foreign[0], reason_text="理由", **extra
            )
        assert "ground" in refused.value.message_dict or "outcome" in refused.value.message_dict
        if own:
            services.item_decide(
                actor=desk_user,
                item=item,
                outcome=outcome,
                ground=own[0],
                reason_text="理由",
                alternative_measure="措置",
                **extra,
            )


def test_a_voluntary_grant_is_printed_as_such(travel, desk_user, policies):
    """SPEC §8: granting where the law does not oblige us is its own basis, never dressed as a
    statutory ground: the letter says "no legal obligation" and names no article."""
    travel(REACHED)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[JUO],
        kinds=("suspension_of_provision",),
        reached_on=D(REACHED),
        decisions={"suspension_of_provision": {"outcome": Outcome.COMPLY, "ground": G.VOLUNTARY}},
    )
    letter = services.letter_draft(actor=desk_user, case=case, kind="result")
    assert "法令上の義務" in letter.body and "法35条" not in letter.body


# ------------------------------------------------------------------------------------------
# Self-service only where offered (SPEC §8)
# ------------------------------------------------------------------------------------------
def test_self_service_answers_need_no_verification_where_the_policy_offers_it(travel, desk_user, policies):
    """SPEC §8: "resolved by self-service" is not an APPI outcome: only for the kinds the policy's
    self-service covers (PLUS UP's My Page), and such a case needs no verification record."""
    travel(REACHED)
    case = register(desk_user, policies[PLUS_UP], kinds=("correction",), reached_on=D(REACHED))

    services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.SELF_SERVICE)
    services.request_submit_decisions(actor=desk_user, case=case)

    case.refresh_from_db()
    assert case.status == Status.RESPONDING and not case.verifications.exists()


def test_self_service_is_refused_for_kinds_the_policy_does_not_cover(travel, desk_user, policies):
    """SPEC §8: PLUS UP's My Page does not cover erasure; JUO offers no self-service at all."""
    travel(REACHED)
    erasure = register(desk_user, policies[PLUS_UP], kinds=("erasure",), reached_on=D(REACHED))
    juo = case_in(Status.IN_PROGRESS, desk_user, policies[JUO], kinds=("disclosure",), reached_on=D(REACHED))

    for item in (erasure.items.get(), juo.items.get()):
        with pytest.raises(ValidationError) as refused:
            services.item_decide(actor=desk_user, item=item, outcome=Outcome.SELF_SERVICE)
        assert "outcome" in refused.value.message_dict


def test_before_verification_only_self_service_may_be_decided(travel, desk_user, policies):
    """SPEC §6/§8: a statutory answer (here a disclosure) needs the identity verified first."""
    travel(REACHED)
    case = register(desk_user, policies[PLUS_UP], kinds=("disclosure",), reached_on=D(REACHED))
    with pytest.raises(ValidationError):
        services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.COMPLY, method_used="paper")


# ------------------------------------------------------------------------------------------
# Fees per application (SPEC §7) and clocks per jurisdiction (SPEC §5)
# ------------------------------------------------------------------------------------------
def test_a_fee_per_application_is_charged_once(travel, desk_user, policies):
    """SPEC §7 / Art. 38-1: a policy may charge per application rather than per item."""
    travel(REACHED)
    policy = policies[COPRO]
    policy.fee_basis = FeeBasis.PER_APPLICATION
    policy.save()
    case = register(desk_user, policy, kinds=("purpose_notice", "disclosure", "correction"), reached_on=D(REACHED))
    assert derived.fee_status(case).due == 500
    policy.fee_basis = FeeBasis.PER_ITEM
    policy.save()
    per_item = register(desk_user, policy, kinds=("purpose_notice", "disclosure", "correction"), reached_on=D(REACHED))
    assert derived.fee_status(per_item).due == 1000


def abroad(desk_user, code: str, country: str, **rule):
    """A group company abroad (``country``'s holidays, no year-end closure) whose policy counts
    the deadline from receipt with ``rule``; ``desk_user`` works for it."""
    organization = OrganizationFactory(code=code, holiday_country=country)
    organization.staff.add(desk_user)
    return DeskPolicyFactory(organization=organization, deadline_counts_from=ClockStart.RECEIPT, **rule)


def test_a_gdpr_request_counts_from_receipt_whatever_verification_takes(travel, desk_user, seed_orgs):
    """GDPR Art. 12(3) (one month from receipt, +2 months with notice) for a group company abroad:
    the clock runs from the day the request reached us, not from the complete request, on the
    organization's own holidays (no Japanese year-end closure)."""
    travel("2026-12-21")
    policy = abroad(desk_user, "eu", "DE", deadline_unit="months", deadline_limit=1, extension_limit=2)
    case = register(desk_user, policy, reached_on=D("2026-12-21"), documents=[])  # no ID yet: not complete

    assert case.complete_on is None
    assert case.due_on == D("2027-01-21")  # one month from receipt; Jan 21 is a business day in Germany


def test_the_year_end_closure_is_the_default_for_japan_only():
    """SPEC §5: the Dec 29 – Jan 3 closure is the default of Japanese organizations only."""
    assert not BusinessCalendar().is_business_day(D("2026-12-30"))
    assert BusinessCalendar(country="DE").is_business_day(D("2026-12-30"))
    assert BusinessCalendar(country="US").is_business_day(D("2026-12-30"))
    assert BusinessCalendar(country="DE", year_end_closure=True).is_business_day(D("2026-12-30")) is False


def test_a_ccpa_request_is_answered_45_days_from_receipt(travel, desk_user):
    """CCPA Regs. §7021(b): respond within 45 calendar days of receipt, whatever verification takes
    (acknowledge within 10 business days, §7021(a)); US federal holidays, no Japanese closure."""
    travel("2026-12-21")
    policy = abroad(desk_user, "us", "US", deadline_unit="calendar_days", deadline_limit=45, acknowledgement_limit=10)
    case = register(desk_user, policy, reached_on=D("2026-12-21"))

    assert case.due_on == D("2027-02-04")  # Dec 21 + 45 days; a Thursday


# ------------------------------------------------------------------------------------------
# The desk's published procedure (SPEC §3, §9): channels, reply methods, forms kept
# ------------------------------------------------------------------------------------------
def test_a_channel_the_policy_does_not_accept_needs_a_recorded_reason(travel, desk_user, policies):
    """SPEC §3: Leverages takes requests "never by phone or inquiry form" (seeds/004 l.268). Staff
    may still accept one, but only saying why; the reason is kept on the case and in its history."""
    travel(REACHED)
    with pytest.raises(ValidationError) as refused:
        register(desk_user, policies[LEVERAGES], reached_on=D(REACHED), channel="phone")
    assert "channel_override_reason" in refused.value.message_dict
    assert not Request.objects.exists()

    case = register(
        desk_user,
        policies[LEVERAGES],
        reached_on=D(REACHED),
        channel="phone",
        channel_override_reason="聴覚に障害のある方の代理で電話受付",
    )
    assert case.channel_override_reason == "聴覚に障害のある方の代理で電話受付"
    assert case.history.get().channel_override_reason == case.channel_override_reason


def test_the_intake_form_keeps_what_was_typed_and_asks_for_the_reason(client, travel, desk_user, policies):
    """SPEC §16: a channel outside the policy is an error on the reason field, nothing is saved,
    and the page keeps what was typed."""
    from tests import desk

    travel(REACHED)
    client.force_login(desk_user)
    response, case = desk.register(
        client, policies[LEVERAGES], channel="phone", reached_on=REACHED, family_name="電話太郎"
    )
    assert case is None and response.status_code == 200
    page = response.content.decode()
    assert "受け付ける理由を記入" in page and "電話太郎" in page


def test_a_reply_method_the_policy_does_not_offer_needs_a_reason(travel, desk_user, manager_user, policies):
    """SPEC §3/§9: COPRO answers "in writing to the address … on the form" (seeds/003 l.152): an
    e-mail reply needs the reason, kept with the response."""
    travel(REACHED)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[COPRO],
        kinds=("correction",),
        reached_on=D(REACHED),
        documents=[document_data(K.DRIVERS_LICENSE)],
    )
    letter = services.letter_draft(actor=desk_user, case=case, kind="result")
    with pytest.raises(ValidationError) as refused:
        services.response_send(actor=desk_user, letter=letter, method="electronic_file")
    assert "method_override_reason" in refused.value.message_dict

    response = services.response_send(
        actor=desk_user, letter=letter, method="electronic_file", method_override_reason="来社時に手渡しを希望"
    )
    assert response.method_override_reason == "来社時に手渡しを希望"


def test_the_request_form_is_disposed_of_after_the_policys_period(travel, desk_user, policies):
    """SPEC §6 / seeds/004 l.261: forms are disposed of after a set period: the due day follows
    from the day the case ended, the desk is reminded, and the disposal is recorded."""
    policy = policies[LEVERAGES]
    policy.form_retention_days = 31  # due Mon 2026-12-21 (a Sunday would be reminded on Monday)
    policy.save()
    travel(REACHED)
    case = case_in(Status.CLOSED, desk_user, policy, reached_on=D(REACHED), documents=[document_data(K.PASSPORT)])
    assert case.form_disposal_due_on == case.ended_on + dt.timedelta(days=31)

    result = services.reminder_sweep(today=case.form_disposal_due_on, dry_run=True)
    assert (desk_user.pk, case.pk, "form_disposal_due") in {(r, c, str(k)) for r, c, k in result.planned}

    travel("2026-12-21")
    services.form_dispose(actor=desk_user, case=case, disposed_on=case.form_disposal_due_on, method="shredded")
    case.refresh_from_db()
    assert case.form_disposed_on and case.form_disposal_due_on is None
    assert case.history.latest().history_operation == "dispose_form"


# ------------------------------------------------------------------------------------------
# Letters say what happens (Arts. 33-3, 36)
# ------------------------------------------------------------------------------------------
def test_every_letter_answering_a_disclosure_says_why_the_method_differs(travel, desk_user, manager_user, policies):
    """Art. 33-2/33-3: paper where the requested method is difficult, and the reason printed —
    for a partial disclosure as for a full one."""
    travel(REACHED)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        reached_on=D(REACHED),
        documents=[document_data(K.PASSPORT)],
        decisions={
            "disclosure": {
                **REFUSALS["disclosure"],
                "method_used": "paper",
                "method_difference_reason": "電磁的記録での提供が困難なため",
            }
        },
        approver=manager_user,
        items=[{"kind": "disclosure", "requested_method": "electronic"}],
    )
    letter = services.letter_draft(actor=desk_user, case=case, kind="result")
    assert "電磁的記録での提供が困難なため" in letter.body


def test_a_purpose_notice_letter_cannot_go_out_with_a_blank_for_the_purposes(travel, desk_user, policies):
    """No letter promises what it does not contain: until the purposes are written in, the draft
    holds a marked blank and sending is refused."""
    travel(REACHED)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[JUO],
        kinds=("purpose_notice",),
        reached_on=D(REACHED),
    )
    letter = services.letter_draft(actor=desk_user, case=case, kind="result")
    assert "〔要記入" in letter.body and "別紙" not in letter.body
    with pytest.raises(services.TransitionNotAllowed):
        services.response_send(actor=desk_user, letter=letter, method="email")

    letter = fill_in(letter, desk_user, "・採用選考のため")
    assert "採用選考のため" in letter.body
    services.response_send(actor=desk_user, letter=letter, method="email")


def test_the_missing_documents_letter_says_the_clock_resumes(travel, desk_user, policies):
    """SPEC §5: a pause stops the count, and counting resumes after the answer — it does not
    restart; the letter says so."""
    travel(REACHED)
    case = case_in(
        Status.IN_PROGRESS, desk_user, policies[LEVERAGES], reached_on=D(REACHED), documents=[document_data(K.PASSPORT)]
    )
    services.request_pause(actor=desk_user, case=case, kind="information", note="対象期間の確認")
    letter = case.letters.get(kind="request_missing")
    assert "残りの期間で再開" in letter.body and "改めて計算" not in letter.body


def test_a_gdpr_extension_notice_runs_from_receipt_too(travel, desk_user):
    """GDPR Art. 12(3): the extension (two further months) must be notified within one month of
    receipt — the same day 0 as the deadline (SPEC §5)."""
    travel("2026-12-21")
    policy = abroad(
        desk_user, "eu2", "DE", deadline_unit="months", deadline_limit=1, extension_limit=2, extension_notice_limit=1
    )
    late = register(desk_user, policy, reached_on=D("2026-12-21"))
    in_time = register(desk_user, policy, reached_on=D("2026-12-21"))

    travel("2027-01-20")
    services.request_extend(actor=desk_user, case=in_time, reason="多数の請求が重なったため")
    in_time.refresh_from_db()
    assert in_time.due_on == D("2027-03-22")  # Dec 21 + 3 months = Sun Mar 21 → Mon Mar 22
    travel("2027-01-22")
    with pytest.raises(services.TransitionNotAllowed, match="2027-01-21"):
        services.request_extend(actor=desk_user, case=late, reason="多数の請求が重なったため")


# ------------------------------------------------------------------------------------------
# Found by trying to break it (issue 10 review)
# ------------------------------------------------------------------------------------------
def test_a_verified_identity_is_not_judged_again_when_the_id_expires_later(travel, desk_user, policies):
    """SPEC §6: documents are checked on the day of verification. A licence valid that day that
    expires before the fee arrives must not stop the clock from starting."""
    travel(REACHED)
    policy = policies[COPRO]
    case = register(
        desk_user,
        policy,
        kinds=("disclosure",),
        reached_on=D(REACHED),
        documents=[document_data(K.DRIVERS_LICENSE, valid_until=D(REACHED))],
    )
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome="verified", name_matches=True)
    travel("2026-11-24")
    services.payment_record(
        actor=desk_user, case=case, method="postal_money_order", amount=500, received_on=D("2026-11-24")
    )

    case.refresh_from_db()
    assert case.complete_on == D("2026-11-24") and case.due_on is not None


def test_verification_cannot_be_dated_before_the_documents_arrived(travel, desk_user, policies):
    """SPEC §6: a verification judges the documents in hand; it cannot predate them."""
    travel("2026-11-24")
    case = register(
        desk_user,
        policies[LEVERAGES],
        reached_on=D(REACHED),
        documents=[document_data(K.PASSPORT, received_on=D("2026-11-24"))],
    )
    services.request_start_verification(actor=desk_user, case=case)
    with pytest.raises(ValidationError) as refused:
        services.request_verify(actor=desk_user, case=case, outcome="verified", name_matches=True, on=D(REACHED))
    assert "on" in refused.value.message_dict


@pytest.mark.parametrize("birth_date", ["2026-11-21", "2030-01-01"])
def test_a_birth_date_after_the_request_reached_us_is_refused(travel, desk_user, policies, birth_date):
    """A date of birth after the day the request reached us is a typing error, never a "minor"."""
    travel(REACHED)
    with pytest.raises(ValidationError) as refused:
        register(desk_user, policies[COPRO], reached_on=D(REACHED), subject=subject_data(birth_date=D(birth_date)))
    assert "birth_date" in refused.value.message_dict
    case = register(desk_user, policies[COPRO], reached_on=D(REACHED))
    with pytest.raises(ValidationError):
        services.request_update_people(actor=desk_user, case=case, subject={"birth_date": D(birth_date)})


def test_art39_is_for_organizations_under_the_appi(travel, desk_user):
    """APPI Art. 39 governs our Japanese organizations; a group company abroad shows no such date."""
    travel("2026-12-21")
    policy = abroad(desk_user, "eu3", "DE", deadline_unit="months", deadline_limit=1)
    case = register(desk_user, policy, reached_on=D("2026-12-21"))
    assert case.art39_on is None


def test_a_clock_counted_from_receipt_is_never_not_started(travel, client, desk_user):
    """SPEC §5: where the deadline counts from receipt, the list's "not started" leaves it out."""
    travel("2026-12-21")
    policy = abroad(desk_user, "eu4", "DE", deadline_unit="months", deadline_limit=1)
    case = register(desk_user, policy, reached_on=D("2026-12-21"))
    client.force_login(desk_user)
    page = client.get("/admin/requests_app/request/", {"due": "not_started"}).content.decode()
    assert case.reference not in page


def test_a_reply_cannot_be_recorded_as_sent_before_its_letter_date(travel, desk_user, manager_user, policies):
    """Art. 39-1 proviso runs from the refusal: a reply dated before its own letter would move the
    Art. 39 date before the decision."""
    travel(REACHED)
    case = case_in(
        Status.RESPONDING,
        desk_user,
        policies[LEVERAGES],
        reached_on=D("2026-11-16"),
        documents=[document_data(K.PASSPORT, received_on=D("2026-11-16"))],
        decisions={"disclosure": REFUSALS["disclosure"]},
        approver=manager_user,
    )
    letter = services.letter_draft(actor=desk_user, case=case, kind="result")
    with pytest.raises(ValidationError) as refused:
        services.response_send(actor=desk_user, letter=letter, method="post", sent_on=D("2026-11-17"))
    assert "sent_on" in refused.value.message_dict


def test_a_form_is_not_disposed_of_before_the_policys_period_is_over(travel, desk_user, policies):
    """SPEC §6: the policy keeps forms for its period after the case ended: not earlier."""
    policy = policies[LEVERAGES]
    policy.form_retention_days = 31
    policy.save()
    travel(REACHED)
    case = case_in(Status.CLOSED, desk_user, policy, reached_on=D(REACHED), documents=[document_data(K.PASSPORT)])
    with pytest.raises(ValidationError) as refused:
        services.form_dispose(actor=desk_user, case=case, disposed_on=D(REACHED), method="shredded")
    assert "2026-12-21" in str(refused.value)


def test_changing_the_policy_moves_the_dates_of_its_cases(client, travel, manager_user, desk_user, policies):
    """A retention period set after cases ended still reaches them: saving the policy recomputes
    the cases' derived dates (form disposal, deadlines) — and the reminder follows."""
    from tests.desk import form_defaults

    policy = policies[LEVERAGES]
    travel(REACHED)
    case = case_in(Status.CLOSED, desk_user, policy, reached_on=D(REACHED), documents=[document_data(K.PASSPORT)])
    assert case.form_disposal_due_on is None
    client.force_login(manager_user)
    url = f"/admin/requests_app/deskpolicy/{policy.pk}/change/"
    form = form_defaults(client.get(url).content.decode())

    response = client.post(url, {**form, "form_retention_days": "31", "change_reason": "申請書の保管期間を設定"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.form_disposal_due_on == D("2026-12-21")


@pytest.mark.parametrize(
    ("field", "value"), [("certificate_max_age_months", "32767"), ("form_retention_days", "3000000")]
)
def test_policy_periods_have_sane_limits(client, manager_user, policies, field, value):
    """A period no desk uses (2,730 years) is refused on the form, never a 500 on every case later."""
    from tests.desk import form_defaults

    policy = policies[LEVERAGES]
    client.force_login(manager_user)
    url = f"/admin/requests_app/deskpolicy/{policy.pk}/change/"
    form = form_defaults(client.get(url).content.decode())

    response = client.post(url, {**form, field: value, "change_reason": "誤入力"})

    assert response.status_code == 200
    policy.refresh_from_db()
    assert getattr(policy, field) != int(value)


def test_the_purge_erases_the_exception_reasons(travel, desk_user, policies):
    """SPEC §14: the reasons staff wrote for a channel or reply method outside the policy may name
    the person; the retention purge erases them with the rest."""
    travel(REACHED)
    case = case_in(
        Status.CLOSED,
        desk_user,
        policies[JUO],
        kinds=("correction",),
        reached_on=D(REACHED),
        channel="post",
        channel_override_reason="山田様のご事情により郵送で受付",
        reply_method="post",
    )
    services.purge_expired(today=D("2040-01-01"))
    case.refresh_from_db()
    assert case.channel_override_reason == "" and case.responses.get().method_override_reason == ""
    assert not case.history.exclude(channel_override_reason="").exists()
