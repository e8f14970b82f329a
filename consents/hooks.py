"""What the consents app gives the desk's cases (registered in ``ConsentsConfig.ready``; see
``requests_app.extensions``): purposes for a purpose notice, records for a third-party record
disclosure, and the stop of provision when a suspension of provision is granted (SPEC §11)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db.models import Q

from consents import services
from consents.models import DataCategory, Direction, ProvisionRecord, PurposeOfUse
from requests_app.models import ItemKind, Outcome


def purposes(case) -> list[tuple[str, list[str]]]:
    """The purposes of use in force at the case's organization on the day the request reached
    us, grouped by data category (the letter prints them all: whose category the person is in
    is not recorded)."""
    rows = (
        PurposeOfUse.objects.filter(organization_id=case.organization_id, effective_from__lte=case.reached_on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=case.reached_on))
        .order_by("category", "order", "pk")
    )
    groups: dict[str, list[str]] = {}
    for purpose in rows:
        groups.setdefault(purpose.category, []).append(purpose.text)
    return [(DataCategory(category).label, texts) for category, texts in groups.items()]  # translated in the letter


def provision_records(case) -> list[dict]:
    """The person's records of provision and receipt, oldest first; ``excluded`` marks records the
    Enforcement Order (Art. 11) keeps out of a disclosure."""
    labels = {Direction.PROVIDED: "提供", Direction.RECEIVED: "受領"}
    return [
        {
            "direction": record.direction,
            "direction_label": labels[record.direction],
            "counterparty": record.counterparty,
            "provided_on": record.provided_on,
            "items": record.items,
            "excluded": record.excluded_from_disclosure,
        }
        for record in ProvisionRecord.objects.filter(data_subject_id=case.data_subject_id).order_by("provided_on", "pk")
    ]


def decision_effective(case, actor) -> None:
    """A granted suspension of provision (Art. 35-3) stops provision to the recipient named in
    the item, with the case as the reason (matching consents are withdrawn through it)."""
    for item in case.items.all():
        decision = getattr(item, "decision", None)
        if (
            item.kind == ItemKind.SUSPENSION_OF_PROVISION
            and item.recipient.strip()
            and decision is not None
            and decision.outcome in {Outcome.COMPLY, Outcome.PARTIAL}
        ):
            services.provision_suspend(
                actor=actor,
                data_subject=case.data_subject,
                recipient=item.recipient.strip(),
                on=decision.decided_on,
                case=case,
            )


SEED_PURPOSES = Path(__file__).parent / "data" / "seed_purposes.json"


def demo_seed(*, organizations: dict, actor) -> None:
    """The purposes of use each seed policy states (``data/seed_purposes.json``, extracted from
    ../shared/seeds word for word), in force from the organization's current policy. Idempotent."""
    seeds = json.loads(SEED_PURPOSES.read_text(encoding="utf-8"))
    for code, seed in seeds.items():
        organization = organizations.get(code)
        if organization is None:
            continue
        policy = organization.policies.order_by("-effective_from").first()
        for category in seed["categories"]:
            for order, text in enumerate(category["purposes"]):
                if PurposeOfUse.objects.filter(
                    organization=organization, category=category["category"], text=text
                ).exists():
                    continue
                purpose = PurposeOfUse(
                    organization=organization,
                    category=category["category"],
                    text=text,
                    effective_from=policy.effective_from,
                    order=order,
                )
                purpose._history_user = actor
                purpose._change_reason = f"seed: {seed.get('source_lines', '')} {code}".strip()
                purpose.save()
