"""Reads of the consents app, scoped to the user's organizations.

**The same person.** A case keeps the person as the form names them (its own ``DataSubject``,
erased with the case at the end of retention); consents, records and stops are kept on a *person on
record* (a ``DataSubject`` with no case) that outlives the cases. ``same_person_ids`` links them: in
the same organization, the same member ID, or the same full name and date of birth, or the same
e-mail and full name — names compared by ``search_key`` (width, case, hiragana as katakana,
variant kanji such as 髙/高, without spaces), member IDs also without dashes and dots — unless a
member ID, a date of birth or a name that both have differs (``conflicts``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import Consent, Direction, ProvisionRecord, ProvisionStop, PurposeOfUse
from requests_app.models import DataSubject, identifier_key
from requests_app.selectors import organization_ids_for
from requests_app.validators import search_key

IDENTITY_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birth_date",
    "member_id",
    "email",
)


def _names(identity: dict, candidate: DataSubject) -> tuple[str, str, str, str]:
    return (
        search_key(identity.get("family_name", "")),
        search_key(identity.get("given_name", "")),
        search_key(candidate.family_name),
        search_key(candidate.given_name),
    )


def _same_full_name(identity: dict, candidate: DataSubject) -> bool:
    """The same family and given name, written together ("佐藤 健" in one field is "佐藤" + "健"),
    with a given name on at least one side: a family name alone is a family, not a person."""
    family, given, candidate_family, candidate_given = _names(identity, candidate)
    return bool(given or candidate_given) and family + given == candidate_family + candidate_given


def conflicts(identity: dict, candidate: DataSubject) -> list[str]:
    """The identifiers both sides have that differ — member ID, date of birth, name: any one of
    them means two different people, whatever else they share (a family's e-mail). A name is not
    in conflict when one side gives only the family name the other's name starts with, or after a
    new family name (marriage: the same given name and date of birth)."""
    found = []
    ours, theirs = identifier_key(identity.get("member_id") or ""), candidate.member_key
    if ours and theirs and ours != theirs:
        found.append("member_id")
    birth_date = identity.get("birth_date")
    if birth_date and candidate.birth_date and birth_date != candidate.birth_date:
        found.append("birth_date")
    family, given, candidate_family, candidate_given = _names(identity, candidate)
    name, candidate_name = family + given, candidate_family + candidate_given
    if name and candidate_name and name != candidate_name:
        partial = (not given and candidate_name.startswith(name)) or (
            not candidate_given and name.startswith(candidate_name)
        )
        married = bool(given) and given == candidate_given and bool(birth_date) and birth_date == candidate.birth_date
        if not (partial or married):
            found.append("given_name" if family == candidate_family else "family_name")
    return found


def _matches(identity: dict, candidate: DataSubject) -> str:
    """Why ``candidate`` is the person ``identity`` describes ("" if not): the same member ID, the
    same full name and date of birth, or the same e-mail and full name — and no identifier that
    differs (``conflicts``)."""
    if conflicts(identity, candidate):
        return ""
    member_key = identifier_key(identity.get("member_id") or "")
    if member_key and member_key == candidate.member_key:
        return "member_id"
    birth_date = identity.get("birth_date")
    if birth_date and birth_date == candidate.birth_date and _same_full_name(identity, candidate):
        return "name_and_birth_date"
    email = search_key(identity.get("email", ""))
    if email and email == search_key(candidate.email) and _same_full_name(identity, candidate):
        return "email_and_family_name"
    return ""


MATCH_LABELS = {
    "member_id": _("same member ID"),
    "name_and_birth_date": _("same name and date of birth"),
    "email_and_family_name": _("same e-mail and name"),
}


def _candidates(organization_id: int, identity: dict) -> QuerySet[DataSubject]:
    """People on record who may be ``identity`` (same member ID, date of birth or e-mail); the
    names are compared in Python (``_matches``)."""
    member_key = identifier_key(identity.get("member_id") or "")
    email = (identity.get("email") or "").strip()
    birth_date = identity.get("birth_date")
    wanted = Q(pk__in=[])
    if member_key:
        wanted |= Q(member_key=member_key)
    if birth_date:
        wanted |= Q(birth_date=birth_date)
    if email:
        wanted |= Q(email__iexact=email)
    return DataSubject.objects.filter(organization_id=organization_id, requests__isnull=True).filter(wanted)


def people_on_record(organization_id: int, identity: dict) -> list[tuple[DataSubject, str]]:
    """The people on record (no case of their own) at ``organization_id`` that ``identity``
    (a dict of ``IDENTITY_FIELDS``) describes, with why each matched. One query."""
    found = [(candidate, _matches(identity, candidate)) for candidate in _candidates(organization_id, identity)]
    return sorted(((candidate, why) for candidate, why in found if why), key=lambda pair: pair[0].pk)


def identity_of(data_subject: DataSubject) -> dict:
    return {name: getattr(data_subject, name) for name in IDENTITY_FIELDS}


def same_person_ids(data_subject: DataSubject) -> list[int]:
    """``data_subject`` and the people on record who are the same person (one query)."""
    matched = people_on_record(data_subject.organization_id, identity_of(data_subject))
    return sorted({data_subject.pk, *(candidate.pk for candidate, _why in matched)})


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
    people: list[tuple[DataSubject, str]]  # the people on record found to be them, and why


def what_we_hold(*, actor, data_subject: DataSubject, on: dt.date | None = None) -> Holdings:
    """One person's purposes, consents and records — kept on them or on the people on record who
    are the same person (``people``: each with why it matched) — in five queries however many
    records they have. Raises ``PermissionError`` for a person of an organization the actor does
    not work for."""
    if data_subject.organization_id not in organization_ids_for(actor):
        raise PermissionError("not your organization")
    on = on or timezone.localdate()
    identity = identity_of(data_subject)
    # The same person's rows come with each read (a subquery, not a query of its own).
    theirs = Q(data_subject=data_subject) | Q(
        data_subject__in=_candidates(data_subject.organization_id, identity).values("pk")
    )
    people: dict[int, tuple[DataSubject, str]] = {}

    def same_person(rows: list) -> list:
        kept = []
        for row in rows:
            if row.data_subject_id != data_subject.pk:
                why = _matches(identity, row.data_subject)
                if not why:
                    continue
                people[row.data_subject_id] = (row.data_subject, why)
            kept.append(row)
        return kept

    purposes = list(
        PurposeOfUse.objects.filter(organization_id=data_subject.organization_id, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("category", "order", "pk")
    )
    consents = same_person(
        Consent.objects.filter(theirs)
        .select_related("data_subject", "purpose", "withdrawn_by_case")
        .order_by("given_on", "pk")
    )
    records = same_person(
        ProvisionRecord.objects.filter(theirs)
        .select_related("data_subject", "consent", "opt_out")
        .order_by("provided_on", "pk")
    )
    stops = same_person(
        ProvisionStop.objects.filter(theirs).select_related("data_subject", "case", "opt_out").order_by("since", "pk")
    )
    return Holdings(
        on=on,
        purposes=purposes,
        consents=consents,
        provided=[r for r in records if r.direction == Direction.PROVIDED],
        received=[r for r in records if r.direction == Direction.RECEIVED],
        stops=stops,
        people=[people[pk] for pk in sorted(people)],
    )
