"""Forms of the desk screens. They parse and validate input; services do the work.

Every free-text field refuses a 12-digit Individual Number (``FreeTextMixin``), dates use the
browser's date picker, and a form with errors is shown again with everything the user typed.
"""

from __future__ import annotations

import unicodedata
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from requests_app import derived, document_files, pipeline, selectors
from requests_app.models import (
    DISCLOSURE_KINDS,
    ID_KINDS,
    REASON_MAX_LENGTH,
    Agent,
    AgentProofRule,
    AgentType,
    Channel,
    ComplaintFrom,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintTopic,
    DataSubject,
    DeliveryMethod,
    DeskPolicy,
    DisclosureMethod,
    DisposalMethod,
    DocumentKind,
    Ground,
    Holder,
    IdentityDocument,
    ItemKind,
    LetterKind,
    LetterLanguage,
    Masking,
    Organization,
    Outcome,
    PauseKind,
    PaymentMethod,
    ReplyTo,
    ResponseMethod,
    VerificationOutcome,
    grounds_for,
)
from requests_app.pipeline import Op
from requests_app.services import AGENT_FIELDS, SUBJECT_FIELDS, check_registration
from requests_app.validators import reject_individual_number, search_key


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names (or at the top)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, required=True, initial_today=False, **kwargs):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        initial=timezone.localdate if initial_today else None,
        **kwargs,
    )


def _blank(choices):
    return [("", "---------"), *choices]


class NormalizedNewlinesMixin:
    """Browsers send CRLF from text areas; stored text uses LF. The bound data is normalised once,
    so cleaning and ``has_changed`` both see LF: re-saving unchanged text is no change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            data = self.data.copy()
            for key in list(data.keys()):
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                values = [v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v for v in values]
                if hasattr(data, "setlist"):
                    data.setlist(key, values)
                else:
                    data[key] = values[0]
            self.data = data


class FreeTextMixin(NormalizedNewlinesMixin):
    """Adds the Individual Number rule to every text field of the form (newlines normalised)."""

    not_free_text: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if (
                isinstance(field, forms.CharField)
                and not isinstance(field, forms.EmailField)
                and name not in self.not_free_text
            ):
                field.validators.append(reject_individual_number)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


# A hidden field missing or altered: the page is not the one we sent (or is too old to use).
STALE_PAGE = {
    "required": _("This page is out of date: reload it and try again."),
    "invalid": _("This page is out of date: reload it and try again."),
}


class VersionedForm(FreeTextMixin, forms.Form):
    """Carries the case version the user saw, for conflict detection."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=STALE_PAGE)

    def service_kwargs(self) -> dict:
        """The service's keyword arguments: every field but the version (passed apart)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class MultipleChoiceJSONField(forms.MultipleChoiceField):
    """A JSONField holding a list of choice values, edited as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        return value or []


# ------------------------------------------------------------------------------------------
# Intake
# ------------------------------------------------------------------------------------------
class PolicyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DeskPolicy):
        return f"{obj.organization.name} — {obj.name}"


class RequestFields(FreeTextMixin, forms.Form):
    """What a request form asks, whoever keys it: the person, the agent, what is asked and how
    the answer should come. The desk's intake (``IntakeForm``) and the online form
    (``requests_app.portal.forms``) add their own fields; ``people_and_items`` gives the service's
    ``subject``, ``agent`` and ``items``."""

    not_free_text = ("agent_type", "requested_method", "preferred_response_method")
    # 本人
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name_kana = forms.CharField(label=_("Family name (kana)"), max_length=100, required=False)
    given_name_kana = forms.CharField(label=_("Given name (kana)"), max_length=100, required=False)
    birth_date = date_field(_("Date of birth"), required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    member_id = forms.CharField(label=_("Member / applicant ID"), max_length=100, required=False)
    # 代理人
    agent_type = forms.ChoiceField(
        label=_("Requester"),
        choices=[("", _("The data subject (self)")), *AgentType.choices],
        required=False,
    )
    agent_family_name = forms.CharField(label=_("Agent's family name"), max_length=100, required=False)
    agent_given_name = forms.CharField(label=_("Agent's given name"), max_length=100, required=False)
    agent_family_name_kana = forms.CharField(label=_("Agent's family name (kana)"), max_length=100, required=False)
    agent_given_name_kana = forms.CharField(label=_("Agent's given name (kana)"), max_length=100, required=False)
    agent_relationship = forms.CharField(label=_("Relationship"), max_length=100, required=False)
    agent_postal_code = forms.CharField(label=_("Agent's postal code"), max_length=10, required=False)
    agent_address = forms.CharField(label=_("Agent's address"), max_length=300, required=False)
    agent_phone = forms.CharField(label=_("Agent's phone"), max_length=40, required=False)
    agent_email = forms.EmailField(label=_("Agent's e-mail"), required=False)
    # 請求内容
    kinds = forms.MultipleChoiceField(
        label=_("What is asked"), choices=ItemKind.choices, widget=forms.CheckboxSelectMultiple
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which data, which service, which period."),
    )
    requested_method = forms.ChoiceField(
        label=_("Disclosure method asked for"), choices=_blank(DisclosureMethod.choices), required=False
    )
    correction_detail = forms.CharField(
        label=_("Correction asked for"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recipient = forms.CharField(label=_("Third party concerned"), max_length=200, required=False)
    # 回答
    preferred_response_method = forms.ChoiceField(
        label=_("Preferred response method"), choices=_blank(ResponseMethod.choices), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("agent_type") and not data.get("agent_family_name"):
            self.add_error("agent_family_name", _("Enter the agent's name, or choose “the data subject (self)”."))
        return data

    def people_and_items(self) -> dict:
        """``subject``, ``agent`` (or ``None``) and ``items`` as ``request_register`` takes them."""
        data = self.cleaned_data
        # The form carries what is on a request form; the registered address is ours, not theirs.
        subject = {name: data[name] for name in SUBJECT_FIELDS if name in self.fields}
        agent = None
        if data["agent_type"]:
            agent = {"agent_type": data["agent_type"]}
            agent.update({name: data[f"agent_{name}"] for name in AGENT_FIELDS if f"agent_{name}" in self.fields})
        items = []
        for kind in data["kinds"]:
            item = {"kind": kind, "details": data["details"]}
            if kind in DISCLOSURE_KINDS:
                item["requested_method"] = data["requested_method"]
            if kind in {ItemKind.CORRECTION, ItemKind.ADDITION, ItemKind.DELETION}:
                item["correction_detail"] = data["correction_detail"]
            if kind == ItemKind.SUSPENSION_OF_PROVISION:
                item["recipient"] = data["recipient"]
            items.append(item)
        return {"subject": subject, "agent": agent, "items": items}


class IntakeForm(RequestFields):
    """A request as keyed from the paper or e-mail form, top to bottom."""

    intake_token = forms.UUIDField(widget=forms.HiddenInput)
    # 受付
    policy = PolicyChoiceField(
        label=_("Organization and desk policy"),
        queryset=DeskPolicy.objects.none(),
        error_messages={"invalid_choice": _("Unknown desk policy: choose one from the list.")},
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=_blank(Channel.choices))
    channel_override_reason = forms.CharField(
        label=_("Why this channel is accepted"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the desk's policy does not list the channel; kept in the case history."),
    )
    reached_on = date_field(_("Reached us on"), initial_today=True)
    form_received_on = date_field(
        _("Form received on"),
        required=False,
        help_text=_("Leave empty for a phone call: the request is complete only when the form arrives."),
    )
    reply_to = forms.ChoiceField(
        label=_("Reply address"),
        choices=_blank(ReplyTo.choices),
        required=False,
        help_text=_("Empty: as the policy says."),
    )
    # 同封の手数料
    payment_amount = forms.IntegerField(label=_("Fee enclosed (yen)"), min_value=1, required=False)
    payment_method = forms.ChoiceField(label=_("Paid by"), choices=_blank(PaymentMethod.choices), required=False)
    assignee = StaffChoiceField(label=_("Assignee"), queryset=None, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    # Codes and the hidden token (a UUID can look like a 12-digit number) are not free text.
    not_free_text = (*RequestFields.not_free_text, "intake_token", "channel", "reply_to")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = (
            DeskPolicy.objects.filter(organization__in=selectors.organization_list(actor=actor))
            .select_related("organization")
            .order_by("organization__code", "-effective_from")
        )
        self.fields["assignee"].queryset = selectors.assignable_staff(actor=actor)
        if not self.is_bound:
            self.initial.setdefault("intake_token", uuid.uuid4())

    def clean(self):
        # Dates and the policy in force are the service's rules (check_registration, also run by
        # request_register); asked here too so that every error shows at once.
        data = super().clean()
        if data.get("policy") and data.get("reached_on"):
            try:
                check_registration(
                    policy=data["policy"],
                    reached_on=data["reached_on"],
                    form_received_on=data.get("form_received_on") or data["reached_on"],
                    channel=data.get("channel", ""),
                    channel_override_reason=data.get("channel_override_reason", ""),
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        if bool(data.get("payment_amount")) != bool(data.get("payment_method")):
            self.add_error("payment_method", _("Give both the amount and how it was paid, or neither."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        payments = []
        if data.get("payment_amount"):
            payments.append(
                {
                    "amount": data["payment_amount"],
                    "method": data["payment_method"],
                    "received_on": data["form_received_on"] or data["reached_on"],
                }
            )
        return {
            "policy": data["policy"],
            "channel": data["channel"],
            "reached_on": data["reached_on"],
            "form_received_on": data["form_received_on"],
            **self.people_and_items(),
            "payments": payments,
            "reply_to": data["reply_to"] or None,
            "preferred_response_method": data["preferred_response_method"],
            "assignee": data["assignee"],
            "notes": data["notes"],
            "intake_token": data["intake_token"],
            "channel_override_reason": data["channel_override_reason"],
        }


class RelatedLookupForm(forms.Form):
    """What the intake form holds so far, read for the "same person's other cases" panel
    (``selectors.related_requests``): valid once a policy and a family name with a date of birth,
    or an e-mail, are there. Nothing is saved from it."""

    policy = PolicyChoiceField(queryset=DeskPolicy.objects.none())
    family_name = forms.CharField(max_length=100, required=False)
    given_name = forms.CharField(max_length=100, required=False)
    birth_date = date_field("", required=False)
    email = forms.EmailField(required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = DeskPolicy.objects.filter(
            organization__in=selectors.organization_list(actor=actor)
        )

    def clean(self):
        data = super().clean()
        if not ((data.get("family_name") and data.get("birth_date")) or data.get("email")):
            raise ValidationError("nothing to look for yet")
        return data

    def lookup(self) -> dict:
        """Keyword arguments of ``selectors.related_requests``."""
        data = self.cleaned_data
        return {
            "organization_id": data["policy"].organization_id,
            "name_key": search_key(data["family_name"] + data.get("given_name", "")),
            "birth_date": data.get("birth_date"),
            "email": data.get("email", ""),
        }


class DocumentFields(FreeTextMixin, forms.Form):
    """One identity or authority document, with what was masked on the copy."""

    holder = forms.ChoiceField(label=_("Whose document"), choices=Holder.choices, initial=Holder.DATA_SUBJECT)
    kind = forms.ChoiceField(label=_("Document"), choices=_blank(DocumentKind.choices))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    received_on = date_field(_("Received on"), initial_today=True)
    issued_on = date_field(_("Issued on"), required=False, help_text=_("For certificates with a maximum age."))
    valid_until = date_field(_("Valid until"), required=False, help_text=_("Expiry date printed on the document."))
    individual_number = forms.ChoiceField(
        label=_("Individual Number (My Number)"), choices=Masking.choices, widget=forms.RadioSelect
    )
    insurer_number = forms.ChoiceField(
        label=_("Insurer number and symbol/number"), choices=Masking.choices, widget=forms.RadioSelect
    )
    domicile = forms.ChoiceField(
        label=_("Permanent domicile (本籍)"), choices=Masking.choices, widget=forms.RadioSelect
    )

    not_free_text = ("holder", "kind", "individual_number", "insurer_number", "domicile")

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class IntakeDocumentForm(DocumentFields):
    """A document row of the intake form; an untouched row is skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        # Compact in the table: a select with no default, so each masking is stated on purpose.
        for name in ("individual_number", "insurer_number", "domicile"):
            self.fields[name].widget = forms.Select(choices=_blank(Masking.choices))

    def clean(self):
        data = super().clean()
        if not data.get("kind"):
            return data
        for name in ("received_on", "individual_number", "insurer_number", "domicile"):
            if not data.get(name):
                self.add_error(name, _("Required for each document recorded."))
        return data


class DocumentRows(forms.BaseFormSet):
    """Document rows: a row count the page did not send (negative, say) is refused, never read as
    "no document" — the form would be recorded without what came with it."""

    def clean(self):
        super().clean()
        if self.is_bound and self.management_form.cleaned_data.get("TOTAL_FORMS", 0) < 0:
            raise ValidationError(_("The document rows were not sent as the page has them: reload the page."))


# As many rows as the envelope holds: three shown, more added on the page ("Add a row").
IntakeDocumentFormSet = forms.formset_factory(
    IntakeDocumentForm, formset=DocumentRows, extra=3, max_num=30, absolute_max=30
)


class ReturnedFormForm(VersionedForm):
    """The request form back after a phone call, and the documents enclosed (``request_record_form``)."""

    received_on = date_field(_("Form received on"), initial_today=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.enclosed = IntakeDocumentFormSet(data, prefix="documents")

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.enclosed.is_valid()])

    def service_kwargs(self) -> dict:
        documents = [row.service_kwargs() for row in self.enclosed.forms if row.cleaned_data.get("kind")]
        return {
            "received_on": self.cleaned_data["received_on"],
            "note": self.cleaned_data["note"],
            "documents": documents,
        }


# ------------------------------------------------------------------------------------------
# Case actions
# ------------------------------------------------------------------------------------------
class BulkAssignForm(FreeTextMixin, forms.Form):
    """Assign (or unassign) several cases at once (the request list's action)."""

    assignee = StaffChoiceField(
        label=_("Assignee"), queryset=None, required=False, help_text=_("Empty: the cases become unassigned.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_staff(actor=actor)


class CaseEditForm(VersionedForm):
    assignee = StaffChoiceField(label=_("Assignee"), queryset=None, required=False)
    preferred_response_method = forms.ChoiceField(
        label=_("Preferred response method"), choices=_blank(ResponseMethod.choices), required=False
    )
    reply_to = forms.ChoiceField(label=_("Reply address"), choices=ReplyTo.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    not_free_text = ("preferred_response_method", "reply_to")

    def __init__(self, *args, actor, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_staff(actor=actor, organization=case.organization)


class PeopleForm(VersionedForm):
    """The data subject's and (if any) the agent's details, prefilled, for corrections."""

    note = forms.CharField(label=_("What was corrected and why"), max_length=200)

    not_free_text = ("agent_type",)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        people = [("subject", DataSubject, case.data_subject, SUBJECT_FIELDS)]
        if case.agent_id:
            people.append(("agent", Agent, case.agent, AGENT_FIELDS))
        for prefix, model, obj, names in people:
            for name in names:
                model_field = model._meta.get_field(name)
                field = model_field.formfield()
                if isinstance(field, forms.DateField):
                    field.widget = DateInput()
                label = field.label if prefix == "subject" else f"{_('Agent')}: {field.label}"
                field.label = label
                self.fields[f"{prefix}__{name}"] = field
                if not self.is_bound:
                    self.initial[f"{prefix}__{name}"] = getattr(obj, name)
        self.fields["note"] = self.fields.pop("note")  # last, under the details
        self.not_free_text = (*self.not_free_text, "agent__agent_type")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        subject = {k.split("__", 1)[1]: v for k, v in data.items() if k.startswith("subject__")}
        agent = {k.split("__", 1)[1]: v for k, v in data.items() if k.startswith("agent__")} or None
        return {"subject": subject, "agent": agent, "note": data["note"]}


class ConfirmForm(VersionedForm):
    """Nothing to fill in: the button confirms."""


class NoteForm(VersionedForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoAnswerForm(VersionedForm):
    """Closing an abandoned case: how the desk tried to reach the requester (kept, required)."""

    note = forms.CharField(
        label=_("How the desk tried to reach the requester"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. 12/1 phoned twice (no answer), 12/2 e-mailed a reminder."),
    )


def document_file_field(required: bool) -> forms.FileField:
    return forms.FileField(
        label=_("Scanned copy or e-mailed file"),
        required=required,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
        help_text=_(
            "PDF, JPEG or PNG, up to %(limit)s MB. Kept encrypted, opened only by desk staff (each opening is "
            "logged), erased when the copy is disposed of."
        )
        % {"limit": settings.DOCUMENT_FILE_MAX_MB},
    )


class DocumentFileMixin:
    """The ``file`` field's upload checked by content (``document_files.check_upload``); the
    service receives the checked bytes (or ``None``)."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        return document_files.check_upload(upload)


class DocumentForm(DocumentFileMixin, DocumentFields, VersionedForm):
    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = document_file_field(required=False)
        if case.agent_id is None:
            self.fields["holder"].choices = [(Holder.DATA_SUBJECT, Holder.DATA_SUBJECT.label)]


class AttachFileForm(DocumentFileMixin, VersionedForm):
    """Attach the copy to a document recorded without it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = document_file_field(required=True)


class DisposeForm(VersionedForm):
    documents = forms.ModelMultipleChoiceField(
        label=_("Copies disposed of"), queryset=IdentityDocument.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    disposed_on = date_field(_("Disposed of on"), initial_today=True)
    method = forms.ChoiceField(label=_("How"), choices=DisposalMethod.choices)

    not_free_text = ("method",)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = case.documents.filter(disposed_on__isnull=True)
        self.initial.setdefault("documents", list(self.fields["documents"].queryset))


class FormDisposeForm(VersionedForm):
    disposed_on = date_field(_("Disposed of on"), initial_today=True)
    method = forms.ChoiceField(label=_("How"), choices=DisposalMethod.choices)

    not_free_text = ("method",)


class PaymentForm(VersionedForm):
    amount = forms.IntegerField(label=_("Amount (yen)"), min_value=1)
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    received_on = date_field(_("Received on"), initial_today=True)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    not_free_text = ("method",)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        if case.policy.payment_methods:
            self.fields["method"].choices = [
                (value, label) for value, label in PaymentMethod.choices if value in case.policy.payment_methods
            ]


class PauseForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Waiting for"), choices=PauseKind.choices)
    note = forms.CharField(label=_("What was asked"), widget=forms.Textarea(attrs={"rows": 3}))
    on = date_field(_("Asked on"), initial_today=True)

    not_free_text = ("kind",)


class ResumeForm(VersionedForm):
    on = date_field(_("Answered on"), initial_today=True, help_text=_("This day is a new day 0 of the clock."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VerificationOutcome.choices, widget=forms.RadioSelect)
    name_matches = forms.BooleanField(label=_("The name on the documents matches the form"), required=False)
    address_matches = forms.BooleanField(label=_("The address on the documents matches the form"), required=False)
    intent_confirmed_on = date_field(_("Person's intent confirmed on"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For “failed” or “more needed”: what the letter will say."),
    )
    on = date_field(_("Checked on"), initial_today=True)

    not_free_text = ("outcome",)


class DecideForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    ground = forms.ChoiceField(label=_("Statutory ground"), required=False)
    reason_text = forms.CharField(
        label=_("Reason given to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for refusals, partial answers and alternative measures (Art. 36)."),
    )
    alternative_measure = forms.CharField(
        label=_("Alternative measure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    method_used = forms.ChoiceField(
        label=_("Disclosure method used"), choices=_blank(DisclosureMethod.choices), required=False
    )
    method_difference_reason = forms.CharField(
        label=_("Why the method differs from the request"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    on = date_field(_("Decided on"), initial_today=True)

    not_free_text = ("outcome", "ground", "method_used")

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        grounds = set()
        for outcome in Outcome:
            grounds |= grounds_for(item.kind, outcome)
        self.fields["ground"].choices = _blank([(g.value, g.label) for g in Ground if g in grounds])
        if item.kind not in DISCLOSURE_KINDS:
            del self.fields["method_used"], self.fields["method_difference_reason"]
        decision = getattr(item, "decision", None)
        if decision is not None and not self.is_bound:
            for name in ("outcome", "ground", "reason_text", "alternative_measure"):
                self.initial[name] = getattr(decision, name)
            if "method_used" in self.fields:
                self.initial["method_used"] = decision.method_used
                self.initial["method_difference_reason"] = decision.method_difference_reason

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class CommentForm(VersionedForm):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RequiredCommentForm(VersionedForm):
    comment = forms.CharField(label=_("What must change"), widget=forms.Textarea(attrs={"rows": 3}))


class EndForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    on = date_field(_("Date"), initial_today=True)


# ------------------------------------------------------------------------------------------
# Letters, responses, tasks
# ------------------------------------------------------------------------------------------
def letter_kinds_for(case) -> list[tuple[str, str]]:
    """Kinds of letter that may be drafted in the case's state (extension: via “extend”)."""
    return [
        (kind.value, kind.label)
        for kind in LetterKind
        if kind != LetterKind.EXTENSION and pipeline.allowed(case, Op.DRAFT_LETTER, target=kind)
    ]


class DraftLetterForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Letter"), choices=())
    language = forms.ChoiceField(label=_("Language of the letter"), choices=LetterLanguage.choices, initial="ja")

    not_free_text = ("kind", "language")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = letter_kinds_for(case)


def enclosure_label(letter, enclosure):
    """An enclosure in the letter's form: its name, opening the file, and its size."""
    url = reverse("admin:requests_app_request_letter_enclosure", args=[letter.request_id, letter.pk, enclosure.pk])
    return format_html('<a href="{}" target="_blank">{}</a> ({} B)', url, enclosure.name, f"{enclosure.size:,}")


class LetterEditForm(VersionedForm):
    letter_date = date_field(_("Letter date"))
    addressee = forms.CharField(label=_("Addressee"), widget=forms.Textarea(attrs={"rows": 4}))
    sender = forms.CharField(label=_("Sender"), widget=forms.Textarea(attrs={"rows": 5}))
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 28, "cols": 90}))

    remove = forms.TypedMultipleChoiceField(
        label=_("Take off"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    not_free_text = ("remove",)

    def __init__(self, *args, letter, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in ("letter_date", "addressee", "sender", "title", "body"):
                self.initial[name] = getattr(letter, name)
        self.fields["enclose"] = document_file_field(required=False)
        self.fields["enclose"].label = _("Add a file to send with the letter")
        self.fields["enclose"].help_text = _(
            "The disclosed records, for instance, as a PDF (or JPEG/PNG), up to %(limit)s MB: kept encrypted, attached "
            "to the e-mail or offered beside the letter on the download page."
        ) % {"limit": settings.DOCUMENT_FILE_MAX_MB}
        self.fields["remove"] = self.fields.pop("remove")  # after "add"
        enclosures = list(letter.enclosures.all()) if letter.pk else []
        self.fields["remove"].choices = [(e.pk, enclosure_label(letter, e)) for e in enclosures]
        if not enclosures:
            del self.fields["remove"]

    def clean_enclose(self):
        upload = self.cleaned_data.get("enclose")
        return document_files.check_upload(upload) if upload else None

    def service_kwargs(self) -> dict:
        return {"remove": [], **super().service_kwargs()}


class SendLetterForm(VersionedForm):
    method = forms.ChoiceField(label=_("Sent by"), choices=DeliveryMethod.choices)
    sent_on = date_field(_("Sent on"), initial_today=True)
    email = forms.EmailField(label=_("E-mail address"), required=False, help_text=_("For e-mail only."))
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=40, required=False, help_text=_("For registered mail.")
    )
    attachments = forms.CharField(
        label=_("Enclosures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was sent with the letter (copies of records, CD-R, …)."),
    )
    method_override_reason = forms.CharField(
        label=_("Why this method is used"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the desk's policy does not offer the method; kept in the case history."),
    )

    not_free_text = ("method", "tracking_number")

    def __init__(self, *args, case, letter, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["email"] = derived.recipient(case)[2]
            preferred = case.preferred_response_method
            if preferred in DeliveryMethod.values:
                self.initial["method"] = preferred
            elif case.policy.response_methods:
                self.initial["method"] = case.policy.delivery_method()


class HoldForm(VersionedForm):
    """A legal hold placed from the case page (``services.hold_place``) or lifted (``hold_lift``)."""

    scope = forms.ChoiceField(
        label=_("What is held"),
        choices=[("case", _("This case")), ("person", _("The person: all their cases and records of provision"))],
        initial="case",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the hold and in the history (e.g. an Art. 39 suit, the PPC's inquiry)."),
    )
    not_free_text = ("scope",)


class RevokeLinkForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why the link is revoked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the case history. The requester can no longer open the link."),
    )


class ReturnForm(VersionedForm):
    returned_on = date_field(_("Returned on"), initial_today=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SendingCheckForm(VersionedForm):
    """Staff say whether an interrupted e-mail left (``services.response_check``)."""

    left = forms.TypedChoiceField(
        label=_("Did the e-mail leave?"),
        choices=[
            ("yes", _("Yes: the mail server accepted it (mark it sent)")),
            ("no", _("No: it did not leave (the letter can be sent again)")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("How you checked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The mail server's log, the recipient's confirmation, …; kept in the case history."),
    )


class TaskDoneForm(VersionedForm):
    done_on = date_field(_("Done on"), initial_today=True)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("What was changed.")
    )


class ExtendForm(VersionedForm):
    reason = forms.CharField(label=_("Reason for the extension"), widget=forms.Textarea(attrs={"rows": 3}))
    on = date_field(_("Notified on"), initial_today=True)


# ------------------------------------------------------------------------------------------
# Desk set-up
# ------------------------------------------------------------------------------------------
class DeskPolicyForm(forms.ModelForm):
    channels = MultipleChoiceJSONField(label=_("Accepted channels"), choices=Channel.choices, required=False)
    payment_methods = MultipleChoiceJSONField(label=_("Payment methods"), choices=PaymentMethod.choices, required=False)
    accepted_id_documents = MultipleChoiceJSONField(
        label=_("Accepted identity documents"),
        choices=[(k.value, k.label) for k in DocumentKind if k not in {DocumentKind.OTHER}],
        required=False,
        help_text=_("None ticked: any identity document."),
    )
    agent_id_documents = MultipleChoiceJSONField(
        label=_("Accepted identity documents of agents"),
        choices=[(k.value, k.label) for k in DocumentKind if k in ID_KINDS],
        required=False,
        help_text=_("None ticked: the same as for the data subject."),
    )
    response_methods = MultipleChoiceJSONField(
        label=_("Response methods"), choices=ResponseMethod.choices, required=False
    )
    self_service_kinds = MultipleChoiceJSONField(
        label=_("Kinds the self-service covers"), choices=ItemKind.choices, required=False
    )

    class Meta:
        model = DeskPolicy
        fields = [
            "organization",
            "name",
            "effective_from",
            "source",
            "channels",
            "channel_notes",
            "fee_purpose_notice",
            "fee_disclosure",
            "fee_third_party_record_disclosure",
            "fee_basis",
            "payment_methods",
            "fee_notes",
            "id_documents_required",
            "accepted_id_documents",
            "photo_id_count",
            "non_photo_id_count",
            "address_match_required",
            "certificate_max_age_months",
            "id_notes",
            "agents_allowed",
            "agent_id_documents",
            "subject_id_for_agents",
            "confirms_intent_directly",
            "response_methods",
            "self_service_kinds",
            "reply_to",
            "download_link_days",
            "deadline_counts_from",
            "deadline_unit",
            "deadline_limit",
            "deadline_notes",
            "extension_limit",
            "extension_notice_limit",
            "acknowledgement_unit",
            "acknowledgement_limit",
            "id_copy_disposal",
            "form_retention_days",
            "remind_verification_after",
            "remind_requester_wait_after",
            "remind_fee_wait_after",
            "propose_withdrawal_after",
        ]
        help_texts = {
            "remind_verification_after": _(
                "Business days from the day the request reached us; the assignee (or the managers) is reminded."
            ),
            "remind_requester_wait_after": _(
                "Business days from the day the desk asked for a document or information; the assignee is reminded."
            ),
            "remind_fee_wait_after": _(
                "Business days from the day the desk asked for the fee; the assignee is reminded."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        proposal = cleaned.get("propose_withdrawal_after")
        reminders = [cleaned.get("remind_requester_wait_after"), cleaned.get("remind_fee_wait_after")]
        if proposal is not None and any(r is not None and proposal <= r for r in reminders):
            self.add_error(
                "propose_withdrawal_after",
                _("Propose the withdrawal later than the reminders about the requester's wait (documents and fee)."),
            )
        return cleaned


class AgentProofRuleForm(forms.ModelForm):
    document_kinds = MultipleChoiceJSONField(label=_("Accepted documents (any one)"), choices=DocumentKind.choices)

    class Meta:
        model = AgentProofRule
        fields = ["agent_type", "label", "document_kinds", "holder", "max_age_months"]


# ------------------------------------------------------------------------------------------
# Records for the audit: the request ledger and the statistics (issue 15)
# ------------------------------------------------------------------------------------------
class ReportPeriodForm(forms.Form):
    """An organization the user may see and a period of Asia/Tokyo dates (both included), read
    from the query string. Without values: this calendar year so far; one organization is
    chosen by default when the user sees only one. ``all_organizations``: "every organization"
    may be chosen (the statistics); else one is required (the ledger)."""

    MAX_DAYS = 5 * 366

    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("organization"))
    first = date_field(_("from"))
    last = date_field(_("to"))

    def __init__(self, data, *, actor, all_organizations: bool):
        today = timezone.localdate()
        organizations = selectors.organization_list(actor=actor).order_by("code")
        defaults = {"first": today.replace(month=1, day=1).isoformat(), "last": today.isoformat()}
        if len(organizations) == 1 and not all_organizations:
            defaults["organization"] = str(organizations[0].pk)
        if data is None:  # unbound: the choices shown with the defaults, no errors
            super().__init__(initial=defaults)
        else:
            # Dates typed into the address bar may come in full-width digits (２０２６-１１-０１).
            given = {k: unicodedata.normalize("NFKC", v).strip() for k, v in data.items()}
            super().__init__({**defaults, **{k: v for k, v in given.items() if v != "" or k == "organization"}})
        field = self.fields["organization"]
        field.queryset = organizations
        field.required = not all_organizations
        field.empty_label = _("Every organization") if all_organizations else "---------"

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The end of the period is before its start."))
            elif (last - first).days > self.MAX_DAYS:
                self.add_error("last", _("The period may cover at most five years."))
        return cleaned


# ------------------------------------------------------------------------------------------
# Complaints and consultations (issue 15)
# ------------------------------------------------------------------------------------------
class ComplaintForm(FreeTextMixin, forms.Form):
    """The facts of a complaint as it reached us (registering and correcting them)."""

    # A UUID may hold 12 digits in a row: it is our key, not the Individual Number.
    not_free_text = ("intake_token", "kind", "channel", "complainant_type", "topic")

    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("organization"))
    kind = forms.ChoiceField(
        label=_("complaint or consultation"), choices=ComplaintKind.choices, widget=forms.RadioSelect
    )
    received_on = date_field(_("received on"), initial_today=True)
    channel = forms.ChoiceField(label=_("how it reached us"), choices=_blank(Channel.choices))
    complainant_type = forms.ChoiceField(label=_("complainant"), choices=_blank(ComplaintFrom.choices))
    complainant_name = forms.CharField(label=_("complainant's name"), max_length=200, required=False)
    complainant_contact = forms.CharField(label=_("contact (address, e-mail or phone)"), max_length=300, required=False)
    topic = forms.ChoiceField(label=_("about"), choices=_blank(ComplaintTopic.choices))
    summary = forms.CharField(label=_("what was said"), widget=forms.Textarea(attrs={"rows": 5}))
    request_reference = forms.CharField(
        label=_("request concerned (reference)"),
        max_length=20,
        required=False,
        help_text=_("e.g. 2026-000123 or its last digits (123); leave empty when it concerns no request."),
    )
    reply_due_on = date_field(
        _("reply due on"),
        required=False,
        help_text=_("Empty: the organization's internal target (business days) after it reached us."),
    )
    assignee = StaffChoiceField(queryset=None, label=_("assignee"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=STALE_PAGE)
    intake_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, error_messages=STALE_PAGE)

    def __init__(self, *args, actor, complaint=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.complaint = actor, complaint
        organizations = selectors.organization_list(actor=actor).order_by("code")
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
        self.fields["assignee"].queryset = selectors.assignable_staff(actor=actor)
        if complaint is None and self.fields["assignee"].queryset.filter(pk=actor.pk).exists():
            self.fields["assignee"].initial = actor.pk  # who registers it, unless they choose another
        self.fields["kind"].initial = ComplaintKind.COMPLAINT
        if complaint is not None:
            # The organization is kept: a complaint does not move between organizations.
            del self.fields["organization"]
            del self.fields["intake_token"]
            self.fields["version"].required = True
            self.fields["reply_due_on"].required = True
            self.fields["reply_due_on"].help_text = ""

    def clean_request_reference(self):
        reference = unicodedata.normalize("NFKC", self.cleaned_data.get("request_reference") or "").strip()
        if not reference:
            return None
        cases = selectors.request_list(actor=self.actor)
        organization = self.cleaned_data.get("organization") or getattr(self.complaint, "organization", None)
        if organization is not None:
            cases = cases.filter(organization=organization)
        if reference.isdigit() and len(reference) <= 6:  # the last digits, as the request list's search
            found = list(cases.filter(reference__endswith=f"-{int(reference):06d}")[:2])
        else:
            found = list(cases.filter(reference=reference)[:2])
        if len(found) != 1:
            raise ValidationError(
                _("No request %(reference)s of this organization.")
                if not found
                else _("Several requests end in %(reference)s: give the whole reference (e.g. 2026-000123)."),
                params={"reference": reference},
            )
        return found[0]

    def service_kwargs(self) -> dict:
        skip = {"version", "organization", "request_reference", "intake_token"}
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        data["request"] = self.cleaned_data.get("request_reference")
        if not data.get("reply_due_on"):
            data.pop("reply_due_on", None)
        return data


class ComplaintReplyForm(VersionedForm):
    reply_text = forms.CharField(label=_("reply"), widget=forms.Textarea(attrs={"rows": 8}))


class ComplaintApproveForm(VersionedForm):
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintReturnForm(VersionedForm):
    comment = forms.CharField(label=_("what must change"), widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintRepliedForm(VersionedForm):
    replied_on = date_field(_("replied on"), initial_today=True)
    method = forms.ChoiceField(
        label=_("reply sent by"), choices=_blank([c for c in Channel.choices if c[0] != Channel.SELF_SERVICE])
    )


class ComplaintCloseForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("outcome"), choices=_blank(ComplaintOutcome.choices))
    cause = forms.CharField(label=_("cause"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.CharField(label=_("measure taken"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
