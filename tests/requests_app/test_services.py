"""The lifecycle of SPEC §4: every transition and its guard, the clock, history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from requests_app import derived, services
from requests_app.models import (
    AgentType,
    Channel,
    DocumentKind,
    Ground,
    Masking,
    Outcome,
    PauseKind,
    PaymentMethod,
    Request,
    Status,
    VerificationOutcome,
)
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP, RECRUIT_CC
from tests.factories import DeskPolicyFactory, document_data, register, subject_data

D = dt.date.fromisoformat
K = DocumentKind


@pytest.fixture(autouse=True)
def english_messages():
    """Guard messages are asserted in English; history reasons are always in the desk's language."""
    with translation.override("en"):
        yield


def reload(case):
    return Request.objects.get(pk=case.pk)


def son_as_agent():
    return {
        "agent_type": AgentType.ENTRUSTED,
        "family_name": "山田",
        "given_name": "一郎",
        "relationship": "長男",
        "postal_code": "464-0002",
        "address": "愛知県名古屋市千種区4-5-6",
    }


def copro_agent_case(actor, policy, *, payments=()):
    """SCENARIOS §1 on Thu 2026-12-24: son as entrusted agent, one 500-yen money order of two."""
    return register(
        actor,
        policy,
        kinds=("disclosure", "purpose_notice"),
        reached_on=D("2026-12-24"),
        agent=son_as_agent(),
        documents=[
            document_data(K.POWER_OF_ATTORNEY),
            document_data(K.SEAL_REGISTRATION_CERTIFICATE),
            document_data(K.DRIVERS_LICENSE, holder="agent"),
        ],
        payments=payments,
    )


# ------------------------------------------------------------------------------------------
# Intake
# ------------------------------------------------------------------------------------------
def test_register_gives_readable_sequential_references_and_records_history(travel, desk_user, policies):
    travel("2026-11-20")
    first = register(desk_user, policies[JUO], reached_on=D("2026-11-20"), channel=Channel.EMAIL)
    second = register(desk_user, policies[JUO], reached_on=D("2026-11-20"), channel=Channel.EMAIL)

    assert first.reference == "2026-000001"
    assert second.reference == "2026-000002"
    assert first.status == Status.RECEIVED
    rows = list(first.history.all())
    assert len(rows) == 1, "registration writes one history row for the case"
    (row,) = rows
    assert row.history_type == "+"
    assert row.history_user == desk_user
    assert row.history_operation == "register"
    assert first.data_subject.history.latest().history_user == desk_user


def test_register_computes_fee_per_item_from_the_policy(travel, desk_user, policies):
    travel("2026-12-24")
    case = copro_agent_case(desk_user, policies[COPRO])

    assert sorted(i.fee_due for i in case.items.all()) == [500, 500]
    assert derived.fee_status(case).due == 1000
    assert case.complete_on is None  # the fee is not in hand
    assert case.due_on is None


def test_register_complete_on_arrival_starts_the_clock(travel, desk_user, policies):
    travel("2026-09-18")
    case = register(
        desk_user,
        policies[LEVERAGES],
        kinds=("third_party_record_disclosure", "suspension_of_provision"),
        reached_on=D("2026-09-18"),
        channel=Channel.EMAIL,
        documents=[document_data(K.MY_NUMBER_CARD_FRONT)],
    )

    assert case.complete_on == D("2026-09-18")
    assert case.due_on == D("2026-10-14")


def test_policy_silent_on_deadline_uses_the_internal_target(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[PLUS_UP], kinds=("correction",), reached_on=D("2026-11-20"))

    assert case.complete_on == D("2026-11-20")  # no fee, no documents required
    assert case.due_on == D("2026-12-11")  # 14 business days, 11-23 a holiday


def test_phone_request_waits_for_the_form_before_it_is_complete(travel, desk_user, policies):
    travel("2026-11-16")
    case = register(
        desk_user, policies[RECRUIT_CC], kinds=("erasure",), reached_on=D("2026-11-16"), channel=Channel.PHONE
    )

    assert case.form_received_on is None
    assert case.complete_on is None


def test_register_refuses_a_reached_date_in_the_future(travel, desk_user, policies):
    travel("2026-11-20")
    with pytest.raises(ValidationError, match="future"):
        register(desk_user, policies[JUO], reached_on=D("2026-11-24"))
    assert Request.objects.count() == 0


def test_register_refuses_an_individual_number_in_free_text(travel, desk_user, policies):
    travel("2026-11-20")
    with pytest.raises(ValidationError, match="12-digit"):
        register(desk_user, policies[JUO], reached_on=D("2026-11-20"), notes="番号 1234 5678 9012 を確認")
    with pytest.raises(ValidationError, match="12-digit"):
        register(
            desk_user,
            policies[JUO],
            reached_on=D("2026-11-20"),
            items=[{"kind": "disclosure", "details": "マイナンバー１２３４５６７８９０１２の件"}],
        )
    assert Request.objects.count() == 0


def test_register_twice_with_the_same_form_token_is_refused(travel, desk_user, policies):
    import uuid

    travel("2026-11-20")
    token = uuid.uuid4()
    first = register(desk_user, policies[JUO], reached_on=D("2026-11-20"), intake_token=token)

    with pytest.raises(services.DuplicateSubmission) as error:
        register(desk_user, policies[JUO], reached_on=D("2026-11-20"), intake_token=token)

    assert error.value.request == first
    assert first.reference in str(error.value)
    assert Request.objects.count() == 1


def test_staff_of_another_organization_cannot_register_or_act(travel, desk_user, other_org_user, policies):
    travel("2026-11-20")
    with pytest.raises(services.TransitionNotAllowed, match="no access"):
        register(other_org_user, policies[JUO], reached_on=D("2026-11-20"))
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))
    with pytest.raises(services.TransitionNotAllowed, match="no access"):
        services.request_start_verification(actor=other_org_user, case=case)


def test_assignee_must_have_access_to_the_organization(travel, desk_user, other_org_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))

    with pytest.raises(ValidationError, match="cannot be assigned"):
        services.request_update(actor=desk_user, case=case, assignee=other_org_user)
    services.request_update(actor=desk_user, case=case, assignee=desk_user)
    assert reload(case).assignee == desk_user


# ------------------------------------------------------------------------------------------
# Concurrency
# ------------------------------------------------------------------------------------------
def test_second_save_with_a_stale_version_is_refused_and_writes_nothing(travel, desk_user, desk_user2, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))
    seen_by_both = case.version

    services.request_update(actor=desk_user, case=case, expected_version=seen_by_both, notes="田中のメモ")
    with pytest.raises(services.EditConflict, match="Another member of staff"):
        services.request_update(actor=desk_user2, case=case, expected_version=seen_by_both, notes="鈴木のメモ")

    assert reload(case).notes == "田中のメモ"


# ------------------------------------------------------------------------------------------
# Verification
# ------------------------------------------------------------------------------------------
def test_leave_verifying_only_with_an_outcome(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(
        desk_user, policies[LEVERAGES], reached_on=D("2026-11-20"), documents=[document_data(K.DRIVERS_LICENSE)]
    )
    services.request_start_verification(actor=desk_user, case=case)
    with pytest.raises(services.TransitionNotAllowed):
        services.request_submit_decisions(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)

    case = reload(case)
    assert case.status == Status.IN_PROGRESS
    assert case.assignee == desk_user  # whoever starts verification takes an unassigned case
    verification = case.verifications.get()
    assert verification.verified_by == desk_user


def test_verified_needs_the_policys_identity_documents(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"))
    services.request_start_verification(actor=desk_user, case=case)

    with pytest.raises(services.TransitionNotAllowed, match="Identity document of the data subject"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    assert reload(case).status == Status.VERIFYING

    services.document_record(actor=desk_user, case=case, **document_data(K.PASSPORT, received_on=D("2026-11-20")))
    with pytest.raises(services.TransitionNotAllowed, match="Identity document"):  # not accepted by COPRO
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)


def test_two_ids_without_photo_by_default(travel, desk_user, seed_orgs):
    # SPEC §6 default: one photo ID, or two without a photo.
    travel("2026-11-20")
    policy = DeskPolicyFactory(organization=seed_orgs[RECRUIT_CC], effective_from=D("2026-01-01"))
    case = register(desk_user, policy, reached_on=D("2026-11-20"), kinds=("erasure",))
    services.request_start_verification(actor=desk_user, case=case)
    services.document_record(
        actor=desk_user,
        case=case,
        **document_data(K.ELIGIBILITY_CERTIFICATE, received_on=D("2026-11-20"), insurer_number=Masking.MASKED_BY_DESK),
    )
    with pytest.raises(services.TransitionNotAllowed, match="2 without photo"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)

    services.document_record(actor=desk_user, case=case, **document_data(K.PENSION_BOOK, received_on=D("2026-11-20")))
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    assert reload(case).status == Status.IN_PROGRESS


def test_name_must_match_and_address_where_required(travel, desk_user, policies):
    travel("2026-11-20")
    policy = policies[LEVERAGES]
    policy.address_match_required = True
    policy.save()
    case = register(desk_user, policy, reached_on=D("2026-11-20"), documents=[document_data(K.PASSPORT)])
    services.request_start_verification(actor=desk_user, case=case)

    with pytest.raises(services.TransitionNotAllowed, match="name on the documents"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, address_matches=True)
    with pytest.raises(services.TransitionNotAllowed, match="address"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)


def test_agent_request_without_agent_proofs_cannot_pass_verification(travel, desk_user, policies):
    travel("2026-12-24")
    case = register(
        desk_user,
        policies[COPRO],
        reached_on=D("2026-12-24"),
        agent=son_as_agent(),
        documents=[document_data(K.DRIVERS_LICENSE, holder="agent")],
    )
    services.request_start_verification(actor=desk_user, case=case)

    with pytest.raises(services.TransitionNotAllowed) as error:
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)

    assert "委任状" in str(error.value)
    assert "印鑑登録証明書" in str(error.value)


def test_agent_always_needs_their_own_identity_document(travel, desk_user, policies):
    travel("2026-12-24")
    case = register(
        desk_user,
        policies[COPRO],
        reached_on=D("2026-12-24"),
        agent=son_as_agent(),
        documents=[document_data(K.POWER_OF_ATTORNEY), document_data(K.SEAL_REGISTRATION_CERTIFICATE)],
    )
    services.request_start_verification(actor=desk_user, case=case)

    with pytest.raises(services.TransitionNotAllowed, match="agent's own identity"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)


def test_policy_defaults_apply_when_it_is_silent_on_an_agent_type(travel, desk_user, policies):
    # Recruit allows agents without naming proofs: SPEC §6 — a minor's legal representative proves it
    # with a family register extract (or resident register / insurance card).
    travel("2026-11-20")
    case = register(
        desk_user,
        policies[RECRUIT_CC],
        kinds=("erasure",),
        reached_on=D("2026-11-20"),
        agent={"agent_type": AgentType.MINOR_LEGAL_REPRESENTATIVE, "family_name": "佐々木", "given_name": "恵子"},
        subject=subject_data(birth_date=D("2012-01-01")),
        documents=[document_data(K.DRIVERS_LICENSE, holder="agent")],
    )
    services.request_start_verification(actor=desk_user, case=case)
    with pytest.raises(services.TransitionNotAllowed, match="Proof of legal representation"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)

    services.document_record(
        actor=desk_user, case=case, **document_data(K.FAMILY_REGISTER_EXTRACT, received_on=D("2026-11-20"))
    )
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    assert reload(case).status == Status.IN_PROGRESS


def test_agent_proof_older_than_the_policy_allows_is_refused(travel, desk_user, policies):
    travel("2026-11-20")
    rule = policies[COPRO].agent_proof_rules.get(label="本人の印鑑登録証明書")
    rule.max_age_months = 3
    rule.save()
    case = register(
        desk_user,
        policies[COPRO],
        reached_on=D("2026-11-20"),
        agent=son_as_agent(),
        documents=[
            document_data(K.POWER_OF_ATTORNEY),
            document_data(K.SEAL_REGISTRATION_CERTIFICATE, issued_on=D("2026-06-01")),
            document_data(K.DRIVERS_LICENSE, holder="agent"),
        ],
    )
    services.request_start_verification(actor=desk_user, case=case)

    with pytest.raises(services.TransitionNotAllowed, match="issued within 3 months"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)


def test_policy_confirming_intent_needs_the_confirmation_date(travel, desk_user, policies):
    travel("2026-11-20")
    policy = policies[COPRO]
    policy.confirms_intent_directly = True
    policy.save()
    case = register(
        desk_user,
        policy,
        reached_on=D("2026-11-20"),
        agent=son_as_agent(),
        documents=[
            document_data(K.POWER_OF_ATTORNEY),
            document_data(K.SEAL_REGISTRATION_CERTIFICATE),
            document_data(K.DRIVERS_LICENSE, holder="agent"),
        ],
    )
    services.request_start_verification(actor=desk_user, case=case)
    with pytest.raises(services.TransitionNotAllowed, match="intent"):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)

    services.request_verify(
        actor=desk_user,
        case=case,
        outcome=VerificationOutcome.VERIFIED,
        name_matches=True,
        intent_confirmed_on=D("2026-11-20"),
    )
    assert reload(case).verifications.get().intent_confirmed_on == D("2026-11-20")


def test_failed_verification_rejects_with_the_reason(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"))
    services.request_start_verification(actor=desk_user, case=case)

    with pytest.raises(ValidationError):
        services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.FAILED, note="")
    services.request_verify(
        actor=desk_user, case=case, outcome=VerificationOutcome.FAILED, note="書類の氏名が請求書と一致しない"
    )

    case = reload(case)
    assert case.status == Status.REJECTED
    assert case.end_reason == "書類の氏名が請求書と一致しない"


def test_more_needed_waits_for_the_requester_and_returns_to_verifying(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], kinds=("correction",), reached_on=D("2026-11-20"))
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(
        actor=desk_user, case=case, outcome=VerificationOutcome.MORE_NEEDED, note="本人確認書類の写しを同封してください"
    )
    case = reload(case)
    assert case.status == Status.AWAITING_REQUESTER
    assert case.pauses.get().kind == PauseKind.MISSING_DOCUMENT

    travel("2026-11-27")
    services.document_record(
        actor=desk_user, case=case, **document_data(K.DRIVERS_LICENSE, received_on=D("2026-11-27"))
    )
    services.request_resume(actor=desk_user, case=case, on=D("2026-11-27"))
    case = reload(case)
    assert case.status == Status.VERIFYING
    assert case.pauses.get().ended_on == D("2026-11-27")
    # Complete when the document arrived: day 0 is 11-27, not the first arrival.
    assert case.complete_on == D("2026-11-27")
    assert case.due_on == D("2026-12-17")


# ------------------------------------------------------------------------------------------
# Documents
# ------------------------------------------------------------------------------------------
def test_document_must_state_every_masking(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"))
    data = document_data(K.HEALTH_INSURANCE_CARD, received_on=D("2026-11-20"))
    data["insurer_number"] = ""

    with pytest.raises(ValidationError) as error:
        services.document_record(actor=desk_user, case=case, **data)

    assert "insurer_number" in error.value.message_dict


def test_document_masked_by_the_desk_is_recorded(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"))

    document = services.document_record(
        actor=desk_user,
        case=case,
        **document_data(K.HEALTH_INSURANCE_CARD, received_on=D("2026-11-20"), insurer_number=Masking.MASKED_BY_DESK),
    )

    assert document.masked_by_desk
    assert document.history.latest().history_user == desk_user


def test_document_dates_and_holder_are_checked(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"))

    with pytest.raises(ValidationError, match="no agent"):
        services.document_record(
            actor=desk_user, case=case, **document_data(K.DRIVERS_LICENSE, holder="agent", received_on=D("2026-11-20"))
        )
    with pytest.raises(ValidationError, match="before"):
        services.document_record(
            actor=desk_user, case=case, **document_data(K.DRIVERS_LICENSE, received_on=D("2026-11-19"))
        )
    with pytest.raises(ValidationError, match="issued after"):
        services.document_record(
            actor=desk_user,
            case=case,
            **document_data(K.DRIVERS_LICENSE, received_on=D("2026-11-20"), issued_on=D("2026-11-21")),
        )


def test_dispose_records_when_how_and_by_whom_once(travel, desk_user, policies):
    travel("2026-09-18")
    case = register(
        desk_user,
        policies[LEVERAGES],
        reached_on=D("2026-09-18"),
        documents=[document_data(K.MY_NUMBER_CARD_FRONT), document_data(K.HEALTH_INSURANCE_CARD)],
    )
    documents = list(case.documents.all())

    services.document_dispose(
        actor=desk_user, case=case, documents=documents, disposed_on=D("2026-09-18"), method="shredded"
    )
    with pytest.raises(services.TransitionNotAllowed, match="Already disposed"):
        services.document_dispose(
            actor=desk_user, case=case, documents=documents[:1], disposed_on=D("2026-09-18"), method="shredded"
        )

    for document in case.documents.all():
        assert (document.disposed_on, document.disposal_method, document.disposed_by) == (
            D("2026-09-18"),
            "shredded",
            desk_user,
        )


def test_dispose_refuses_a_date_before_receipt_and_writes_nothing(travel, desk_user, policies):
    travel("2026-09-18")
    case = register(desk_user, policies[LEVERAGES], reached_on=D("2026-09-17"), documents=[document_data(K.PASSPORT)])

    with pytest.raises(ValidationError, match="before"):
        services.document_dispose(
            actor=desk_user, case=case, documents=case.documents.all(), disposed_on=D("2026-09-16"), method="shredded"
        )
    assert case.documents.get().disposed_on is None


# ------------------------------------------------------------------------------------------
# Fees and the clock
# ------------------------------------------------------------------------------------------
def test_copro_fee_shortfall_pauses_then_the_second_money_order_completes_the_request(travel, desk_user, policies):
    travel("2026-12-24")
    money_order = {"method": PaymentMethod.POSTAL_MONEY_ORDER, "amount": 500, "received_on": D("2026-12-24")}
    case = copro_agent_case(desk_user, policies[COPRO], payments=[money_order])
    fee = derived.fee_status(case)
    assert (fee.due, fee.received, fee.shortfall) == (1000, 500, 500)

    services.request_pause(
        actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="不足額500円の定額小為替", on=D("2026-12-24")
    )
    case = reload(case)
    assert case.status == Status.AWAITING_REQUESTER
    assert case.due_on is None  # not complete: the clock has not started

    with pytest.raises(services.TransitionNotAllowed, match="500 yen short"):
        services.request_resume(actor=desk_user, case=case, on=D("2026-12-28"))

    travel("2027-01-05")
    services.payment_record(
        actor=desk_user, case=case, method=PaymentMethod.POSTAL_MONEY_ORDER, amount=500, received_on=D("2027-01-05")
    )
    case = reload(case)
    assert case.status == Status.RECEIVED  # back where it was paused
    assert case.complete_on == D("2027-01-05")
    assert case.due_on == D("2027-01-26")
    assert case.pauses.get().ended_on == D("2027-01-05")


def test_pause_after_the_clock_started_moves_the_due_date(travel, desk_user, policies):
    travel("2026-11-02")
    case = register(desk_user, policies[LEVERAGES], reached_on=D("2026-11-02"), documents=[document_data(K.PASSPORT)])
    assert case.due_on == D("2026-11-24")  # 11-03 and 11-23 are holidays
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)

    travel("2026-11-06")
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.INFORMATION, note="対象期間の確認")
    assert reload(case).due_on is None
    travel("2026-11-11")
    services.request_resume(actor=desk_user, case=case, note="期間は2025年分")

    case = reload(case)
    assert case.status == Status.IN_PROGRESS
    assert case.due_on == D("2026-11-27")  # 3 days counted before the pause, 11 after 11-11


def test_payment_guards(travel, desk_user, policies):
    travel("2026-11-20")
    free = register(desk_user, policies[LEVERAGES], reached_on=D("2026-11-20"))
    with pytest.raises(ValidationError, match="No fee is due"):
        services.payment_record(
            actor=desk_user, case=free, method=PaymentMethod.CASH, amount=500, received_on=D("2026-11-20")
        )
    copro = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"))
    with pytest.raises(ValidationError, match="not a payment method"):
        services.payment_record(
            actor=desk_user, case=copro, method=PaymentMethod.CASH, amount=500, received_on=D("2026-11-20")
        )


def test_pause_for_fee_when_it_is_paid_is_refused(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[LEVERAGES], reached_on=D("2026-11-20"))

    with pytest.raises(services.TransitionNotAllowed, match="already paid"):
        services.request_pause(actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="")


# ------------------------------------------------------------------------------------------
# Decisions and approval
# ------------------------------------------------------------------------------------------
@pytest.fixture
def copro_in_progress(travel, desk_user, policies):
    """SCENARIOS §1 up to verification, fee paid in full."""
    travel("2026-12-24")
    case = copro_agent_case(
        desk_user,
        policies[COPRO],
        payments=[{"method": PaymentMethod.POSTAL_MONEY_ORDER, "amount": 500, "received_on": D("2026-12-24")}],
    )
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.FEE_SHORTFALL, note="不足額500円")
    travel("2027-01-05")
    services.payment_record(
        actor=desk_user, case=case, method=PaymentMethod.POSTAL_MONEY_ORDER, amount=500, received_on=D("2027-01-05")
    )
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    return reload(case)


def item(case, kind):
    return case.items.get(kind=kind)


def test_refusal_needs_a_ground_that_fits_and_a_reason(copro_in_progress, desk_user):
    case = copro_in_progress
    disclosure = item(case, "disclosure")

    with pytest.raises(ValidationError) as error:
        services.item_decide(actor=desk_user, item=disclosure, outcome=Outcome.PARTIAL, method_used="paper")
    assert set(error.value.message_dict) == {"ground", "reason_text"}

    with pytest.raises(ValidationError) as error:
        services.item_decide(
            actor=desk_user,
            item=disclosure,
            outcome=Outcome.PARTIAL,
            ground=Ground.NO_LONGER_NEEDED,
            reason_text="理由",
            method_used="paper",
        )
    assert "does not apply" in error.value.message_dict["ground"][0]


def test_alternative_measure_only_for_article_35_kinds(copro_in_progress, desk_user):
    with pytest.raises(ValidationError, match="Alternative measures apply only"):
        services.item_decide(
            actor=desk_user,
            item=item(copro_in_progress, "purpose_notice"),
            outcome=Outcome.ALTERNATIVE,
            reason_text="費用",
            alternative_measure="…",
        )


def test_disclosure_method_different_from_the_request_needs_a_reason(copro_in_progress, desk_user):
    disclosure = item(copro_in_progress, "disclosure")
    disclosure.requested_method = "electronic"
    disclosure.save()

    with pytest.raises(ValidationError) as error:
        services.item_decide(actor=desk_user, item=disclosure, outcome=Outcome.COMPLY, method_used="paper")
    assert "method_difference_reason" in error.value.message_dict

    decision = services.item_decide(
        actor=desk_user,
        item=disclosure,
        outcome=Outcome.COMPLY,
        method_used="paper",
        method_difference_reason="電磁的記録での提供に対応していないため",
    )
    assert decision.decided_by == desk_user


def test_every_item_needs_a_decision_before_submitting(copro_in_progress, desk_user):
    services.item_decide(actor=desk_user, item=item(copro_in_progress, "purpose_notice"), outcome=Outcome.COMPLY)

    with pytest.raises(services.TransitionNotAllowed, match="Still open: Disclosure"):
        services.request_submit_decisions(actor=desk_user, case=copro_in_progress)


def decide_scenario_1(case, actor):
    services.item_decide(actor=actor, item=item(case, "purpose_notice"), outcome=Outcome.COMPLY)
    services.item_decide(
        actor=actor,
        item=item(case, "disclosure"),
        outcome=Outcome.PARTIAL,
        ground=Ground.BUSINESS_INTERFERENCE,
        reason_text="面接官の社内評価メモは、開示により選考業務の適正な実施に著しい支障を及ぼすおそれがあるため。",
        method_used="paper",
    )
    services.request_submit_decisions(actor=actor, case=case)


def test_partial_answer_goes_to_approval_and_the_decider_cannot_approve(
    copro_in_progress, desk_user, manager_user, manager_user2
):
    case = copro_in_progress
    # A manager who decides cannot approve their own partial refusal (four eyes).
    decide_scenario_1(case, manager_user)
    assert reload(case).status == Status.AWAITING_APPROVAL

    with pytest.raises(services.TransitionNotAllowed, match="Four eyes"):
        services.decision_approve(actor=manager_user, case=case)
    with pytest.raises(services.TransitionNotAllowed, match="Your role does not allow"):
        services.decision_approve(actor=desk_user, case=case)

    approval = services.decision_approve(actor=manager_user2, case=case, comment="承認")
    case = reload(case)
    assert case.status == Status.RESPONDING
    assert approval.approver == manager_user2
    latest = case.history.latest()
    assert (latest.history_operation, latest.history_change_reason) == ("approve", "承認")


def test_manager_returns_decisions_with_a_comment(copro_in_progress, desk_user, manager_user):
    decide_scenario_1(copro_in_progress, desk_user)

    with pytest.raises(ValidationError):
        services.decision_return(actor=manager_user, case=copro_in_progress, comment=" ")
    services.decision_return(actor=manager_user, case=copro_in_progress, comment="理由をもう少し具体的に")

    assert reload(copro_in_progress).status == Status.IN_PROGRESS


def test_no_refusal_goes_straight_to_responding(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[PLUS_UP], kinds=("correction",), reached_on=D("2026-11-20"))
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED)
    services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.SELF_SERVICE)
    services.request_submit_decisions(actor=desk_user, case=case)

    assert reload(case).status == Status.RESPONDING


def test_disclosure_with_fee_due_cannot_be_answered_before_full_payment(travel, desk_user, policies):
    travel("2026-12-28")
    case = register(desk_user, policies[JUO], reached_on=D("2026-12-28"), channel=Channel.EMAIL)
    services.request_start_verification(actor=desk_user, case=case)
    services.request_verify(actor=desk_user, case=case, outcome=VerificationOutcome.VERIFIED)
    services.item_decide(actor=desk_user, item=case.items.get(), outcome=Outcome.COMPLY, method_used="electronic")

    with pytest.raises(services.TransitionNotAllowed, match="1,000 yen short"):
        services.request_submit_decisions(actor=desk_user, case=case)

    travel("2027-01-06")
    services.payment_record(
        actor=desk_user, case=case, method=PaymentMethod.BANK_TRANSFER, amount=1000, received_on=D("2027-01-06")
    )
    case = reload(case)
    assert case.complete_on == D("2027-01-06")
    assert case.due_on == D("2027-01-27")
    services.request_submit_decisions(actor=desk_user, case=case)
    assert reload(case).status == Status.RESPONDING


# ------------------------------------------------------------------------------------------
# Ending early, illegal moves
# ------------------------------------------------------------------------------------------
def test_withdraw_needs_a_reason_and_ends_an_open_pause(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[COPRO], reached_on=D("2026-11-20"))
    services.request_pause(actor=desk_user, case=case, kind=PauseKind.MISSING_DOCUMENT, note="本人確認書類")

    with pytest.raises(ValidationError):
        services.request_withdraw(actor=desk_user, case=case, reason="")
    services.request_withdraw(actor=desk_user, case=case, reason="請求者から電話で取下げの申出")

    case = reload(case)
    assert case.status == Status.WITHDRAWN
    assert case.pauses.get().ended_on == D("2026-11-20")
    with pytest.raises(services.TransitionNotAllowed):
        services.request_reject(actor=desk_user, case=case, reason="…")


def test_reject_from_received_for_being_outside_scope(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))

    services.request_reject(actor=desk_user, case=case, reason="当社が保有する個人情報に関する請求ではないため")

    assert reload(case).status == Status.REJECTED


def test_terminal_states_allow_nothing(travel, desk_user, policies):
    travel("2026-11-20")
    case = register(desk_user, policies[JUO], reached_on=D("2026-11-20"))
    services.request_withdraw(actor=desk_user, case=case, reason="取下げ")

    for operation in (services.request_start_verification, services.request_submit_decisions):
        with pytest.raises(services.TransitionNotAllowed):
            operation(actor=desk_user, case=case)
    with pytest.raises(services.TransitionNotAllowed, match="not possible while the case is"):
        services.request_update(actor=desk_user, case=case, notes="x")


def test_re_saving_a_decision_does_not_let_its_author_approve_it(copro_in_progress, desk_user, manager_user):
    """Four eyes hold even when a colleague saves the decision again without changing it."""
    disclosure = item(copro_in_progress, "disclosure")
    services.item_decide(actor=manager_user, item=item(copro_in_progress, "purpose_notice"), outcome=Outcome.COMPLY)
    refusal = {"outcome": Outcome.REFUSE, "ground": Ground.BUSINESS_INTERFERENCE, "reason_text": "業務に支障"}
    services.item_decide(actor=manager_user, item=disclosure, **refusal)
    services.item_decide(actor=desk_user, item=disclosure, **refusal)  # re-saved as it was
    services.request_submit_decisions(actor=desk_user, case=copro_in_progress)

    with pytest.raises(services.TransitionNotAllowed, match="Four eyes"):
        services.decision_approve(actor=manager_user, case=copro_in_progress)


@pytest.mark.parametrize(
    "text",
    ["1234‐5678‐9012", "1234–5678–9012", "1234・5678・9012", "1234.5678.9012", "1234/5678/9012", "1234\n5678\n9012"],
)
def test_individual_numbers_with_any_usual_separator_are_refused(text):
    from requests_app.validators import contains_individual_number

    assert contains_individual_number(text)


@pytest.mark.parametrize("text", ["03-5774-1632", "090-1234-5678", "〒100-0001", "2026.11.22", "1234567890123"])
def test_phone_numbers_postal_codes_and_dates_are_not_individual_numbers(text):
    from requests_app.validators import contains_individual_number

    assert not contains_individual_number(text)
