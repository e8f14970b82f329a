"""What the consents app gives the desk's cases (registered in ``ConsentsConfig.ready``; see
``requests_app.extensions``): purposes for a purpose notice, records for a third-party record
disclosure, and the stop of provision when a suspension of provision is granted (SPEC §11)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlencode

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from consents import services
from consents.models import (
    Consent,
    DataCategory,
    Direction,
    OptOutProvision,
    ProvisionRecord,
    ProvisionStop,
    PurposeOfUse,
    recipient_key,
)
from consents.selectors import IDENTITY_FIELDS, MATCH_LABELS, same_person_ids, what_we_hold
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
    labels = {
        Direction.PROVIDED: pgettext_lazy("record of", "Provided to"),
        Direction.RECEIVED: pgettext_lazy("record of", "Received from"),
    }
    return [
        {
            "direction": record.direction,
            "direction_label": labels[record.direction],
            "counterparty": record.counterparty,
            "provided_on": record.provided_on,
            "items": record.items,
            "address": record.counterparty_address,
            "obtained_how": record.provider_obtained_how,
            "excluded": record.excluded_from_disclosure,
        }
        for record in ProvisionRecord.objects.filter(data_subject_id__in=same_person_ids(case.data_subject)).order_by(
            "provided_on", "pk"
        )
    ]


def decision_effective(case, actor) -> None:
    """A granted suspension of provision (Art. 35-3) stops provision to the recipient named in
    the item, with the case as the reason (matching consents are withdrawn through it); when the
    recipient is one of the organization's opt-out provisions in operation, that opt-out provision
    is stopped for the person (Art. 27-2; SPEC §11: handled like a suspension)."""
    for item in case.items.all():
        decision = getattr(item, "decision", None)
        if not (
            item.kind == ItemKind.SUSPENSION_OF_PROVISION
            and item.recipient.strip()
            and decision is not None
            and decision.outcome in {Outcome.COMPLY, Outcome.PARTIAL}
        ):
            continue
        recipient = item.recipient.strip()
        opt_out = next(
            (
                opt_out
                for opt_out in OptOutProvision.objects.filter(organization_id=case.organization_id, active=True)
                if recipient_key(opt_out.recipient) == recipient_key(recipient)
            ),
            None,
        )
        if opt_out is not None:
            services.opt_out_stop(
                actor=actor, opt_out=opt_out, data_subject=case.data_subject, on=decision.decided_on, case=case
            )
        # Consents to that recipient are withdrawn either way (the stop already written is kept).
        services.provision_suspend(
            actor=actor, data_subject=case.data_subject, recipient=recipient, on=decision.decided_on, case=case
        )


SEED_PURPOSES = Path(__file__).parent / "data" / "seed_purposes.json"
DEMO_HOLDINGS = Path(__file__).parent / "data" / "demo_holdings.json"


def demo_seed(*, organizations: dict, actor) -> None:
    """The demo's purposes of use, opt-out provisions, people on record, consents and records
    (SPEC §11; Scenario 2 answers from them). Idempotent: a second run adds nothing."""
    _seed_purposes(organizations=organizations, actor=actor)
    _seed_holdings(organizations=organizations, actor=actor)


def _seed_purposes(*, organizations: dict, actor) -> None:
    """The purposes of use each seed policy states (``data/seed_purposes.json``, extracted from
    ../shared/seeds word for word), in force from the organization's current policy."""
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


def _seed_holdings(*, organizations: dict, actor) -> None:
    """``data/demo_holdings.json``, written through the services (the same checks as the desk's)."""
    today = timezone.localdate()
    demo = json.loads(DEMO_HOLDINGS.read_text(encoding="utf-8"))
    for code, seed in demo.items():
        organization = organizations.get(code)
        if organization is None:
            continue
        opt_outs = {}
        for data in seed.get("opt_outs", []):
            opt_out = OptOutProvision.objects.filter(organization=organization, recipient=data["recipient"]).first()
            if opt_out is None:
                opt_out = OptOutProvision(organization=organization, **data)
                opt_out._history_user = actor
                opt_out._change_reason = f"seed: {code} (demo)"
                opt_out.full_clean()
                opt_out.save()
            opt_outs[opt_out.recipient] = opt_out
        for data in seed.get("people", []):
            identity = dict(data["identity"])
            if identity.get("birth_date"):
                identity["birth_date"] = dt.date.fromisoformat(identity["birth_date"])
            person = services.person_on_record(
                actor=actor, organization_id=organization.pk, identity=identity, note="seed_demo"
            )
            for consent in data["consents"]:
                fields = {k: v for k, v in consent.items() if k != "days_ago"}
                given_on = today - dt.timedelta(days=consent["days_ago"])
                if not Consent.objects.filter(
                    data_subject=person, scope=fields["scope"], recipient=fields["recipient"]
                ).exists():
                    services.consent_give(
                        actor=actor, data_subject=person, given_on=given_on, note="seed_demo", **fields
                    )
            for record in data["records"]:
                fields = {k: v for k, v in record.items() if k not in {"days_ago", "direction", "opt_out"}}
                provided_on = today - dt.timedelta(days=record["days_ago"])
                if ProvisionRecord.objects.filter(
                    data_subject=person, counterparty=fields["counterparty"], items=fields["items"]
                ).exists():
                    continue
                if record["direction"] == Direction.RECEIVED:
                    services.receipt_record(
                        actor=actor, data_subject=person, provided_on=provided_on, note="seed_demo", **fields
                    )
                else:
                    services.provision_record(
                        actor=actor,
                        data_subject=person,
                        provided_on=provided_on,
                        opt_out=opt_outs.get(record.get("opt_out", "")),
                        note="seed_demo",
                        **fields,
                    )


def case_panels(case, actor) -> list[str]:
    """The case page's "what we hold about this person" (SPEC §11): purposes in force on the day
    the request reached us, consents, records of provision and receipt, stops (5 queries)."""
    held = what_we_hold(actor=actor, data_subject=case.data_subject, on=case.reached_on)
    held.people = [(person, MATCH_LABELS[why]) for person, why in held.people]
    # A stop kept on the case's own person (no one on record could be matched without doubt) ends
    # with the case's retention: the desk records it for the person on record.
    subject = case.data_subject
    unlinked = [
        (
            stop,
            reverse("admin:consents_provisionstop_add")
            + "?"
            + urlencode(
                {
                    "organization": case.organization_id,
                    **{name: getattr(subject, name) or "" for name in IDENTITY_FIELDS},
                    "recipient": stop.recipient,
                    "case_reference": case.reference,
                    "on": stop.since.isoformat(),
                }
            ),
        )
        for stop in held.stops
        if stop.data_subject_id == subject.pk and stop.opt_out_id is None
    ]
    return [render_to_string("consents/_holdings.html", {"held": held, "case": case, "unlinked": unlinked})]


def case_history_sources(case) -> list[tuple]:
    """For the case's history page: the consents withdrawn through the case and the stops it made."""
    return [
        (
            Consent._meta.verbose_name,
            Consent.history.filter(withdrawn_by_case_id=case.pk).select_related("history_user"),
            lambda row: f"{row.get_scope_display()} {row.recipient}".strip(),
        ),
        (
            ProvisionStop._meta.verbose_name,
            ProvisionStop.history.filter(case_id=case.pk).select_related("history_user"),
            lambda row: row.recipient,
        ),
    ]
