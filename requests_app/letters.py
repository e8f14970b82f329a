"""Letters (SPEC §9): drafted from the case, printed on A4, and as PDF.

The body comes from ``templates/letters/<language>/<kind>.txt`` unless the organization has its
own wording (``LetterTemplate``, edited in the admin: no code change). Drafting only computes
text; saving a draft, editing and sending are services (``services.responses``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template import Context
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy

from requests_app import derived, extensions
from requests_app.models import (
    APPROVAL_OUTCOMES,
    Letter,
    LetterKind,
    LetterTemplate,
    Outcome,
    PaymentMethod,
    ReplyTo,
    Request,
)
from requests_app.validators import contains_individual_number, letter_template_engine

# A drafted letter's body from an organization's template is at most this long (characters).
LETTER_MAX_LENGTH = 50_000

# Titles per kind; an organization's LetterTemplate.title overrides them.
TITLES = {
    LetterKind.ACKNOWLEDGEMENT: "保有個人データの開示等の請求の受領について",
    LetterKind.REQUEST_MISSING: "保有個人データの開示等の請求に関する補正のお願い",
    LetterKind.RESULT: "保有個人データの開示等の請求に対する回答",
    LetterKind.REJECTION: "保有個人データの開示等の請求を受け付けられない旨のお知らせ",
    LetterKind.WITHDRAWAL: "保有個人データの開示等の請求の取下げについて",
    LetterKind.EXTENSION: "保有個人データの開示等の請求に対する回答期限の延長について",
    LetterKind.REQUEST_FORM: "保有個人データの開示等の請求書のご送付について",
}
# A case closed for want of an answer (issue 15): the person did not withdraw, the desk ended it.
NO_ANSWER_TITLE = {
    "ja": "保有個人データの開示等の請求の手続終了のお知らせ",
    "en": "Your request concerning personal data has been closed",
}
TITLES_EN = {
    LetterKind.ACKNOWLEDGEMENT: "Acknowledgement of your request concerning personal data",
    LetterKind.REQUEST_MISSING: "Your request concerning personal data: what we still need",
    LetterKind.RESULT: "Answer to your request concerning personal data",
    LetterKind.REJECTION: "Your request concerning personal data could not be accepted",
    LetterKind.WITHDRAWAL: "Withdrawal of your request concerning personal data",
    LetterKind.EXTENSION: "Extension of the time to answer your request",
    LetterKind.REQUEST_FORM: "Our request form for your request concerning personal data",
}


@dataclass(frozen=True)
class Draft:
    letter_date: dt.date
    addressee: str
    email: str
    sender: str
    title: str
    body: str
    # What staff must know about this draft (e.g. the organization's template could not be used).
    warnings: tuple[str, ...] = ()


def addressee_block(case: Request, language: str) -> str:
    name, address, _email = derived.recipient(case)
    honorific = " 様" if language == "ja" else ""
    lines = [address] if address else []
    if case.agent is not None and case.reply_to != ReplyTo.REGISTERED_ADDRESS:
        if language == "ja":
            lines.append(f"{case.data_subject.full_name} 様 代理人")
        else:
            lines.append(f"Agent of {case.data_subject.full_name}")
    lines.append(f"{name}{honorific}")
    return "\n".join(lines)


def sender_block(case: Request, language: str) -> str:
    org = case.organization
    lines = [org.name_in(language), org.desk_name]
    if org.desk_postal_code or org.desk_address:
        lines.append(
            f"〒{org.desk_postal_code} {org.desk_address}".strip() if org.desk_postal_code else org.desk_address
        )
    if org.desk_phone:
        lines.append(("電話 " if language == "ja" else "Phone ") + org.desk_phone)
    if org.desk_email:
        lines.append(org.desk_email)
    return "\n".join(line for line in lines if line)


def desk_address(organization, language: str = "ja") -> str:
    """The From and Reply-To of an e-mail to a requester: the organization's desk by name, at its
    own address (``Organization.desk_email``), or at ``DEFAULT_FROM_EMAIL``'s address when the desk
    has none — never a bare system address. RFC 5322 ``Name <address>``; the mail code encodes a
    Japanese name."""
    display = f"{organization.name_in(language)} {organization.desk_name}".strip()
    address = organization.desk_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return formataddr((display, address))


# How a decision reads to the requester, in the letter and the e-mail (the staff's labels —
# "対応する（全部）", "セルフサービスで解決" — are for the desk).
REQUESTER_OUTCOMES = {
    Outcome.COMPLY: pgettext_lazy("requester", "We comply with your request"),
    Outcome.PARTIAL: pgettext_lazy("requester", "We comply with part of your request"),
    Outcome.REFUSE: pgettext_lazy("requester", "We cannot comply with your request"),
    Outcome.NO_DATA: pgettext_lazy("requester", "We hold no such personal data"),
    Outcome.SELF_SERVICE: pgettext_lazy("requester", "You can do this yourself on your member page"),
    Outcome.ALTERNATIVE: pgettext_lazy("requester", "We have taken another measure instead"),
}


def _context(case: Request, kind: str, *, extension_reason: str = "") -> dict:
    items = list(case.items.all())
    decided = [item for item in items if hasattr(item, "decision")]
    for item in decided:
        item.requester_outcome = REQUESTER_OUTCOMES[item.decision.outcome]
    pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    if pause is None:
        pause = max(case.pauses.all(), key=lambda p: (p.started_on, p.pk), default=None)
    asked = derived.asked_on(case, pause) if pause is not None else None
    methods = [str(PaymentMethod(m).label) for m in case.policy.payment_methods]
    return {
        "case": case,
        "organization": case.organization,
        "policy": case.policy,
        "subject": case.data_subject,
        "agent": case.agent,
        "items": decided if kind == LetterKind.RESULT else items,
        "fee": derived.fee_status(case),
        "due_on": case.due_on,
        "missing": derived.identity_missing(case)
        if kind in {LetterKind.ACKNOWLEDGEMENT, LetterKind.REQUEST_MISSING, LetterKind.REQUEST_FORM}
        else [],
        "bank_account": bank_account(case.policy),
        "pause": pause,
        # The day our request for the wait left (a case closed for want of an answer says it).
        "asked_on": asked,
        "payment_methods": "、".join(methods),
        "any_refusal": any(item.decision.outcome in APPROVAL_OUTCOMES for item in decided),
        "purposes": extensions.purposes(case) if kind == LetterKind.RESULT else [],
        "records": [r for r in extensions.provision_records(case) if not r["excluded"]]
        if kind == LetterKind.RESULT
        else [],
        "extension_reason": extension_reason,
    }


def bank_account(policy) -> str:
    """The account a fee is transferred to, as letters print it: the policy's own where bank
    transfer is accepted (or no method is stated); a blank to fill in (``FILL_IN_MARKERS``) where
    bank transfer is accepted and no account is recorded; else nothing."""
    accepted = not policy.payment_methods or PaymentMethod.BANK_TRANSFER in policy.payment_methods
    if not accepted:
        return ""
    if policy.bank_account.strip():
        return policy.bank_account.strip()
    return "〔要記入：振込先口座〕" if PaymentMethod.BANK_TRANSFER in policy.payment_methods else ""


# What an organization's own wording may use. Plain values only, never model objects: a template
# written in the admin must not reach other records (``{{ case.created_by.password }}``…).
TEMPLATE_VARIABLES = (
    "case.reference case.reached_on case.complete_on case.due_on case.ended_on case.end_reason "
    "subject.full_name agent.full_name organization.name organization.desk_name organization.desk_address "
    "organization.desk_phone organization.desk_email organization.desk_hours organization.complaint_desk "
    "items[].kind items[].details items[].outcome items[].ground items[].reason items[].method "
    "items[].alternative_measure fee.due fee.received fee.shortfall due_on missing[] pause.kind pause.note "
    "payment_methods bank_account any_refusal extension_reason"
)


def _plain_context(context: dict) -> dict:
    case, organization = context["case"], context["organization"]

    def item(obj):
        decision = getattr(obj, "decision", None)
        return {
            "kind": obj.get_kind_display(),
            "details": obj.details,
            "outcome": str(REQUESTER_OUTCOMES[decision.outcome]) if decision else "",
            "ground": decision.get_ground_display() if decision and decision.ground else "",
            "reason": decision.reason_text if decision else "",
            "method": decision.get_method_used_display() if decision and decision.method_used else "",
            "alternative_measure": decision.alternative_measure if decision else "",
        }

    fee, pause, agent = context["fee"], context["pause"], context["agent"]
    return {
        "case": {
            "reference": case.reference,
            "reached_on": case.reached_on,
            "complete_on": case.complete_on,
            "due_on": case.due_on,
            "ended_on": case.ended_on,
            "end_reason": case.end_reason,
        },
        "subject": {"full_name": context["subject"].full_name},
        "agent": {"full_name": agent.full_name} if agent else None,
        "organization": {
            name: getattr(organization, name)
            for name in (
                "name",
                "name_en",
                "desk_name",
                "desk_postal_code",
                "desk_address",
                "desk_phone",
                "desk_email",
                "desk_hours",
                "complaint_desk",
            )
        },
        "items": [item(obj) for obj in context["items"]],
        "fee": {"due": fee.due, "received": fee.received, "shortfall": fee.shortfall},
        "due_on": context["due_on"],
        "missing": [str(line) for line in context["missing"]],
        "pause": {"kind": pause.get_kind_display(), "note": pause.note} if pause else None,
        "payment_methods": context["payment_methods"],
        "bank_account": context["bank_account"],
        "any_refusal": context["any_refusal"],
        "extension_reason": context["extension_reason"],
    }


def _custom_template(case: Request, kind: str, language: str) -> LetterTemplate | None:
    return LetterTemplate.objects.filter(organization=case.organization, kind=kind, language=language).first()


def render_body(kind: str, language: str, context: dict, custom: LetterTemplate | None) -> str:
    """The body text: the organization's own template if it has one, else the standard file."""
    with translation.override(language):
        if custom is not None:
            # The restricted engine the template was checked with when it was saved.
            template = letter_template_engine().from_string(
                "{% autoescape off %}" + custom.body + "{% endautoescape %}"
            )
            return template.render(Context(_plain_context(context), autoescape=False)).strip() + "\n"
        return render_to_string(f"letters/{language}/{kind}.txt", context).strip() + "\n"


def draft(case: Request, kind: str, language: str = "ja", *, today: dt.date, extension_reason: str = "") -> Draft:
    """Everything a new letter of ``kind`` says, computed from the case as it is now."""
    context = _context(case, kind, extension_reason=extension_reason)
    custom = _custom_template(case, kind, language)
    warnings: list[str] = []
    body = None
    if custom is not None:
        try:
            body = render_body(kind, language, context, custom)
            if len(body) > LETTER_MAX_LENGTH or contains_individual_number(body):
                raise ValueError(gettext("its text is too long or holds a 12-digit number"))
        except Exception as error:  # a saved template failing on this case: never a 500
            warnings.append(
                gettext(
                    "The organization's own template for this letter could not be used (%(error)s): the "
                    "standard wording was drafted instead. Correct the template under 書面テンプレート."
                )
                % {"error": f"{type(error).__name__}: {error}"[:200]}
            )
            custom, body = None, None
    standard_title = (TITLES if language == "ja" else TITLES_EN)[kind]
    if kind == LetterKind.WITHDRAWAL and case.withdrawal_deemed:
        standard_title = NO_ANSWER_TITLE[language]
    title = custom.title if custom is not None and custom.title else standard_title
    _name, _address_block, email = derived.recipient(case)
    return Draft(
        letter_date=today,
        addressee=addressee_block(case, language),
        email=email,
        sender=sender_block(case, language),
        title=title,
        body=body if body is not None else render_body(kind, language, context, None),
        warnings=tuple(warnings),
    )


# What a draft holds where staff must write something before it can go out (the purposes of use
# while they are not recorded as data, …): a letter never promises what it does not contain.
FILL_IN_MARKERS = ("〔要記入", "[TO FILL IN")


def unfilled(letter: Letter) -> bool:
    """True while the letter's title or body still holds a part to fill in (``FILL_IN_MARKERS``)."""
    return any(marker in text for marker in FILL_IN_MARKERS for text in (letter.title, letter.body))


def plain_text(letter: Letter) -> str:
    """The letter as one text: what an e-mail carries and what a response record freezes."""
    date = (
        letter.letter_date.strftime("%Y年%-m月%-d日") if letter.language == "ja" else f"{letter.letter_date:%B %-d, %Y}"
    )
    return f"{date}\n\n{letter.addressee}\n\n{letter.sender}\n\n{letter.title}\n\n{letter.body}".strip() + "\n"


def render_html(
    letter: Letter, *, pdf: bool = False, pdf_url: str = "", back_url: str = "", nonce: str = "", final: bool = False
) -> str:
    """The letter as an A4 page; ``nonce`` lets its style block run under the page's
    Content-Security-Policy (none in a PDF); ``final``: the letter as it leaves (no draft stamp,
    though it is recorded as sent only once it has left)."""
    with translation.override(letter.language):
        return render_to_string(
            "letters/print.html",
            {"letter": letter, "pdf": pdf, "pdf_url": pdf_url, "back_url": back_url, "nonce": nonce, "final": final},
        )


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (pango, a Japanese font) are missing here."""


def _weasyprint_html():
    """WeasyPrint's ``HTML`` class; raises ``PdfUnavailable`` where it cannot run."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: pango is missing
        raise PdfUnavailable(
            gettext("PDF cannot be produced on this server (%(error)s). The printable page still works.")
            % {"error": exc}
        ) from exc
    return HTML


def pdf_from_html(html: str) -> bytes:
    """An A4 page of ours (a letter, the request ledger, the statistics) as PDF with the Japanese
    fonts embedded (WeasyPrint). Raises ``PdfUnavailable``."""
    return _weasyprint_html()(string=html).write_pdf()


def render_pdf(letter: Letter, *, final: bool = False) -> bytes:
    """The A4 letter as PDF with the Japanese fonts embedded (WeasyPrint)."""
    return pdf_from_html(render_html(letter, pdf=True, final=final))


def render_pdf_many(many: list[Letter]) -> bytes:
    """Several letters as one PDF, each on its own pages (bulk printing), fonts embedded once.
    Raises ``PdfUnavailable`` as ``render_pdf`` does."""
    html = _weasyprint_html()
    documents = [html(string=render_html(letter, pdf=True)).render() for letter in many]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
