"""The lifecycle of a request (SPEC §4): every write to a case goes through one of these.

Each operation takes keyword arguments and an explicit ``actor``, runs in one transaction with the
case row locked, checks its guard and raises ``TransitionNotAllowed`` with a message for the user
when it fails, and records who and why in history. Admin views, commands and tasks call these;
there is no other way to change a case.

Concurrent edits: a caller that showed the user version N passes ``expected_version=N``; if
somebody saved the case in between, ``EditConflict`` is raised and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app import derived, document_files, selectors
from requests_app.models import (
    APPROVAL_OUTCOMES,
    DISCLOSURE_KINDS,
    SUSPENSION_KINDS,
    Agent,
    Approval,
    ApprovalOutcome,
    Channel,
    DataSubject,
    Decision,
    DeskPolicy,
    DocumentFile,
    DocumentKind,
    Holder,
    IdentityDocument,
    LetterKind,
    Outcome,
    Pause,
    PauseKind,
    Payment,
    ReferenceSequence,
    Request,
    RequestItem,
    Status,
    Verification,
    VerificationOutcome,
    grounds_for,
)
from requests_app.pipeline import Op, move, require, require_permission
from requests_app.services.common import (
    DuplicateSubmission,
    TransitionNotAllowed,
    _check_date,
    _check_scope,
    _check_text,
    _clean,
    _file_kept_only_if_recorded,
    _lock,
    _refresh_clock,
    _said,
    _save,
    _save_case,
    _save_quietly,
    _today,
)
from requests_app.services.responses import create_fulfilment_tasks, new_letter

__all__ = [
    "AGENT_FIELDS",
    "DERIVED_DATES",
    "SUBJECT_FIELDS",
    "cases_refresh",
    "check_registration",
    "decision_approve",
    "decision_return",
    "document_attach_file",
    "document_dispose",
    "document_file_open",
    "document_record",
    "item_decide",
    "payment_record",
    "request_pause",
    "request_record_form",
    "request_register",
    "request_reject",
    "request_resume",
    "request_start_verification",
    "request_submit_decisions",
    "request_update",
    "request_update_people",
    "request_verify",
    "request_withdraw",
    "request_withdraw_no_answer",
]


# ------------------------------------------------------------------------------------------
# Intake
# ------------------------------------------------------------------------------------------
def _next_reference(year: int) -> str:
    ReferenceSequence.objects.bulk_create([ReferenceSequence(year=year)], ignore_conflicts=True)
    sequence = ReferenceSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{year}-{sequence.last_number:06d}"


def request_register(
    *,
    actor,
    policy: DeskPolicy,
    channel: str,
    reached_on: dt.date,
    subject: dict,
    items: list[dict],
    agent: dict | None = None,
    form_received_on: dt.date | None = None,
    documents: Iterable[dict] = (),
    payments: Iterable[dict] = (),
    reply_to: str | None = None,
    preferred_response_method: str = "",
    assignee=None,
    notes: str = "",
    intake_token: uuid.UUID | None = None,
    channel_override_reason: str = "",
) -> Request:
    """Register a request as it reached us (受付), with the documents and payments that came with
    it. A phone call is registered with no form yet (``form_received_on`` empty). A channel the
    policy does not accept needs ``channel_override_reason``.

    ``policy`` must be the organization's policy in force on ``reached_on`` (an Asia/Tokyo date,
    not in the future). Raises ``ValidationError`` (keyed by field) for bad input,
    ``DuplicateSubmission`` when the same form (``intake_token``) was already registered, and
    ``TransitionNotAllowed`` without the permission or access. Writes one history row per record.

    A document dict may carry its copy as ``file`` (a ``document_files.CheckedFile``: the online
    form's uploads), kept sealed — and erased again if the registration fails.
    """
    documents = [dict(data) for data in documents]
    files = [data.pop("file", None) for data in documents]
    with _file_kept_only_if_recorded(*files) as stored, transaction.atomic():
        return _register(
            actor=actor,
            policy=policy,
            channel=channel,
            reached_on=reached_on,
            subject=subject,
            items=items,
            agent=agent,
            form_received_on=form_received_on,
            documents=list(zip(documents, files, stored, strict=True)),
            payments=payments,
            reply_to=reply_to,
            preferred_response_method=preferred_response_method,
            assignee=assignee,
            notes=notes,
            intake_token=intake_token,
            channel_override_reason=channel_override_reason,
        )


def _register(
    *,
    actor,
    policy,
    channel,
    reached_on,
    subject,
    items,
    agent,
    form_received_on,
    documents,
    payments,
    reply_to,
    preferred_response_method,
    assignee,
    notes,
    intake_token,
    channel_override_reason,
) -> Request:
    organization = policy.organization
    require_permission(actor, Op.REGISTER)
    _check_scope(actor, organization.pk)
    if intake_token is not None:
        existing = Request.objects.filter(intake_token=intake_token).first()
        if existing is not None:
            raise _duplicate(existing)
    if not items:
        raise ValidationError({"kinds": gettext("Choose at least one kind of request.")})
    kinds = [item["kind"] for item in items]
    if len(set(kinds)) != len(kinds):
        raise ValidationError({"kinds": gettext("Each kind of request can be listed once per case.")})
    if form_received_on is None and channel != Channel.PHONE:
        form_received_on = reached_on
    check_registration(
        policy=policy,
        reached_on=reached_on,
        form_received_on=form_received_on,
        channel=channel,
        channel_override_reason=channel_override_reason,
    )
    _check_text(notes=notes)
    op = Op.REGISTER

    data_subject = DataSubject(organization=organization, **subject)
    _check_birth_date(data_subject.birth_date, reached_on)
    _clean(data_subject, exclude=["organization"])
    _save(data_subject, actor=actor, op=op)
    agent_obj = None
    if agent:
        agent_obj = Agent(organization=organization, **agent)
        try:
            _clean(agent_obj, exclude=["organization"])
        except ValidationError as error:  # the agent's own fields, not the person's of the same name
            raise ValidationError(
                {f"agent_{name}" if name != "agent_type" else name: m for name, m in error.message_dict.items()}
            ) from error
        _save(agent_obj, actor=actor, op=op)
    if assignee is not None:
        _check_assignee(assignee, organization)

    case = Request(
        reference=_next_reference(timezone.localdate().year),
        organization=organization,
        policy=policy,
        channel=channel,
        reached_on=reached_on,
        form_received_on=form_received_on,
        data_subject=data_subject,
        agent=agent_obj,
        reply_to=reply_to or policy.reply_to,
        preferred_response_method=preferred_response_method,
        assignee=assignee,
        notes=notes,
        intake_token=intake_token,
        channel_override_reason=channel_override_reason.strip(),
        created_by=actor,
    )
    _clean(case, exclude=["organization", "policy", "data_subject", "agent", "assignee", "created_by", "reference"])
    try:
        with transaction.atomic():
            _save_quietly(case)  # its one history row is written below, with the clock set
    except IntegrityError:
        existing = Request.objects.filter(intake_token=intake_token).first() if intake_token else None
        if existing is None:
            raise
        raise _duplicate(existing) from None

    for data, fee in zip(items, policy.fees_for([data["kind"] for data in items]), strict=True):
        item = RequestItem(request=case, fee_due=fee, **data)
        _clean(item, exclude=["request"])
        _save(item, actor=actor, op=op)
    for data, file, stored in documents:
        document = _add_document(case, actor=actor, op=op, **data)
        if file is not None:
            _add_file(document, file, stored, actor=actor, op=op)
    for data in payments:
        _add_payment(case, actor=actor, op=op, **data)

    _refresh_clock(case)
    case.search_key = derived.case_search_key(case)
    _save(case, actor=actor, op=op)
    return case


def check_registration(
    *,
    policy: DeskPolicy,
    reached_on: dt.date,
    form_received_on: dt.date | None,
    channel: str = "",
    channel_override_reason: str = "",
) -> None:
    """The intake rules on dates, policy and channel (SPEC §16): neither date in the future, the
    form not before the request reached us, ``policy`` the one in force on ``reached_on``, and
    ``channel`` one the policy accepts — or staff say why they accept it (kept with the case and
    in its history).

    Raises one ``ValidationError`` keyed by field with every problem found (the intake form calls
    it too, so all errors show at once).
    """
    errors: dict[str, list[str]] = {}
    checks = (
        lambda: _check_date(reached_on, _("Reached date"), field="reached_on"),
        lambda: _check_date(
            form_received_on,
            _("Form received date"),
            not_before=reached_on,
            not_before_label=_("reached date"),
            field="form_received_on",
        ),
    )
    for check in checks:
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    in_force = selectors.policy_in_force(policy.organization, reached_on)
    if in_force is None or in_force.pk != policy.pk:
        errors.setdefault("policy", []).append(
            gettext("This policy was not the one in force on the reached date: choose %(policy)s.")
            % {"policy": in_force.name if in_force else "—"}
        )
    if channel and policy.channels and channel not in policy.channels and not channel_override_reason.strip():
        errors.setdefault("channel_override_reason", []).append(
            gettext(
                "“%(channel)s” is not a channel this desk accepts (%(accepted)s): "
                "say why it is accepted, or ask for the request the published way."
            )
            % {
                "channel": Channel(channel).label,
                "accepted": gettext(", ").join(str(Channel(c).label) for c in policy.channels),
            }
        )
    if errors:
        raise ValidationError(errors)


DERIVED_DATES = ["complete_on", "due_on", "art39_on", "form_disposal_due_on"]


def cases_refresh(*, organization=None, policy: DeskPolicy | None = None) -> int:
    """After the set-up changed (a desk policy's rules, an organization's calendar): recompute the
    stored derived dates (``DERIVED_DATES``) of the cases that still hold data, in batches, with
    ``derived`` as always. Returns how many cases changed.

    Writes no case history row: the dates follow from the set-up change, whose own history row
    (who, when, why, old → new) is the record.
    """
    cases = Request.objects.filter(purged_on__isnull=True)
    if policy is not None:
        cases = cases.filter(policy=policy)
    if organization is not None:
        cases = cases.filter(organization=organization)
    cases = cases.select_related("policy", "organization", "data_subject", "agent").prefetch_related(
        "items__decision",
        "documents",
        "payments",
        "pauses",
        "verifications",
        "responses__letter__items",
        "policy__agent_proof_rules",
        "organization__closed_days",
    )
    changed = []
    for case in cases.order_by("pk").iterator(chunk_size=200):
        before = [getattr(case, name) for name in DERIVED_DATES]
        _refresh_clock(case)
        if [getattr(case, name) for name in DERIVED_DATES] != before:
            changed.append(case)
    Request.objects.bulk_update(changed, DERIVED_DATES, batch_size=500)
    return len(changed)


def _check_birth_date(birth_date: dt.date | None, reached_on: dt.date) -> None:
    """A date of birth cannot be after the day the request reached us (nor in the future)."""
    if birth_date is not None and birth_date > min(reached_on, _today()):
        raise ValidationError(
            {"birth_date": gettext("The date of birth cannot be after the day the request reached us.")}
        )


def _duplicate(existing: Request) -> DuplicateSubmission:
    return DuplicateSubmission(
        gettext("This form was already submitted: it registered case %(reference)s.")
        % {"reference": existing.reference},
        existing,
    )


def _check_assignee(assignee, organization) -> None:
    """An assignee works cases (``selectors.WORKS_CASES``: not a read-only auditor) of ``organization``."""
    if not assignee.has_perm("requests_app.change_request"):
        raise ValidationError(
            {
                "assignee": gettext("%(user)s has a read-only role and cannot be assigned a case.")
                % {"user": assignee.get_full_name() or assignee.get_username()}
            }
        )
    if not assignee.is_active or organization.pk not in selectors.organization_ids_for(assignee):
        raise ValidationError(
            {
                "assignee": gettext("%(user)s has no access to %(organization)s and cannot be assigned.")
                % {"user": assignee.get_full_name() or assignee.get_username(), "organization": organization.name}
            }
        )


@transaction.atomic
def request_update(
    *,
    actor,
    case: Request,
    expected_version: int | None = None,
    note: str = "",
    **fields,
) -> Request:
    """Edit an open case's own details: ``assignee`` (the one way to assign or unassign),
    ``notes``, ``reply_to``, ``preferred_response_method``, ``channel``. (The form's arrival after a
    phone call is ``request_record_form``.)

    Nothing changed: nothing is written. Raises ``TransitionNotAllowed`` on an ended case,
    ``EditConflict`` on a stale ``expected_version``, ``ValidationError`` for bad values.
    """
    editable = {"assignee", "notes", "reply_to", "preferred_response_method", "channel"}
    unknown = set(fields) - editable
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.UPDATE, actor=actor)
    if fields.get("assignee") is not None and fields["assignee"] != case.assignee:
        _check_assignee(fields["assignee"], case.organization)
    _check_text(note=note)
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, fields[name])
    _clean(case, exclude=["organization", "policy", "data_subject", "agent", "assignee", "created_by", "reference"])
    _refresh_clock(case)
    _save_case(case, actor=actor, op=Op.UPDATE, note=note)
    return case


SUBJECT_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birth_date",
    "postal_code",
    "address",
    "registered_postal_code",
    "registered_address",
    "phone",
    "email",
    "member_id",
)
AGENT_FIELDS = (
    "agent_type",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "relationship",
    "postal_code",
    "address",
    "phone",
    "email",
)


@transaction.atomic
def request_update_people(
    *,
    actor,
    case: Request,
    subject: dict,
    agent: dict | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Request:
    """Correct the data subject's or the agent's details as written on the form (typos, moves).

    ``subject``/``agent`` map ``SUBJECT_FIELDS``/``AGENT_FIELDS`` to new values; unchanged
    values write nothing.
    """
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.UPDATE_PEOPLE, actor=actor)
    if agent and case.agent_id is None:
        raise TransitionNotAllowed(gettext("This request has no agent."))
    _check_text(note=note)
    changed = False
    for obj, data, allowed_fields in (
        (case.data_subject, subject, SUBJECT_FIELDS),
        (case.agent, agent or {}, AGENT_FIELDS),
    ):
        if obj is None:
            continue
        unknown = set(data) - set(allowed_fields)
        if unknown:
            raise ValueError(f"not editable here: {sorted(unknown)}")
        fields = [name for name, value in data.items() if getattr(obj, name) != value]
        if obj is case.data_subject and "birth_date" in fields:
            _check_birth_date(data["birth_date"], case.reached_on)
        if fields:
            for name in fields:
                setattr(obj, name, data[name])
            _clean(obj, exclude=["organization"])
            _save(obj, actor=actor, op=Op.UPDATE_PEOPLE, note=note)
            changed = True
    if changed:
        case.search_key = derived.case_search_key(case)
        _save_case(case, actor=actor, op=Op.UPDATE_PEOPLE, note=note)
    return case


# ------------------------------------------------------------------------------------------
# Documents and fees
# ------------------------------------------------------------------------------------------
def _add_document(case: Request, *, actor, op: Op, **data) -> IdentityDocument:
    if data.get("holder") == Holder.AGENT and case.agent_id is None:
        raise ValidationError(
            {"holder": gettext("This request has no agent: the document must be the data subject's.")}
        )
    document = IdentityDocument(request=case, recorded_by=actor, **data)
    _check_date(
        document.received_on,
        _("Received date"),
        not_before=case.reached_on,
        not_before_label=_("reached date"),
        field="received_on",
    )
    if document.issued_on and document.issued_on > document.received_on:
        raise ValidationError({"issued_on": gettext("A document cannot be issued after it was received.")})
    if document.kind == DocumentKind.OTHER and not document.description:
        raise ValidationError({"description": gettext("Describe the document when its kind is “Other”.")})
    _clean(document, exclude=["request", "recorded_by", "disposed_by"])
    _save(document, actor=actor, op=op)
    return document


def document_record(
    *,
    actor,
    case: Request,
    expected_version: int | None = None,
    file: document_files.CheckedFile | None = None,
    **data,
) -> IdentityDocument:
    """Record an identity or authority document received, with what was masked (SPEC §6), and
    its scanned or e-mailed copy when ``file`` is given (checked by ``document_files.check_upload``;
    kept sealed).

    ``data``: holder, kind, description, received_on, issued_on and the three masking fields.
    Raises ``ValidationError``, ``TransitionNotAllowed``, ``EditConflict``; then nothing is kept.
    """
    with _file_kept_only_if_recorded(file) as (stored,), transaction.atomic():
        case = _lock(case, actor=actor, expected_version=expected_version)
        require(case, Op.RECORD_DOCUMENT, actor=actor)
        document = _add_document(case, actor=actor, op=Op.RECORD_DOCUMENT, **data)
        if file is not None:
            _add_file(document, file, stored, actor=actor, op=Op.RECORD_DOCUMENT)
        _refresh_clock(case)
        _save_case(case, actor=actor, op=Op.RECORD_DOCUMENT)
        return document


@transaction.atomic
def request_record_form(
    *,
    actor,
    case: Request,
    received_on: dt.date,
    documents: Iterable[dict] = (),
    note: str = "",
    expected_version: int | None = None,
) -> Request:
    """The request form comes back (a request first made by phone, SPEC §3): its arrival date
    (Asia/Tokyo, not before the request reached us) and the documents enclosed with it (dicts as
    ``document_record`` takes, without files), in one operation — the clock may start today.

    Raises ``TransitionNotAllowed`` when the form is already recorded or the case has gone past
    recording, ``ValidationError`` for a bad date or document (nothing is kept then)."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.RECORD_FORM, actor=actor)
    if case.form_received_on is not None:
        raise TransitionNotAllowed(gettext("The request form is already recorded as received."))
    _check_date(
        received_on,
        _("Form received date"),
        not_before=case.reached_on,
        not_before_label=_("reached date"),
        field="received_on",
    )
    _check_text(note=note)
    case.form_received_on = received_on
    for row, data in enumerate(documents, start=1):
        try:
            _add_document(case, actor=actor, op=Op.RECORD_FORM, **{"received_on": received_on, **data})
        except ValidationError as error:  # said of its row, not of the form's own fields
            raise ValidationError(
                gettext("Document %(row)s: %(errors)s") % {"row": row, "errors": " ".join(error.messages)}
            ) from error
    _refresh_clock(case)
    _save_case(case, actor=actor, op=Op.RECORD_FORM, note=note)
    return case


def document_attach_file(
    *,
    actor,
    document: IdentityDocument,
    file: document_files.CheckedFile,
    expected_version: int | None = None,
) -> DocumentFile:
    """Attach the copy (a checked upload) to a document already recorded, while the copy is
    kept (not disposed of) and it has no file yet. Raises ``TransitionNotAllowed`` otherwise."""
    with _file_kept_only_if_recorded(file) as (stored,), transaction.atomic():
        case = _lock(document.request_id, actor=actor, expected_version=expected_version)
        require(case, Op.ATTACH_FILE, actor=actor, target=document)
        document = IdentityDocument.objects.select_for_update().get(pk=document.pk, request=case)
        if document.disposed_on is not None:
            raise TransitionNotAllowed(gettext("This copy was disposed of: no file can be attached to it."))
        if DocumentFile.objects.filter(document=document).exists():
            raise TransitionNotAllowed(gettext("This document already has its file."))
        attached = _add_file(document, file, stored, actor=actor, op=Op.ATTACH_FILE)
        _save_case(case, actor=actor, op=Op.ATTACH_FILE)
        return attached


def _add_file(document: IdentityDocument, file, stored: str, *, actor, op: Op) -> DocumentFile:
    attached = DocumentFile(
        document=document,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        storage_name=stored,
        uploaded_by=actor,
    )
    _save(attached, actor=actor, op=op)
    return attached


def document_file_open(*, actor, document_file: DocumentFile) -> bytes:
    """The plain bytes of a kept file, for the permission-checked view (which logs the access).
    Raises ``TransitionNotAllowed`` when the file was erased or cannot be read (the reason said)."""
    _check_scope(actor, document_file.document.request.organization_id)
    if not document_file.is_kept:
        raise TransitionNotAllowed(gettext("This file was erased when the copy was disposed of."))
    try:
        return document_files.read(document_file.storage_name)
    except FileNotFoundError:
        raise TransitionNotAllowed(gettext("The stored file is missing: tell the system administrator.")) from None
    except document_files.sealed_files.SealBroken:
        raise TransitionNotAllowed(
            gettext("No configured key opens the stored file (DOCUMENT_KEYS): tell the system administrator.")
        ) from None


def _erase_file(document: IdentityDocument, *, actor, op: Op) -> None:
    """The copy is disposed of: erase its file (after commit) and record that it is gone."""
    attached = DocumentFile.objects.select_for_update().filter(document=document, erased_at__isnull=True).first()
    if attached is None:
        return
    stored = attached.storage_name
    attached.erased_at, attached.erased_by, attached.storage_name = timezone.now(), actor, ""
    _save(attached, actor=actor, op=op)
    transaction.on_commit(lambda: document_files.erase(stored))


@transaction.atomic
def document_dispose(
    *,
    actor,
    case: Request,
    documents: Iterable[IdentityDocument],
    disposed_on: dt.date,
    method: str,
    expected_version: int | None = None,
) -> list[IdentityDocument]:
    """Record that copies were disposed of: when, how and by whom (SPEC §6)."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.DISPOSE_DOCUMENTS, actor=actor)
    ids = [d.pk for d in documents]
    locked = list(IdentityDocument.objects.select_for_update().filter(request=case, pk__in=ids).order_by("pk"))
    if not ids or len(locked) != len(set(ids)):
        raise TransitionNotAllowed(gettext("Choose at least one document copy of this case."))
    done = [d for d in locked if d.disposed_on is not None]
    if done:
        raise TransitionNotAllowed(
            gettext("Already disposed of: %(documents)s") % {"documents": ", ".join(d.get_kind_display() for d in done)}
        )
    for document in locked:
        _check_date(
            disposed_on,
            _("Disposal date"),
            not_before=document.received_on,
            not_before_label=_("received date"),
            field="disposed_on",
        )
        document.disposed_on, document.disposal_method, document.disposed_by = disposed_on, method, actor
        _clean(document, exclude=["request", "recorded_by", "disposed_by"])
        _save(document, actor=actor, op=Op.DISPOSE_DOCUMENTS)
        _erase_file(document, actor=actor, op=Op.DISPOSE_DOCUMENTS)
    _save_case(case, actor=actor, op=Op.DISPOSE_DOCUMENTS)
    return locked


def _add_payment(case: Request, *, actor, op: Op, **data) -> Payment:
    payment = Payment(request=case, recorded_by=actor, **data)
    if derived.fee_status(case).due == 0:
        raise ValidationError({"amount": gettext("No fee is due for this request.")})
    methods = case.policy.payment_methods
    if methods and payment.method not in methods:
        raise ValidationError(
            {
                "method": gettext("%(method)s is not a payment method of this desk's policy.")
                % {"method": payment.get_method_display()}
            }
        )
    _check_date(
        payment.received_on,
        _("Received date"),
        not_before=case.reached_on,
        not_before_label=_("reached date"),
        field="received_on",
    )
    _clean(payment, exclude=["request", "recorded_by"])
    _save(payment, actor=actor, op=op, note=data.get("note", ""))
    return payment


@transaction.atomic
def payment_record(*, actor, case: Request, expected_version: int | None = None, **data) -> Payment:
    """Record a fee payment (``amount`` in yen, ``method``, ``received_on``, ``note``). When it
    settles a fee the requester was asked for, the case resumes where it was."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.RECORD_PAYMENT, actor=actor)
    payment = _add_payment(case, actor=actor, op=Op.RECORD_PAYMENT, **data)
    open_pause = _open_pause(case)
    if (
        case.status == Status.AWAITING_REQUESTER
        and open_pause is not None
        and open_pause.kind == PauseKind.FEE_SHORTFALL
        and derived.fee_status(case).paid_in_full
    ):
        _end_pause(
            case, open_pause, op=Op.RECORD_PAYMENT, actor=actor, on=max(payment.received_on, open_pause.started_on)
        )
    _refresh_clock(case)
    _save_case(case, actor=actor, op=Op.RECORD_PAYMENT)
    return payment


# ------------------------------------------------------------------------------------------
# Waiting for the requester (clock paused)
# ------------------------------------------------------------------------------------------
def _open_pause(case: Request) -> Pause | None:
    return case.pauses.filter(ended_on__isnull=True).first()


def _start_pause(case: Request, *, actor, op: Op, kind: str, note: str, on: dt.date) -> Pause:
    """Stop the clock: the pause remembers the state to return to (``from_status``)."""
    pause = Pause(request=case, kind=kind, note=note, started_on=on, from_status=case.status, created_at=timezone.now())
    _clean(pause, exclude=["request"])
    _save(pause, actor=actor, op=op, note=note)
    move(case, op, Status.AWAITING_REQUESTER)
    return pause


def _end_pause(case: Request, pause: Pause, *, actor, op: Op, on: dt.date, note: str = "") -> None:
    _check_date(on, _("Answer date"), not_before=pause.started_on, not_before_label=_("the date asked"), field="on")
    pause.ended_on = on
    _save(pause, actor=actor, op=op, note=note)
    move(case, op, pause.from_status)


@transaction.atomic
def request_pause(
    *, actor, case: Request, kind: str, note: str, on: dt.date | None = None, expected_version: int | None = None
) -> Pause:
    """Ask the requester for a missing document, fee or information: the clock stops (補正待ち)
    and the request letter is drafted."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.PAUSE, actor=actor)
    on = on or _today()
    last_end = max((p.ended_on for p in case.pauses.all() if p.ended_on), default=case.reached_on)
    _check_date(
        on,
        _("Date asked"),
        not_before=last_end,
        not_before_label=_("the previous answer or the reached date"),
        field="on",
    )
    if kind == PauseKind.FEE_SHORTFALL and derived.fee_status(case).paid_in_full:
        raise TransitionNotAllowed(gettext("The fee is already paid in full."))
    _check_text(note=note)
    pause = _start_pause(case, actor=actor, op=Op.PAUSE, kind=kind, note=note, on=on)
    _refresh_clock(case)
    _save_case(case, actor=actor, op=Op.PAUSE, note=note)
    new_letter(case, actor=actor, op=Op.PAUSE, kind=LetterKind.REQUEST_MISSING)
    return pause


@transaction.atomic
def request_resume(
    *, actor, case: Request, on: dt.date | None = None, note: str = "", expected_version: int | None = None
) -> Request:
    """The requester answered on ``on``: a new day 0; the case returns to where it was."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.RESUME, actor=actor)
    pause = case.pauses.get(ended_on__isnull=True)
    fee = derived.fee_status(case)
    if pause.kind == PauseKind.FEE_SHORTFALL and not fee.paid_in_full:
        raise TransitionNotAllowed(
            gettext("The fee is still %(shortfall)s yen short: record the payment first.")
            % {"shortfall": f"{fee.shortfall:,}"}
        )
    _check_text(note=note)
    _end_pause(case, pause, actor=actor, op=Op.RESUME, on=on or _today(), note=note)
    _refresh_clock(case)
    _save_case(case, actor=actor, op=Op.RESUME, note=note)
    return case


# ------------------------------------------------------------------------------------------
# Verification
# ------------------------------------------------------------------------------------------
@transaction.atomic
def request_start_verification(*, actor, case: Request, note: str = "", expected_version: int | None = None) -> Request:
    """Start checking identity (and authority): the case goes to ``verifying``; an unassigned
    case is assigned to ``actor``. ``note`` is kept in the case's history."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.START_VERIFICATION, actor=actor)
    _check_text(note=note)
    move(case, Op.START_VERIFICATION, Status.VERIFYING)
    if case.assignee is None:
        case.assignee = actor
    _save_case(case, actor=actor, op=Op.START_VERIFICATION, note=note)
    return case


@transaction.atomic
def request_verify(
    *,
    actor,
    case: Request,
    outcome: str,
    name_matches: bool = False,
    address_matches: bool = False,
    intent_confirmed_on: dt.date | None = None,
    note: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Verification:
    """Record the verification outcome; the only way out of ``verifying`` (SPEC §4, §6). From
    ``received`` it starts the verification too (an unassigned case goes to ``actor``).

    verified → ``in_progress``; failed → ``rejected`` with the rejection letter drafted; more
    needed → ``awaiting_requester`` with the request letter drafted. Raises
    ``TransitionNotAllowed`` listing what is missing when "verified" is not yet justified.
    """
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.VERIFY, actor=actor)
    if case.status == Status.RECEIVED:
        # Started and recorded in one go (the case page's one verification form).
        move(case, Op.START_VERIFICATION, Status.VERIFYING)
        if case.assignee is None:
            case.assignee = actor
    on = on or _today()
    _check_date(on, _("Verification date"), not_before=case.reached_on, not_before_label=_("reached date"), field="on")
    _check_date(
        intent_confirmed_on,
        _("Intent confirmation date"),
        not_before=case.reached_on,
        not_before_label=_("reached date"),
        field="intent_confirmed_on",
    )
    _check_text(note=note)
    policy = case.policy
    needs_documents = case.agent_id is not None or policy.id_documents_required

    latest_document = max((d.received_on for d in case.documents.all()), default=None)
    if latest_document is not None and on < latest_document:
        raise ValidationError(
            {
                "on": gettext("The verification date cannot be before the last document was received (%(date)s).")
                % {"date": latest_document.isoformat()}
            }
        )
    if outcome == VerificationOutcome.VERIFIED:
        problems = derived.identity_missing(case, on=on)
        if needs_documents and not name_matches:
            problems.append(gettext("The name on the documents must match the form."))
        if needs_documents and policy.address_match_required and not address_matches:
            problems.append(gettext("This policy requires the address on the documents to match the form."))
        if case.agent_id and policy.confirms_intent_directly and not intent_confirmed_on:
            problems.append(gettext("This policy confirms the person's intent directly: record when it was confirmed."))
        if problems:
            raise TransitionNotAllowed(gettext("Cannot mark as verified: ") + " / ".join(problems))
    elif not _said(note):
        raise ValidationError({"note": gettext("Say what failed or what is still needed; the letter will say it.")})

    verification = Verification(
        request=case,
        outcome=outcome,
        name_matches=name_matches,
        address_matches=address_matches,
        intent_confirmed_on=intent_confirmed_on,
        note=note,
        verified_on=on,
        verified_by=actor,
    )
    _clean(verification, exclude=["request", "verified_by"])
    op = Op.VERIFY
    _save(verification, actor=actor, op=op, note=note)

    letter_kind = None
    if outcome == VerificationOutcome.VERIFIED:
        move(case, op, Status.IN_PROGRESS)
    elif outcome == VerificationOutcome.FAILED:
        move(case, op, Status.REJECTED)
        case.end_reason = note
        case.ended_on = on
        letter_kind = LetterKind.REJECTION
    else:
        _start_pause(case, actor=actor, op=op, kind=PauseKind.MISSING_DOCUMENT, note=note, on=on)
        letter_kind = LetterKind.REQUEST_MISSING
    _refresh_clock(case)
    _save_case(case, actor=actor, op=op, note=note)
    if letter_kind is not None:
        new_letter(case, actor=actor, op=op, kind=letter_kind)
    return verification


# ------------------------------------------------------------------------------------------
# Decisions and approval
# ------------------------------------------------------------------------------------------
@transaction.atomic
def item_decide(
    *,
    actor,
    item: RequestItem,
    outcome: str,
    ground: str = "",
    reason_text: str = "",
    alternative_measure: str = "",
    method_used: str = "",
    method_difference_reason: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Decision:
    """Decide one item (SPEC §8): the outcome, its statutory ground where the outcome needs one
    (``grounds_for``), and the reason the letter gives (Art. 36) for refusals, partial answers and
    alternative measures. Deciding again replaces the decision (history keeps every version)."""
    case = _lock(item.request_id, actor=actor, expected_version=expected_version)
    item = RequestItem.objects.get(pk=item.pk)
    require(case, Op.DECIDE, actor=actor)
    on = on or _today()
    _check_date(on, _("Decision date"), not_before=case.reached_on, not_before_label=_("reached date"), field="on")
    errors: dict[str, list[str]] = {}
    if outcome == Outcome.SELF_SERVICE and item.kind not in case.policy.self_service_kinds:
        errors.setdefault("outcome", []).append(
            gettext("This desk's self-service does not cover “%(kind)s”: decide it under the law.")
            % {"kind": item.get_kind_display()}
        )
    if case.status != Status.IN_PROGRESS and outcome != Outcome.SELF_SERVICE:
        errors.setdefault("outcome", []).append(
            gettext("Verify the requester's identity first: before that, only “resolved by self-service” can be given.")
        )
    allowed_grounds = grounds_for(item.kind, outcome)
    if outcome == Outcome.ALTERNATIVE and item.kind not in SUSPENSION_KINDS:
        errors.setdefault("outcome", []).append(
            gettext("Alternative measures apply only to suspension, erasure and suspension of provision (Art. 35).")
        )
    if allowed_grounds and not ground:
        errors.setdefault("ground", []).append(gettext("Choose the statutory ground for this decision."))
    if ground and ground not in allowed_grounds:
        errors.setdefault("ground", []).append(
            gettext("This ground does not apply to “%(kind)s” with the outcome “%(outcome)s”.")
            % {"kind": item.get_kind_display(), "outcome": Outcome(outcome).label}
        )
    if outcome in APPROVAL_OUTCOMES and not reason_text.strip():
        errors.setdefault("reason_text", []).append(
            gettext("Give the reason the letter will state (Art. 36 duty to explain).")
        )
    if outcome == Outcome.ALTERNATIVE and not alternative_measure.strip():
        errors.setdefault("alternative_measure", []).append(gettext("Describe the alternative measure."))
    if item.kind in DISCLOSURE_KINDS and outcome in {Outcome.COMPLY, Outcome.PARTIAL}:
        if not method_used:
            errors.setdefault("method_used", []).append(gettext("Choose how the data is disclosed."))
        elif item.requested_method and method_used != item.requested_method and not method_difference_reason.strip():
            errors.setdefault("method_difference_reason", []).append(
                gettext("The requester asked for another method: say why it differs.")
            )
    if errors:
        raise ValidationError(errors)

    decision = Decision.objects.filter(item=item).first() or Decision(request=case, item=item)
    decision.outcome, decision.ground, decision.reason_text = outcome, ground, reason_text
    decision.alternative_measure, decision.method_used = alternative_measure, method_used
    decision.method_difference_reason = method_difference_reason
    decision.decided_on, decision.decided_by = on, actor
    _clean(decision, exclude=["request", "item", "decided_by"])
    _save(decision, actor=actor, op=Op.DECIDE)
    _save_case(case, actor=actor, op=Op.DECIDE)
    return decision


def _check_fee_before_answer(case: Request) -> None:
    fee = derived.fee_status(case)
    if not fee.paid_in_full:
        raise TransitionNotAllowed(
            gettext(
                "The fee is %(shortfall)s yen short: a disclosure or purpose notice with a fee due "
                "cannot be answered until the fee is received in full."
            )
            % {"shortfall": f"{fee.shortfall:,}"}
        )


@transaction.atomic
def request_submit_decisions(*, actor, case: Request, note: str = "", expected_version: int | None = None) -> Request:
    """All items decided: to a manager when any needs four eyes, else straight to responding
    (fulfilment tasks are created then)."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.SUBMIT_DECISIONS, actor=actor)
    if case.status != Status.IN_PROGRESS and not derived.self_service_only(case):
        raise TransitionNotAllowed(
            gettext("Verify the requester's identity first: only a case resolved wholly by self-service goes without.")
        )
    undecided = [item.get_kind_display() for item in case.items.all() if not hasattr(item, "decision")]
    if undecided:
        raise TransitionNotAllowed(
            gettext("Every item needs a decision first. Still open: %(items)s") % {"items": ", ".join(undecided)}
        )
    _check_text(note=note)
    op = Op.SUBMIT_DECISIONS
    if case.decisions.filter(outcome__in=APPROVAL_OUTCOMES).exists():
        move(case, op, Status.AWAITING_APPROVAL)
    else:
        _check_fee_before_answer(case)
        move(case, op, Status.RESPONDING)
        create_fulfilment_tasks(case, actor=actor, op=op)
    _save_case(case, actor=actor, op=op, note=note)
    return case


@transaction.atomic
def decision_approve(*, actor, case: Request, comment: str = "", expected_version: int | None = None) -> Approval:
    """A manager approves refusals and partial answers; never one who decided an item that needs
    approval (four eyes, ``selectors.approval_barred``)."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.APPROVE, actor=actor)
    if selectors.request_list(actor=actor).filter(pk=case.pk).filter(selectors.approval_barred(actor)).exists():
        raise TransitionNotAllowed(
            gettext("Four eyes: you decided an item that needs approval, so another manager must approve it.")
        )
    _check_fee_before_answer(case)
    _check_text(comment=comment)
    op = Op.APPROVE
    approval = Approval(request=case, outcome=ApprovalOutcome.APPROVED, comment=comment, approver=actor)
    _save(approval, actor=actor, op=op, note=comment)
    move(case, op, Status.RESPONDING)
    create_fulfilment_tasks(case, actor=actor, op=op)
    _save_case(case, actor=actor, op=op, note=comment)
    return approval


@transaction.atomic
def decision_return(*, actor, case: Request, comment: str, expected_version: int | None = None) -> Approval:
    """A manager sends the decisions back for rework, saying why."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.RETURN, actor=actor)
    if not _said(comment):
        raise ValidationError({"comment": gettext("Say what must change.")})
    _check_text(comment=comment)
    op = Op.RETURN
    approval = Approval(request=case, outcome=ApprovalOutcome.RETURNED, comment=comment, approver=actor)
    _save(approval, actor=actor, op=op, note=comment)
    move(case, op, Status.IN_PROGRESS)
    _save_case(case, actor=actor, op=op, note=comment)
    return approval


# ------------------------------------------------------------------------------------------
# Ending early
# ------------------------------------------------------------------------------------------
def _end(case: Request, *, actor, op: Op, to_status: str, reason_text: str, on: dt.date) -> Request:
    require(case, op, actor=actor)
    if not _said(reason_text):
        raise ValidationError({"reason": gettext("Give the reason; it is kept with the case and used in the letter.")})
    _check_text(reason=reason_text)
    _check_date(on, _("Date"), not_before=case.reached_on, not_before_label=_("reached date"), field="on")
    open_pause = _open_pause(case)
    if open_pause is not None:
        open_pause.ended_on = max(on, open_pause.started_on)
        _save(open_pause, actor=actor, op=op, note=reason_text)
    move(case, op, to_status)
    case.end_reason = reason_text
    case.ended_on = on
    _refresh_clock(case)
    _save_case(case, actor=actor, op=op, note=reason_text)
    kind = LetterKind.WITHDRAWAL if to_status == Status.WITHDRAWN else LetterKind.REJECTION
    new_letter(case, actor=actor, op=op, kind=kind)
    return case


@transaction.atomic
def request_withdraw(
    *, actor, case: Request, reason: str, on: dt.date | None = None, expected_version: int | None = None
) -> Request:
    """The requester withdrew the request (取下げ); the notice letter is drafted."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    return _end(case, actor=actor, op=Op.WITHDRAW, to_status=Status.WITHDRAWN, reason_text=reason, on=on or _today())


@transaction.atomic
def request_withdraw_no_answer(
    *, actor, case: Request, note: str = "", on: dt.date | None = None, expected_version: int | None = None
) -> Request:
    """Close an abandoned case as withdrawn (issue 15): the requester has not answered the desk's
    open question for longer than the policy's limit (``derived.withdrawal_proposed``); staff
    confirm it here. The notice letter (withdrawal, for want of an answer) is drafted. ``note``
    (required): what the desk did to reach the person, kept with the reason. Raises
    ``TransitionNotAllowed`` while the limit is not passed, ``ValidationError`` without a note."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.WITHDRAW_NO_ANSWER, actor=actor)
    on = on or _today()
    proposal = derived.withdrawal_proposed(case, on)
    if proposal is None:
        raise TransitionNotAllowed(gettext("The requester's time to answer is not over yet (the policy's limit)."))
    if not _said(note):
        raise ValidationError({"note": gettext("Say how the desk tried to reach the requester.")})
    reason = gettext(
        "No answer to the desk's request sent on %(date)s for %(waited)s business days (the policy proposes "
        "withdrawal after %(limit)s)."
    ) % {"date": proposal.asked_on.isoformat(), "waited": proposal.waited, "limit": proposal.limit}
    reason = f"{reason}\n{note.strip()}"
    case.withdrawal_deemed = True
    return _end(case, actor=actor, op=Op.WITHDRAW_NO_ANSWER, to_status=Status.WITHDRAWN, reason_text=reason, on=on)


@transaction.atomic
def request_reject(
    *, actor, case: Request, reason: str, on: dt.date | None = None, expected_version: int | None = None
) -> Request:
    """Not accepted (不受理): verification failed, fee never paid, or outside the desk's scope."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    return _end(case, actor=actor, op=Op.REJECT, to_status=Status.REJECTED, reason_text=reason, on=on or _today())
