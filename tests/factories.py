"""factory_boy factories, the seed organizations and desk users the fixtures share, the helper that registers a
request, and the one case builder ``case_in``."""

import datetime as dt
import re

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from requests_app import roles, services
from requests_app.models import (
    Channel,
    DeskPolicy,
    DisposalRule,
    Ground,
    Masking,
    Organization,
    Outcome,
    PauseKind,
    Request,
    Status,
    TaskStatus,
    VerificationOutcome,
)
from requests_app.seeds import ensure_seed_organizations


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def organizations(self, create, extracted, **kwargs):
        if create and extracted:
            for organization in extracted:
                organization.staff.add(self)
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"org{n}")
    name = factory.Sequence(lambda n: f"テスト株式会社{n}")


class DeskPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeskPolicy

    organization = factory.SubFactory(OrganizationFactory)
    name = "開示等の手続"
    effective_from = dt.date(2020, 1, 1)
    channels = [Channel.POST, Channel.EMAIL]


def roles_in_step() -> bool:
    """Whether the three groups hold exactly the permissions ``roles.ROLE_PERMISSIONS`` names (one query)."""
    held = {role: set() for role in roles.ROLE_PERMISSIONS}
    rows = Group.permissions.through.objects.filter(group__name__in=list(roles.ROLE_PERMISSIONS)).values_list(
        "group__name", "permission__content_type__app_label", "permission__codename"
    )
    for role, app_label, codename in rows:
        held[role].add(f"{app_label}.{codename}")
    return held == roles.ROLE_PERMISSIONS


def make_seed_orgs():
    """The five seed organizations with their desk policies (SPEC §3), keyed by code.

    The roles must hold exactly their permissions. Migrations leave them so (test_roles checks it) and
    a test's rollback keeps them, so they are synced only when they are not: after a transactional
    test flushed the tables, groups from migrations included (syncing costs some 300 queries).
    """
    if not roles_in_step():
        roles.sync_roles(django_apps)
    return ensure_seed_organizations()


def make_desk_user(seed_orgs):
    return UserFactory(
        username="desk_a", last_name="田中", first_name="美咲", role=roles.DESK_STAFF, organizations=seed_orgs.values()
    )


def make_desk_user2(seed_orgs):
    return UserFactory(
        username="desk_b", last_name="鈴木", first_name="翔太", role=roles.DESK_STAFF, organizations=seed_orgs.values()
    )


def make_manager_user(seed_orgs):
    return UserFactory(
        username="manager_a",
        last_name="高橋",
        first_name="誠",
        role=roles.DESK_MANAGER,
        organizations=seed_orgs.values(),
    )


def make_auditor_user(seed_orgs):
    return UserFactory(
        username="auditor_a", last_name="伊藤", first_name="由美", role=roles.AUDITOR, organizations=seed_orgs.values()
    )


def make_other_org_user():
    """Desk staff of an unrelated organization: must see none of the seed organizations' cases."""
    return UserFactory(username="desk_other", role=roles.DESK_STAFF, organizations=[OrganizationFactory()])


def subject_data(**overrides):
    data = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "postal_code": "464-0001",
        "address": "愛知県名古屋市千種区1-2-3",
        "email": "hanako@example.jp",
    }
    data.update(overrides)
    return data


def document_data(kind, holder="data_subject", received_on=None, **overrides):
    data = {
        "kind": kind,
        "holder": holder,
        "received_on": received_on,
        "individual_number": Masking.NOT_SHOWN,
        "insurer_number": Masking.NOT_SHOWN,
        "domicile": Masking.MASKED_BY_SENDER,
    }
    data.update(overrides)
    return data


def register(actor, policy, *, kinds=("disclosure",), reached_on, **kwargs):
    """Register a request with sensible defaults; everything else as ``request_register`` takes."""
    items = kwargs.pop("items", None) or [{"kind": kind} for kind in kinds]
    documents = [
        {**document, "received_on": document.get("received_on") or reached_on}
        for document in kwargs.pop("documents", ())
    ]
    # A channel the policy accepts (the post where it lists none); others need an override reason.
    kwargs.setdefault("channel", policy.channels[0] if policy.channels else Channel.POST)
    kwargs.setdefault("subject", subject_data())
    return services.request_register(
        actor=actor, policy=policy, reached_on=reached_on, items=items, documents=documents, **kwargs
    )


# A refusal the law allows for each kind, used when a case must wait for a manager's approval.
REFUSALS = {
    "disclosure": {
        "outcome": Outcome.PARTIAL,
        "ground": Ground.BUSINESS_INTERFERENCE,
        "reason_text": "選考業務の適正な実施に著しい支障を及ぼすおそれがあるため。",
        "method_used": "paper",
    },
    "correction": {
        "outcome": Outcome.REFUSE,
        "ground": Ground.NOT_INACCURATE,
        "reason_text": "記録は事実と相違ありません。",
    },
}
# Granting a disclosure says how it is disclosed (Art. 33-2).
GRANTS = {
    "disclosure": {"outcome": Outcome.COMPLY, "method_used": "paper"},
    "third_party_record_disclosure": {"outcome": Outcome.COMPLY, "method_used": "paper"},
}
# The road from intake to each state, in the order the desk walks it.
ROAD = [
    Status.RECEIVED,
    Status.VERIFYING,
    Status.IN_PROGRESS,
    Status.AWAITING_APPROVAL,
    Status.RESPONDING,
    Status.RESPONDED,
    Status.CLOSED,
]


def case_in(
    status,
    actor,
    policy,
    *,
    reached_on,
    approver=None,
    decisions=None,
    at_intake=None,
    reply_method=None,
    **register_kwargs,
) -> Request:
    """A case of ``policy`` brought to ``status`` through the services, as the desk would.

    Registered by ``actor`` on ``reached_on`` (everything else as ``register``), then: started
    and passed verification (name matches; the caller supplies the documents the policy needs),
    each item decided — ``decisions`` maps a kind to ``item_decide`` arguments (default: ``GRANTS``;
    for ``awaiting_approval``, the refusal in ``REFUSALS``) —, submitted, approved by ``approver``
    when a refusal needs it, the result letter sent (``reply_method``, with a recorded reason where
    the policy does not offer it; else by post where it does), the
    tasks done, the copies disposed of and the case closed. ``at_intake(case)``, if given, runs
    right after registration (a pause for the fee and its payment, say). ``awaiting_requester`` is
    a pause for information at intake; ``withdrawn`` and ``rejected`` end the received case.
    Returns the case read again.
    """
    case = register(actor, policy, reached_on=reached_on, **register_kwargs)
    if at_intake is not None:
        at_intake(case)
    if status == Status.AWAITING_REQUESTER:
        services.request_pause(actor=actor, case=case, kind=PauseKind.INFORMATION, note="対象期間の確認")
    elif status == Status.WITHDRAWN:
        services.request_withdraw(actor=actor, case=case, reason="申出人から取下げの連絡")
    elif status == Status.REJECTED:
        services.request_reject(actor=actor, case=case, reason="当社の取扱範囲外")
    else:
        _walk(case, actor, ROAD[: ROAD.index(status) + 1], approver, decisions, reply_method)
    case = Request.objects.get(pk=case.pk)
    assert case.status == status, (case.status, status)
    return case


def _walk(case, actor, road, approver, decisions, reply_method):
    if Status.VERIFYING in road:
        services.request_start_verification(actor=actor, case=case)
    if Status.IN_PROGRESS in road:
        services.request_verify(actor=actor, case=case, outcome=VerificationOutcome.VERIFIED, name_matches=True)
    if Status.AWAITING_APPROVAL in road:
        if decisions is None:
            decisions = {} if Status.RESPONDING in road else REFUSALS
        for item in case.items.all():
            decision = decisions.get(item.kind) or GRANTS.get(item.kind, {"outcome": Outcome.COMPLY})
            services.item_decide(actor=actor, item=item, **decision)
        services.request_submit_decisions(actor=actor, case=case)
    if Status.RESPONDING in road and Request.objects.get(pk=case.pk).status == Status.AWAITING_APPROVAL:
        services.decision_approve(actor=approver, case=case, comment="承認")
    if Status.RESPONDED in road:
        letter = fill_in(services.letter_draft(actor=actor, case=case, kind="result"), actor)
        method = reply_method or offered_method(case)
        reason = "" if method == offered_method(case, method) else "テスト：方針外の回答方法"
        services.response_send(actor=actor, letter=letter, method=method, method_override_reason=reason)
    if Status.CLOSED in road:
        for task in case.tasks.filter(status=TaskStatus.OPEN):
            services.task_complete(actor=actor, task=task, note="対応済み")
        kept = case.documents.filter(disposed_on=None)
        if kept and case.policy.id_copy_disposal in {DisposalRule.AT_VERIFICATION, DisposalRule.AT_CLOSE}:
            services.document_dispose(
                actor=actor, case=case, documents=kept, disposed_on=timezone.localdate(), method="shredded"
            )
        services.request_close(actor=actor, case=case)


# A disclosure granted by electronic record (Art. 33-2), as the requester portal's tests answer it.
ELECTRONIC_DISCLOSURE = {"disclosure": {"outcome": Outcome.COMPLY, "method_used": "electronic"}}


def result_letter(case, actor, decisions=None):
    """``case`` walked to "responding" (verified, decided — by default ``ELECTRONIC_DISCLOSURE`` —,
    submitted) and its result letter drafted with the blanks filled in, ready to send."""
    _walk(case, actor, ROAD[: ROAD.index(Status.RESPONDING) + 1], None, decisions or ELECTRONIC_DISCLOSURE, None)
    return fill_in(services.letter_draft(actor=actor, case=case, kind="result"), actor)


def open_portal(organization, **texts):
    """The organization takes requests online (issue 14): its policy in force accepts the web form
    and its online pages are open, with ``texts`` (intro, privacy_notice, …)."""
    from requests_app.models import PortalSettings

    policy = organization.policies.order_by("-effective_from").first()
    if Channel.WEB_FORM not in policy.channels:
        policy.channels = [*policy.channels, Channel.WEB_FORM]
        policy.save()
    return PortalSettings.objects.create(organization=organization, enabled=True, **texts)


def offered_method(case, prefer: str = "post") -> str:
    """A delivery method the case's policy offers: ``prefer`` where it does (or the policy names
    none), else the first it offers (SPEC §9: other methods need a recorded reason)."""
    return case.policy.delivery_method(prefer)


def fill_in(letter, actor, text: str = "・採用選考および雇用管理のため"):
    """The draft with its blanks (``letters.FILL_IN_MARKERS``) written in, as staff do before sending."""
    body = re.sub(r"〔要記入：[^〕]*〕|\[TO FILL IN: [^\]]*\]", text, letter.body)
    if body == letter.body:
        return letter
    return edit_letter(letter, actor, body=body)


def edit_letter(letter, actor, **changes):
    """``services.letter_update`` keeping the letter's own text except ``changes`` (and enclosures
    added or taken off: ``enclose=``, ``remove=``)."""
    text = {name: getattr(letter, name) for name in ("letter_date", "addressee", "sender", "title", "body")}
    return services.letter_update(actor=actor, letter=letter, **{**text, **changes})


def provision_on_record(actor, person, *, provided_on, recipient="株式会社エージェントA", items="氏名、職務経歴"):
    """The person consented to a provision to ``recipient`` and it was recorded (Arts. 27-1, 29):
    what a third-party record disclosure answers from."""
    from consents import services as consent_services

    consent_services.consent_give(
        actor=actor,
        data_subject=person,
        scope="third_party",
        recipient=recipient,
        items=items,
        given_on=provided_on,
        method="応募時の同意書",
    )
    return consent_services.provision_record(
        actor=actor,
        data_subject=person,
        counterparty=recipient,
        items=items,
        provided_on=provided_on,
        basis="consent",
        recorded_how="each_time",
    )
