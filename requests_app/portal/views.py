"""The requester portal's pages (issue 14). Public: no staff login; the status page and the
download are opened with the reference (or the link) and the PIN, then held in the session for
``PORTAL_SESSION_MINUTES``. Nothing personal in a URL: every form posts. Every refusal of a
reference or PIN reads the same, whatever was wrong.

Pages (under /portal/<organization code>/):
- ``""``: the request form (GET, POST); its answer shows the reference and the PIN, once;
- ``status/``: reference and PIN (GET, POST) → ``status/case/``: where the request stands, what is
  missing, upload (POST); ``status/out/``: close (POST);
- ``link/<token>/``: a result sent by link: PIN (POST), then the download ``link/<token>/file/``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from privacyops.audit.access import client_ip, logged_path
from privacyops.audit.models import AccessKind, AccessLog
from requests_app import derived, document_files, letters, pipeline, selectors, services
from requests_app.forms import apply_validation_error
from requests_app.models import DocumentKind, Holder, PauseKind, PaymentMethod, Status
from requests_app.pipeline import Op
from requests_app.portal.forms import (
    RETIRED_KINDS,
    AccessForm,
    PinForm,
    PortalDocumentFormSet,
    PortalRequestForm,
    UploadForm,
)

GRANT = "portal_grant"

# Where the request stands, as the person reads it (the desk's own steps are not theirs to follow).
REQUESTER_STATUS = {
    Status.RECEIVED: _("Received. We will check the identity documents next."),
    Status.VERIFYING: _("We are checking the identity documents."),
    Status.IN_PROGRESS: _("We are looking into your request."),
    Status.AWAITING_APPROVAL: _("We are looking into your request."),
    Status.RESPONDING: _("We are preparing our answer."),
    Status.RESPONDED: _("We have sent our answer."),
    Status.CLOSED: _("Completed."),
    Status.AWAITING_REQUESTER: _("We are waiting for something from you: see “What we need from you”."),
    Status.WITHDRAWN: _("The request was withdrawn."),
    Status.REJECTED: _("We could not accept the request: see our letter."),
}
PORTAL_TEXTS = ("intro", "privacy_notice", "after_submission")
REFUSED = _("The reference or the PIN is not right.")
TOO_MANY = _(
    "Too many attempts came from your connection in the last hour. Please try again later, or contact the desk."
)


# ------------------------------------------------------------------------------------------
# Shared
# ------------------------------------------------------------------------------------------
def _ip_key(group, request) -> str:
    return services.address_key(client_ip(request))


def _too_many(request, group: str, per_hour: int) -> bool:
    return is_ratelimited(request, group=group, key=_ip_key, rate=f"{per_hour}/h", increment=True)


def _page(request, template: str, organization, context: dict | None = None, status: int = 200):
    language = translation.get_language()
    portal = getattr(organization, "portal", None) if organization else None
    base = {
        "organization": organization,
        "organization_name": organization.name_in(language) if organization else "",
        "portal": portal,
        "texts": {name: portal.text(name, language) for name in PORTAL_TEXTS} if portal else {},
        "language": language,
    }
    response = render(request, f"portal/{template}", {**base, **(context or {})}, status=status)
    response["Cache-Control"] = "no-store, private"
    # A link's token never leaves in a Referer to another site; same-origin keeps the form's Origin (CSRF).
    response["Referrer-Policy"] = "same-origin"
    return response


def _closed(request, organization):
    return _page(request, "closed.html", organization, status=404)


def _rate_limited(request, organization):
    return _page(request, "too_many.html", organization, status=429)


def _too_large(request, organization) -> HttpResponse | None:
    """Refuse a form larger than ``PORTAL_MAX_REQUEST_MB`` before reading it (413)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.PORTAL_MAX_REQUEST_MB * 1024 * 1024:
        return _page(request, "too_large.html", organization, {"limit": settings.PORTAL_MAX_REQUEST_MB}, status=413)
    return None


def _grant(request, case) -> None:
    request.session.cycle_key()  # a new session id once the PIN is given (no fixation)
    request.session[GRANT] = {"case": case.pk, "org": case.organization_id, "seen": time.time()}


def _granted_case(request, organization):
    grant = request.session.get(GRANT)
    if not grant or grant.get("org") != organization.pk:
        return None
    if time.time() - grant.get("seen", 0) > settings.PORTAL_SESSION_MINUTES * 60:
        request.session.pop(GRANT, None)
        return None
    case = selectors.portal_case(grant["case"], organization)
    if case is None:
        request.session.pop(GRANT, None)
        return None
    grant["seen"] = time.time()
    request.session[GRANT] = grant
    return case


def _log(request, kind: str, case, *, path: str = "") -> None:
    """The requester's view or download in the access log (``path``: the page as logged, without a
    link's token — the database keeps only the token's hash)."""
    AccessLog.objects.create(
        user=services.portal_actor(case.organization),
        kind=kind,
        request=case,
        organization=case.organization,
        path=path or logged_path(request),
        ip_address=client_ip(request),
    )


def _open_case(request, organization, form):
    """Check the reference and PIN of a bound ``form``; adds the error to it and returns None."""
    try:
        return services.portal_case_open(
            organization=organization,
            reference=form.cleaned_data["reference"],
            pin=form.cleaned_data["pin"],
            ip_address=client_ip(request),
        )
    except services.PortalLocked as locked:
        form.add_error(
            None,
            gettext(
                "Too many wrong PINs for this reference: it is locked for %(minutes)s more minute(s). Try again "
                "later, or contact the desk."
            )
            % {"minutes": locked.minutes},
        )
    except services.PortalRefused as refused:
        form.add_error(
            None,
            ngettext(
                "%(refused)s One more wrong attempt locks it for up to %(minutes)s minutes.",
                "%(refused)s %(left)s more wrong attempts lock it for up to %(minutes)s minutes.",
                refused.left,
            )
            % {"refused": REFUSED, "left": refused.left, "minutes": settings.PORTAL_LOCK_MINUTES},
        )
    return None


# ------------------------------------------------------------------------------------------
# The request form
# ------------------------------------------------------------------------------------------
@never_cache
def request_form(request, code: str):
    organization = selectors.portal_organization(code)
    policy = selectors.portal_policy(organization) if organization else None
    if policy is None:
        return _closed(request, organization)
    if request.method == "POST":
        too_large = _too_large(request, organization)
        if too_large:
            return too_large
        form = PortalRequestForm(request.POST, policy=policy)
        documents = PortalDocumentFormSet(request.POST, request.FILES, prefix="doc")
        if _too_many(request, "portal-submit", settings.PORTAL_SUBMISSIONS_PER_HOUR):
            # Refused, but the page keeps what was typed (the files must be chosen again later).
            form.is_valid()
            form.add_error(None, gettext(TOO_MANY))
            return _form_page(request, organization, policy, form, documents, status=429)
    elif request.method == "GET":
        form = PortalRequestForm(policy=policy)
        documents = PortalDocumentFormSet(prefix="doc")
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST" and _request_valid(form, documents):
        try:
            submitted = services.portal_request_submit(
                organization=organization,
                **form.people_and_items(),
                documents=[d for d in (row.document() for row in documents) if d],
                preferred_response_method=form.cleaned_data["preferred_response_method"],
                intake_token=form.cleaned_data["intake_token"],
                language=translation.get_language(),
            )
        except services.DuplicateSubmission:
            # Never the reference here: a form's token sent again is no proof of who sends it.
            form.add_error(
                None,
                gettext(
                    "This form was already sent. Use the reference and PIN shown then to see where it stands; "
                    "if you did not note them, contact the desk."
                ),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except services.TransitionNotAllowed:
            return _closed(request, organization)
        else:
            # Shown in this answer only, never stored in clear anywhere (the page is not cached): a
            # reload sends the form again, which is refused as already sent.
            submitted_context = {
                "reference": submitted.case.reference,
                "pin": services.pin_display(submitted.pin),
            }
            return _page(request, "done.html", organization, {"submitted": submitted_context})
    return _form_page(request, organization, policy, form, documents, status=400 if request.method == "POST" else 200)


def _form_page(request, organization, policy, form, documents, *, status: int):
    return _page(
        request,
        "request_form.html",
        organization,
        {
            "form": form,
            "documents": documents,
            "policy": policy,
            "id_rule": derived.id_rule_text(policy),
            "id_documents": _document_labels(policy.accepted_id_documents),
            "agent_id_documents": _document_labels(policy.agent_id_documents or policy.accepted_id_documents),
            "proof_rules": list(policy.agent_proof_rules.all()) if policy.agents_allowed else [],
            "bank_account": letters.bank_account(policy),
            "payment_methods": _payment_labels(policy),
            "max_files": settings.PORTAL_MAX_FILES,
            "max_mb": settings.PORTAL_MAX_REQUEST_MB,
            "with_files": True,
        },
        status=status,
    )


def _document_labels(kinds) -> list[str]:
    return [str(DocumentKind(k).label) for k in kinds or () if k in DocumentKind.values and k not in RETIRED_KINDS]


def _request_valid(form, documents) -> bool:
    valid = form.is_valid() & documents.is_valid()
    if not valid:
        return False
    rows = [row for row in documents if row.cleaned_data.get("file")]
    if rows and not form.cleaned_data.get("masking_declared"):
        form.add_error("masking_declared", gettext("Confirm that the copies are blacked out where needed."))
    if not form.cleaned_data.get("agent_type"):
        for row in rows:
            if row.whose() == Holder.AGENT:
                row.add_error("holder", gettext("Only an agent's request has the agent's documents."))
    return form.is_valid() and all(row.is_valid() for row in documents)


# ------------------------------------------------------------------------------------------
# The status page
# ------------------------------------------------------------------------------------------
@never_cache
def status(request, code: str):
    organization = selectors.portal_organization(code)
    if organization is None:
        return _closed(request, organization)
    if request.method == "POST":
        if _too_many(request, "portal-access", settings.PORTAL_ATTEMPTS_PER_HOUR):
            return _rate_limited(request, organization)
        form = AccessForm(request.POST)
        if form.is_valid():
            case = _open_case(request, organization, form)
            if case is not None:
                _grant(request, case)
                return HttpResponseRedirect(reverse("portal:case", args=[code]))
        return _page(request, "status_access.html", organization, {"form": form}, status=400)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return _page(request, "status_access.html", organization, {"form": AccessForm()})


@never_cache
def case_status(request, code: str):
    organization = selectors.portal_organization(code)
    if organization is None:
        return _closed(request, organization)
    case = _granted_case(request, organization)
    if case is None:
        return HttpResponseRedirect(reverse("portal:status", args=[code]))
    form = None
    if request.method == "POST":
        too_large = _too_large(request, organization)
        if too_large:
            return too_large
        form = UploadForm(request.POST, request.FILES, has_agent=case.agent_id is not None)
        if _too_many(request, "portal-upload", settings.PORTAL_SUBMISSIONS_PER_HOUR):
            form.is_valid()
            form.add_error(None, gettext(TOO_MANY))
        elif form.is_valid():
            try:
                services.portal_document_upload(
                    case=case,
                    holder=form.cleaned_data["holder"],
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                    file=form.cleaned_data["file"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except services.TransitionNotAllowed as error:
                form.add_error(None, str(error))
            else:
                request.session["portal_uploaded"] = True
                return HttpResponseRedirect(reverse("portal:case", args=[code]))
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    _log(request, AccessKind.PORTAL_STATUS, case)
    return _page(
        request,
        "status.html",
        organization,
        {
            **_status_context(case),
            "form": form or UploadForm(has_agent=case.agent_id is not None),
            "uploaded": request.session.pop("portal_uploaded", False),
        },
        status=400 if form is not None else 200,
    )


def _payment_labels(policy) -> list[str]:
    return [str(PaymentMethod(m).label) for m in policy.payment_methods if m in PaymentMethod.values]


def _status_context(case) -> dict:
    now = timezone.now()
    pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    fee = derived.fee_status(case)
    ended = case.status in {Status.CLOSED, Status.WITHDRAWN, Status.REJECTED}
    waiting = []
    if pause is not None:
        waiting.append(
            {
                "what": pause.get_kind_display(),
                "note": pause.note,
                "since": pause.started_on,
                "fee": pause.kind == PauseKind.FEE_SHORTFALL,
            }
        )
    # What the identity check still lacks, as the desk's checklist says it (before the check ends).
    missing = (
        derived.identity_missing(case)
        if case.status in {Status.RECEIVED, Status.VERIFYING, Status.AWAITING_REQUESTER}
        else []
    )
    return {
        "case": case,
        "missing": missing,
        "status_text": REQUESTER_STATUS[case.status],
        "ended": ended,
        "waiting": waiting,
        "fee": fee,
        "bank_account": letters.bank_account(case.policy) if fee.shortfall else "",
        "payment_methods": _payment_labels(case.policy),
        "results": [
            {"response": r, "link": link, "open": link is not None and link.is_open(now)}
            for r in case.responses.all()
            for link in [getattr(r, "link", None)]
        ],
        "can_upload": pipeline.allowed(case, Op.RECORD_DOCUMENT),
        "documents": list(case.documents.all()),
    }


@never_cache
def sign_out(request, code: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    request.session.pop(GRANT, None)
    return HttpResponseRedirect(reverse("portal:status", args=[code]))


# ------------------------------------------------------------------------------------------
# Results by download link
# ------------------------------------------------------------------------------------------
def _link_or_page(request, code: str, token: str):
    organization = selectors.portal_organization(code)
    if organization is None:
        return None, _closed(request, organization)
    link = services.delivery_link_open(organization=organization, token=token)
    if link is None:
        return None, _page(request, "link_gone.html", organization, {"unknown": True}, status=404)
    if not link.is_open(timezone.now()):
        return None, _page(request, "link_gone.html", organization, {"link": link}, status=410)
    return link, None


@never_cache
def link(request, code: str, token: str):
    found, page = _link_or_page(request, code, token)
    if page is not None:
        return page
    case = found.response.request
    granted = _granted_case(request, case.organization)
    form = PinForm()
    if request.method == "POST":
        if _too_many(request, "portal-access", settings.PORTAL_ATTEMPTS_PER_HOUR):
            return _rate_limited(request, case.organization)
        form = PinForm(request.POST)
        if form.is_valid():
            form.cleaned_data["reference"] = case.reference
            opened = _open_case(request, case.organization, form)
            if opened is not None:
                _grant(request, opened)
                return HttpResponseRedirect(reverse("portal:link", args=[code, token]))
        return _page(request, "link.html", case.organization, {"form": form, "link": found}, status=400)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    ready = granted is not None and granted.pk == case.pk
    return _page(
        request,
        "link.html",
        case.organization,
        {
            "form": form,
            "link": found,
            "ready": ready,
            "case": case if ready else None,
            "enclosures": list(found.response.letter.enclosures.all()) if ready else [],
            "token": token,
        },
    )


@never_cache
def link_file(request, code: str, token: str, enclosure: int | None = None):
    """The letter as PDF, or one of the files sent with it (``enclosure``), once the PIN was given."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    found, page = _link_or_page(request, code, token)
    if page is not None:
        return page
    case = found.response.request
    granted = _granted_case(request, case.organization)
    if granted is None or granted.pk != case.pk:
        return HttpResponseRedirect(reverse("portal:link", args=[code, token]))
    letter = found.response.letter
    try:
        if enclosure is None:
            data, content_type = letters.render_pdf(letter, final=True), "application/pdf"
            filename = f"{case.reference}-{letter.kind}.pdf"
        else:
            attached = letter.enclosures.filter(pk=enclosure).first()
            if attached is None:
                return _page(request, "link_gone.html", case.organization, {"unknown": True}, status=404)
            data, content_type = services.enclosure_open(attached), attached.content_type
            filename = f"{case.reference}-{attached.pk}.{document_files.SUFFIX[attached.content_type]}"
    except (letters.PdfUnavailable, services.TransitionNotAllowed):
        return _page(request, "link_gone.html", case.organization, {"unavailable": True}, status=503)
    logged = reverse("portal:link_file", args=[code, "-"]) + (f"{enclosure}/" if enclosure else "")
    _log(request, AccessKind.PORTAL_DOWNLOAD, case, path=logged)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "same-origin"
    return response
