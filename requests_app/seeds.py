"""The five seed organizations and their desk policies, as SPEC §3 reads ../shared/seeds/.

Used by ``seed_demo`` and by the tests: one source for what each desk's procedure is.
Idempotent: running it again updates the same rows (keyed by organization code and policy date).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from requests_app.deadlines import DeadlineUnit
from requests_app.models import (
    AgentProofRule,
    AgentType,
    Channel,
    ClockStart,
    DeskPolicy,
    DisposalRule,
    DocumentKind,
    Holder,
    ItemKind,
    Organization,
    PaymentMethod,
    ReplyTo,
    ResponseMethod,
    TargetSystem,
)

D = dt.date.fromisoformat
K = DocumentKind

PLUS_UP = "plusup"
RECRUIT_CC = "recruit-cc"
JUO = "juo"
COPRO = "copro"
LEVERAGES = "leverages"

JIPDEC = (
    "認定個人情報保護団体 一般財団法人日本情報経済社会推進協会（JIPDEC）個人情報保護苦情相談室\n"
    "〒106-0032 東京都港区六本木1-9-9 六本木ファーストビル12階 電話 03-5860-7565"
)

SEED_ORGANIZATIONS: list[dict] = [
    {
        "organization": {
            "code": PLUS_UP,
            "name": "株式会社PLUS UP",
            "name_en": "PLUS UP CO.,LTD",
            "desk_name": "個人情報保護管理者（管理本部）",
            "desk_email": "privacy@sample.com",  # seeds/000 l.7 prints this placeholder domain itself
            # seeds/000 l.67: "the office of the service you are using or the … manager".
            "complaint_desk": "個人情報保護管理者（管理本部） privacy@sample.com／Plus UP Recruit: info@plusup.com",
        },
        "policy": {
            "name": "プライバシーポリシー（開示等はマイページ）",
            "effective_from": D("2024-01-01"),  # seeds/000 states no date: a placeholder
            "source": "seeds/000 §6, §9: contact per service by e-mail; disclosure, correction, addition and "
            "deletion by the member on My Page.",
            "channels": [Channel.EMAIL, Channel.SELF_SERVICE],
            "channel_notes": "各サービスの窓口へメールで連絡（Plus UP Recruit: info@plusup.com）。"
            "開示・訂正・追加・削除はマイページで本人が行える。",
            # seeds/000 states no identity check: matching the registered e-mail is desk practice.
            "id_documents_required": False,
            "id_notes": "本人確認書類の定めなし。登録メールアドレスからの連絡であることを確認する。",
            # The reply method is not stated; e-mail is assumed for the §9 contacts. Agents and fees:
            # seeds/000 is silent — SPEC §6 defaults, no fee.
            "response_methods": [ResponseMethod.SELF_SERVICE, ResponseMethod.EMAIL],
            # seeds/000 §6: "Disclosure, correction, addition, and deletion: … yourself on your My Page."
            "self_service_kinds": [ItemKind.DISCLOSURE, ItemKind.CORRECTION, ItemKind.ADDITION, ItemKind.DELETION],
            "deadline_notes": "期限の定めなし（社内目標を適用）。",
        },
        "systems": ["Plus UP Recruit 会員データベース"],
        "agent_rules": [],
    },
    {
        "organization": {
            "code": RECRUIT_CC,
            "name": "株式会社リクルートキャリアコンサルティング",
            "name_en": "Recruit Career Consulting Co., Ltd.",
            "desk_name": "あんしんダイヤル（個人情報に関する問合せ先）",
            "desk_phone": "0120-933-728",
            "desk_hours": "平日10:00-17:00（平日のみ）",
            # seeds/001 l.172: the inquiry desk; no separate complaint office is named.
            "complaint_desk": "あんしんダイヤル 0120-933-728（平日10:00-17:00）",
        },
        "policy": {
            "name": "プライバシーポリシー 8. 個人情報の開示等の請求",
            "effective_from": D("2021-09-06"),
            "source": "seeds/001 §8, §11: requests through the company's procedure, starting with a call to "
            "the toll-free line; identity documents required; agents allowed.",
            # seeds/001 l.158: "ask the inquiry desk (§11) how to request"; l.174 gives a phone number
            # only. How the documents are sent is not stated: post is assumed.
            "channels": [Channel.PHONE, Channel.POST],
            "channel_notes": "請求方法はあんしんダイヤルで案内（書類の提出方法は記載なし。郵送を想定）。",
            "id_documents_required": True,
            # seeds/001 l.160 names no documents and no count. SCENARIOS §4 accepts a representative's
            # eligibility certificate alone: one document of either kind (desk practice, not the seed).
            "photo_id_count": 1,
            "non_photo_id_count": 1,
            "id_notes": "請求時に本人確認書類の提出を求める（種類・点数の定めなし）。",
            # The reply method is not stated: post assumed.
            "response_methods": [ResponseMethod.POST, ResponseMethod.REGISTERED_MAIL],
            "deadline_notes": "期限の定めなし（社内目標を適用）。",
        },
        "systems": ["応募者データベース", "CRMシステム"],
        "agent_rules": [],  # "agents allowed", proofs not stated: SPEC §6 defaults apply
    },
    {
        "organization": {
            "code": JUO,
            "name": "JUO株式会社（CareerModel）",
            "name_en": "JUO Inc. (CareerModel)",
            "desk_name": "CareerModelサポートデスク",
            "desk_postal_code": "160-0023",
            "desk_address": "東京都新宿区西新宿3-3-13 西新宿水間ビル6F",
            "desk_email": "info@career-model.com",
            "desk_hours": "土日祝日・12月29日〜1月3日は休業",
            "complaint_desk": "CareerModelサポートデスク info@career-model.com",
        },
        "policy": {
            "name": "CareerModel プライバシーポリシー 第6条（開示等の請求）",
            "effective_from": D("2022-12-01"),  # seeds/002 l.94 "Created in December 2022" (month only)
            "source": "seeds/002 Art. 6, Art. 11: disclosure without delay; 1,000 yen per disclosure; replies by "
            "e-mail in principle; closed weekends, holidays and Dec 29 – Jan 3.",
            # No channel is named for requests; Art. 11 (l.84–87) lists a postal address and e-mail for
            # inquiries, and l.89 answers by e-mail: e-mail is the reading here.
            "channels": [Channel.EMAIL],
            "fee_disclosure": 1000,
            "payment_methods": [],  # seeds/002 l.64 states the fee only, not how it is paid
            "fee_notes": "開示1件につき1,000円。支払方法の定めなし。",
            # seeds/002 states no identity check and does not mention agents (SPEC §6 defaults).
            "id_documents_required": False,
            "id_notes": "本人確認書類の定めなし。登録メールアドレスからの請求であることを確認する。",
            "response_methods": [ResponseMethod.EMAIL],
            "deadline_notes": "遅滞なく開示（社内目標を適用）。",
        },
        "systems": ["CareerModel 会員データベース"],
        "agent_rules": [],
    },
    {
        "organization": {
            "code": COPRO,
            "name": "株式会社コプロ・ホールディングス",
            "name_en": "COPRO-HOLDINGS. Co., Ltd.",
            "desk_name": "個人情報お問い合わせ窓口",
            "desk_postal_code": "450-6427",
            "desk_address": "愛知県名古屋市中村区名駅3-28-12 大名古屋ビルヂング27F",
            "desk_phone": "052-589-3066",
            "desk_hours": "平日9:00-18:00（FAX 052-589-3067 は24時間受付）",
            # seeds/003 l.166: "questions, complaints, or inquiries … contact us at the following
            # office"; JIPDEC (l.156) is where complaints "can also be brought".
            "complaint_desk": "個人情報お問い合わせ窓口 TEL 052-589-3066（平日9:00-18:00）"
            "FAX 052-589-3067（24時間受付）\n（" + JIPDEC + "）",
        },
        "policy": {
            "name": "開示等の求めに応じる手続",
            "effective_from": D("2021-01-01"),  # seeds/003 l.44 "Revised on January 1, 2021"
            "source": "seeds/003 'Procedures for Disclosure Requests, etc.' 1–5.",
            "channels": [Channel.POST],
            "channel_notes": "郵送のみ。簡易書留等の配達記録が残る方法を推奨。"
            "封筒に朱書きで「個人情報開示等請求書在中」。",
            "fee_purpose_notice": 500,
            "fee_disclosure": 500,
            "payment_methods": [PaymentMethod.POSTAL_MONEY_ORDER],
            "fee_notes": "開示・利用目的の通知1件につき500円（税込）を定額小為替で同封。"
            "不足または未同封の場合は開示しない。為替・郵送料は請求者負担。",
            "id_documents_required": True,
            # seeds/003 names the health-insurance card; since 2025-12-01 its successor, the eligibility
            # certificate, stands in its place (the card itself only for requests reached before).
            "accepted_id_documents": [
                K.DRIVERS_LICENSE,
                K.HEALTH_INSURANCE_CARD,
                K.ELIGIBILITY_CERTIFICATE,
                K.RESIDENT_REGISTER_COPY,
            ],
            "photo_id_count": 1,
            "non_photo_id_count": 1,
            "id_notes": "運転免許証・健康保険証・住民票の写しのいずれかの写し。本籍地と個人番号は黒塗り。",
            # l.152 "in writing to the address … stated in the Request Form": post or registered mail.
            # l.142 "500 yen … per request": per item asked for (fee_basis per item).
            "response_methods": [ResponseMethod.POST, ResponseMethod.REGISTERED_MAIL],
            "reply_to": ReplyTo.FORM_ADDRESS,
            "deadline_notes": "期限の定めなし（社内目標 14営業日）。回答は請求書記載の住所へ書面で。",
        },
        "systems": ["人材管理システム", "メール配信リスト"],
        "agent_rules": [
            (AgentType.ENTRUSTED, "委任状（本人の実印押印）", [K.POWER_OF_ATTORNEY], None, ""),
            # The certificate proves the seal of the person who signed the power of attorney.
            (AgentType.ENTRUSTED, "本人の印鑑登録証明書", [K.SEAL_REGISTRATION_CERTIFICATE], None, Holder.DATA_SUBJECT),
            (  # seeds/003 l.138 names no document: the kinds are desk practice (SPEC §6)
                AgentType.MINOR_LEGAL_REPRESENTATIVE,
                "法定代理人であることを証明する書類",
                [
                    K.FAMILY_REGISTER_EXTRACT,
                    K.RESIDENT_REGISTER_COPY,
                    K.HEALTH_INSURANCE_CARD,
                    K.ELIGIBILITY_CERTIFICATE,
                ],
                None,
                "",
            ),
            (AgentType.ADULT_GUARDIAN, "法定代理人であることを証明する書類", [K.GUARDIANSHIP_CERTIFICATE], None, ""),
        ],
    },
    {
        "organization": {
            "code": LEVERAGES,
            "name": "レバレジーズ株式会社",
            "name_en": "Leverages Co., Ltd.",
            "desk_name": "レバレジーズグループ お客様窓口",
            "desk_postal_code": "150-6190",
            "desk_address": "東京都渋谷区渋谷2-24-12 渋谷スクランブルスクエア24F・25F",
            "desk_phone": "03-5774-1632",
            "desk_hours": "土日祝日・年末年始等の休業日を除く",
            "complaint_desk": "レバレジーズグループ お客様窓口 03-5774-1632",
        },
        "policy": {
            "name": "プライバシーポリシー「開示等の請求」",
            "effective_from": D("2025-05-27"),
            "source": "seeds/004 'Request for disclosure, etc.' 1)–4): form plus ID copy; reply by e-mail or in "
            "writing within 14 business days of the complete form and ID; ID copies disposed of at once.",
            # seeds/004 l.243 names no channel and no e-mail address: post or e-mail is SPEC §3's reading.
            "channels": [Channel.POST, Channel.EMAIL],
            "channel_notes": "所定の申請書と本人確認書類を郵送またはメールで。"
            "電話・お問い合わせフォームでは受け付けない。",
            "id_documents_required": True,
            "accepted_id_documents": [
                K.DRIVERS_LICENSE,
                K.HEALTH_INSURANCE_CARD,
                K.ELIGIBILITY_CERTIFICATE,
                K.MY_NUMBER_CARD_FRONT,
                K.PENSION_BOOK,
                K.RESIDENCE_CARD,
                K.PASSPORT,
            ],
            "photo_id_count": 1,
            "non_photo_id_count": 1,
            "id_notes": "いずれか1点の写し。住所と本籍地が異なる場合は本籍地を黒塗り（seeds/004 l.246）。"
            "マイナンバーカードは表面のみ（SPEC §6）。",
            "fee_notes": "無料（seeds/004 l.243）。",
            # seeds/004 3) b.: an agent sends, "in addition to the document listed above" (the
            # person's ID), the agent's own driver's licence or health-insurance card.
            "subject_id_for_agents": True,
            "agent_id_documents": [K.DRIVERS_LICENSE, K.HEALTH_INSURANCE_CARD, K.ELIGIBILITY_CERTIFICATE],
            "response_methods": [ResponseMethod.EMAIL, ResponseMethod.POST],
            "deadline_unit": DeadlineUnit.BUSINESS_DAYS,
            "deadline_limit": 14,
            "deadline_notes": "申請書と本人確認書類の受領から14営業日以内に回答。",
            "id_copy_disposal": DisposalRule.AT_VERIFICATION,
            # Forms are disposed of "after a certain period" (l.261): the period is not stated.
        },
        "systems": ["求職者データベース", "メール配信リスト"],
        "agent_rules": [
            (
                AgentType.MINOR_LEGAL_REPRESENTATIVE,
                "法定代理権を確認する書類（戸籍謄本、または親権者の場合は被扶養者の記載がある健康保険証等）",
                [K.FAMILY_REGISTER_EXTRACT, K.HEALTH_INSURANCE_CARD, K.ELIGIBILITY_CERTIFICATE],
                None,
                "",
            ),
            (  # seeds/004 names no document for guardians: the certificate is SPEC §6's desk practice
                AgentType.ADULT_GUARDIAN,
                "法定代理権を確認する書類（後見登記事項証明書）",
                [K.GUARDIANSHIP_CERTIFICATE],
                None,
                "",
            ),
            (AgentType.ENTRUSTED, "委任状", [K.POWER_OF_ATTORNEY], None, ""),
        ],
    },
]


# Two demo group companies abroad (not from the seed documents): the same code serves other
# jurisdictions through the policy's data alone (SPEC §5 "deadline rules are data").
DEMO_GROUP_ABROAD: list[dict] = [
    {
        "organization": {
            "code": "demo-eu",
            "name": "PrivacyOps Demo Europe GmbH（デモ：欧州グループ会社）",
            "name_en": "PrivacyOps Demo Europe GmbH",
            "desk_name": "Data Protection Office",
            "desk_email": "privacy@demo-eu.example",
            "complaint_desk": "Data Protection Office privacy@demo-eu.example / the competent supervisory authority",
            "holiday_country": "DE",
        },
        "policy": {
            "name": "GDPR第12条3項 — データ主体からの請求",
            "effective_from": D("2024-01-01"),
            "source": "Demo: GDPR Art. 12(3): without undue delay, at the latest one month from receipt; "
            "extendable by two further months, the person informed within the first month.",
            "channels": [Channel.EMAIL, Channel.WEB_FORM, Channel.POST],
            "id_documents_required": True,
            "photo_id_count": 1,
            "non_photo_id_count": 2,
            "accepted_id_documents": [K.PASSPORT, K.DRIVERS_LICENSE, K.RESIDENCE_CARD],
            "response_methods": [ResponseMethod.EMAIL, ResponseMethod.POST],
            "deadline_counts_from": ClockStart.RECEIPT,
            "deadline_unit": DeadlineUnit.MONTHS,
            "deadline_limit": 1,
            "extension_limit": 2,
            "extension_notice_limit": 1,
            "deadline_notes": "GDPR Art. 12(3): 1 month from receipt (+2 months with notice within the first month).",
        },
        "systems": ["CRM (EU)"],
        "agent_rules": [],
    },
    {
        "organization": {
            "code": "demo-us",
            "name": "PrivacyOps Demo USA Inc.（デモ：米国グループ会社）",
            "name_en": "PrivacyOps Demo USA Inc.",
            "desk_name": "Privacy Requests",
            "desk_email": "privacy@demo-us.example",
            "desk_phone": "+1-800-555-0100",
            "complaint_desk": "Privacy Requests privacy@demo-us.example / California Privacy Protection Agency",
            "holiday_country": "US",
        },
        "policy": {
            "name": "CCPA規則 §7021 — 開示請求・削除請求",
            "effective_from": D("2024-01-01"),
            "source": "Demo: CCPA Regs. §7021: confirm receipt within 10 business days; respond within 45 "
            "calendar days of receipt whatever verification takes; +45 days with notice.",
            "channels": [Channel.EMAIL, Channel.WEB_FORM, Channel.PHONE],
            "id_documents_required": True,
            "photo_id_count": 1,
            "non_photo_id_count": 2,
            "accepted_id_documents": [K.PASSPORT, K.DRIVERS_LICENSE],
            "response_methods": [ResponseMethod.EMAIL, ResponseMethod.POST],
            "deadline_counts_from": ClockStart.RECEIPT,
            "deadline_unit": DeadlineUnit.CALENDAR_DAYS,
            "deadline_limit": 45,
            "extension_limit": 45,
            "extension_notice_limit": 45,
            "acknowledgement_limit": 10,
            "deadline_notes": "CCPA Regs. §7021: 45 calendar days from receipt (+45 with notice); "
            "acknowledge within 10 business days.",
        },
        "systems": ["CRM (US)"],
        "agent_rules": [],
    },
]


@transaction.atomic
def ensure_seed_organizations(*, actor=None, with_group_abroad: bool = False) -> dict[str, Organization]:
    """Create or update the five organizations (and, for the demo, the two group companies
    abroad), their desk policies and agent proof rules; returns them by code."""
    reason = "seed: SPEC §3"
    result = {}
    for seed in SEED_ORGANIZATIONS + (DEMO_GROUP_ABROAD if with_group_abroad else []):
        org_fields = dict(seed["organization"])
        code = org_fields.pop("code")
        organization = Organization.objects.filter(code=code).first() or Organization(code=code)
        for name, value in org_fields.items():
            setattr(organization, name, value)
        organization._history_user, organization._change_reason = actor, reason
        organization.save()

        policy_fields = dict(seed["policy"])
        effective_from = policy_fields.pop("effective_from")
        policy = DeskPolicy.objects.filter(organization=organization, effective_from=effective_from).first()
        policy = policy or DeskPolicy(organization=organization, effective_from=effective_from)
        for name, value in policy_fields.items():
            setattr(policy, name, value)
        policy._history_user, policy._change_reason = actor, reason
        policy.save()

        wanted = {(agent_type, label) for agent_type, label, *_rest in seed["agent_rules"]}
        for rule in policy.agent_proof_rules.all():
            if (rule.agent_type, rule.label) not in wanted:
                rule._history_user, rule._change_reason = actor, reason
                rule.delete()
        for agent_type, label, kinds, max_age, holder in seed["agent_rules"]:
            rule = AgentProofRule.objects.filter(policy=policy, agent_type=agent_type, label=label).first()
            rule = rule or AgentProofRule(policy=policy, agent_type=agent_type, label=label)
            rule.document_kinds, rule.max_age_months, rule.holder = [str(k) for k in kinds], max_age, holder
            rule._history_user, rule._change_reason = actor, reason
            rule.save()
        for name in seed.get("systems", []):
            if not TargetSystem.objects.filter(organization=organization, name=name).exists():
                system = TargetSystem(organization=organization, name=name)
                system._history_user, system._change_reason = actor, reason
                system.save()
        result[code] = organization
    return result
