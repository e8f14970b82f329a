"""The online forms: the request (the desk's ``RequestFields`` narrowed to the desk policy, with
uploads), the reference and PIN, and a document sent from the status page."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from requests_app.forms import DocumentFileMixin, FreeTextMixin, RequestFields, _blank, document_file_field
from requests_app.models import (
    AgentType,
    DeskPolicy,
    DocumentKind,
    Holder,
    ItemKind,
    ResponseMethod,
)

# Health-insurance cards stopped being valid identity on 2025-12-01 (SPEC §6): a request sent online
# reaches us today, so they are not offered (the desk still records them for older requests).
RETIRED_KINDS = frozenset({DocumentKind.HEALTH_INSURANCE_CARD})
OFFERED_KINDS = [(value, label) for value, label in DocumentKind.choices if value not in RETIRED_KINDS]

# The honeypot: a field people never see (hidden by the style sheet, skipped by screen readers
# and the tab key); a form that fills it is a robot's.
HONEYPOT = "website"


def _fee_label(policy: DeskPolicy, kind: ItemKind) -> str:
    fee = policy.fee_for(kind)
    if not fee:
        return str(kind.label)
    return _("%(kind)s (fee %(fee)s yen)") % {"kind": kind.label, "fee": f"{fee:,}"}


def response_methods_offered(policy: DeskPolicy) -> list[tuple[str, str]]:
    """How the answer may come, as the policy offers it, and always by download link (the PIN
    opens it): the choices of the online form."""
    offered = [m for m in policy.response_methods if m in ResponseMethod.values and m != ResponseMethod.SELF_SERVICE]
    if ResponseMethod.DOWNLOAD_LINK not in offered:
        offered.append(ResponseMethod.DOWNLOAD_LINK)
    return [(m, ResponseMethod(m).label) for m in offered]


def portal_file_field(required: bool):
    """The desk's document file field (``document_file_field``), worded for the person sending it."""
    field = document_file_field(required=required)
    field.label = _("File")
    field.help_text = _("PDF, JPEG or PNG, up to %(limit)s MB.") % {"limit": settings.DOCUMENT_FILE_MAX_MB}
    return field


class PortalDocumentForm(DocumentFileMixin, FreeTextMixin, forms.Form):
    """One uploaded copy: whose, which document, the file. An empty row is skipped."""

    holder = forms.ChoiceField(
        label=_("Whose document"), choices=Holder.choices, initial=Holder.DATA_SUBJECT, required=False
    )
    kind = forms.ChoiceField(label=_("Document"), choices=_blank(OFFERED_KINDS), required=False)
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False, help_text=_("Needed for “Other”.")
    )
    not_free_text = ("holder", "kind")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = portal_file_field(required=False)

    def clean(self):
        data = super().clean()
        if data.get("file") and not data.get("kind"):
            self.add_error("kind", _("Say which document this file is."))
        if data.get("kind") and not data.get("file") and "file" not in self.errors:
            self.add_error("file", _("Choose the file of this document, or leave the row empty."))
        if data.get("kind") == DocumentKind.OTHER and not data.get("description"):
            self.add_error("description", _("Describe the document when its kind is “Other”."))
        return data

    def document(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("file"):
            return None
        return {**{k: data[k] for k in ("kind", "description", "file")}, "holder": self.whose()}

    def whose(self) -> str:
        return self.cleaned_data.get("holder") or Holder.DATA_SUBJECT


class PortalDocumentRows(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if self.is_bound and self.management_form.cleaned_data.get("TOTAL_FORMS", 0) < 0:
            raise forms.ValidationError(_("The form was not sent as the page has it: reload the page."))


PortalDocumentFormSet = forms.formset_factory(
    PortalDocumentForm,
    formset=PortalDocumentRows,
    extra=settings.PORTAL_MAX_FILES,
    max_num=settings.PORTAL_MAX_FILES,
    absolute_max=settings.PORTAL_MAX_FILES,
    validate_max=True,
)


class PortalRequestForm(RequestFields):
    """The online request form of one desk policy: the kinds (with their fees), who asks (self, or
    the agent types the policy accepts), the person, the answer's way, and the declarations."""

    intake_token = forms.UUIDField(widget=forms.HiddenInput)
    masking_declared = forms.BooleanField(
        label=_(
            "Where they appear on the copies I send, the Individual Number (My Number), the health-insurance "
            "insurer number and symbol/number, and the permanent domicile (本籍) are blacked out."
        ),
        required=False,
    )
    notice_read = forms.BooleanField(label=_("I have read how the data I send is handled."))
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    not_free_text = (*RequestFields.not_free_text, "intake_token", HONEYPOT)

    def __init__(self, *args, policy: DeskPolicy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.fields["kinds"].choices = [(kind.value, _fee_label(policy, kind)) for kind in ItemKind]
        self.fields["preferred_response_method"].choices = _blank(response_methods_offered(policy))
        self.fields["preferred_response_method"].required = True
        self.fields["preferred_response_method"].label = _("How should the answer come?")
        self.fields["agent_type"].choices = [("", _("The person the data is about (myself)"))] + (
            list(AgentType.choices) if policy.agents_allowed else []
        )
        self.fields["agent_type"].label = _("Who is asking?")
        self.fields["email"].help_text = _(
            "Required, unless an agent asks (then the agent's address below is): we write to this address."
        )
        self.fields["agent_email"].help_text = _("Required when an agent asks.")
        self.fields["kinds"].help_text = _(
            "Deletion (削除) removes wrong content, like a correction; erasure (消去) removes the data altogether, "
            "like a suspension of use."
        )
        if not self.is_bound:
            self.initial.setdefault("intake_token", uuid.uuid4())

    def clean(self):
        data = super().clean()
        if data.get(HONEYPOT):
            raise forms.ValidationError(_("The form could not be accepted. Please try again."), code="honeypot")
        asker_email = "agent_email" if data.get("agent_type") else "email"
        if not data.get(asker_email) and asker_email not in self.errors:
            self.add_error(
                asker_email,
                _("Give an e-mail address: we confirm the request and tell you when the answer is ready there."),
            )
        return data


class AccessForm(FreeTextMixin, forms.Form):
    """The reference and the PIN given when the request was sent."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        help_text=_("As shown when you sent the request, e.g. 2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=40,
        help_text=_("The 10 letters and digits shown once when you sent the request."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    not_free_text = ("reference", "pin")


class PinForm(FreeTextMixin, forms.Form):
    pin = AccessForm.base_fields["pin"]
    not_free_text = ("pin",)


class UploadForm(DocumentFileMixin, FreeTextMixin, forms.Form):
    """A document sent from the status page."""

    holder = forms.ChoiceField(label=_("Whose document"), choices=Holder.choices, initial=Holder.DATA_SUBJECT)
    kind = forms.ChoiceField(label=_("Document"), choices=_blank(OFFERED_KINDS))
    description = PortalDocumentForm.base_fields["description"]
    masking_declared = forms.BooleanField(label=PortalRequestForm.base_fields["masking_declared"].label)
    not_free_text = ("holder", "kind")

    def __init__(self, *args, has_agent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = portal_file_field(required=True)
        if not has_agent:
            self.fields["holder"].choices = [(Holder.DATA_SUBJECT, Holder.DATA_SUBJECT.label)]

    def clean(self):
        data = super().clean()
        if data.get("kind") == DocumentKind.OTHER and not data.get("description"):
            self.add_error("description", _("Describe the document when its kind is “Other”."))
        return data
