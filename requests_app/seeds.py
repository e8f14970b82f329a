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
    DeskPolicy,
    DisposalRule,
    DocumentKind,
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
            "desk_email": "privacy@sample.com",
            "complaint_desk": "個人情報保護管理者（管理本部） privacy@sample.com",
        },
        "policy": {
            "name": "プライバシーポリシー（開示等はマイページ）",
            "effective_from": D("2024-01-01"),
            "source": "seeds/000 §6, §9: contact per service by e-mail; disclosure, correction, addition and "
            "deletion by the member on My Page.",
            "channels": [Channel.EMAIL, Channel.SELF_SERVICE],
            "channel_notes": "各サービスの窓口へメールで連絡（Plus UP Recruit: info@plusup.com）。"
            "開示・訂正・追加・削除はマイページで本人が行える。",
            "id_documents_required": False,
            "id_notes": "本人確認書類の定めなし。登録メールアドレスからの連絡であることを確認する。",
            "response_methods": [ResponseMethod.SELF_SERVICE, ResponseMethod.EMAIL],
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
            "complaint_desk": "あんしんダイヤル 0120-933-728（平日10:00-17:00）",
        },
        "policy": {
            "name": "プライバシーポリシー 8. 個人情報の開示等の請求",
            "effective_from": D("2021-09-06"),
            "source": "seeds/001 §8, §11: requests through the company's procedure, starting with a call to "
            "the toll-free line; identity documents required; agents allowed.",
            "channels": [Channel.PHONE, Channel.POST],
            "channel_notes": "まず電話（あんしんダイヤル）で受付し、所定の請求書を送付。"
            "請求書と本人確認書類は郵送で返送。",
            "id_documents_required": True,
            # Identity is first checked on the phone call, so one document of either kind is enough.
            "photo_id_count": 1,
            "non_photo_id_count": 1,
            "id_notes": "請求時に本人確認書類の提出を求める（電話での聞き取りと併せて確認）。書類は1点。",
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
            "name": "CareerModel Privacy Policy Art. 6",
            "effective_from": D("2023-01-01"),
            "source": "seeds/002 Art. 6, Art. 11: disclosure without delay; 1,000 yen per disclosure; replies by "
            "e-mail in principle; closed weekends, holidays and Dec 29 – Jan 3.",
            "channels": [Channel.EMAIL],
            "fee_disclosure": 1000,
            "payment_methods": [PaymentMethod.BANK_TRANSFER],
            "fee_notes": "開示1件につき1,000円。",
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
            "complaint_desk": JIPDEC,
        },
        "policy": {
            "name": "開示等の求めに応じる手続",
            "effective_from": D("2022-04-01"),
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
            "accepted_id_documents": [K.DRIVERS_LICENSE, K.HEALTH_INSURANCE_CARD, K.RESIDENT_REGISTER_COPY],
            "photo_id_count": 1,
            "non_photo_id_count": 1,
            "id_notes": "運転免許証・健康保険証・住民票の写しのいずれかの写し。本籍地と個人番号は黒塗り。",
            "response_methods": [ResponseMethod.POST, ResponseMethod.REGISTERED_MAIL],
            "reply_to": ReplyTo.FORM_ADDRESS,
            "deadline_notes": "期限の定めなし（社内目標 14営業日）。回答は請求書記載の住所へ書面で。",
        },
        "systems": ["人材管理システム", "メール配信リスト"],
        "agent_rules": [
            (AgentType.ENTRUSTED, "委任状（本人の実印押印）", [K.POWER_OF_ATTORNEY], None),
            (AgentType.ENTRUSTED, "本人の印鑑登録証明書", [K.SEAL_REGISTRATION_CERTIFICATE], None),
            (
                AgentType.MINOR_LEGAL_REPRESENTATIVE,
                "法定代理人であることを証明する書類",
                [K.FAMILY_REGISTER_EXTRACT, K.RESIDENT_REGISTER_COPY, K.HEALTH_INSURANCE_CARD],
                None,
            ),
            (AgentType.ADULT_GUARDIAN, "法定代理人であることを証明する書類", [K.GUARDIANSHIP_CERTIFICATE], None),
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
            "name": "Privacy Policy — Request for disclosure, etc.",
            "effective_from": D("2025-05-27"),
            "source": "seeds/004 'Request for disclosure, etc.' 1)–4): form plus ID copy; reply by e-mail or in "
            "writing within 14 business days of the complete form and ID; ID copies disposed of at once.",
            "channels": [Channel.POST, Channel.EMAIL],
            "channel_notes": "所定の申請書と本人確認書類を郵送またはメールで。"
            "電話・お問い合わせフォームでは受け付けない。",
            "id_documents_required": True,
            "accepted_id_documents": [
                K.DRIVERS_LICENSE,
                K.HEALTH_INSURANCE_CARD,
                K.MY_NUMBER_CARD_FRONT,
                K.PENSION_BOOK,
                K.RESIDENCE_CARD,
                K.PASSPORT,
            ],
            "photo_id_count": 1,
            "non_photo_id_count": 1,
            "id_notes": "いずれか1点の写し。本籍地は黒塗り。マイナンバーカードは表面のみ。",
            "response_methods": [ResponseMethod.EMAIL, ResponseMethod.POST],
            "deadline_unit": DeadlineUnit.BUSINESS_DAYS,
            "deadline_limit": 14,
            "deadline_notes": "申請書と本人確認書類の受領から14営業日以内に回答。",
            "id_copy_disposal": DisposalRule.AT_VERIFICATION,
        },
        "systems": ["求職者データベース", "メール配信リスト"],
        "agent_rules": [
            (
                AgentType.MINOR_LEGAL_REPRESENTATIVE,
                "法定代理権を確認する書類（戸籍謄本、または被扶養者の記載がある健康保険証等）",
                [K.FAMILY_REGISTER_EXTRACT, K.HEALTH_INSURANCE_CARD],
                None,
            ),
            (
                AgentType.ADULT_GUARDIAN,
                "法定代理権を確認する書類（後見登記事項証明書）",
                [K.GUARDIANSHIP_CERTIFICATE],
                None,
            ),
            (AgentType.ENTRUSTED, "委任状", [K.POWER_OF_ATTORNEY], None),
        ],
    },
]


@transaction.atomic
def ensure_seed_organizations(*, actor=None) -> dict[str, Organization]:
    """Create or update the five organizations, their desk policies and agent proof rules."""
    reason = "seed: SPEC §3"
    result = {}
    for seed in SEED_ORGANIZATIONS:
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

        wanted = {(agent_type, label) for agent_type, label, _kinds, _age in seed["agent_rules"]}
        for rule in policy.agent_proof_rules.all():
            if (rule.agent_type, rule.label) not in wanted:
                rule._history_user, rule._change_reason = actor, reason
                rule.delete()
        for agent_type, label, kinds, max_age in seed["agent_rules"]:
            rule = AgentProofRule.objects.filter(policy=policy, agent_type=agent_type, label=label).first()
            rule = rule or AgentProofRule(policy=policy, agent_type=agent_type, label=label)
            rule.document_kinds, rule.max_age_months = [str(k) for k in kinds], max_age
            rule._history_user, rule._change_reason = actor, reason
            rule.save()
        for name in seed.get("systems", []):
            if not TargetSystem.objects.filter(organization=organization, name=name).exists():
                system = TargetSystem(organization=organization, name=name)
                system._history_user, system._change_reason = actor, reason
                system.save()
        result[code] = organization
    return result
