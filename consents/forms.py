"""The desk's forms for consents and records (SPEC §11), and the CSV format of records.

Forms only collect and parse: the writes and the law's checks are in ``consents.services``.
Every text field refuses an Individual Number (``FreeTextMixin``); the organization and the
opt-out provisions offered are the user's own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consents.models import Basis, ConsentScope, Direction, OptOutProvision, PurposeOfUse, RecordedHow, recipient_key
from consents.selectors import IDENTITY_FIELDS
from consents.services import NO_RECORD_GROUNDS, RECORD_FIELDS
from privacyops.csv_safe import unneutralised
from requests_app.forms import FreeTextMixin, date_field
from requests_app.models import Organization, Request
from requests_app.selectors import organization_ids_for, organization_list
from requests_app.validators import contains_individual_number


def _blank(choices):
    return [("", "---------"), *choices]


def _opt_outs_in_operation(actor):
    return OptOutProvision.objects.filter(organization_id__in=organization_ids_for(actor), active=True)


class PersonForm(FreeTextMixin, forms.Form):
    """Who the record is about: found among the people on record, or added (see
    ``consents.selectors``)."""

    not_free_text = ("email",)

    organization = forms.ModelChoiceField(label=_("organization"), queryset=None)
    family_name = forms.CharField(label=_("family name"), max_length=100)
    given_name = forms.CharField(label=_("given name"), max_length=100, required=False)
    family_name_kana = forms.CharField(label=_("family name (kana)"), max_length=100, required=False)
    given_name_kana = forms.CharField(label=_("given name (kana)"), max_length=100, required=False)
    birth_date = date_field(_("date of birth"), required=False)
    member_id = forms.CharField(
        label=_("member / applicant ID"),
        max_length=100,
        required=False,
        help_text=_("The person is found by member ID, or by name and date of birth, or by e-mail and name."),
    )
    email = forms.EmailField(label=_("e-mail"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["organization"].queryset = organization_list(actor=actor)

    def identity(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in IDENTITY_FIELDS}


class PurposeChoiceField(forms.ModelChoiceField):
    """A purpose named with its organization and category, in full: several organizations' purposes
    are offered to staff of several."""

    def label_from_instance(self, obj):
        return f"{obj.organization.code} / {obj.get_category_display()}: {obj.text}"


class ConsentForm(PersonForm):
    scope = forms.ChoiceField(label=_("consented to"), choices=_blank(ConsentScope.choices))
    purpose = PurposeChoiceField(label=_("purpose"), queryset=None, required=False)
    recipient = forms.CharField(label=_("recipient"), max_length=200, required=False)
    items = forms.CharField(label=_("items of data"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    given_on = date_field(_("given on"))
    method = forms.CharField(label=_("how it was given"), max_length=200)
    evidence = forms.CharField(label=_("evidence"), max_length=300, required=False)
    policy_version = forms.CharField(label=_("policy version"), max_length=100, required=False)
    country = forms.CharField(label=_("country"), max_length=100, required=False)
    country_system = forms.CharField(
        label=_("the country's protection system"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    recipient_measures = forms.CharField(
        label=_("the recipient's measures"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    unknown_reason = forms.CharField(
        label=_("why something was not known"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    note = forms.CharField(label=_("Note for the history"), max_length=500, required=False)

    CONSENT_FIELDS = (
        "scope",
        "purpose",
        "recipient",
        "items",
        "given_on",
        "method",
        "evidence",
        "policy_version",
        "country",
        "country_system",
        "recipient_measures",
        "unknown_reason",
        "note",
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["purpose"].queryset = PurposeOfUse.objects.filter(
            organization_id__in=organization_ids_for(actor), effective_until__isnull=True
        ).select_related("organization")

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.CONSENT_FIELDS if self.cleaned_data[name] is not None}


class WithdrawForm(FreeTextMixin, forms.Form):
    on = date_field(_("withdrawn on"), initial_today=True)
    method = forms.CharField(label=_("how it was withdrawn"), max_length=200)
    note = forms.CharField(label=_("Note for the history"), max_length=500, required=False)


class ProvisionRecordForm(PersonForm):
    direction = forms.ChoiceField(label=_("direction"), choices=_blank(Direction.choices))
    counterparty = forms.CharField(label=_("counterparty"), max_length=200)
    counterparty_address = forms.CharField(
        label=_("counterparty's address and representative"), max_length=300, required=False
    )
    items = forms.CharField(label=_("items of data"), widget=forms.Textarea(attrs={"rows": 2}))
    provided_on = date_field(_("provided on"))
    last_provided_on = date_field(_("last provided on"), required=False)
    basis = forms.ChoiceField(
        label=_("basis"), choices=_blank(Basis.choices), required=False, help_text=_("For provisions.")
    )
    opt_out = forms.ModelChoiceField(label=_("opt-out provision"), queryset=None, required=False)
    recorded_how = forms.ChoiceField(label=_("recorded"), choices=_blank(RecordedHow.choices))
    provider_obtained_how = forms.CharField(
        label=_("how the provider obtained the data"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Receipts (Art. 30-1)."),
    )
    excluded_from_disclosure = forms.BooleanField(
        label=_("excluded from disclosure"),
        required=False,
        help_text=_("Enforcement Order Art. 11: a record whose existence would harm someone is not disclosed."),
    )
    no_record_ground = forms.ChoiceField(
        label=_("Provision without a record"),
        choices=_blank(list(NO_RECORD_GROUNDS.items())),
        required=False,
        help_text=_("Art. 27-1 and 27-5: these are not provisions to a third party and are not recorded."),
    )
    note = forms.CharField(label=_("Note for the history"), max_length=500, required=False)

    # The record's own fields (the service's list; how the provider obtained it only for receipts).
    RECORD_FIELDS = (*(name for name in RECORD_FIELDS if name != "provider_obtained_how"), "note")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["opt_out"].queryset = _opt_outs_in_operation(actor)

    def clean(self):
        data = super().clean()
        if data.get("direction") == Direction.PROVIDED and not data.get("basis"):
            self.add_error("basis", gettext("Give the basis of the provision."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {name: data[name] for name in self.RECORD_FIELDS if data[name] not in (None, "")}
        if data["direction"] == Direction.RECEIVED:
            kwargs["provider_obtained_how"] = data["provider_obtained_how"]
        else:
            kwargs["opt_out"] = data["opt_out"]
            kwargs["no_record_ground"] = data["no_record_ground"]
        return kwargs


class StopForm(PersonForm):
    """Provision stopped for a person: an opt-out provision (Art. 27-2), or provision to a named
    recipient (a suspension granted, e.g. on a case whose person was not yet linked on record)."""

    opt_out = forms.ModelChoiceField(label=_("opt-out provision"), queryset=None, required=False)
    recipient = forms.CharField(
        label=_("recipient"),
        max_length=200,
        required=False,
        help_text=_("For a suspension of provision: the recipient named in the request."),
    )
    case_reference = forms.CharField(
        label=_("case"), max_length=20, required=False, help_text=_("The case that granted it (reference).")
    )
    on = date_field(_("since"), initial_today=True)
    note = forms.CharField(label=_("Note for the history"), max_length=500, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["opt_out"].queryset = _opt_outs_in_operation(actor)

    def clean(self):
        data = super().clean()
        if bool(data.get("opt_out")) == bool((data.get("recipient") or "").strip()):
            raise forms.ValidationError(gettext("Choose an opt-out provision or name a recipient (one of the two)."))
        reference = (data.get("case_reference") or "").strip()
        data["case"] = None
        if reference:
            data["case"] = Request.objects.filter(
                reference=reference, organization_id__in=organization_ids_for(self.actor)
            ).first()
            if data["case"] is None:
                self.add_error("case_reference", gettext("No case with this reference."))
        return data


# ------------------------------------------------------------------------------------------
# The CSV format of records (import and export share it)
# ------------------------------------------------------------------------------------------
RECORD_COLUMNS = (
    "organization",
    "direction",
    *IDENTITY_FIELDS,
    "counterparty",
    "counterparty_address",
    "items",
    "provided_on",
    "last_provided_on",
    "basis",
    "recorded_how",
    "consent_given_on",
    "consent_method",
    "opt_out",
    "provider_obtained_how",
    "excluded_from_disclosure",
)
# The column names in Japanese, as a desk names them in its spreadsheet (compared after NFKC and
# case folding, like the English names).
HEADER_ALIASES = {
    "事業者": "organization",
    "区分": "direction",
    "姓": "family_name",
    "名": "given_name",
    "セイ": "family_name_kana",
    "メイ": "given_name_kana",
    "生年月日": "birth_date",
    "会員id": "member_id",
    "メールアドレス": "email",
    "相手方": "counterparty",
    "相手方の住所・代表者": "counterparty_address",
    "項目": "items",
    "提供日": "provided_on",
    "最終提供日": "last_provided_on",
    "根拠": "basis",
    "記録の方法": "recorded_how",
    "同意日": "consent_given_on",
    "同意の方法": "consent_method",
    "オプトアウト": "opt_out",
    "提供者による取得の経緯": "provider_obtained_how",
    "開示除外": "excluded_from_disclosure",
    "保存期限": "retention_end",
    "記録日": "created_on",
}
REQUIRED_COLUMNS = ("direction", "family_name", "counterparty", "items", "provided_on", "recorded_how")
# Written by the export for the reader; ignored by the import (computed here).
EXPORT_ONLY_COLUMNS = ("retention_end", "created_on")
DATE_COLUMNS = ("birth_date", "provided_on", "last_provided_on", "consent_given_on")
CHOICE_COLUMNS = {"direction": Direction, "basis": Basis, "recorded_how": RecordedHow}
TRUE_WORDS = {"1", "true", "yes", "y", "はい", "○", "〇", "有", "あり", "除外"}
FALSE_WORDS = {"", "0", "false", "no", "n", "いいえ", "×", "無", "なし"}
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# Rows per file through the web page (each row goes through the services' checks, a few
# milliseconds each: the page answers well within the web worker's timeout). Larger files:
# ``manage.py import_provision_records``.
MAX_IMPORT_ROWS = 2_000
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _choice(enum, value: str) -> str:
    """A choice given by its code or its label (in any language we show)."""
    wanted = unicodedata.normalize("NFKC", value).strip().casefold()
    for code, label in enum.choices:
        if wanted in {code.casefold(), str(label).casefold()}:
            return code
    short = {
        "提供": Direction.PROVIDED,
        "受領": Direction.RECEIVED,
        "同意": Basis.CONSENT,
        "本人の同意": Basis.CONSENT,
        "オプトアウト": Basis.OPT_OUT,
        "その他": Basis.OTHER,
        "都度": RecordedHow.EACH_TIME,
        "一括": RecordedHow.BULK,
        "契約書": RecordedHow.CONTRACT,
        "契約書等": RecordedHow.CONTRACT,
    }
    code = short.get(wanted)
    if code is not None and code in enum.values:
        return code
    raise forms.ValidationError(
        gettext("“%(value)s” is not one of: %(choices)s")
        % {"value": value, "choices": ", ".join(f"{code} ({label})" for code, label in enum.choices)}
    )


def parse_date(value: str) -> dt.date | None:
    """A date written 2026-11-02, 2026/11/02, 2026.11.02 or 2026年11月2日, in half- or full-width
    digits; empty is ``None``. Raises ``forms.ValidationError``."""
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        day = dt.date(*(int(part) for part in match.groups()))
        if day.year < 1900:
            raise ValueError(text)
        return day
    except ValueError:
        raise forms.ValidationError(
            gettext("“%(value)s” is not a date (write it as 2026-11-02).") % {"value": value}
        ) from None


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with its BOM (Excel's "Unicode text"), or Shift_JIS
    (as Japanese Excel saves CSV)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise forms.ValidationError(gettext("The file is neither UTF-8 nor Shift_JIS text.")) from None
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise forms.ValidationError(gettext("The file is neither UTF-8 nor Shift_JIS text."))


def parse_records_csv(
    text: str, *, organization_id: int, max_rows: int | None = MAX_IMPORT_ROWS
) -> tuple[list[tuple[int, dict]], list[tuple[int, str, str]]]:
    """The rows of a records CSV as (row number, parsed row), and the errors found reading it as
    (row number, column, message); row 1 is the header. Raises ``forms.ValidationError`` when
    the file as a whole cannot be read (header, more than ``max_rows`` rows)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [unicodedata.normalize("NFKC", name).strip().casefold() for name in next(reader)]
        header = [HEADER_ALIASES.get(name, name) for name in header]
        while header and not header[-1]:
            header.pop()  # Excel's trailing separators
    except StopIteration:
        raise forms.ValidationError(gettext("The file is empty.")) from None
    except csv.Error:
        raise _unreadable(reader) from None
    unknown = [name for name in header if name not in RECORD_COLUMNS and name not in EXPORT_ONLY_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems = []
        if unknown:
            problems.append(gettext("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
        if missing:
            problems.append(gettext("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if len(set(header)) != len(header):
            problems.append(gettext("a column is named twice"))
        raise forms.ValidationError(
            gettext("Row 1 (the header): %(problems)s. The columns are: %(columns)s")
            % {"problems": "; ".join(problems), "columns": ", ".join(RECORD_COLUMNS)}
        )
    opt_outs = {
        recipient_key(opt_out.recipient): opt_out
        for opt_out in OptOutProvision.objects.filter(organization_id=organization_id)
    }
    code = Organization.objects.filter(pk=organization_id).values_list("code", flat=True).first()
    rows, errors = [], []
    read = 0
    try:
        numbered = list(enumerate(reader, start=2))
    except csv.Error:
        raise _unreadable(reader) from None
    for number, cells in numbered:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        read += 1
        if max_rows is not None and read > max_rows:
            raise forms.ValidationError(
                gettext("The file has more than %(count)d rows: split it.") % {"count": max_rows}
            )
        while len(cells) > len(header) and not cells[-1].strip():
            cells = cells[:-1]
        if len(cells) > len(header):
            errors.append((number, "", gettext("This row has more cells than the header.")))
            continue
        raw = {name: unneutralised(cell).strip() for name, cell in zip(header, cells, strict=False)}
        row, row_errors = _parse_row(raw, opt_outs, code)
        if row_errors:
            errors.extend((number, column, message) for column, message in row_errors)
        else:
            rows.append((number, row))
    return rows, errors


def _unreadable(reader) -> forms.ValidationError:
    return forms.ValidationError(
        gettext(
            "Line %(line)d of the file is not well-formed CSV (an unclosed quotation mark, or a cell "
            "longer than the limit): nothing was imported."
        )
        % {"line": reader.line_num}
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _parse_row(raw: dict, opt_outs: dict, organization_code: str) -> tuple[dict, list[tuple[str, str]]]:
    row: dict = {}
    errors: list[tuple[str, str]] = []
    for name in RECORD_COLUMNS:
        value = raw.get(name, "")
        try:
            if _CONTROL.search(value):
                raise forms.ValidationError(gettext("This cell holds a control character (e.g. NUL)."))
            if contains_individual_number(value) and name not in DATE_COLUMNS:
                raise forms.ValidationError(
                    gettext("This cell holds a 12-digit number: it may be an Individual Number, which is never kept.")
                )
            if name == "organization":
                if value and value != organization_code:
                    raise forms.ValidationError(
                        gettext("This row is for organization %(code)s, not the one chosen (%(chosen)s).")
                        % {"code": value, "chosen": organization_code}
                    )
                continue
            if name in DATE_COLUMNS:
                row[name] = parse_date(value)
            elif name in CHOICE_COLUMNS:
                row[name] = _choice(CHOICE_COLUMNS[name], value) if value else ""
            elif name == "excluded_from_disclosure":
                word = unicodedata.normalize("NFKC", value).strip().casefold()
                if word not in TRUE_WORDS | FALSE_WORDS:
                    raise forms.ValidationError(gettext("Write 1 (excluded) or 0 (not excluded)."))
                row[name] = word in TRUE_WORDS
            elif name == "opt_out":
                key = recipient_key(value) if value.strip() else ""
                if key and key not in opt_outs:
                    raise forms.ValidationError(
                        gettext("No opt-out provision to “%(recipient)s” is on record.") % {"recipient": value}
                    )
                row[name] = opt_outs.get(key)
            else:
                row[name] = value
        except forms.ValidationError as error:
            errors.extend((name, message) for message in error.messages)
    return row, errors


class ImportForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organization"), queryset=None)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or Shift_JIS, a header row with the column names below; at most 5 MB and 2,000 rows."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organization_list(actor=actor)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None or data.get("organization") is None:
            return data
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError({"file": gettext("The file is larger than 5 MB: split it.")})
        try:
            text = decode(upload.read())
            data["rows"], data["row_errors"] = parse_records_csv(text, organization_id=data["organization"].pk)
        except forms.ValidationError as error:
            raise forms.ValidationError({"file": error.messages}) from None
        if not data["rows"] and not data["row_errors"]:
            raise forms.ValidationError({"file": gettext("The file has no rows under its header.")})
        return data
