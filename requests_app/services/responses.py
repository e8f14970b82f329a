"""From decision to the end of a case (SPEC §4 end states, §6 disposal, §9 letters, §10 tasks).

Letters are drafted from the case (``requests_app.letters``), edited by staff, and frozen when
sent: the response record keeps the exact text. E-mail responses really go out, with the PDF
attached, through an outbox: the response is recorded as "sending" (committed) before the SMTP
server is asked and marked sent after it accepted. If the server refuses, the row is removed
(its history keeps the attempt) and the desk is told; if the process stops in between, the row
stays "sending — check" and staff say whether it left (``response_check``): nothing is ever sent
a second time by itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
from collections.abc import Iterable
from email.errors import MessageError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacyops.mail import new_message_id
from requests_app import derived, document_files, extensions, letters
from requests_app.deadlines import BusinessCalendar
from requests_app.models import (
    FULFILMENT_KINDS,
    FULFILMENT_OUTCOMES,
    DeliveryLink,
    DeliveryMethod,
    DeliveryState,
    DisposalMethod,
    FulfilmentTask,
    Letter,
    LetterEnclosure,
    LetterKind,
    PortalAccess,
    Request,
    Response,
    ResponseMethod,
    Status,
    TaskStatus,
)
from requests_app.pipeline import Op, move, require
from requests_app.services.common import (
    TransitionNotAllowed,
    _check_date,
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

logger = logging.getLogger(__name__)

__all__ = [
    "DraftExists",
    "enclosure_open",
    "form_dispose",
    "letter_discard",
    "letter_draft",
    "letter_update",
    "request_close",
    "request_extend",
    "response_check",
    "response_record_return",
    "response_send",
    "task_complete",
]


# ------------------------------------------------------------------------------------------
# Letters
# ------------------------------------------------------------------------------------------
class DraftExists(TransitionNotAllowed):
    """An unsent draft of the same letter already waits (``letter``): edit it or discard it."""

    def __init__(self, letter: Letter):
        self.letter = letter
        super().__init__(
            gettext(
                "An unsent draft of this letter already exists (%(kind)s, dated %(date)s): edit it, or discard it "
                "to draft it again."
            )
            % {"kind": letter.get_kind_display(), "date": letter.letter_date.isoformat()}
        )


def _waiting_draft(case: Request, kind: str, language: str) -> Letter | None:
    """The case's unsent draft of ``kind`` in ``language`` not on its way by e-mail, if any."""
    return (
        case.letters.filter(kind=kind, language=language, sent_at__isnull=True)
        .exclude(responses__state=DeliveryState.SENDING)
        .order_by("-pk")
        .first()
    )


def new_letter(case: Request, *, actor, op: Op, kind: str, language: str = "ja", extension_reason: str = "") -> Letter:
    """Draft a letter of ``kind`` from the case as it is now, as part of operation ``op`` (the
    caller holds the case lock). A result letter answers every decided item. One history row.
    An unsent draft of the same kind and language with the same text is returned instead of a
    second identical one (``letter.reused``)."""
    text = letters.draft(case, kind, language, today=_today(), extension_reason=extension_reason)
    waiting = _waiting_draft(case, kind, language)
    if waiting is not None and (waiting.title, waiting.body) == (text.title, text.body):
        waiting.warnings, waiting.reused = text.warnings, True
        return waiting
    letter = Letter(
        request=case,
        kind=kind,
        language=language,
        letter_date=text.letter_date,
        addressee=text.addressee,
        sender=text.sender,
        title=text.title,
        body=text.body,
        created_by=actor,
    )
    if kind == LetterKind.RESULT:
        _save_quietly(letter)
        letter.skip_history_when_saving = True
        try:
            letter.items.set([item for item in case.items.all() if hasattr(item, "decision")])
        finally:
            del letter.skip_history_when_saving
    _save(letter, actor=actor, op=op)
    letter.warnings, letter.reused = text.warnings, False  # shown to the user who drafted it
    return letter


@transaction.atomic
def letter_draft(
    *, actor, case: Request, kind: str, language: str = "ja", expected_version: int | None = None
) -> Letter:
    """Draft a letter of ``kind`` from the case as it is now; staff may edit it before sending.

    Raises ``DraftExists`` (a ``TransitionNotAllowed`` carrying ``letter``) while an unsent draft
    of the same kind and language waits: it is edited or discarded, never drafted twice."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.DRAFT_LETTER, actor=actor, target=kind)
    if kind == LetterKind.EXTENSION and case.extended_on is None:
        raise TransitionNotAllowed(gettext("Extend the deadline first; the notice is drafted with it."))
    waiting = _waiting_draft(case, kind, language)
    if waiting is not None:
        raise DraftExists(waiting)
    letter = new_letter(case, actor=actor, op=Op.DRAFT_LETTER, kind=kind, language=language)
    _save_case(case, actor=actor, op=Op.DRAFT_LETTER)
    return letter


# At most this many files go with one letter (an e-mail carries them all).
MAX_ENCLOSURES = 10


def letter_update(
    *,
    actor,
    letter: Letter,
    letter_date: dt.date,
    addressee: str,
    sender: str,
    title: str,
    body: str,
    enclose: document_files.CheckedFile | None = None,
    remove: Iterable[int] = (),
    expected_version: int | None = None,
) -> Letter:
    """Edit a draft: its text, and the files sent with it — ``enclose`` adds one (a checked upload,
    kept sealed: the disclosed records as a PDF, say), ``remove`` takes off enclosures by id (their
    files erased). A sent letter is frozen; an unchanged draft writes nothing. Raises
    ``TransitionNotAllowed`` (sent, on its way, more than ``MAX_ENCLOSURES`` files),
    ``ValidationError``, ``EditConflict``; then nothing is kept."""
    with _file_kept_only_if_recorded(enclose) as (stored,), transaction.atomic():
        case = _lock(letter.request_id, actor=actor, expected_version=expected_version)
        letter = Letter.objects.select_for_update().get(pk=letter.pk, request=case)
        if letter.is_sent:
            raise TransitionNotAllowed(gettext("This letter was sent: its text is frozen. Draft a new one instead."))
        require(case, Op.EDIT_LETTER, actor=actor, target=letter)
        new = {"letter_date": letter_date, "addressee": addressee, "sender": sender, "title": title, "body": body}
        changed = {name: value for name, value in new.items() if getattr(letter, name) != value}
        removed = list(letter.enclosures.filter(pk__in=list(remove)))
        if not changed and enclose is None and not removed:
            return letter
        for name, value in changed.items():
            setattr(letter, name, value)
        _clean(letter, exclude=["request", "created_by"])
        _save(letter, actor=actor, op=Op.EDIT_LETTER)
        _erase_enclosures(removed, actor=actor, op=Op.EDIT_LETTER)
        if enclose is not None:
            if letter.enclosures.count() >= MAX_ENCLOSURES:
                raise TransitionNotAllowed(
                    gettext("A letter takes at most %(count)s files.") % {"count": MAX_ENCLOSURES}
                )
            enclosure = LetterEnclosure(
                letter=letter,
                name=_enclosure_name(enclose, case.reference),
                content_type=enclose.content_type,
                size=enclose.size,
                sha256=enclose.sha256,
                storage_name=stored,
                added_by=actor,
            )
            try:
                _clean(enclosure, exclude=["letter", "added_by"])
            except ValidationError as error:  # the file's name: said beside the file field
                raise ValidationError({"enclose": error.messages}) from error
            _save(enclosure, actor=actor, op=Op.EDIT_LETTER)
        _save_case(case, actor=actor, op=Op.EDIT_LETTER)
        return letter


def _enclosure_name(file: document_files.CheckedFile, reference: str) -> str:
    """The name an enclosure goes out under: the uploaded name without trailing dots or spaces and
    without what a mail client would decode (``=?…?=``), ending in the suffix of what the file
    really is (``records.exe.`` → ``records.exe.pdf``), at most 200 characters."""
    suffix = "." + document_files.SUFFIX[file.content_type]
    stem = file.name.rstrip(". ").replace("=?", "=_").replace("?=", "_=")
    if stem.lower().endswith(tuple(document_files.EXTENSIONS[file.content_type])):
        stem, suffix = stem[: stem.rfind(".")], stem[stem.rfind(".") :]
    return (stem or reference)[: 200 - len(suffix)] + suffix


def _erase_enclosures(enclosures, *, actor, op: Op) -> None:
    """Remove enclosures (their history keeps a row saying who and when) and erase their files
    once the transaction has committed."""
    names = [e.storage_name for e in enclosures if e.storage_name]
    for enclosure in enclosures:
        enclosure._history_user, enclosure._history_operation, enclosure._change_reason = actor, op, ""
        enclosure.delete()
    if names:
        transaction.on_commit(lambda: [document_files.erase(name) for name in names])


def enclosure_open(enclosure: LetterEnclosure) -> bytes:
    """The plain bytes of an enclosed file (for the e-mail, the download page, the desk's view
    ``views.letter_enclosure``).
    Raises ``TransitionNotAllowed`` when the file is gone or no configured key opens it."""
    try:
        return document_files.read(enclosure.storage_name)
    except (FileNotFoundError, document_files.sealed_files.SealBroken):
        raise TransitionNotAllowed(
            gettext("The enclosed file %(name)s cannot be read: tell the system administrator.")
            % {"name": enclosure.name}
        ) from None


@transaction.atomic
def letter_discard(*, actor, letter: Letter, expected_version: int | None = None) -> Request:
    """Discard an unsent draft (drafted twice, or no longer right). A sent letter, or one whose
    e-mail is on its way, is kept. The draft's history stays, ending with who discarded it."""
    case = _lock(letter.request_id, actor=actor, expected_version=expected_version)
    letter = Letter.objects.select_for_update().get(pk=letter.pk, request=case)
    if letter.is_sent or letter.responses.exists():
        raise TransitionNotAllowed(gettext("This letter was sent (or is being sent): it cannot be discarded."))
    require(case, Op.DISCARD_LETTER, actor=actor, target=letter)
    _erase_enclosures(list(letter.enclosures.all()), actor=actor, op=Op.DISCARD_LETTER)
    letter._history_user = actor
    letter._history_operation = Op.DISCARD_LETTER
    letter._change_reason = ""
    letter.delete()
    _save_case(case, actor=actor, op=Op.DISCARD_LETTER)
    return case


# ------------------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------------------
def _send_email(letter: Letter, *, to: str, message_id: str) -> None:
    """Send the letter by e-mail with its PDF under ``message_id``. Raises ``TransitionNotAllowed``
    (the message for the desk) if the SMTP server refuses, cannot be reached or does not answer
    within ``EMAIL_TIMEOUT`` seconds."""
    desk = letters.desk_address(letter.request.organization, letter.language)
    message = EmailMessage(
        subject=f"{letter.title}（{letter.request.reference}）" if letter.language == "ja" else letter.title,
        body=letters.plain_text(letter),
        from_email=desk,
        to=[to],
        reply_to=[desk] if letter.request.organization.desk_email else None,
        headers={"Message-ID": message_id},
    )
    message.attach(
        f"{letter.request.reference}-{letter.kind}.pdf", letters.render_pdf(letter, final=True), "application/pdf"
    )
    for enclosure in letter.enclosures.all():
        message.attach(enclosure.name, enclosure_open(enclosure), enclosure.content_type)
    _deliver(message)


def _deliver(message: EmailMessage) -> None:
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError, ValueError, MessageError) as exc:  # a header the mail code refuses too
        raise TransitionNotAllowed(
            gettext(
                "The e-mail could not be sent (%(error)s). Nothing was recorded as sent: try again later, "
                "or send the letter by post."
            )
            % {"error": exc}
        ) from exc


# Results by download link (the requester portal, issue 14)
def link_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_delivery_link(response, *, actor, op: Op) -> tuple[DeliveryLink, str]:
    """A link for ``response`` (its letter), valid to the end of the policy's
    ``download_link_days`` after today (Asia/Tokyo). Returns the row and the token in clear (for
    the e-mail only: the database keeps its SHA-256)."""
    token = secrets.token_urlsafe(32)
    last_day = _today() + dt.timedelta(days=response.request.policy.download_link_days)
    expires = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    link = DeliveryLink(response=response, token_hash=link_token_hash(token), expires_at=expires)
    _save(link, actor=actor, op=op)
    return link, token


def link_url(organization, token: str) -> str:
    return settings.SITE_URL + reverse("portal:link", args=[organization.code, token])


def link_email(letter, *, to: str, token: str, link: DeliveryLink, message_id: str) -> EmailMessage:
    """The e-mail of a result sent by download link: the link and its last day, nothing of the
    letter itself (the PIN opens it)."""
    case = letter.request
    desk = letters.desk_address(case.organization, letter.language)
    with translation.override(letter.language):
        context = {
            "case": case,
            "organization": case.organization.name_in(letter.language),
            "url": link_url(case.organization, token),
            "last_day": link.last_day,
        }
        subject = gettext("Your answer is ready to download (%(reference)s)") % {"reference": case.reference}
        body = render_to_string("portal/email/link.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=desk,
        to=[to],
        reply_to=[desk] if case.organization.desk_email else None,
        headers={"Message-ID": message_id},
    )


def _items_answered(case: Request) -> set[int]:
    return set(
        Response.objects.filter(request=case, letter__kind=LetterKind.RESULT, state=DeliveryState.SENT).values_list(
            "letter__items", flat=True
        )
    ) - {None}


def response_send(
    *,
    actor,
    letter: Letter,
    method: str,
    sent_on: dt.date | None = None,
    email: str = "",
    tracking_number: str = "",
    attachments: str = "",
    method_override_reason: str = "",
    expected_version: int | None = None,
) -> Response:
    """Send (or record as sent) a letter; a result letter covering every item makes the case
    responded. A method the policy does not offer needs ``method_override_reason`` (SPEC §9).

    By post (or by hand) the response is recorded as sent at once. By e-mail it goes through the
    outbox (module docstring): three short transactions, none held open while the SMTP server is
    asked. Raises ``ValidationError`` (a field's error), ``TransitionNotAllowed`` (including "could
    not be sent", after which nothing is recorded as sent) or ``EditConflict``."""
    response = _response_record(
        actor=actor,
        letter=letter,
        method=method,
        sent_on=sent_on,
        email=email,
        tracking_number=tracking_number,
        attachments=attachments,
        method_override_reason=method_override_reason,
        expected_version=expected_version,
    )
    if response.state == DeliveryState.SENT:
        return response
    try:
        if response.method == DeliveryMethod.DOWNLOAD_LINK:
            message = link_email(
                response.letter,
                to=response.email,
                token=response.link_token,
                link=response.link,
                message_id=response.email_message_id,
            )
            _deliver(message)
        else:
            _send_email(response.letter, to=response.email, message_id=response.email_message_id)
    except TransitionNotAllowed as error:
        _outbox_drop(response, actor=actor, reason=str(error))
        raise
    return _outbox_sent(response, actor=actor)


@transaction.atomic
def _response_record(
    *,
    actor,
    letter: Letter,
    method: str,
    sent_on: dt.date | None,
    email: str,
    tracking_number: str,
    attachments: str,
    method_override_reason: str,
    expected_version: int | None,
) -> Response:
    """The checks and the response row: sent (post) or in the outbox (e-mail), committed."""
    case = _lock(letter.request_id, actor=actor, expected_version=expected_version)
    letter = Letter.objects.select_for_update().get(pk=letter.pk, request=case)
    if letter.is_sent:
        raise TransitionNotAllowed(gettext("This letter was already sent."))
    if letter.pk in derived.letters_in_outbox(case):
        raise TransitionNotAllowed(
            gettext(
                "This letter is already being sent by e-mail, or its sending was interrupted: check "
                "whether it left (“Sent” on the case page) before anything else."
            )
        )
    require(case, Op.SEND_LETTER, actor=actor, target=letter)
    if letters.unfilled(letter):
        raise TransitionNotAllowed(
            gettext("The letter still has a part to fill in (〔要記入…〕 / [TO FILL IN…]): edit the letter first.")
        )
    sent_on = sent_on or _today()
    _check_date(
        sent_on,
        _("Sent date"),
        not_before=max(case.reached_on, letter.letter_date),
        not_before_label=_("letter date"),
        field="sent_on",
    )
    enclosed = [e.name for e in letter.enclosures.all()]
    if enclosed:  # what went with the letter, in the record of what was sent
        attachments = "\n".join(filter(None, [attachments.strip(), *enclosed]))
    _check_text(attachments=attachments)
    online = PortalAccess.objects.filter(request=case).exists()
    # A request sent online can always be answered by link: the portal offers it (its PIN opens it).
    offered = [*case.policy.response_methods, *([DeliveryMethod.DOWNLOAD_LINK] if online else [])]
    if case.policy.response_methods and method not in offered and not method_override_reason.strip():
        raise ValidationError(
            {
                "method_override_reason": gettext(
                    "“%(method)s” is not a response method this desk offers (%(offered)s): say why it is used."
                )
                % {
                    "method": DeliveryMethod(method).label,
                    "offered": gettext(", ").join(str(ResponseMethod(m).label) for m in offered),
                }
            }
        )
    _check_text(method_override_reason=method_override_reason)
    if method == DeliveryMethod.REGISTERED_MAIL and not tracking_number.strip():
        raise ValidationError({"tracking_number": gettext("Registered mail needs its tracking number.")})
    if method != DeliveryMethod.REGISTERED_MAIL and tracking_number.strip():
        # The one field where a 12-digit number is kept holds a tracking number, and only that.
        raise ValidationError({"tracking_number": gettext("A tracking number goes with registered mail only.")})
    _name, _address, default_email = derived.recipient(case)
    by_mail = method in {DeliveryMethod.EMAIL, DeliveryMethod.DOWNLOAD_LINK}
    if method == DeliveryMethod.DOWNLOAD_LINK and not online:
        raise ValidationError(
            {
                "method": gettext(
                    "A download link is opened with the PIN given when the request was sent online; this "
                    "request has none: send the letter by e-mail or post."
                )
            }
        )
    if by_mail:
        email = email or default_email
        if not email:
            raise ValidationError({"email": gettext("No e-mail address is known: enter one, or send by post.")})
    response = Response(
        request=case,
        letter=letter,
        method=method,
        addressee=letter.addressee,
        email=email if by_mail else "",
        sent_on=sent_on,
        sent_by=actor,
        tracking_number=tracking_number.strip(),
        attachments=attachments,
        method_override_reason=method_override_reason.strip(),
        text_sent=letters.plain_text(letter),
    )
    _clean(response, exclude=["request", "letter", "sent_by"])
    if by_mail:
        response.state = DeliveryState.SENDING
        response.email_message_id = new_message_id()
        _save(response, actor=actor, op=Op.OUTBOX)
        if method == DeliveryMethod.DOWNLOAD_LINK:
            # The token in clear lives only in this object, for the e-mail (its hash is stored).
            response.link, response.link_token = new_delivery_link(response, actor=actor, op=Op.OUTBOX)
        _save_case(case, actor=actor, op=Op.OUTBOX)
        return response
    _save(response, actor=actor, op=Op.SEND_LETTER)
    _mark_sent(case, response, actor=actor, op=Op.SEND_LETTER)
    return response


def _mark_sent(case: Request, response: Response, *, actor, op: Op, note: str = "") -> None:
    """The letter is out: freeze it and move the case on (the caller holds the case lock)."""
    letter = response.letter
    letter.sent_at = timezone.now()
    _save(letter, actor=actor, op=op, note=note)
    sent_on = response.sent_on
    if letter.kind == LetterKind.ACKNOWLEDGEMENT and case.acknowledged_on is None:
        case.acknowledged_on = sent_on
    if letter.kind == LetterKind.RESULT:
        unanswered = {item.pk for item in case.items.all()} - _items_answered(case)
        if not unanswered:
            move(case, op, Status.RESPONDED)
    _refresh_clock(case)  # a refusal sent opens Art. 39 at once
    _save_case(case, actor=actor, op=op, note=note)


@transaction.atomic
def _outbox_sent(response: Response, *, actor, note: str = "", op: Op = Op.SEND_LETTER) -> Response:
    """The SMTP server accepted the e-mail (or staff checked that it left): mark it sent."""
    case = _lock(response.request_id, actor=actor)
    try:
        response = Response.objects.select_for_update().select_related("letter").get(pk=response.pk, request=case)
    except Response.DoesNotExist:
        # Removed by a check while the server was still delivering it: the mail left after all.
        logger.error("e-mail %s left after its record was removed; case %s", response.email_message_id, case.reference)
        raise TransitionNotAllowed(
            gettext(
                "The e-mail left after its record had been removed as not sent: do not send the letter again, "
                "and tell the system administrator (Message-ID %(id)s)."
            )
            % {"id": response.email_message_id}
        ) from None
    if response.state != DeliveryState.SENDING:
        raise TransitionNotAllowed(gettext("This e-mail is already recorded as sent."))
    response.state = DeliveryState.SENT
    _save(response, actor=actor, op=op, note=note)
    _mark_sent(case, response, actor=actor, op=op, note=note)
    return response


@transaction.atomic
def _outbox_drop(response: Response, *, actor, reason: str, op: Op = Op.SEND_FAILED) -> None:
    """The e-mail did not leave: remove the outbox row (its history keeps the attempt and
    ``reason``); the letter is a draft again and can be sent later or by post."""
    case = _lock(response.request_id, actor=actor)
    response = Response.objects.select_for_update().get(pk=response.pk, request=case)
    if response.state != DeliveryState.SENDING:
        raise TransitionNotAllowed(gettext("This e-mail is already recorded as sent."))
    response._history_user, response._history_operation, response._change_reason = actor, op, reason
    response.delete()
    _save_case(case, actor=actor, op=op, note=reason)


def response_check(
    *, actor, response: Response, left: bool, note: str, expected_version: int | None = None
) -> Response | None:
    """Staff checked an e-mail left "sending — check" (the mail server's log, the recipient):
    ``left=True`` marks it sent (the case moves on as if the server had answered), ``left=False``
    removes it so the letter can be sent again. ``note`` says how it was checked (required; kept in
    the history). Returns the response, or ``None`` when removed. Raises ``TransitionNotAllowed``
    if it is not waiting for a check, ``EditConflict`` on a stale form."""
    note = _said(note)
    if not note:
        raise ValidationError({"note": gettext("Say how you checked (mail server log, the recipient, …).")})
    _check_text(note=note)
    with transaction.atomic():
        case = _lock(response.request_id, actor=actor, expected_version=expected_version)
        require(case, Op.CHECK_SENDING, actor=actor, target=response)
        response = Response.objects.select_for_update().get(pk=response.pk, request=case)
        if not derived.sending_interrupted(response, timezone.now()):
            raise TransitionNotAllowed(
                gettext("This e-mail may still be on its way: check it when a minute has passed since it was recorded.")
                if response.state == DeliveryState.SENDING
                else gettext("This e-mail is already recorded as sent.")
            )
        if left:
            return _outbox_sent(response, actor=actor, note=note, op=Op.CHECK_SENDING)
        _outbox_drop(response, actor=actor, reason=note, op=Op.CHECK_SENDING)
        return None


@transaction.atomic
def response_record_return(
    *, actor, response: Response, returned_on: dt.date, note: str = "", expected_version: int | None = None
) -> Response:
    """The letter came back (返戻): record when and why; the desk then resends or follows up."""
    case = _lock(response.request_id, actor=actor, expected_version=expected_version)
    response = Response.objects.select_for_update().get(pk=response.pk, request=case)
    require(case, Op.RECORD_RETURN, actor=actor)
    if response.returned_on is not None:
        raise TransitionNotAllowed(gettext("The return of this letter is already recorded."))
    _check_date(returned_on, _("Return date"), not_before=response.sent_on, not_before_label=_("sent date"))
    _check_text(note=note)
    response.returned_on, response.return_note = returned_on, note
    _save(response, actor=actor, op=Op.RECORD_RETURN, note=note)
    _save_case(case, actor=actor, op=Op.RECORD_RETURN, note=note)
    return response


# ------------------------------------------------------------------------------------------
# Fulfilment tasks
# ------------------------------------------------------------------------------------------
def create_fulfilment_tasks(case: Request, *, actor, op: Op) -> list[FulfilmentTask]:
    """The decisions take effect: one task per active system of the organization for each granted
    change (SPEC §10), and the apps that act on decisions are told (``extensions``: a granted
    suspension of provision stops provision, SPEC §11)."""
    extensions.decision_effective(case, actor)
    systems = list(case.organization.systems.filter(is_active=True)) or [None]
    created = []
    for item in case.items.select_related("decision"):
        decision = getattr(item, "decision", None)
        if item.kind not in FULFILMENT_KINDS or decision is None or decision.outcome not in FULFILMENT_OUTCOMES:
            continue
        for system in systems:
            if FulfilmentTask.objects.filter(item=item, system=system).exists():
                continue
            task = FulfilmentTask(request=case, item=item, system=system)
            _save(task, actor=actor, op=op)
            created.append(task)
    return created


@transaction.atomic
def task_complete(
    *, actor, task: FulfilmentTask, done_on: dt.date | None = None, note: str = "", expected_version: int | None = None
) -> FulfilmentTask:
    """Record that the change was made in the system: who, when, and a note."""
    case = _lock(task.request_id, actor=actor, expected_version=expected_version)
    task = FulfilmentTask.objects.select_for_update().get(pk=task.pk, request=case)
    require(case, Op.COMPLETE_TASK, actor=actor)
    if task.status == TaskStatus.DONE:
        raise TransitionNotAllowed(gettext("This task is already done."))
    done_on = done_on or _today()
    _check_date(done_on, _("Done date"), not_before=case.reached_on, not_before_label=_("reached date"))
    task.status, task.done_on, task.done_by, task.note = TaskStatus.DONE, done_on, actor, note
    _clean(task, exclude=["request", "item", "system", "done_by"])
    _save(task, actor=actor, op=Op.COMPLETE_TASK, note=note)
    _save_case(case, actor=actor, op=Op.COMPLETE_TASK, note=note)
    return task


# ------------------------------------------------------------------------------------------
# Extension and closing
# ------------------------------------------------------------------------------------------
@transaction.atomic
def request_extend(
    *, actor, case: Request, reason: str, on: dt.date | None = None, language: str = "ja", expected_version=None
) -> Letter:
    """Extend the deadline where the policy allows, and draft the notice that must be sent."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.EXTEND, actor=actor)
    policy = case.policy
    if not policy.extension_limit or policy.deadline_limit is None:
        raise TransitionNotAllowed(gettext("This desk's policy does not allow extending the deadline."))
    if case.extended_on is not None:
        raise TransitionNotAllowed(gettext("The deadline was already extended."))
    if not _said(reason):
        raise ValidationError({"reason": gettext("Give the reason; the notice states it.")})
    _check_text(reason=reason)
    on = on or _today()
    periods = derived.clock_periods(case)
    if not periods:
        raise TransitionNotAllowed(gettext("The clock has not started: there is nothing to extend yet."))
    if policy.extension_notice_limit:
        calendar = BusinessCalendar.for_organization(case.organization)
        notice_by = calendar.add(periods[0][0], policy.extension_notice_limit, policy.deadline_unit)
        if on > notice_by:
            raise TransitionNotAllowed(
                gettext("The extension had to be notified by %(date)s.") % {"date": notice_by.isoformat()}
            )
    _check_date(on, _("Date"), not_before=case.reached_on, not_before_label=_("reached date"))
    case.extended_on = on
    _refresh_clock(case)
    _save_case(case, actor=actor, op=Op.EXTEND, note=reason)
    return new_letter(
        case, actor=actor, op=Op.EXTEND, kind=LetterKind.EXTENSION, language=language, extension_reason=reason
    )


@transaction.atomic
def request_close(*, actor, case: Request, note: str = "", on=None, expected_version: int | None = None) -> Request:
    """Close a responded case once every task is done and the copies are disposed of."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.CLOSE, actor=actor)
    blockers = derived.close_blockers(case)
    if blockers:
        raise TransitionNotAllowed(gettext("The case cannot close yet: ") + " ".join(blockers))
    _check_text(note=note)
    on = on or _today()
    _check_date(on, _("Date"), not_before=case.reached_on, not_before_label=_("reached date"))
    move(case, Op.CLOSE, Status.CLOSED)
    case.ended_on = on
    _refresh_clock(case)  # the form's disposal date follows from the day it closed
    _save_case(case, actor=actor, op=Op.CLOSE, note=note)
    return case


@transaction.atomic
def form_dispose(
    *, actor, case: Request, disposed_on: dt.date, method: str, expected_version: int | None = None
) -> Request:
    """Record that the request form was disposed of after the policy's period (SPEC §6): when and
    how; who is in the history. Only for an ended case whose form is still kept."""
    case = _lock(case, actor=actor, expected_version=expected_version)
    require(case, Op.DISPOSE_FORM, actor=actor)
    if case.form_received_on is None or case.form_disposed_on is not None:
        raise TransitionNotAllowed(gettext("There is no request form kept for this case."))
    _check_date(
        disposed_on,
        _("Disposed of on"),
        not_before=max(case.form_received_on, case.ended_on or case.form_received_on),
        not_before_label=_("the day the case ended"),
        field="disposed_on",
    )
    if case.form_disposal_due_on is not None and disposed_on < case.form_disposal_due_on:
        raise ValidationError(
            {
                "disposed_on": gettext("The policy keeps request forms until %(date)s: dispose of it from that day.")
                % {"date": case.form_disposal_due_on.isoformat()}
            }
        )
    if method not in DisposalMethod.values:
        raise ValidationError({"method": gettext("Choose how the form was disposed of.")})
    case.form_disposed_on, case.form_disposal_method = disposed_on, method
    _refresh_clock(case)
    _save_case(case, actor=actor, op=Op.DISPOSE_FORM, note=DisposalMethod(method).label)
    return case
