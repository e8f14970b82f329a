"""Demo data for ``manage.py seed_demo``: idempotent, safe to run on every ``make run``.

Staff accounts per role, the five seed organizations (``seeds.py``) and about thirty requests in
every state, made through the same services the desk uses, with dates counted back from today so
that deadlines, pauses and an overdue case look as they would on a real desk.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from requests_app import extensions, roles, services
from requests_app.deadlines import BusinessCalendar
from requests_app.models import Request
from requests_app.seeds import COPRO, JUO, LEVERAGES, PLUS_UP, RECRUIT_CC, ensure_seed_organizations

DEMO_PASSWORD = "privacyops-demo"  # noqa: S105 — set only when DEBUG is on (seed_users)


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    role: str | None
    superuser: bool = False
    language: str = "ja"


DEMO_USERS = (
    DemoUser("desk", "田中", "美咲", roles.DESK_STAFF),
    DemoUser("desk2", "鈴木", "翔太", roles.DESK_STAFF),
    DemoUser("manager", "高橋", "誠", roles.DESK_MANAGER),
    DemoUser("auditor", "伊藤", "由美", roles.AUDITOR),
    DemoUser("admin", "管理", "者", None, superuser=True, language="en"),
)


@transaction.atomic
def seed_users(*, with_passwords: bool) -> list[tuple[DemoUser, bool]]:
    """Create or refresh the demo staff accounts; passwords only when asked (DEBUG)."""
    roles.sync_roles(global_apps)
    User = get_user_model()
    result = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "last_name": demo.last_name,
                "first_name": demo.first_name,
                "email": f"{demo.username}@privacyops.example",
                "language": demo.language,
                "is_staff": True,
                "is_superuser": demo.superuser,
            },
        )
        if with_passwords and (created or not user.has_usable_password()):
            user.set_password(DEMO_PASSWORD)
            user._change_reason = "seed_demo: demo account"
            user.save()
        elif created:
            user.set_unusable_password()
            user._change_reason = "seed_demo: demo account without password (DEBUG off)"
            user.save()
        if demo.role:
            user.groups.add(Group.objects.get(name=demo.role))
        result.append((demo, created))
    return result


# ------------------------------------------------------------------------------------------
# Demo requests
# ------------------------------------------------------------------------------------------
NAMESPACE = uuid.UUID("6f1d1c2e-7a8b-4c1d-9e2f-5a6b7c8d9e0f")


@dataclass
class DemoCase:
    key: str
    org: str
    kinds: tuple[str, ...]
    subject: tuple[str, str, str, str]  # family, given, family kana, given kana
    days_ago: int  # business days before today that the request reached us
    steps: tuple[str, ...] = ()
    channel: str = "post"
    agent: dict | None = None
    documents: tuple[dict, ...] = ()
    payments: tuple[int, ...] = ()
    assignee: str = "desk"
    item_extra: dict = field(default_factory=dict)
    # More of the person's details (e.g. the member ID by which the desk finds them on record).
    subject_extra: dict = field(default_factory=dict)


def _doc(kind, holder="data_subject", **masking):
    return {
        "kind": kind,
        "holder": holder,
        "individual_number": masking.get("individual_number", "not_shown"),
        "insurer_number": masking.get("insurer_number", "not_shown"),
        "domicile": masking.get("domicile", "by_sender"),
    }


ENTRUSTED = {
    "agent_type": "entrusted",
    "family_name": "山田",
    "given_name": "一郎",
    "relationship": "長男",
    "postal_code": "464-0002",
    "address": "愛知県名古屋市千種区4-5-6",
}
MINOR_REP = {
    "agent_type": "minor_legal_rep",
    "family_name": "佐々木",
    "given_name": "恵子",
    "relationship": "母",
    "postal_code": "220-0011",
    "address": "神奈川県横浜市西区高島2-1-1",
    "phone": "090-1234-5678",
}
GUARDIAN = {
    "agent_type": "adult_guardian",
    "family_name": "中村",
    "given_name": "修",
    "relationship": "成年後見人（弁護士）",
    "postal_code": "530-0001",
    "address": "大阪府大阪市北区梅田1-1-1 中村法律事務所",
}
COPRO_AGENT_DOCS = (
    _doc("power_of_attorney"),
    _doc("seal_registration_certificate"),
    _doc("drivers_license", holder="agent"),
)
PARTIAL = (
    "partial:business_interference:"
    "面接官の社内評価メモは、開示により選考業務の適正な実施に著しい支障を及ぼすおそれがあるため。"
)
REFUSE = "refuse:harm_to_person:第三者（紹介者）の権利利益を害するおそれがあるため、開示できません。"

DEMO_CASES: list[DemoCase] = [
    # --- received ---
    DemoCase(
        "r1",
        LEVERAGES,
        ("disclosure",),
        ("小林", "さくら", "コバヤシ", "サクラ"),
        0,
        channel="email",
        documents=(_doc("drivers_license"),),
    ),
    DemoCase(
        "r2",
        COPRO,
        ("purpose_notice",),
        ("加藤", "大樹", "カトウ", "ダイキ"),
        1,
        payments=(500,),
        documents=(_doc("eligibility_certificate", insurer_number="by_desk"),),
    ),
    DemoCase("r3", PLUS_UP, ("deletion",), ("吉田", "結衣", "ヨシダ", "ユイ"), 0, channel="email", assignee=""),
    # --- verifying ---
    DemoCase(
        "v1",
        RECRUIT_CC,
        ("disclosure",),
        ("山本", "翔", "ヤマモト", "ショウ"),
        2,
        ("start",),
        documents=(_doc("passport"),),
    ),
    DemoCase(
        "v2",
        LEVERAGES,
        ("suspension_of_use",),
        ("松本", "陽菜", "マツモト", "ヒナ"),
        1,
        ("start",),
        agent=GUARDIAN,
        documents=(_doc("guardianship_certificate"), _doc("drivers_license", holder="agent")),
    ),
    DemoCase(
        "v3",
        COPRO,
        ("disclosure", "purpose_notice"),
        ("井上", "蒼", "イノウエ", "アオイ"),
        3,
        ("start",),
        agent=ENTRUSTED,
        documents=COPRO_AGENT_DOCS,
        payments=(1000,),
        assignee="desk2",
    ),
    # --- awaiting the requester ---
    DemoCase(
        "w1",
        COPRO,
        ("disclosure", "purpose_notice"),
        ("山田", "花子", "ヤマダ", "ハナコ"),
        4,
        ("pause_fee",),
        agent=ENTRUSTED,
        documents=COPRO_AGENT_DOCS,
        payments=(500,),
    ),
    DemoCase("w2", RECRUIT_CC, ("erasure",), ("木村", "悠真", "キムラ", "ユウマ"), 5, ("start", "more_needed")),
    DemoCase(
        "w3",
        LEVERAGES,
        ("disclosure",),
        ("林", "美月", "ハヤシ", "ミヅキ"),
        6,
        ("start", "verify", "pause_info"),
        channel="email",
        documents=(_doc("my_number_card_front"),),
        assignee="desk2",
    ),
    # Abandoned (issue 15): asked 30 business days ago, no answer: proposed for withdrawal.
    DemoCase("w4", JUO, ("disclosure",), ("森", "蓮", "モリ", "レン"), 30, ("pause_long_ago",), channel="email"),
    # --- in progress ---
    DemoCase(
        "p1",
        LEVERAGES,
        ("correction",),
        ("清水", "湊", "シミズ", "ミナト"),
        5,
        ("start", "verify"),
        documents=(_doc("residence_card"),),
        item_extra={"correction_detail": "住所の番地 1-2-3 → 1-2-5"},
    ),
    DemoCase(
        "p2",
        JUO,
        ("disclosure",),
        ("森", "葵", "モリ", "アオイ"),
        4,
        ("start", "verify"),
        channel="email",
        payments=(1000,),
    ),
    DemoCase(
        "p3",
        RECRUIT_CC,
        ("erasure",),
        ("佐々木", "蓮", "ササキ", "レン"),
        8,
        ("start", "verify"),
        channel="phone",
        agent=MINOR_REP,
        documents=(
            _doc("family_register_extract", holder="agent"),
            _doc("eligibility_certificate", holder="agent", insurer_number="by_desk"),
            _doc("drivers_license", holder="agent"),
        ),
    ),
    DemoCase(
        "p4",
        LEVERAGES,
        ("disclosure",),
        ("池田", "颯太", "イケダ", "ソウタ"),
        19,
        ("start", "verify"),
        documents=(_doc("drivers_license"),),
        assignee="desk2",
    ),  # overdue: 19 business days ago
    DemoCase(
        "p5",
        PLUS_UP,
        ("suspension_of_provision",),
        ("阿部", "凛", "アベ", "リン"),
        9,
        ("start", "verify"),
        channel="email",
        item_extra={"recipient": "株式会社サンプル人材紹介"},
    ),
    # --- awaiting approval ---
    DemoCase(
        "a1",
        COPRO,
        ("disclosure", "purpose_notice"),
        ("石川", "芽依", "イシカワ", "メイ"),
        7,
        ("start", "verify", "decide:" + PARTIAL, "decide:comply", "submit"),
        documents=(_doc("drivers_license"),),
        payments=(1000,),
    ),
    DemoCase(
        "a2",
        RECRUIT_CC,
        ("disclosure",),
        ("前田", "樹", "マエダ", "イツキ"),
        6,
        ("start", "verify", "decide:" + REFUSE, "submit"),
        documents=(_doc("passport"),),
        assignee="desk2",
    ),
    # --- responding ---
    DemoCase(
        "s1",
        LEVERAGES,
        ("third_party_record_disclosure", "suspension_of_provision"),
        ("佐藤", "健", "サトウ", "ケン"),
        3,
        ("start", "verify", "dispose", "decide:comply", "decide:comply:harm_to_rights", "submit"),
        channel="email",
        documents=(_doc("my_number_card_front"),),
        item_extra={"recipient": "株式会社みらい人材エージェント"},
        # On record with consents and records of provision (consents/data/demo_holdings.json).
        subject_extra={"member_id": "LV-100234", "email": "ken.sato@example.jp"},
    ),
    DemoCase(
        "s2",
        JUO,
        ("disclosure",),
        ("鈴木", "美咲", "スズキ", "ミサキ"),
        10,
        ("start", "verify", "decide:comply", "submit"),
        channel="email",
        payments=(1000,),
    ),
    DemoCase(
        "s3",
        PLUS_UP,
        ("correction",),
        ("高橋", "大輔", "タカハシ", "ダイスケ"),
        2,
        ("start", "verify", "decide:self_service", "submit"),
        channel="email",
    ),
    DemoCase(
        "s4",
        COPRO,
        ("disclosure", "purpose_notice"),
        ("岡田", "奈々", "オカダ", "ナナ"),
        12,
        ("start", "verify", "decide:" + PARTIAL, "decide:comply", "submit", "approve"),
        agent=ENTRUSTED,
        documents=COPRO_AGENT_DOCS,
        payments=(500, 500),
    ),
    # --- ended early ---
    DemoCase("e1", JUO, ("disclosure",), ("後藤", "陸", "ゴトウ", "リク"), 8, ("withdraw",), channel="email"),
    DemoCase(
        "e2",
        COPRO,
        ("disclosure",),
        ("長谷川", "紬", "ハセガワ", "ツムギ"),
        9,
        ("start", "fail"),
        documents=(_doc("eligibility_certificate", insurer_number="by_sender"),),
        payments=(500,),
    ),
    DemoCase("e3", LEVERAGES, ("disclosure",), ("村上", "大和", "ムラカミ", "ヤマト"), 4, ("reject",), channel="email"),
    # --- more open work for the list ---
    DemoCase(
        "m1",
        LEVERAGES,
        ("purpose_notice",),
        ("近藤", "杏", "コンドウ", "アン"),
        11,
        ("start", "verify"),
        documents=(_doc("pension_book"),),
    ),
    DemoCase(
        "m2",
        RECRUIT_CC,
        ("suspension_of_use", "erasure"),
        ("坂本", "律", "サカモト", "リツ"),
        13,
        ("start", "verify"),
        agent=GUARDIAN,
        documents=(_doc("guardianship_certificate"), _doc("drivers_license", holder="agent")),
    ),
    DemoCase("m3", JUO, ("disclosure",), ("遠藤", "楓", "エンドウ", "カエデ"), 2, channel="email"),
    DemoCase(
        "m4",
        COPRO,
        ("disclosure",),
        ("青木", "湊斗", "アオキ", "ミナト"),
        1,
        payments=(500,),
        documents=(_doc("resident_register_copy", individual_number="by_desk", domicile="by_desk"),),
    ),
    DemoCase(
        "m5",
        LEVERAGES,
        ("erasure",),
        ("藤田", "心春", "フジタ", "コハル"),
        14,
        ("start", "verify"),
        channel="email",
        agent=MINOR_REP,
        # Leverages asks agents for the person's ID as well (seeds/004 3) b.).
        documents=(
            _doc("family_register_extract", holder="agent"),
            _doc("drivers_license", holder="agent"),
            _doc("my_number_card_front"),
        ),
    ),
    DemoCase("m6", PLUS_UP, ("disclosure",), ("西村", "朝陽", "ニシムラ", "アサヒ"), 3, ("start",), channel="email"),
    DemoCase(
        "m7",
        RECRUIT_CC,
        ("correction",),
        ("福田", "澪", "フクダ", "ミオ"),
        15,
        ("start", "verify"),
        documents=(_doc("drivers_license"),),
        assignee="desk2",
    ),
    # --- answered: letters, tasks, closing ---
    DemoCase(
        "d1",
        LEVERAGES,
        ("disclosure",),
        ("原田", "陽斗", "ハラダ", "ハルト"),
        9,
        ("start", "verify", "decide:comply", "submit", "draft_result"),
        channel="email",
        documents=(_doc("passport"),),
    ),
    DemoCase(
        "d2",
        RECRUIT_CC,
        ("erasure",),
        ("佐々木", "結菜", "ササキ", "ユイナ"),
        12,
        ("start", "verify", "decide:comply:no_longer_needed", "submit", "send_result"),
        channel="phone",
        agent=MINOR_REP,
        documents=(
            _doc("family_register_extract", holder="agent"),
            _doc("eligibility_certificate", holder="agent", insurer_number="by_desk"),
            _doc("drivers_license", holder="agent"),
        ),
    ),
    DemoCase(
        "d3",
        JUO,
        ("correction",),
        ("鈴木", "美咲", "スズキ", "ミサキ"),
        15,
        ("start", "verify", "decide:comply", "submit", "send_result", "tasks_done", "close"),
        channel="email",
        item_extra={"correction_detail": "電話番号 090-1111-2222 → 090-3333-4444"},
    ),
    DemoCase(
        "d4",
        PLUS_UP,
        ("correction",),
        ("高橋", "大輔", "タカハシ", "ダイスケ"),
        20,
        ("start", "verify", "decide:self_service", "submit", "send_result", "close"),
        channel="email",
    ),
    DemoCase(
        "d5",
        LEVERAGES,
        ("third_party_record_disclosure",),
        ("千葉", "優", "チバ", "ユウ"),
        16,
        # The answer lists the person's records of provision (consents/data/demo_holdings.json).
        ("start", "verify", "dispose", "decide:comply", "submit", "send_result", "close"),
        channel="email",
        documents=(_doc("drivers_license"),),
        subject_extra={"member_id": "LV-100871", "email": "yu.chiba@example.jp"},
    ),
    # Ended more than three years ago: its personal data has been erased (retention).
    DemoCase(
        "old",
        JUO,
        ("disclosure",),
        ("消去", "予定", "ショウキョ", "ヨテイ"),
        800,  # after JUO's policy took effect (2023-01-01), ended more than three years ago
        ("start", "verify", "decide:comply", "submit", "send_result", "close", "purge"),
        channel="email",
        payments=(1000,),
    ),
    # --- group companies abroad: the clock runs from receipt (GDPR Art. 12(3), CCPA §7021) ---
    DemoCase(
        "g1",
        "demo-eu",
        ("disclosure",),
        ("Schmidt", "Anna", "シュミット", "アンナ"),
        6,
        ("start",),
        channel="email",
    ),
    DemoCase(
        "g2",
        "demo-us",
        ("erasure",),
        ("Johnson", "Emily", "ジョンソン", "エミリー"),
        12,
        ("start", "verify"),
        channel="web_form",
        documents=(_doc("drivers_license"),),
    ),
]


def _run_steps(case: Request, demo: DemoCase, users: dict, today: dt.date, day: dt.date) -> None:
    """Apply the demo's steps; ``day`` is when they happen (today, or long ago for an old case)."""
    actor = users.get(demo.assignee) or users["desk"]
    for step in demo.steps:
        case = Request.objects.get(pk=case.pk)
        if step == "start":
            services.request_start_verification(actor=actor, case=case)
        elif step == "verify":
            services.request_verify(
                actor=actor, case=case, outcome="verified", name_matches=True, address_matches=True, on=day
            )
        elif step == "more_needed":
            services.request_verify(
                actor=actor, case=case, outcome="more_needed", note="本人確認書類の写しが同封されていませんでした。"
            )
        elif step == "fail":
            services.request_verify(
                actor=actor, case=case, outcome="failed", note="本人確認書類の氏名が請求書の氏名と一致しません。"
            )
        elif step == "pause_fee":
            services.request_pause(
                actor=actor, case=case, kind="fee_shortfall", note="手数料500円の不足分（定額小為替）を依頼"
            )
        elif step == "pause_long_ago":
            # Asked on the day the request reached us, by post: the letter left that day.
            services.request_pause(
                actor=actor,
                case=case,
                kind="information",
                note="ご請求の対象となるサービス名をお知らせください",
                on=case.reached_on,
            )
            letter = case.letters.get(kind="request_missing", sent_at__isnull=True)
            letter = services.letter_update(
                actor=actor,
                letter=letter,
                letter_date=case.reached_on,
                addressee=letter.addressee,
                sender=letter.sender,
                title=letter.title,
                body=letter.body,
            )
            services.response_send(
                actor=actor,
                letter=letter,
                method="post",
                sent_on=case.reached_on,
                method_override_reason="メールアドレス不明のため郵送（デモ）",
            )
        elif step == "pause_info":
            services.request_pause(actor=actor, case=case, kind="information", note="開示対象の期間をご指定ください。")
        elif step == "dispose":
            services.document_dispose(
                actor=actor, case=case, documents=case.documents.all(), disposed_on=day, method="shredded"
            )
        elif step in {"draft_result", "send_result"}:
            letter = services.letter_draft(actor=actor, case=case, kind="result")
            if letter.letter_date != day:  # a case answered in the past: its letter bears that day
                letter = services.letter_update(
                    actor=actor,
                    letter=letter,
                    letter_date=day,
                    addressee=letter.addressee,
                    sender=letter.sender,
                    title=letter.title,
                    body=letter.body,
                )
            if step == "send_result":
                method = case.policy.delivery_method()
                services.response_send(actor=actor, letter=letter, method=method, sent_on=day)
        elif step == "tasks_done":
            for task in case.tasks.all():
                services.task_complete(actor=actor, task=task, done_on=day, note="対応済み（デモ）")
        elif step == "close":
            if case.policy.id_copy_disposal != "not_stated" and case.documents.filter(disposed_on=None).exists():
                services.document_dispose(
                    actor=actor,
                    case=case,
                    documents=case.documents.filter(disposed_on=None),
                    disposed_on=day,
                    method="shredded",
                )
            services.request_close(actor=actor, case=case, on=day)
        elif step == "purge":
            services.request_purge(case=case, today=today)
        elif step.startswith("decide:"):
            _, outcome, *rest = step.split(":", 3)
            item = next(i for i in case.items.all() if not hasattr(i, "decision"))
            kwargs = {"ground": rest[0] if rest else "", "reason_text": rest[1] if len(rest) > 1 else ""}
            if item.kind in {"disclosure", "third_party_record_disclosure"} and outcome in {"comply", "partial"}:
                kwargs["method_used"] = item.requested_method or "paper"
            services.item_decide(actor=actor, item=item, outcome=outcome, on=day, **kwargs)
        elif step == "submit":
            services.request_submit_decisions(actor=actor, case=case)
        elif step == "approve":
            services.decision_approve(actor=users["manager"], case=case, comment="一部開示で差し支えなし")
        elif step == "withdraw":
            services.request_withdraw(actor=actor, case=case, reason="請求者からメールで取下げの連絡がありました。")
        elif step == "reject":
            services.request_reject(
                actor=actor,
                case=case,
                reason="所定の申請書によらない請求（お問い合わせフォーム）のため受け付けできません。",
            )
        else:  # pragma: no cover — a typo in DEMO_CASES
            raise ValueError(step)


def seed_requests(*, users: dict) -> int:
    """Create the demo requests that do not exist yet; returns how many were created."""
    organizations = ensure_seed_organizations(actor=users["admin"], with_group_abroad=True)
    today = timezone.localdate()
    created = 0
    for index, demo in enumerate(DEMO_CASES):
        token = uuid.uuid5(NAMESPACE, demo.key)
        if Request.objects.filter(intake_token=token).exists():
            continue
        organization = organizations[demo.org]
        policy = organization.policies.order_by("-effective_from").first()
        calendar = BusinessCalendar.for_organization(organization)
        reached = calendar.add_business_days(
            calendar.next_business_day(today) if demo.days_ago else today, -demo.days_ago
        )
        reached = min(reached, today)
        family, given, family_kana, given_kana = demo.subject
        actor = users.get(demo.assignee) or users["desk"]
        kinds = demo.kinds
        items = [
            {"kind": kind, "details": "サービス利用に関する保有個人データ一式", **_item_extra(kind, demo)}
            for kind in kinds
        ]
        with transaction.atomic():
            # A channel the desk accepts: the demo does not need the override (tests cover it).
            channel = demo.channel if not policy.channels or demo.channel in policy.channels else policy.channels[0]
            case = services.request_register(
                actor=actor,
                policy=policy,
                channel=channel,
                reached_on=reached,
                form_received_on=reached,
                subject={
                    "family_name": family,
                    "given_name": given,
                    "family_name_kana": family_kana,
                    "given_name_kana": given_kana,
                    "email": f"demo{index + 1:02d}@example.jp",
                    "postal_code": "100-0001",
                    "address": f"東京都千代田区千代田{index + 1}-1",
                    # A minor's legal representative acts for a person under 18 (Civil Code Art. 4).
                    "birth_date": dt.date(reached.year - 12, 4, 2) if demo.agent is MINOR_REP else None,
                    **demo.subject_extra,
                },
                agent=demo.agent,
                items=items,
                documents=[{**d, "received_on": reached} for d in demo.documents],
                payments=[
                    {
                        "amount": amount,
                        "method": (policy.payment_methods or ["postal_money_order"])[0],
                        "received_on": reached,
                    }
                    for amount in demo.payments
                ],
                assignee=users.get(demo.assignee),
                intake_token=token,
                notes="デモデータ",
            )
            _run_steps(case, demo, users, today, reached if demo.days_ago > 200 else today)
        created += 1
    return created


def _item_extra(kind: str, demo: DemoCase) -> dict:
    extra = {}
    if kind in {"disclosure", "third_party_record_disclosure"}:
        extra["requested_method"] = "electronic" if demo.channel == "email" else "paper"
    if kind in {"correction", "addition", "deletion"} and "correction_detail" in demo.item_extra:
        extra["correction_detail"] = demo.item_extra["correction_detail"]
    if kind == "suspension_of_provision" and "recipient" in demo.item_extra:
        extra["recipient"] = demo.item_extra["recipient"]
    return extra


# The online request pages opened in the demo (issue 14): Leverages (its published channels are the
# post and e-mail; the demo adds the web form) and the two group companies abroad.
PORTAL_TEXTS = {
    "intro": "このページから、当社が保有するあなたの個人情報の開示・訂正・利用停止等をご請求いただけます。"
    "本人確認書類（運転免許証、マイナンバーカード（表面のみ）、パスポート等）の写しをご用意ください。",
    "intro_en": "Use this page to ask about the personal information we hold about you. Have a copy of an identity "
    "document ready (driver's license, My Number card (front only), passport, …).",
    "privacy_notice": "お送りいただいた個人情報と書類の写しは、ご請求への対応と本人確認のためにのみ利用します。"
    "本人確認書類の写しは、確認後すみやかに廃棄します。",
    "privacy_notice_en": "What you send is used only to answer your request and to verify your identity. Copies of "
    "identity documents are destroyed once checked.",
    "after_submission": "受付番号とPINを控えてください。"
    "本人確認書類に不足がある場合は、状況ページからお送りいただけます。",
    "after_submission_en": "Keep the reference and the PIN. "
    "If a document is missing, you can send it from the status page.",
}


def open_demo_portals(organizations: dict, *, actor) -> None:
    """Open the online pages of the demo's portal organizations, adding the web form to the
    channels of their policy in force where it is missing (with a reason in its history)."""
    from requests_app.models import Channel, PortalSettings

    for code in (LEVERAGES, "demo-eu", "demo-us"):
        organization = organizations.get(code)
        if organization is None:
            continue
        policy = organization.policies.order_by("-effective_from").first()
        if Channel.WEB_FORM not in policy.channels:
            policy.channels = [*policy.channels, Channel.WEB_FORM]
            policy._history_user, policy._change_reason = actor, "デモ：オンライン受付を追加"
            policy.save()
        portal, created = PortalSettings.objects.get_or_create(organization=organization, defaults={"enabled": True})
        if created and code == LEVERAGES:
            for name, value in PORTAL_TEXTS.items():
                setattr(portal, name, value)
            portal._history_user, portal._change_reason = actor, "デモデータ"
            portal.save()


# Complaints and consultations (issue 15): (organization, business days ago, facts, how far it went).
DEMO_COMPLAINTS = [
    (
        LEVERAGES,
        10,
        {
            "kind": "complaint",
            "channel": "phone",
            "complainant_type": "data_subject",
            "topic": "request_handling",
            "summary": "開示請求の受付連絡が届かず、手続きが進んでいるか分からないとのお申出。",
        },
        "closed",
    ),
    (
        COPRO,
        2,
        {
            "kind": "consultation",
            "channel": "email",
            "complainant_type": "agent",
            "topic": "use",
            "summary": "家族の個人情報がどの目的で利用されているか知りたいとのご相談。",
        },
        "drafted",
    ),
    (
        JUO,
        16,
        {
            "kind": "complaint",
            "channel": "web_form",
            "complainant_type": "data_subject",
            "topic": "contact",
            "summary": "退会後も求人案内のメールが届くとのお申出。",
        },
        "received",
    ),
]


def seed_complaints(*, users: dict, organizations: dict) -> int:
    """The demo complaints not there yet (matched by their text); returns how many were made."""
    from requests_app.models import Complaint

    today = timezone.localdate()
    made = 0
    for code, days_ago, facts, stage in DEMO_COMPLAINTS:
        organization = organizations[code]
        if Complaint.objects.filter(organization=organization, summary=facts["summary"]).exists():
            continue
        calendar = BusinessCalendar.for_organization(organization)
        received = min(calendar.add_business_days(calendar.next_business_day(today), -days_ago), today)
        with transaction.atomic():
            complaint = services.complaint_register(
                actor=users["desk"], organization=organization, received_on=received, assignee=users["desk"], **facts
            )
            if stage in {"drafted", "closed"}:
                services.complaint_draft_reply(
                    actor=users["desk"],
                    complaint=complaint,
                    reply_text="このたびはご不便をおかけし申し訳ございません。状況を確認のうえ、ご案内いたします。",
                )
            if stage == "closed":
                services.complaint_approve(actor=users["manager"], complaint=complaint, comment="この内容で回答可")
                services.complaint_record_reply(
                    actor=users["desk"], complaint=complaint, replied_on=today, method="phone"
                )
                services.complaint_close(
                    actor=users["desk"],
                    complaint=complaint,
                    outcome="resolved",
                    cause="受付時の確認書の送付漏れ（担当者の確認手順に抜け）。",
                    measure="受付確認書の送付を受付チェックリストに追加し、窓口内で周知。",
                )
        made += 1
    return made


def seed_demo(*, stdout) -> None:
    with_passwords = settings.DEBUG
    users = seed_users(with_passwords=with_passwords)
    by_name = {demo.username: get_user_model().objects.get(username=demo.username) for demo, _ in users}
    organizations = ensure_seed_organizations(actor=by_name["admin"], with_group_abroad=True)
    for organization in organizations.values():
        organization.staff.add(*[u for name, u in by_name.items() if name != "admin"])
    extensions.demo_seed(organizations=organizations, actor=by_name["admin"])  # e.g. purposes of use
    created = seed_requests(users=by_name)
    complaints = seed_complaints(users=by_name, organizations=organizations)
    open_demo_portals(organizations, actor=by_name["admin"])  # after: the seeds reset the channels
    stdout.write(
        f"Organizations: {len(organizations)}; demo requests created now: {created} (total {Request.objects.count()}); "
        f"complaints and consultations created now: {complaints}."
    )
    stdout.write(f"Online request pages: http://127.0.0.1:8000/portal/{LEVERAGES}/ (also demo-eu, demo-us)")
    stdout.write("Demo logins (http://127.0.0.1:8000/admin/):")
    for demo, created_user in users:
        role = roles.ROLE_LABELS[demo.role] if demo.role else "superuser"
        password = DEMO_PASSWORD if with_passwords else "(no password: DEBUG is off)"
        stdout.write(f"  {demo.username:<8} / {password:<16} {role}{'  [new]' if created_user else ''}")
