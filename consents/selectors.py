"""Reads of the consents app, scoped to the user's organizations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from consents.models import Consent, Direction, ProvisionRecord, ProvisionStop, PurposeOfUse
from requests_app.models import DataSubject
from requests_app.selectors import organization_ids_for


@dataclass
class Holdings:
    """What we hold about one person on ``on`` (SPEC §11): the purposes of use in force at their
    organization, their consents (withdrawn ones included, with when and through which case),
    the records of provision and of receipt, and the provisions stopped for them."""

    on: dt.date
    purposes: list[PurposeOfUse]
    consents: list[Consent]
    provided: list[ProvisionRecord]
    received: list[ProvisionRecord]
    stops: list[ProvisionStop]


def what_we_hold(*, actor, data_subject: DataSubject, on: dt.date | None = None) -> Holdings:
    """One person's purposes, consents and records, in five queries however many records they
    have. Raises ``PermissionError`` for a person of an organization the actor does not work for."""
    if data_subject.organization_id not in organization_ids_for(actor):
        raise PermissionError("not your organization")
    on = on or timezone.localdate()
    purposes = list(
        PurposeOfUse.objects.filter(organization_id=data_subject.organization_id, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("category", "order", "pk")
    )
    consents = list(
        Consent.objects.filter(data_subject=data_subject)
        .select_related("purpose", "withdrawn_by_case")
        .order_by("given_on", "pk")
    )
    records = list(
        ProvisionRecord.objects.filter(data_subject=data_subject)
        .select_related("consent", "opt_out")
        .order_by("provided_on", "pk")
    )
    stops = list(ProvisionStop.objects.filter(data_subject=data_subject).select_related("case", "opt_out"))
    return Holdings(
        on=on,
        purposes=purposes,
        consents=consents,
        provided=[r for r in records if r.direction == Direction.PROVIDED],
        received=[r for r in records if r.direction == Direction.RECEIVED],
        stops=stops,
    )
