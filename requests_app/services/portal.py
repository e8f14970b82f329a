"""The requester portal (issue 14): a person (or an agent) sends a request online with the copies
of their documents, follows it on a status page opened with the reference and a PIN, sends what is
missing, and downloads the result by a link the desk sends.

The portal acts through the same services as the desk (``request_register``, ``document_record``,
``request_resume``), as its own system account (``portal_actor``): history says "online form".
The PIN is shown once and kept only as a password hash. Wrong PINs are counted per reference in
the cache (django-ratelimit's counters): after ``PORTAL_PIN_FAILURES`` the reference is locked for
``PORTAL_LOCK_MINUTES`` — the same for a reference that does not exist, or is another
organization's, so that nothing tells them apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_ratelimit.core import get_usage

from privacyops.audit.models import AccessKind, AccessLog
from privacyops.mail import new_message_id
from requests_app import letters, selectors
from requests_app.models import (
    Channel,
    DeliveryLink,
    IdentityDocument,
    Masking,
    Organization,
    PauseKind,
    PortalAccess,
    Request,
    Status,
)
from requests_app.pipeline import Op, require
from requests_app.services.cases import document_record, request_register, request_resume
from requests_app.services.common import TransitionNotAllowed, _check_text, _lock, _said, _save, _save_case, _today
from requests_app.services.responses import link_token_hash

logger = logging.getLogger(__name__)

__all__ = [
    "PORTAL_USERNAME",
    "PortalLocked",
    "PortalRefused",
    "Submitted",
    "address_key",
    "delivery_link_open",
    "delivery_link_revoke",
    "normalize_pin",
    "normalize_reference",
    "pin_display",
    "portal_actor",
    "portal_case_open",
    "portal_confirmation_send",
    "portal_document_upload",
    "portal_request_submit",
    "portal_upload_notice_send",
]

# The portal's system account: the author of what the requester does online, in every history.
PORTAL_USERNAME = "web-portal"
PORTAL_PERMISSIONS = ("add_request", "change_request")
# 10 characters of 31 that cannot be mistaken for one another (no 0/O, 1/I/L): about 50 bits.
PIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PIN_LENGTH = 10
CONFIRMATION_TASK = "requests_app.portal_confirmation_send"  # names in tasks.py
UPLOAD_NOTICE_TASK = "requests_app.portal_upload_notice_send"
# What an online upload declares about masking: the person says the copy arrived masked (the desk
# checks the copy when verifying, as with any copy that comes by post).
DECLARED_MASKED = {
    "individual_number": Masking.MASKED_BY_SENDER,
    "insurer_number": Masking.MASKED_BY_SENDER,
    "domicile": Masking.MASKED_BY_SENDER,
}


class PortalRefused(Exception):
    """The reference or the PIN is wrong (never which); ``left``: attempts before the lock."""

    def __init__(self, left: int):
        super().__init__("refused")
        self.left = left


class PortalLocked(Exception):
    """Too many wrong PINs for this reference: try again in ``minutes`` (at most ``PORTAL_LOCK_MINUTES``)."""

    def __init__(self, minutes: int = 0):
        super().__init__("locked")
        self.minutes = minutes or settings.PORTAL_LOCK_MINUTES


@dataclass(frozen=True)
class Submitted:
    """A request sent online: the case and its PIN in clear (shown once, then gone)."""

    case: Request
    pin: str


# ------------------------------------------------------------------------------------------
# The portal's account, PINs and references
# ------------------------------------------------------------------------------------------
def portal_actor(organization: Organization):
    """The portal's system account acting for ``organization`` only (its scope for this call).

    Not staff, no usable password: it cannot sign in. Created on first use with the two
    permissions the portal's operations need (register; record documents and resume)."""
    User = get_user_model()
    user = User.objects.filter(username=PORTAL_USERNAME).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User(username=PORTAL_USERNAME, last_name=gettext("Online form"), is_staff=False)
                user.set_unusable_password()
                user.save()
                user.user_permissions.set(
                    Permission.objects.filter(content_type__app_label="requests_app", codename__in=PORTAL_PERMISSIONS)
                )
        except IntegrityError:  # created at the same moment by another request
            user = User.objects.get(username=PORTAL_USERNAME)
    user._privacyops_org_ids = frozenset({organization.pk})
    return user


def _new_pin() -> str:
    return "".join(secrets.choice(PIN_ALPHABET) for _ in range(PIN_LENGTH))


def pin_display(pin: str) -> str:
    """``ABCDEFGHJK`` as the person reads and types it: ``ABCD-EFGH-JK``."""
    return "-".join(pin[i : i + 4] for i in range(0, len(pin), 4))


def normalize_pin(text: str) -> str:
    """A PIN as typed: full-width or half-width, any case, with or without spaces and dashes."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "").upper() if ch.isascii() and ch.isalnum())


# Year, then up to three separators (every dash an IME or a keyboard gives, slash, dot, underscore), number.
_REFERENCE = re.compile(r"(\d{4})[-‐‑‒–—―−ー_/・.･]{0,3}(\d{1,6})")


def normalize_reference(text: str) -> str | None:
    """A reference as typed — ``2026-000123``, ``２０２６－１２３``, ``2026ー123``, ``2026 000123``,
    ``2026000123`` — as stored (``2026-000123``); ``None`` when it cannot be one."""
    folded = "".join(unicodedata.normalize("NFKC", text or "").split())
    if len(folded) == 10 and folded.isdigit():
        folded = f"{folded[:4]}-{folded[4:]}"
    match = _REFERENCE.fullmatch(folded)
    if match is None:
        return None
    return f"{match.group(1)}-{int(match.group(2)):06d}"


def address_key(ip_address: str | None) -> str:
    """An address as the portal counts it: an IPv4 address, or the /64 network of an IPv6 one (what
    one subscriber holds — counting single IPv6 addresses would give each of them billions)."""
    try:
        address = ipaddress.ip_address(ip_address or "")
    except ValueError:
        return "-"
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def _pin_usage(key: str, limit: int, *, increment: bool) -> dict:
    """Wrong PINs counted under ``key`` in the present lock window (django-ratelimit's fixed
    window of ``PORTAL_LOCK_MINUTES``): ``count`` and ``time_left`` (seconds)."""
    usage = get_usage(
        None,
        group="portal-pin",
        key=lambda group, request: key,
        rate=f"{limit}/{settings.PORTAL_LOCK_MINUTES}m",
        increment=increment,
    )
    return usage or {"count": 0, "time_left": 0}


def portal_case_open(*, organization: Organization, reference: str, pin: str, ip_address: str | None = None) -> Request:
    """The case ``reference`` of ``organization`` when ``pin`` is its PIN.

    Two locks, whichever comes first: ``PORTAL_PIN_FAILURES`` wrong PINs for the reference from one
    address (the person's own mistakes, and a stranger's, who then cannot lock the person out from
    elsewhere), or ``PORTAL_PIN_FAILURES_ALL`` from any addresses (guessing spread over many). Raises
    ``PortalLocked`` (with ``minutes`` left) while locked — also right after the failure that locks —,
    else ``PortalRefused`` for a wrong PIN, an unknown reference, another organization's reference
    or a case whose personal data was erased: the same error, the same work (one hash computed
    whatever the input), the same counting."""
    key = normalize_reference(reference) or "?" + normalize_pin(reference)[:40]
    here = (f"{organization.pk}:{key}:{address_key(ip_address)}", settings.PORTAL_PIN_FAILURES)
    anywhere = (f"{organization.pk}:{key}", settings.PORTAL_PIN_FAILURES_ALL)
    for counter, limit in (here, anywhere):
        usage = _pin_usage(counter, limit, increment=False)
        if usage["count"] >= limit:
            raise PortalLocked(minutes=_minutes(usage))
    access = (
        PortalAccess.objects.select_related("request__organization", "request__policy")
        .filter(request__organization=organization, request__reference=key, request__purged_on__isnull=True)
        .first()
    )
    typed = normalize_pin(pin)
    # The hasher runs once whatever was typed and whether or not the reference exists.
    matches = check_password(typed, access.pin_hash if access is not None else _dummy_hash())
    if matches and access is not None:
        return access.request
    failures = _pin_usage(here[0], here[1], increment=True)
    total = _pin_usage(anywhere[0], anywhere[1], increment=True)
    if failures["count"] >= here[1] or total["count"] >= anywhere[1]:
        if access is not None:
            AccessLog.objects.create(
                user=portal_actor(organization),
                kind=AccessKind.PORTAL_LOCKED,
                request=access.request,
                organization=organization,
                path=reverse("portal:status", args=[organization.code]),
                ip_address=ip_address,
            )
        logger.warning("portal: a reference of %s locked after wrong PINs", organization.code)
        raise PortalLocked(minutes=_minutes(failures if failures["count"] >= here[1] else total))
    raise PortalRefused(left=here[1] - failures["count"])


def _minutes(usage: dict) -> int:
    return max(1, -(-int(usage.get("time_left") or 0) // 60))


@functools.cache
def _dummy_hash() -> str:
    """A hash no PIN matches, for references that do not exist (the same work as a real check)."""
    return make_password(secrets.token_urlsafe(16))


# ------------------------------------------------------------------------------------------
# Sending a request online
# ------------------------------------------------------------------------------------------
def _online_document(data: dict, on: dt.date) -> dict:
    return {
        "holder": data["holder"],
        "kind": data["kind"],
        "description": data.get("description", "") or "",
        "received_on": on,
        "file": data["file"],
        **DECLARED_MASKED,
    }


def portal_request_submit(
    *,
    organization: Organization,
    subject: dict,
    items: list[dict],
    agent: dict | None = None,
    documents: list[dict] = (),
    preferred_response_method: str = "",
    intake_token=None,
    language: str = "ja",
) -> Submitted:
    """Register a request sent through the online form, as ``request_register`` does for the
    desk: channel "web form", reached and form received today (Asia/Tokyo), the uploaded copies
    (``documents``: holder, kind, description and a checked ``file``) recorded as received today
    with the masking the person declared. Issues the PIN (hashed in the database, returned in
    clear once) and queues the confirmation e-mail (the reference only) in ``language``; a request
    sent from the English pages says so in its notes.

    Raises ``TransitionNotAllowed`` when the organization takes no online requests now,
    ``ValidationError`` for bad input, ``DuplicateSubmission`` for a form sent twice."""
    policy = selectors.portal_policy(organization)
    if policy is None:
        raise TransitionNotAllowed(gettext("This desk does not take requests online at present."))
    actor = portal_actor(organization)
    today = _today()
    pin = _new_pin()
    with transaction.atomic():
        case = request_register(
            notes=gettext("Sent online from the English pages.") if language == "en" else "",
            actor=actor,
            policy=policy,
            channel=Channel.WEB_FORM,
            reached_on=today,
            form_received_on=today,
            subject=subject,
            agent=agent,
            items=items,
            documents=[_online_document(data, today) for data in documents],
            preferred_response_method=preferred_response_method,
            intake_token=intake_token,
        )
        _save(PortalAccess(request=case, pin_hash=make_password(pin)), actor=actor, op=Op.REGISTER)
        transaction.on_commit(lambda: _queue(CONFIRMATION_TASK, case.pk, language))
    return Submitted(case=case, pin=pin)


def _queue(task: str, *args) -> None:
    try:
        # By name: services never import the task module (tasks call services).
        current_app.send_task(task, args=args)
    except Exception:  # broker down: the case is registered; the desk sees it in the list
        logger.exception("could not queue %s for case %s", task, args[0])


# ------------------------------------------------------------------------------------------
# The status page: what is missing, sent online
# ------------------------------------------------------------------------------------------
def portal_document_upload(*, case: Request, holder: str, kind: str, file, description: str = "") -> IdentityDocument:
    """A document sent from the status page (``file``: a checked upload), recorded as received
    today with the declared masking. When the case waits for a missing document or information,
    the requester has answered: the clock resumes today, as the desk's "requester answered" does
    (a fee shortfall still waits for the payment). Queues a notice to the assignee (or the
    managers). Raises ``TransitionNotAllowed`` / ``ValidationError`` as ``document_record``."""
    actor = portal_actor(case.organization)
    today = _today()
    with transaction.atomic():
        case = _lock(case, actor=actor)  # counted under the case's lock: parallel uploads wait
        sent = IdentityDocument.objects.filter(request=case, recorded_by=actor).count()
        if sent >= settings.PORTAL_MAX_ONLINE_DOCUMENTS:
            raise TransitionNotAllowed(
                gettext("%(count)s documents were already sent online for this request: contact the desk.")
                % {"count": sent}
            )
        data = _online_document({"holder": holder, "kind": kind, "description": description, "file": file}, today)
        document = document_record(actor=actor, case=case, **data)
        case = Request.objects.get(pk=case.pk)
        pause = case.pauses.filter(ended_on__isnull=True).first()
        if (
            case.status == Status.AWAITING_REQUESTER
            and pause is not None
            and pause.kind in {PauseKind.MISSING_DOCUMENT, PauseKind.INFORMATION}
        ):
            request_resume(actor=actor, case=case, on=today, note=gettext("Document sent online."))
        transaction.on_commit(lambda: _queue(UPLOAD_NOTICE_TASK, case.pk))
    return document


# ------------------------------------------------------------------------------------------
# Results by download link
# ------------------------------------------------------------------------------------------
def delivery_link_open(*, organization: Organization, token: str) -> DeliveryLink | None:
    """The link ``token`` of ``organization`` (open, expired or revoked), or ``None``."""
    return (
        DeliveryLink.objects.select_related(
            "response__letter", "response__request__organization", "response__request__policy"
        )
        .filter(token_hash=link_token_hash(token or ""), response__request__organization=organization)
        .first()
    )


@transaction.atomic
def delivery_link_revoke(*, actor, response, reason: str, expected_version: int | None = None) -> DeliveryLink:
    """Close the download link of ``response`` before it expires (sent to a wrong address, the
    letter must change…): ``reason`` is required and kept in the history. The e-mail stays
    recorded as sent. Raises ``ValidationError`` without a reason, ``TransitionNotAllowed`` when
    the link is closed already (or there is none), ``EditConflict`` on a stale form."""
    reason = _said(reason)
    if not reason:
        raise ValidationError({"reason": gettext("Say why the link is revoked.")})
    _check_text(reason=reason)
    case = _lock(response.request_id, actor=actor, expected_version=expected_version)
    link = DeliveryLink.objects.select_for_update().filter(response_id=response.pk, response__request=case).first()
    if link is None:
        raise TransitionNotAllowed(gettext("This letter was not sent by download link."))
    require(case, Op.REVOKE_LINK, actor=actor)
    if not link.is_open(timezone.now()):
        raise TransitionNotAllowed(gettext("This download link has expired or was revoked already."))
    link.revoked_at, link.revoked_by, link.revoke_reason = timezone.now(), actor, reason
    _save(link, actor=actor, op=Op.REVOKE_LINK, note=reason)
    _save_case(case, actor=actor, op=Op.REVOKE_LINK, note=reason)
    return link


# ------------------------------------------------------------------------------------------
# E-mails the portal queues (Celery tasks call these; SMTP errors are retried there)
# ------------------------------------------------------------------------------------------
def _requester_email(case: Request) -> str:
    return (case.agent.email if case.agent_id and case.agent.email else "") or case.data_subject.email


def portal_confirmation_send(*, request_id: int, language: str = "ja") -> bool:
    """The e-mail confirming an online request: the reference and where the status page is — no
    personal data (not even the name typed: the address is not yet verified, and nobody should be
    able to send their own words from the desk's address), never the PIN. Returns False when there is no
    address (or the data was erased since). Raises ``SMTP_ERRORS`` for the task to retry."""
    case = Request.objects.select_related("organization", "data_subject", "agent").get(pk=request_id)
    to = _requester_email(case)
    if not to or case.purged_on:
        return False
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    desk = letters.desk_address(case.organization, language)
    with translation.override(language):
        context = {
            "case": case,
            "organization": case.organization.name_in(language),
            "status_url": settings.SITE_URL + reverse("portal:status", args=[case.organization.code]),
        }
        subject = gettext("We received your request (%(reference)s)") % {"reference": case.reference}
        body = render_to_string("portal/email/confirmation.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=desk,
        to=[to],
        reply_to=[desk] if case.organization.desk_email else None,
        headers={"Message-ID": new_message_id()},
    ).send(fail_silently=False)
    return True


def portal_upload_notice_send(*, request_id: int) -> int:
    """Tell the desk that the requester sent a document online: the assignee, or the
    organization's managers when nobody is assigned — the reference and a link, no personal data.
    Returns how many were told. Raises ``SMTP_ERRORS`` for the task to retry."""
    case = Request.objects.select_related("organization", "assignee").get(pk=request_id)
    recipients = (
        [case.assignee]
        if case.assignee_id and case.assignee.email
        else list(selectors.organization_managers(case.organization))
    )
    sent = 0
    for user in recipients:
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = gettext("[PrivacyOps] %(reference)s: the requester sent a document online") % {
                "reference": case.reference
            }
            body = render_to_string(
                "portal/email/upload_notice.txt",
                {
                    "case": case,
                    "user": user,
                    "url": settings.SITE_URL + reverse("admin:requests_app_request_change", args=[case.pk]),
                },
            )
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send(fail_silently=False)
        sent += 1
    return sent
