"""The consents service API (SPEC §11): the only way these records are written.

Every function takes the acting user (``actor``), checks that they work for the organization,
validates, and writes one history row per record with an operation code (``ConsentOp``) and the
user's note. Errors: ``ValidationError`` keyed by field for bad input; ``TransitionNotAllowed``
(with the reason for the user) when the law or the person's wishes forbid the operation.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
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
    recipient_key,
    retention_end,
)
from consents.selectors import IDENTITY_FIELDS, conflicts, identity_of, people_on_record, same_person_ids
from requests_app.models import DataSubject, LegalHold, Organization, Request, identifier_key
from requests_app.pipeline import TransitionNotAllowed
from requests_app.selectors import organization_ids_for
from requests_app.validators import contains_individual_number

__all__ = [
    "NO_RECORD_GROUNDS",
    "ConsentOp",
    "ImportRefused",
    "ProvisionRefused",
    "consent_give",
    "consent_withdraw",
    "opt_out_stop",
    "person_on_record",
    "provision_record",
    "provision_suspend",
    "receipt_record",
    "records_import",
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
    PERSON_ON_RECORD = "person_on_record", _("Person on record added")
    IMPORT_RECORDS = "import_records", _("Records imported")


# Provisions that are not "provision to a third party" needing a record (Art. 29-1 proviso).
NO_RECORD_GROUNDS = {
    "art27_1": _("Art. 27-1: required by law, to protect life or body, public health, or for public bodies"),
    "entrustment": _("Art. 27-5 (i): entrustment of handling"),
    "succession": _("Art. 27-5 (ii): business succession"),
    "joint_use": _("Art. 27-5 (iii): joint use"),
}


class ProvisionRefused(TransitionNotAllowed):
    """A provision the law or the person's wishes do not allow to be recorded; ``field`` names
    the input that decided it (``counterparty``, ``basis``, ``opt_out``, ``no_record_ground``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _save(obj, *, actor, op: ConsentOp, note: str = "") -> None:
    obj._history_user = actor
    obj._history_operation = op
    obj._change_reason = (note or "").strip()
    # Linked records are set by the services from records they fetched and checked (scope, person):
    # no query per foreign key to check that they exist.
    linked = [field.name for field in obj._meta.concrete_fields if field.is_relation]
    obj.full_clean(exclude=linked, validate_unique=False, validate_constraints=False)
    obj.save()


def _check_scope(actor, organization_id: int) -> None:
    if organization_id not in organization_ids_for(actor):
        raise TransitionNotAllowed(gettext("You do not work for this organization."))


def _check_day(day: dt.date, field: str, *, not_before: dt.date | None = None) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: gettext("A date in the future cannot be recorded.")})
    if not_before is not None and day < not_before:
        raise ValidationError({field: gettext("This date is before %(date)s.") % {"date": not_before.isoformat()}})


def _stopped(
    data_subject: DataSubject, recipient: str, on: dt.date, opt_out: OptOutProvision | None = None
) -> ProvisionStop | None:
    """The stop in force on ``on`` for provision of this person's data (kept on them or on the
    same person on record) to ``recipient`` — however its name is written (``recipient_key``) —
    or under ``opt_out``, whatever the recipient is called now."""
    key = recipient_key(recipient)
    stops = (
        ProvisionStop.objects.filter(data_subject_id__in=same_person_ids(data_subject), since__lte=on)
        .select_related("case", "opt_out")
        .order_by("since", "pk")
    )
    return next(
        (
            stop
            for stop in stops
            if key in {recipient_key(stop.recipient), recipient_key(stop.opt_out.recipient if stop.opt_out_id else "")}
            or (opt_out is not None and stop.opt_out_id == opt_out.pk)
        ),
        None,
    )


def _consents_to(data_subject: DataSubject, recipient: str, on: dt.date | None = None) -> list[Consent]:
    """The person's consents to provision to ``recipient`` (third party or foreign), however its
    name is written, in force on ``on`` (given by then, not withdrawn before it) — or still in
    force, without ``on``; oldest first."""
    key = recipient_key(recipient)
    consents = Consent.objects.filter(
        data_subject_id__in=same_person_ids(data_subject), scope__in=[ConsentScope.THIRD_PARTY, ConsentScope.FOREIGN]
    )
    if on is None:
        consents = consents.filter(withdrawn_on__isnull=True)
    else:
        consents = consents.filter(given_on__lte=on).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    return [consent for consent in consents.order_by("given_on", "pk") if recipient_key(consent.recipient) == key]


def _lock(data_subject: DataSubject) -> None:
    """Writes about one person wait for each other (a double submission finds the first one's
    record and is refused as a duplicate)."""
    DataSubject.objects.select_for_update().filter(pk=data_subject.pk).first()


@transaction.atomic
def person_on_record(*, actor, organization_id: int, identity: dict, note: str = "") -> DataSubject:
    """The person on record (a ``DataSubject`` with no case: SPEC §11, see ``consents.selectors``)
    that ``identity`` (``IDENTITY_FIELDS``) describes, created when there is none.

    Raises ``ValidationError`` keyed by field: no family name; nothing to tell people apart by (a
    member ID, a date of birth or an e-mail); a date of birth in the future; a member ID on record
    for someone whose date of birth or given name differs; or several people on record match (give
    the member ID)."""
    _check_scope(actor, organization_id)
    identity = {name: identity.get(name) or ("" if name != "birth_date" else None) for name in IDENTITY_FIELDS}
    if not (identity["family_name"] or "").strip():
        raise ValidationError({"family_name": gettext("Enter the person's family name.")})
    if not (identity["member_id"] or identity["birth_date"] or identity["email"]):
        raise ValidationError(
            {"member_id": gettext("Give a member ID, a date of birth or an e-mail address to tell people apart.")}
        )
    if identity["birth_date"] is not None:
        _check_day(identity["birth_date"], "birth_date")
    matched = people_on_record(organization_id, identity)
    if not matched:
        # Two submissions for a new person wait here for each other: the second finds the first's.
        Organization.objects.select_for_update().filter(pk=organization_id).first()
        matched = people_on_record(organization_id, identity)
    member_key = identifier_key(identity["member_id"])
    if member_key and not any(why == "member_id" for _person, why in matched):
        holder = (
            DataSubject.objects.filter(organization_id=organization_id, requests__isnull=True, member_key=member_key)
            .order_by("pk")
            .first()
        )
        found = conflicts(identity, holder) if holder is not None else []
        if found:  # the ID is someone's, but not this person's details
            field = found[0]
            raise ValidationError(
                {
                    field: gettext(
                        "Member ID %(member_id)s is on record for %(name)s, whose %(field)s differs: check the "
                        "details (a member ID belongs to one person)."
                    )
                    % {
                        "member_id": holder.member_id,
                        "name": holder.full_name,
                        "field": DataSubject._meta.get_field(field).verbose_name,
                    }
                }
            )
    if len(matched) > 1:
        by_member_id = [candidate for candidate, why in matched if why == "member_id"]
        if not by_member_id:
            raise ValidationError(
                {
                    "member_id": gettext(
                        "%(count)d people on record match these details: give the member ID to choose one."
                    )
                    % {"count": len(matched)}
                }
            )
        return by_member_id[0]
    if matched:
        return matched[0][0]
    identity["member_id"] = unicodedata.normalize("NFKC", identity["member_id"]).strip()
    person = DataSubject(organization_id=organization_id, **identity)
    person.full_clean(exclude=["organization"])
    person._history_user = actor
    person._history_operation = ConsentOp.PERSON_ON_RECORD
    person._change_reason = (note or "").strip()
    person.save()
    return person


def _on_record(actor, data_subject: DataSubject) -> list[DataSubject]:
    """The people on record who are ``data_subject`` (itself when it has no case); one is created
    from the case's details when there is none, so that a stop outlives the case's retention."""
    if not data_subject.requests.exists():
        return [data_subject]
    identity = identity_of(data_subject)
    matched = [candidate for candidate, _why in people_on_record(data_subject.organization_id, identity)]
    if matched:
        return matched
    if not (data_subject.member_id or data_subject.birth_date or data_subject.email):
        return [data_subject]  # nothing to find them again by: the stop stays on the case's person
    try:
        return [person_on_record(actor=actor, organization_id=data_subject.organization_id, identity=identity)]
    except ValidationError:
        # Their details clash with someone on record: the stop stays on the case's person, and the
        # case page says it is not linked to a person on record (the desk checks and records it).
        return [data_subject]


# ------------------------------------------------------------------------------------------
# Consents
# ------------------------------------------------------------------------------------------
@transaction.atomic
def consent_give(
    *, actor, data_subject: DataSubject, scope: str, given_on: dt.date, method: str, note: str = "", **fields
) -> Consent:
    """Record a consent of ``data_subject`` (SPEC §11): ``scope`` a purpose (``purpose``), a
    provision to a named third party (``recipient``, ``items``), sensitive information, or a
    foreign provision (``recipient``, ``items`` and the Art. 28-2 snapshot: ``country``,
    ``country_system``, ``recipient_measures`` — or ``unknown_reason`` for what was not known)."""
    _check_scope(actor, data_subject.organization_id)
    consent = Consent(
        organization_id=data_subject.organization_id,
        data_subject=data_subject,
        scope=scope,
        given_on=given_on,
        method=method,
        **fields,
    )
    errors: dict[str, list[str]] = {}  # all of them at once: one correction, one submission
    try:
        _check_day(given_on, "given_on")
    except ValidationError as error:
        errors.update(error.message_dict)
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
    _lock(data_subject)
    key = recipient_key(consent.recipient)
    if any(
        recipient_key(other.recipient) == key and other.purpose_id == consent.purpose_id
        for other in Consent.objects.filter(
            data_subject_id__in=same_person_ids(data_subject), scope=scope, withdrawn_on__isnull=True
        )
    ):
        raise TransitionNotAllowed(gettext("This consent is already on record and in force."))
    _save(consent, actor=actor, op=ConsentOp.GIVE_CONSENT, note=note)
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
    last = consent.records.order_by("-provided_on").values_list("provided_on", flat=True).first()
    if last is not None and on < last:
        raise ValidationError(
            {
                "on": gettext("A provision on %(date)s is recorded on this consent: it was withdrawn after that.")
                % {"date": last.isoformat()}
            }
        )
    consent.withdrawn_on, consent.withdrawal_method, consent.withdrawn_by_case = on, method, case
    _save(consent, actor=actor, op=ConsentOp.WITHDRAW_CONSENT, note=note)
    return consent


# ------------------------------------------------------------------------------------------
# Stopping provision (Art. 35-3 granted; opt-out stopped, Art. 27-2)
# ------------------------------------------------------------------------------------------
@transaction.atomic
def provision_suspend(
    *, actor, data_subject: DataSubject, recipient: str, on: dt.date, case: Request | None = None, note: str = ""
) -> ProvisionStop:
    """Stop provision of ``data_subject``'s data to ``recipient`` from ``on``: the matching consents
    (third party or foreign, same recipient) are withdrawn through ``case``, and any new provision
    to that recipient is refused with the case as the reason."""
    _check_scope(actor, data_subject.organization_id)
    for consent in _consents_to(data_subject, recipient):
        consent_withdraw(
            actor=actor,
            consent=consent,
            on=max(on, consent.given_on),
            method=gettext("Suspension of provision granted"),
            case=case,
        )
    return _stop(actor=actor, data_subject=data_subject, recipient=recipient, on=on, case=case, note=note)


@transaction.atomic
def opt_out_stop(
    *,
    actor,
    opt_out: OptOutProvision,
    data_subject: DataSubject,
    on: dt.date,
    case: Request | None = None,
    note: str = "",
) -> ProvisionStop:
    """The person asked that the opt-out provision stop for them (Art. 27-2): no further provision
    of their data under it."""
    _check_scope(actor, opt_out.organization_id)
    if data_subject.organization_id != opt_out.organization_id:
        raise TransitionNotAllowed(gettext("This person is another organization's."))
    _check_day(on, "on")
    return _stop(
        actor=actor,
        data_subject=data_subject,
        recipient=opt_out.recipient,
        on=on,
        case=case,
        opt_out=opt_out,
        note=note,
    )


def _stop(*, actor, data_subject, recipient: str, on: dt.date, case, opt_out=None, note: str = "") -> ProvisionStop:
    """The one place a stop is written, on the person on record (so that it outlives the case's
    retention); a stop already in force is returned as it is."""
    existing = _stopped(data_subject, recipient, on, opt_out)
    if existing is not None:
        existing.already_in_force = True  # for the page: "already stopped since …"
        return existing
    stops = []
    for person in _on_record(actor, data_subject):
        stop = ProvisionStop(
            organization_id=data_subject.organization_id,
            data_subject=person,
            recipient=recipient,
            opt_out=opt_out,
            since=on,
            case=case,
        )
        _save(stop, actor=actor, op=ConsentOp.STOP_PROVISION, note=note)
        stops.append(stop)
    return stops[0]


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
    _lock(data_subject)
    key = recipient_key(record.counterparty)
    if any(
        recipient_key(counterparty) == key
        for counterparty in ProvisionRecord.objects.filter(
            data_subject=data_subject, direction=direction, provided_on=provided_on, items=record.items
        ).values_list("counterparty", flat=True)
    ):
        raise ValidationError(
            {"provided_on": gettext("This record is already on file (was it recorded or imported before?).")}
        )
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
    note: str = "",
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
        raise ProvisionRefused(
            "no_record_ground",
            gettext("No record of provision is kept for this (%(ground)s): it is not a provision to a third party.")
            % {"ground": NO_RECORD_GROUNDS.get(no_record_ground, no_record_ground)},
        )
    stop = _stopped(data_subject, counterparty, provided_on, opt_out if basis == Basis.OPT_OUT else None)
    if stop is not None:
        reason = (
            gettext("case %(reference)s") % {"reference": stop.case.reference}
            if stop.case_id
            else gettext("the person's request")
        )
        raise ProvisionRefused(
            "counterparty",
            gettext("Provision to %(recipient)s was stopped for this person on %(date)s (%(reason)s).")
            % {"recipient": counterparty, "date": stop.since.isoformat(), "reason": reason},
        )
    if basis == Basis.CONSENT:
        if consent is None:
            in_force = _consents_to(data_subject, counterparty, on=provided_on)
            consent = in_force[-1] if in_force else None
        if (
            consent is None
            or (consent.withdrawn_on is not None and consent.withdrawn_on <= provided_on)
            or recipient_key(consent.recipient) != recipient_key(counterparty)
            or consent.data_subject_id not in same_person_ids(data_subject)
            or consent.given_on > provided_on
        ):
            raise ProvisionRefused(
                "basis",
                gettext("The person has no consent in force to provision to %(recipient)s.")
                % {"recipient": counterparty},
            )
    if basis == Basis.OPT_OUT and (
        opt_out is None or not opt_out.active or opt_out.organization_id != data_subject.organization_id
    ):
        raise ProvisionRefused("opt_out", gettext("Name an opt-out provision in operation (Art. 27-2)."))
    if basis == Basis.OPT_OUT and recipient_key(opt_out.recipient) != recipient_key(counterparty):
        raise ProvisionRefused(
            "counterparty",
            gettext("This opt-out provision provides to %(recipient)s, not to this counterparty.")
            % {"recipient": opt_out.recipient},
        )
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
    _save(record, actor=actor, op=ConsentOp.RECORD_PROVISION, note=note)
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
    note: str = "",
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
    _save(record, actor=actor, op=ConsentOp.RECORD_RECEIPT, note=note)
    return record


# Kept in the history of an erased record: the skeleton (direction, dates, basis, counterparty);
# the items and the free texts about the person are blanked there too.
PURGED_FIELDS = {"items": "", "counterparty_address": "", "provider_obtained_how": ""}


@transaction.atomic
def records_purge(*, today: dt.date, actor=None, batch: int = 1000) -> int:
    """Erase the records whose retention ended before ``today`` (an Asia/Tokyo date; PPC Rules
    Arts. 21, 25). Each deletion is a history row with ``PURGE_RECORD`` (the audit trail lists
    it); the items and free texts are blanked in all the record's history rows. Returns how many
    were erased. Idempotent: a second run the same day erases nothing. A person under an open legal
    hold keeps their records (issue 15)."""
    erased = 0
    held = LegalHold.objects.filter(data_subject=OuterRef("data_subject_id"), lifted_on__isnull=True)
    while True:
        expired = list(
            ProvisionRecord.objects.filter(retention_end__lt=today).exclude(Exists(held)).order_by("pk")[:batch]
        )
        if not expired:
            return erased
        ids = [record.pk for record in expired]  # a deleted instance forgets its pk
        for record in expired:
            record._history_user = actor
            record._history_operation = ConsentOp.PURGE_RECORD
            record._change_reason = gettext("Kept until %(date)s") % {"date": record.retention_end.isoformat()}
            record.delete()
        ProvisionRecord.history.filter(id__in=ids).update(**PURGED_FIELDS)
        erased += len(expired)


# ------------------------------------------------------------------------------------------
# Import of records exported from another system
# ------------------------------------------------------------------------------------------
class ImportRefused(Exception):
    """An import that wrote nothing: ``errors`` lists (row number, column, message); row 1 is the
    header, so the first data row is row 2 as a spreadsheet numbers it."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


RECORD_FIELDS = (
    "counterparty",
    "counterparty_address",
    "items",
    "provided_on",
    "last_provided_on",
    "basis",
    "recorded_how",
    "provider_obtained_how",
    "excluded_from_disclosure",
)


@transaction.atomic
def records_import(
    *,
    actor,
    organization_id: int,
    rows: list[tuple[int, dict]],
    source: str = "",
    errors: list[tuple[int, str, str]] | None = None,
) -> int:
    """Import records of provision and receipt (Arts. 29, 30) for ``organization_id``, all or
    nothing. ``rows`` are (row number, parsed row: dates, choices, booleans); each row names the
    person (``IDENTITY_FIELDS``: found on record or added), ``direction`` and the record's fields;
    a provision on the person's consent that we do not hold yet carries ``consent_given_on`` and
    ``consent_method`` (the consent is recorded with it); an opt-out provision names ``opt_out``
    (an ``OptOutProvision``). Every row goes through the same checks as one recorded by hand.
    ``errors`` are those found while reading the file (the rows they concern are left out).

    Raises ``ImportRefused`` with every row's errors, ordered by row (nothing is written).
    Returns the number of records written; the history note names ``source`` (the file)."""
    _check_scope(actor, organization_id)
    if contains_individual_number(source):  # a file name is free text too
        source = gettext("a file whose name held a 12-digit number")
    note = gettext("Imported from %(source)s") % {"source": source} if source else gettext("Imported")
    errors = list(errors or [])
    people: dict[tuple, DataSubject] = {}  # the same person on many rows is looked up once
    for number, row in rows:
        try:
            with transaction.atomic():
                record = _import_row(actor, organization_id, row, note, people)
            # Kept once the row is written (a refused row's savepoint took its new person with it).
            people[tuple(row.get(name) for name in IDENTITY_FIELDS)] = record.data_subject
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            for field, messages in by_field.items():
                errors.extend((number, "" if field == "__all__" else field, message) for message in messages)
        except ProvisionRefused as error:
            errors.append((number, error.field, str(error)))
        except TransitionNotAllowed as error:
            errors.append((number, "", str(error)))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda error: error[0]))
    return len(rows)


def _import_row(actor, organization_id: int, row: dict, note: str, people: dict) -> ProvisionRecord:
    direction = row.get("direction")
    if direction not in Direction.values:
        raise ValidationError({"direction": gettext("Give the direction: provided or received.")})
    fields = {name: row[name] for name in RECORD_FIELDS if row.get(name) not in (None, "")}
    required = ("family_name", "counterparty", "items", "provided_on", "recorded_how")
    required += ("basis",) if direction == Direction.PROVIDED else ("provider_obtained_how",)
    present = {**fields, "family_name": row.get("family_name")}
    missing = {name: gettext("This field is required.") for name in required if not present.get(name)}
    if row.get("consent_given_on") and fields.get("provided_on") and row["consent_given_on"] > fields["provided_on"]:
        missing["consent_given_on"] = gettext("The consent is dated after the provision.")
    if missing:
        raise ValidationError(missing)
    identity = {name: row.get(name) for name in IDENTITY_FIELDS}
    key = tuple(identity.values())
    person = people.get(key) or person_on_record(actor=actor, organization_id=organization_id, identity=identity)
    if direction == Direction.RECEIVED:
        return receipt_record(actor=actor, data_subject=person, note=note, **fields)
    consent = None
    if (
        fields["basis"] == Basis.CONSENT
        and row.get("consent_given_on")
        and not _consents_to(person, fields["counterparty"], on=fields["provided_on"])
    ):
        consent = consent_give(
            actor=actor,
            data_subject=person,
            scope=ConsentScope.THIRD_PARTY,
            recipient=fields["counterparty"],
            items=fields["items"],
            given_on=row["consent_given_on"],
            method=row.get("consent_method") or gettext("As recorded in the system imported from"),
            note=note,
        )
    return provision_record(
        actor=actor, data_subject=person, consent=consent, opt_out=row.get("opt_out"), note=note, **fields
    )
