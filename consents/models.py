"""Purposes of use, consents and records of provision (SPEC §11; APPI Arts. 17, 21, 27–30).

Everything is scoped by organization like the cases, and every model keeps its history with the
acting user, an operation code and a note (``privacyops.audit``). ``consents`` reads the request
app's models (organizations, data subjects, cases); the request app never imports ``consents``
(it calls it through the hooks registered in ``ConsentsConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from privacyops.audit.models import audit_history
from requests_app.deadlines import add_months
from requests_app.models import FREE_TEXT, DataSubject, Organization, Request
from requests_app.validators import fold

LONG_TEXT = [*FREE_TEXT, MaxLengthValidator(4000)]


class DataCategory(models.TextChoices):
    """Whose data a purpose covers, as the seed policies list them."""

    APPLICANTS = "applicants", _("Job applicants and job seekers")
    MEMBERS = "members", _("Members and users of the services")
    CLIENT_STAFF = "client_staff", _("Staff of client companies")
    EMPLOYEES = "employees", _("Employees and former employees")
    INQUIRERS = "inquirers", _("People who contacted us")
    OTHER = "other", _("Other")


class PurposeOfUse(models.Model):
    """One purpose of use (利用目的) published for a data category, in force from the privacy
    policy's effective date until it is superseded (Art. 17, 21)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="purposes", verbose_name=_("organization")
    )
    category = models.CharField(_("data category"), max_length=24, choices=DataCategory)
    text = models.TextField(_("purpose of use"), validators=LONG_TEXT)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Empty: still in force.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = audit_history()

    class Meta:
        ordering = ["organization", "category", "order", "pk"]
        verbose_name = _("purpose of use")
        verbose_name_plural = _("purposes of use")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=models.F("effective_from")),
                name="purpose_period_in_order",
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.text[:40]}"

    def clean(self):
        if self.effective_until and self.effective_from and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": _("This is before the day the purpose came into force.")})

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)


# A company's legal form, wherever it stands in its name (Japanese), or at its end (English).
_COMPANY_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|\(株\)|\(有\)|\(同\)|株\)|\(株|御中"
)
_PUNCTUATION = re.compile(r"[\s・･.,，、。\-‐‑‒–—―−_/'\"“”‘’()\[\]「」『』]")
_ENGLISH_FORMS = re.compile(r"(coltd|ltd|corporation|corp|inc|kk|llc)$")


def recipient_key(name: str) -> str:
    """A recipient's name as compared for consents and stops: NFKC (full-width → half-width,
    ㈱ → (株)), case folded, without its legal form (株式会社, (株), Co., Ltd., Inc., … in front or
    behind), punctuation, spaces or invisible characters, hiragana as katakana —
    ``ネクスト・キャリア株式会社`` and ``（株）ネクストキャリア`` are one recipient. Loose on purpose:
    a stop must hold however the name is typed."""
    folded = fold(name)
    return _ENGLISH_FORMS.sub("", _PUNCTUATION.sub("", _COMPANY_FORMS.sub("", folded))) or folded


class ConsentScope(models.TextChoices):
    PURPOSE = "purpose", _("A purpose of use")
    THIRD_PARTY = "third_party", _("Provision to a named third party (Art. 27-1)")
    SENSITIVE = "sensitive", _("Acquiring sensitive information (Art. 20-2)")
    FOREIGN = "foreign", _("Provision to a third party in a foreign country (Art. 28)")


class Consent(models.Model):
    """What a person consented to, when and how, under which policy — and its withdrawal.

    For a foreign provision, the Art. 28-2 snapshot of what the person was told: the country, its
    system for protecting personal information, the recipient's measures — or why each was unknown.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="consents", verbose_name=_("organization")
    )
    data_subject = models.ForeignKey(
        DataSubject, on_delete=models.PROTECT, related_name="consents", verbose_name=_("data subject")
    )
    scope = models.CharField(_("consented to"), max_length=16, choices=ConsentScope)
    purpose = models.ForeignKey(
        PurposeOfUse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("purpose"),
    )
    recipient = models.CharField(_("recipient"), max_length=200, blank=True, validators=FREE_TEXT)
    items = models.TextField(_("items of data"), blank=True, validators=LONG_TEXT)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how it was given"), max_length=200, validators=FREE_TEXT)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True, validators=FREE_TEXT)
    policy_version = models.CharField(_("policy version"), max_length=100, blank=True, validators=FREE_TEXT)
    # Art. 28-2 snapshot (foreign provision)
    country = models.CharField(_("country"), max_length=100, blank=True, validators=FREE_TEXT)
    country_system = models.TextField(_("the country's protection system"), blank=True, validators=LONG_TEXT)
    recipient_measures = models.TextField(_("the recipient's measures"), blank=True, validators=LONG_TEXT)
    unknown_reason = models.TextField(
        _("why something was not known"), blank=True, validators=LONG_TEXT, help_text=_("Art. 28-2 / Rules Art. 17-3")
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_method = models.CharField(_("how it was withdrawn"), max_length=200, blank=True, validators=FREE_TEXT)
    withdrawn_by_case = models.ForeignKey(
        Request,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_consents",
        verbose_name=_("withdrawn through case"),
    )

    history = audit_history()

    class Meta:
        ordering = ["organization", "data_subject", "given_on", "pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self):
        return f"{self.get_scope_display()} {self.recipient}".strip()

    @property
    def in_force(self) -> bool:
        return self.withdrawn_on is None


class OptOutProvision(models.Model):
    """A provision to third parties by opt-out (Art. 27-2): what is provided, how, and how a
    person stops it; notified to the PPC."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="opt_out_provisions", verbose_name=_("organization")
    )
    recipient = models.CharField(_("provided to"), max_length=200, validators=FREE_TEXT)
    items = models.TextField(_("items of data"), validators=LONG_TEXT)
    method = models.TextField(_("how it is provided"), validators=LONG_TEXT)
    how_to_stop = models.TextField(_("how a person stops it"), validators=LONG_TEXT)
    notified_on = models.DateField(_("notified to the PPC on"), null=True, blank=True)
    active = models.BooleanField(_("in operation"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = audit_history()

    class Meta:
        ordering = ["organization", "recipient", "pk"]
        verbose_name = _("opt-out provision")
        verbose_name_plural = _("opt-out provisions")

    def __str__(self):
        return self.recipient


class ProvisionStop(models.Model):
    """A person for whom provision to ``recipient`` must not happen (a granted suspension of
    provision, or a stop of an opt-out provision), from ``since``, through ``case``."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="provision_stops", verbose_name=_("organization")
    )
    data_subject = models.ForeignKey(
        DataSubject, on_delete=models.PROTECT, related_name="provision_stops", verbose_name=_("data subject")
    )
    recipient = models.CharField(_("recipient"), max_length=200, validators=FREE_TEXT)
    opt_out = models.ForeignKey(
        OptOutProvision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stops",
        verbose_name=_("opt-out provision"),
    )
    since = models.DateField(_("since"))
    case = models.ForeignKey(
        Request, on_delete=models.PROTECT, null=True, blank=True, related_name="provision_stops", verbose_name=_("case")
    )

    history = audit_history()

    class Meta:
        ordering = ["organization", "data_subject", "since", "pk"]
        verbose_name = _("provision stopped")
        verbose_name_plural = _("provisions stopped")

    def __str__(self):
        return self.recipient


class Direction(models.TextChoices):
    PROVIDED = "provided", _("Provided to a third party (Art. 29)")
    RECEIVED = "received", _("Received from a third party (Art. 30)")


class Basis(models.TextChoices):
    CONSENT = "consent", _("The person's consent")
    OPT_OUT = "opt_out", _("Opt-out (Art. 27-2)")
    OTHER = "other", _("Other")


class RecordedHow(models.TextChoices):
    """How the record was made (PPC Rules Arts. 19, 23): each time, in bulk for continuous
    provisions, or by keeping the contract that documents it."""

    EACH_TIME = "each_time", _("Each time")
    BULK = "bulk", _("In bulk (continuous or repeated provision)")
    CONTRACT = "contract", _("Contract or similar document in its place")


# PPC Rules Art. 21 (and Art. 25 for receipts): how long a record is kept.
RETENTION_YEARS = {RecordedHow.CONTRACT: 1, RecordedHow.BULK: 3, RecordedHow.EACH_TIME: 3}


class ProvisionRecord(models.Model):
    """A record of provision to (Art. 29) or receipt from (Art. 30) a third party, with the
    computed end of its retention (``retention_end``)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="provision_records", verbose_name=_("organization")
    )
    direction = models.CharField(_("direction"), max_length=16, choices=Direction)
    data_subject = models.ForeignKey(
        DataSubject, on_delete=models.PROTECT, related_name="provision_records", verbose_name=_("data subject")
    )
    counterparty = models.CharField(_("counterparty"), max_length=200, validators=FREE_TEXT)
    counterparty_address = models.CharField(
        _("counterparty's address and representative"), max_length=300, blank=True, validators=FREE_TEXT
    )
    items = models.TextField(_("items of data"), validators=LONG_TEXT)
    provided_on = models.DateField(_("provided on"))
    last_provided_on = models.DateField(
        _("last provided on"), null=True, blank=True, help_text=_("For bulk and contract records.")
    )
    basis = models.CharField(_("basis"), max_length=16, choices=Basis)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="records", verbose_name=_("consent")
    )
    opt_out = models.ForeignKey(
        OptOutProvision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("opt-out provision"),
    )
    recorded_how = models.CharField(_("recorded"), max_length=16, choices=RecordedHow)
    provider_obtained_how = models.TextField(
        _("how the provider obtained the data"), blank=True, validators=LONG_TEXT, help_text=_("Receipts (Art. 30-1).")
    )
    excluded_from_disclosure = models.BooleanField(
        _("excluded from disclosure"),
        default=False,
        help_text=_("Enforcement Order Art. 11: a record whose existence would harm someone is not disclosed."),
    )
    retention_end = models.DateField(_("kept until"), editable=False, db_index=True)
    created_on = models.DateField(_("recorded on"))

    history = audit_history()

    class Meta:
        ordering = ["organization", "data_subject", "provided_on", "pk"]
        verbose_name = _("record of provision or receipt")
        verbose_name_plural = _("records of provision and receipt")
        indexes = [models.Index(fields=["organization", "data_subject", "direction"], name="record_subject_idx")]

    def __str__(self):
        return f"{self.get_direction_display()} {self.counterparty} {self.provided_on}"


def retention_end(*, recorded_how: str, created_on: dt.date, provided_on: dt.date, last_provided_on=None) -> dt.date:
    """The last day a record is kept (PPC Rules Art. 21 / Art. 25): for a contract in its place, 1
    year after the last provision; in bulk, 3 years after the last provision; made each time, 3
    years from the day the record was made. Asia/Tokyo dates."""
    last = max(d for d in (provided_on, last_provided_on) if d is not None)
    start = created_on if recorded_how == RecordedHow.EACH_TIME else last
    return add_months(start, 12 * RETENTION_YEARS[RecordedHow(recorded_how)])
