"""The consents service API (SPEC §11): the only way these records are written.

Every function takes the acting user (``actor``), checks that they work for the organization,
validates, and writes one history row per record with an operation code (``ConsentOp``) and the
user's note. Errors: ``ValidationError`` keyed by field for bad input; ``TransitionNotAllowed``
(with the reason for the user) when the law or the person's wishes forbid the operation.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consents.models import (
    Basis,
    Consent,
    ConsentScope,
    Direction,
    OptOutProvision,
    ProvisionRecord,
    ProvisionStop,
    retention_end,
)
from requests_app.models import DataSubject, Request
from requests_app.pipeline import TransitionNotAllowed
from requests_app.selectors import organization_ids_for

__all__ = [
    "NO_RECORD_GROUNDS",
    "ConsentOp",
    "consent_give",
    "consent_withdraw",
    "opt_out_stop",
    "provision_record",
    "provision_suspend",
    "receipt_record",
    "records_purge",
]


class ConsentOp(models.TextChoices):
    """Operations on consents and records, as stored in the audit history."""

    GIVE_CONSENT = "give_consent", _("Consent recorded")
    WITHDRAW_CONSENT = "withdraw_consent", _("Consent withdrawn")
    RECORD_PROVISION = "record_provision", _("Provision recorded")
    RECORD_RECEIPT = "record_receipt", _("Receipt recorded")
    STOP_PROVISION = "stop_provision", _("Provision to a recipient stopped")
    PURGE_RECORD = "purge_record", _("Record erased: retention period over")


# Provisions that are not "provision to a third party" needing a record (Art. 29-1 proviso).
NO_RECORD_GROUNDS = {
    "art27_1": _("Art. 27-1: required by law, to protect life or body, public health, or for public bodies"),
    "entrustment": _("Art. 27-5 (i): entrustment of handling"),
    "succession": _("Art. 27-5 (ii): business succession"),
    "joint_use": _("Art. 27-5 (iii): joint use"),
}


def _save(obj, *, actor, op: ConsentOp, note: str = "") -> None:
    obj._history_user = actor
    obj._history_operation = op
    obj._change_reason = (note or "").strip()
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()


def _check_scope(actor, organization_id: int) -> None:
    if organization_id not in organization_ids_for(actor):
        raise TransitionNotAllowed(gettext("You do not work for this organization."))


def _check_day(day: dt.date, field: str, *, not_before: dt.date | None = None) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: gettext("A date in the future cannot be recorded.")})
    if not_before is not None and day < not_before:
        raise ValidationError({field: gettext("This date is before %(date)s.") % {"date": not_before.isoformat()}})


def _stopped(data_subject: DataSubject, recipient: str, on: dt.date) -> ProvisionStop | None:
    return (
        ProvisionStop.objects.filter(data_subject=data_subject, recipient=recipient, since__lte=on)
        .select_related("case")
        .first()
    )


# ------------------------------------------------------------------------------------------
# Consents
# ------------------------------------------------------------------------------------------
@transaction.atomic
def consent_give(*, actor, data_subject: DataSubject, scope: str, given_on: dt.date, method: str, **fields) -> Consent:
    """Record a consent of ``data_subject`` (SPEC §11): ``scope`` a purpose (``purpose``), a
    provision to a named third party (``recipient``, ``items``), sensitive information, or a
    foreign provision (``recipient``, ``items`` and the Art. 28-2 snapshot: ``country``,
    ``country_system``, ``recipient_measures`` — or ``unknown_reason`` for what was not known)."""
    _check_scope(actor, data_subject.organization_id)
    _check_day(given_on, "given_on")
    consent = Consent(
        organization_id=data_subject.organization_id,
        data_subject=data_subject,
        scope=scope,
        given_on=given_on,
        method=method,
        **fields,
    )
    errors: dict[str, list[str]] = {}
    if scope == ConsentScope.PURPOSE and consent.purpose_id is None:
        errors["purpose"] = [gettext("Choose the purpose consented to.")]
    if consent.purpose_id and consent.purpose.organization_id != data_subject.organization_id:
        errors["purpose"] = [gettext("This purpose belongs to another organization.")]
    if scope in {ConsentScope.THIRD_PARTY, ConsentScope.FOREIGN} and not consent.recipient.strip():
        errors["recipient"] = [gettext("Name the recipient.")]
    if scope == ConsentScope.FOREIGN:
        told = all(getattr(consent, name).strip() for name in ("country", "country_system", "recipient_measures"))
        if not told and not consent.unknown_reason.strip():
            errors["unknown_reason"] = [
                gettext(
                    "Art. 28-2: record the country, its protection system and the recipient's measures, "
                    "or why what was not told could not be known."
                )
            ]
    if errors:
        raise ValidationError(errors)
    _save(consent, actor=actor, op=ConsentOp.GIVE_CONSENT)
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor, consent: Consent, on: dt.date, method: str, case: Request | None = None, note: str = ""
) -> Consent:
    """Record that the person withdrew ``consent`` on ``on``, how, and through which case if any.
    A consent is withdrawn once: the second time raises ``TransitionNotAllowed``."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    _check_scope(actor, consent.organization_id)
    if consent.withdrawn_on is not None:
        raise TransitionNotAllowed(gettext("This consent was already withdrawn."))
    _check_day(on, "on", not_before=consent.given_on)
    consent.withdrawn_on, consent.withdrawal_method, consent.withdrawn_by_case = on, method, case
    _save(consent, actor=actor, op=ConsentOp.WITHDRAW_CONSENT, note=note)
    return consent


# ------------------------------------------------------------------------------------------
# Stopping provision (Art. 35-3 granted; opt-out stopped, Art. 27-2)
# ------------------------------------------------------------------------------------------
@transaction.atomic
def provision_suspend(
    *, actor, data_subject: DataSubject, recipient: str, on: dt.date, case: Request | None = None
) -> ProvisionStop:
    """Stop provision of ``data_subject``'s data to ``recipient`` from ``on``: the matching consents
    (third party or foreign, same recipient) are withdrawn through ``case``, and any new provision
    to that recipient is refused with the case as the reason."""
    _check_scope(actor, data_subject.organization_id)
    for consent in Consent.objects.filter(
        data_subject=data_subject,
        recipient=recipient,
        scope__in=[ConsentScope.THIRD_PARTY, ConsentScope.FOREIGN],
        withdrawn_on__isnull=True,
    ):
        consent_withdraw(
            actor=actor,
            consent=consent,
            on=max(on, consent.given_on),
            method=gettext("Suspension of provision granted"),
            case=case,
        )
    return _stop(actor=actor, data_subject=data_subject, recipient=recipient, on=on, case=case)


@transaction.atomic
def opt_out_stop(
    *, actor, opt_out: OptOutProvision, data_subject: DataSubject, on: dt.date, case: Request | None = None
) -> ProvisionStop:
    """The person asked that the opt-out provision stop for them (Art. 27-2): no further provision
    of their data under it."""
    _check_scope(actor, opt_out.organization_id)
    if data_subject.organization_id != opt_out.organization_id:
        raise TransitionNotAllowed(gettext("This person is another organization's."))
    return _stop(actor=actor, data_subject=data_subject, recipient=opt_out.recipient, on=on, case=case, opt_out=opt_out)


def _stop(*, actor, data_subject, recipient: str, on: dt.date, case, opt_out=None) -> ProvisionStop:
    """The one place a stop is written; a stop already in force is returned as it is."""
    existing = _stopped(data_subject, recipient, on)
    if existing is not None:
        return existing
    stop = ProvisionStop(
        organization_id=data_subject.organization_id,
        data_subject=data_subject,
        recipient=recipient,
        opt_out=opt_out,
        since=on,
        case=case,
    )
    _save(stop, actor=actor, op=ConsentOp.STOP_PROVISION)
    return stop


# ------------------------------------------------------------------------------------------
# Records of provision and receipt (Arts. 29, 30)
# ------------------------------------------------------------------------------------------
def _record(*, actor, direction: str, data_subject: DataSubject, provided_on: dt.date, **fields) -> ProvisionRecord:
    _check_scope(actor, data_subject.organization_id)
    _check_day(provided_on, "provided_on")
    today = timezone.localdate()
    record = ProvisionRecord(
        organization_id=data_subject.organization_id,
        direction=direction,
        data_subject=data_subject,
        provided_on=provided_on,
        created_on=today,
        **fields,
    )
    if record.last_provided_on is not None:
        _check_day(record.last_provided_on, "last_provided_on", not_before=provided_on)
    record.retention_end = retention_end(
        recorded_how=record.recorded_how,
        created_on=today,
        provided_on=provided_on,
        last_provided_on=record.last_provided_on,
    )
    return record


@transaction.atomic
def provision_record(
    *,
    actor,
    data_subject: DataSubject,
    counterparty: str,
    items: str,
    provided_on: dt.date,
    basis: str,
    recorded_how: str,
    consent: Consent | None = None,
    opt_out: OptOutProvision | None = None,
    no_record_ground: str = "",
    **fields,
) -> ProvisionRecord:
    """Record a provision of ``data_subject``'s data to ``counterparty`` (Art. 29, Rules Art. 20).

    Refused (``TransitionNotAllowed``, with the reason) when the person stopped provision to that
    recipient (a granted suspension, or an opt-out stop), when the basis is consent and no consent
    to that recipient is in force, or when the basis is an opt-out provision that is not in
    operation. A provision under Art. 27-1 or 27-5 (``no_record_ground``) needs no record and is
    refused as one.
    """
    if no_record_ground:
        raise TransitionNotAllowed(
            gettext("No record of provision is kept for this (%(ground)s): it is not a provision to a third party.")
            % {"ground": NO_RECORD_GROUNDS.get(no_record_ground, no_record_ground)}
        )
    stop = _stopped(data_subject, counterparty, provided_on)
    if stop is not None:
        reason = (
            gettext("case %(reference)s") % {"reference": stop.case.reference}
            if stop.case_id
            else gettext("the person's request")
        )
        raise TransitionNotAllowed(
            gettext("Provision to %(recipient)s was stopped for this person on %(date)s (%(reason)s).")
            % {"recipient": counterparty, "date": stop.since.isoformat(), "reason": reason}
        )
    if basis == Basis.CONSENT:
        consent = consent or (
            Consent.objects.filter(
                data_subject=data_subject,
                recipient=counterparty,
                scope__in=[ConsentScope.THIRD_PARTY, ConsentScope.FOREIGN],
                given_on__lte=provided_on,
                withdrawn_on__isnull=True,
            )
            .order_by("-given_on")
            .first()
        )
        if consent is None or consent.withdrawn_on is not None or consent.recipient != counterparty:
            raise TransitionNotAllowed(
                gettext("The person has no consent in force to provision to %(recipient)s.")
                % {"recipient": counterparty}
            )
    if basis == Basis.OPT_OUT and (opt_out is None or not opt_out.active):
        raise TransitionNotAllowed(gettext("Name an opt-out provision in operation (Art. 27-2)."))
    record = _record(
        actor=actor,
        direction=Direction.PROVIDED,
        data_subject=data_subject,
        provided_on=provided_on,
        counterparty=counterparty,
        items=items,
        basis=basis,
        recorded_how=recorded_how,
        consent=consent if basis == Basis.CONSENT else None,
        opt_out=opt_out if basis == Basis.OPT_OUT else None,
        **fields,
    )
    _save(record, actor=actor, op=ConsentOp.RECORD_PROVISION)
    return record


@transaction.atomic
def receipt_record(
    *,
    actor,
    data_subject: DataSubject,
    counterparty: str,
    items: str,
    provided_on: dt.date,
    provider_obtained_how: str,
    recorded_how: str,
    basis: str = Basis.OTHER,
    **fields,
) -> ProvisionRecord:
    """Record data received from a third party (Art. 30): who provided it, how they obtained it
    (Art. 30-1 (ii)), the items, the day."""
    if not provider_obtained_how.strip():
        raise ValidationError(
            {"provider_obtained_how": gettext("Art. 30-1: confirm and record how the provider obtained the data.")}
        )
    record = _record(
        actor=actor,
        direction=Direction.RECEIVED,
        data_subject=data_subject,
        provided_on=provided_on,
        counterparty=counterparty,
        items=items,
        basis=basis,
        recorded_how=recorded_how,
        provider_obtained_how=provider_obtained_how,
        **fields,
    )
    _save(record, actor=actor, op=ConsentOp.RECORD_RECEIPT)
    return record


@transaction.atomic
def records_purge(*, today: dt.date, actor=None) -> int:
    """Erase the records whose retention ended before ``today`` (PPC Rules Arts. 21, 25); each
    deletion is a history row with ``PURGE_RECORD``. Returns how many were erased."""
    expired = list(ProvisionRecord.objects.filter(retention_end__lt=today))
    for record in expired:
        record._history_user = actor
        record._history_operation = ConsentOp.PURGE_RECORD
        record._change_reason = ""
        record.delete()
    return len(expired)
