"""Request cases (SPEC §2–§8): organizations and their desk policies, data subjects and agents,
requests with their items, identity documents, fees, pauses, verifications, decisions and
approvals. Fields, choices and constraints only: every write goes through ``services``."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from privacyops.audit.models import audit_history
from requests_app.deadlines import DeadlineUnit
from requests_app.validators import (
    fold,
    reject_individual_number,
    reject_line_breaks,
    search_key,
    validate_letter_template,
    validate_tracking_number,
)

FREE_TEXT = [reject_individual_number]
# Values that may end up in an e-mail header (names, titles): free text on one line.
ONE_LINE = [*FREE_TEXT, reject_line_breaks]

_DASHES = dict.fromkeys(map(ord, "-‐‑‒–—―−ー_/・.･"), None)


def identifier_key(text: str) -> str:
    """An identifier (member ID, applicant number) as compared: NFKC (full-width → half-width),
    case folded, without spaces, dashes (the long-vowel mark ー an IME types for one included),
    dots, slashes, underscores or invisible characters — ``ＬＶ 100234``, ``LVー100234`` and
    ``lv-100234`` are the same ID."""
    return "".join(fold(text).split()).translate(_DASHES)


# ------------------------------------------------------------------------------------------
# Choices
# ------------------------------------------------------------------------------------------
class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("status", "Received")
    VERIFYING = "verifying", _("Verifying identity")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    RESPONDING = "responding", _("Preparing response")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", _("Closed")
    AWAITING_REQUESTER = "awaiting_requester", _("Awaiting requester")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")


# Reasons staff give for an exception (a channel or a reply method outside the policy).
REASON_MAX_LENGTH = 1000

# What the retention purge leaves where personal data was (SPEC §14).
ERASED = "（消去済）"

# Open and ended states. What may happen in each state is in ``requests_app.pipeline``.
OPEN_STATUSES = frozenset(s for s in Status if s not in {Status.CLOSED, Status.WITHDRAWN, Status.REJECTED})
# Open and not yet answered: these can be late.
UNANSWERED_STATUSES = OPEN_STATUSES - {Status.RESPONDED}


class ItemKind(models.TextChoices):
    PURPOSE_NOTICE = "purpose_notice", _("Notice of purpose of use")
    DISCLOSURE = "disclosure", _("Disclosure")
    THIRD_PARTY_RECORD_DISCLOSURE = "third_party_record_disclosure", _("Disclosure of third-party provision records")
    CORRECTION = "correction", _("Correction")
    ADDITION = "addition", _("Addition")
    DELETION = "deletion", _("Deletion")
    SUSPENSION_OF_USE = "suspension_of_use", _("Suspension of use")
    ERASURE = "erasure", _("Erasure")
    SUSPENSION_OF_PROVISION = "suspension_of_provision", _("Suspension of provision to third parties")


DISCLOSURE_KINDS = frozenset({ItemKind.DISCLOSURE, ItemKind.THIRD_PARTY_RECORD_DISCLOSURE})
CORRECTION_KINDS = frozenset({ItemKind.CORRECTION, ItemKind.ADDITION, ItemKind.DELETION})
SUSPENSION_KINDS = frozenset({ItemKind.SUSPENSION_OF_USE, ItemKind.ERASURE, ItemKind.SUSPENSION_OF_PROVISION})


class Channel(models.TextChoices):
    POST = "post", _("Post")
    EMAIL = "email", _("E-mail")
    COUNTER = "counter", _("Counter")
    WEB_FORM = "web_form", _("Web form")
    PHONE = "phone", _("Phone")
    SELF_SERVICE = "self_service", _("Self-service (My Page)")


class AgentType(models.TextChoices):
    MINOR_LEGAL_REPRESENTATIVE = "minor_legal_rep", _("Legal representative of a minor")
    ADULT_GUARDIAN = "adult_guardian", _("Adult guardian")
    ENTRUSTED = "entrusted", _("Agent entrusted by the person")


class DocumentKind(models.TextChoices):
    DRIVERS_LICENSE = "drivers_license", _("Driver's license")
    MY_NUMBER_CARD_FRONT = "my_number_card_front", _("My Number card (front only)")
    PASSPORT = "passport", _("Passport")
    RESIDENCE_CARD = "residence_card", _("Residence card")
    HEALTH_INSURANCE_CARD = "health_insurance_card", _("Health insurance card (until 2025-12-01)")
    ELIGIBILITY_CERTIFICATE = "eligibility_certificate", _("Health insurance eligibility certificate (資格確認書)")
    SPECIAL_PERMANENT_RESIDENT_CERTIFICATE = (
        "special_permanent_resident_certificate",
        _("Special permanent resident certificate"),
    )
    PENSION_BOOK = "pension_book", _("Pension book")
    RESIDENT_REGISTER_COPY = "resident_register_copy", _("Certified copy of the resident register")
    FAMILY_REGISTER_EXTRACT = "family_register_extract", _("Family register extract")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    SEAL_REGISTRATION_CERTIFICATE = "seal_registration_certificate", _("Seal registration certificate")
    GUARDIANSHIP_CERTIFICATE = "guardianship_certificate", _("Guardianship registration certificate")
    OTHER = "other", _("Other")


PHOTO_ID_KINDS = frozenset(
    {
        DocumentKind.DRIVERS_LICENSE,
        DocumentKind.MY_NUMBER_CARD_FRONT,
        DocumentKind.PASSPORT,
        DocumentKind.RESIDENCE_CARD,
        DocumentKind.SPECIAL_PERMANENT_RESIDENT_CERTIFICATE,
    }
)
NON_PHOTO_ID_KINDS = frozenset(
    {
        DocumentKind.HEALTH_INSURANCE_CARD,
        DocumentKind.ELIGIBILITY_CERTIFICATE,
        DocumentKind.PENSION_BOOK,
        DocumentKind.RESIDENT_REGISTER_COPY,
    }
)
# Health-insurance cards were valid at the longest until 2025-12-01 (the My Number card or the
# eligibility certificate replaced them; transitional measure of the 2023 Health Insurance Act
# amendment): accepted as identity only for requests that reached us by that day.
HEALTH_INSURANCE_CARD_LAST_VALID = dt.date(2025, 12, 1)
# Certificates whose issue date a policy may require to be recent (SPEC §6: 3 or 6 months).
CERTIFICATE_KINDS = frozenset(
    {
        DocumentKind.RESIDENT_REGISTER_COPY,
        DocumentKind.FAMILY_REGISTER_EXTRACT,
        DocumentKind.SEAL_REGISTRATION_CERTIFICATE,
        DocumentKind.GUARDIANSHIP_CERTIFICATE,
    }
)
# Age of majority: 18 since 2022-04-01 (Civil Code Art. 4 as amended by Act No. 59 of 2018).
AGE_OF_MAJORITY = 18
ID_KINDS = PHOTO_ID_KINDS | NON_PHOTO_ID_KINDS


class Holder(models.TextChoices):
    DATA_SUBJECT = "data_subject", _("Data subject")
    AGENT = "agent", _("Agent")


class Masking(models.TextChoices):
    NOT_SHOWN = "not_shown", _("Not shown on the copy")
    MASKED_BY_SENDER = "by_sender", _("Arrived masked")
    MASKED_BY_DESK = "by_desk", _("Arrived unmasked — masked by the desk")


class DisposalMethod(models.TextChoices):
    SHREDDED = "shredded", _("Shredded")
    DISSOLVED = "dissolved", _("Dissolved (contracted disposal)")
    RETURNED = "returned", _("Returned to the sender")
    FILE_DELETED = "file_deleted", _("Electronic copy deleted")


class DisposalRule(models.TextChoices):
    AT_VERIFICATION = "at_verification", _("At once when verification ends")
    AT_CLOSE = "at_close", _("When the case closes")
    NOT_STATED = "not_stated", _("Not stated (desk's discretion)")


class PaymentMethod(models.TextChoices):
    POSTAL_MONEY_ORDER = "postal_money_order", _("Postal money order")
    POSTAGE_STAMPS = "postage_stamps", _("Postage stamps")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")


class ResponseMethod(models.TextChoices):
    POST = "post", _("Post")
    REGISTERED_MAIL = "registered_mail", _("Registered mail")
    EMAIL = "email", _("E-mail")
    ELECTRONIC_FILE = "electronic_file", _("Electronic file")
    SELF_SERVICE = "self_service", _("Through the service (My Page)")
    # An e-mail carrying only a link to the online page, opened with the requester's PIN.
    DOWNLOAD_LINK = "download_link", _("Download link (online, with the PIN)")


class ReplyTo(models.TextChoices):
    FORM_ADDRESS = "form_address", _("Address on the request form")
    REGISTERED_ADDRESS = "registered_address", _("Data subject's registered address")
    ID_DOCUMENT_ADDRESS = "id_document_address", _("Address on the identity document")


class FeeBasis(models.TextChoices):
    PER_ITEM = "per_item", _("Per item requested")
    PER_APPLICATION = "per_application", _("Per application (once, whatever the number of items)")


class ClockStart(models.TextChoices):
    """The day the deadline counts from (SPEC §5): our Japanese desks count from the complete
    request; GDPR Art. 12(3) and CCPA Regs. §7021 count from receipt."""

    COMPLETE = "complete", _("The day the request is complete (form, ID, fee)")
    RECEIPT = "receipt", _("The day the request reached us")


class DisclosureMethod(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic record")
    PAPER = "paper", _("Paper")
    OTHER = "other", _("Other method")


class PauseKind(models.TextChoices):
    MISSING_DOCUMENT = "missing_document", _("Missing document")
    FEE_SHORTFALL = "fee_shortfall", _("Fee not paid in full")
    INFORMATION = "information", _("Missing information")


class VerificationOutcome(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")
    MORE_NEEDED = "more_needed", _("More needed from the requester")


class Outcome(models.TextChoices):
    COMPLY = "comply", _("Comply")
    PARTIAL = "partial", _("Partial")
    REFUSE = "refuse", _("Refuse")
    NO_DATA = "no_data", _("No data held")
    SELF_SERVICE = "self_service", _("Resolved by self-service")
    ALTERNATIVE = "alternative", _("Alternative measure")


# Refusals, partial answers and alternative measures: reason text (Art. 36) and four-eyes approval.
APPROVAL_OUTCOMES = frozenset({Outcome.PARTIAL, Outcome.REFUSE, Outcome.ALTERNATIVE})
# Outcomes that refuse the request in whole or in part (Art. 39-1 proviso: the person may sue at once).
REFUSED_OUTCOMES = frozenset({Outcome.PARTIAL, Outcome.REFUSE})


class Ground(models.TextChoices):
    """The legal basis of a decision, each paired with the kinds and outcomes it may serve
    (``GROUNDS``; APPI Arts. 32–35)."""

    # Disclosure refusal (Art. 33-2; for records of provision, Art. 33-5)
    HARM_TO_PERSON = "harm_to_person", _("Art. 33-2 (i): likely harm to life, body, property or rights")
    BUSINESS_INTERFERENCE = "business_interference", _("Art. 33-2 (ii): serious interference with the business")
    OTHER_LAW = "other_law", _("Art. 33-2 (iii): would violate another law")
    DISCLOSED_UNDER_OTHER_LAW = (
        "disclosed_under_other_law",
        _("Art. 33-4: another law provides for disclosing this data"),
    )
    # Purpose-notice refusal (Art. 32-2)
    PURPOSE_ALREADY_CLEAR = "purpose_already_clear", _("Art. 32-2: the purpose is already clear from the notice")
    ART21_4_I = "art21_4_i", _("Art. 21-4 (i): harm to the person or a third party")
    ART21_4_II = "art21_4_ii", _("Art. 21-4 (ii): harm to the business's rights or interests")
    ART21_4_III = "art21_4_iii", _("Art. 21-4 (iii): cooperation with state bodies")
    # Suspension / erasure granted (Art. 35)
    BEYOND_PURPOSE = "beyond_purpose", _("Art. 35-1: used beyond the purpose (Art. 18)")
    IMPROPER_USE = "improper_use", _("Art. 35-1: improper use (Art. 19)")
    IMPROPER_ACQUISITION = "improper_acquisition", _("Art. 35-1: improperly acquired (Art. 20)")
    UNLAWFUL_PROVISION = "unlawful_provision", _("Art. 35-3: provided unlawfully (Art. 27-1 / 28)")
    NO_LONGER_NEEDED = "no_longer_needed", _("Art. 35-5: no longer needed for our use")
    LEAK_OCCURRED = "leak_occurred", _("Art. 35-5: a leak or similar incident occurred")
    HARM_TO_RIGHTS = "harm_to_rights", _("Art. 35-5: likely harm to the person's rights or interests")
    # Granted although the law does not oblige us (SPEC §8): never dressed as a statutory ground.
    VOLUNTARY = "voluntary", _("No legal obligation: done at the person's wish")
    # Refusals of correction (Art. 34) and of suspension (Art. 35), and alternative measures
    NOT_INACCURATE = "not_inaccurate", _("Art. 34: the content was found to be accurate")
    CORRECTION_OTHER_PROCEDURE = (
        "correction_other_procedure",
        _("Art. 34-1: another law provides its own procedure for this correction"),
    )
    CORRECTION_NOT_NEEDED = (
        "correction_not_needed",
        _("Art. 34-2: not needed to achieve the purpose of use"),
    )
    NO_STATUTORY_GROUND = "no_statutory_ground", _("Art. 35: no statutory ground for suspension found")
    EXCESSIVE_COST = (
        "excessive_cost",
        _("Art. 35-2/4/6 proviso: large cost or other difficulty — alternative measure"),
    )


_DISCLOSURE_REFUSALS = frozenset({Ground.HARM_TO_PERSON, Ground.BUSINESS_INTERFERENCE, Ground.OTHER_LAW})
_ART35_5 = frozenset({Ground.NO_LONGER_NEEDED, Ground.LEAK_OCCURRED, Ground.HARM_TO_RIGHTS})
# Art. 35-1 (breach of Arts. 18/19/20) → suspension of use or erasure; Art. 35-3 (breach of
# Arts. 27-1/28) → suspension of provision; Art. 35-5 → all three. Granting without an obligation
# is its own basis (VOLUNTARY).
_SUSPENSION_GRANTS = {
    ItemKind.SUSPENSION_OF_USE: frozenset({Ground.BEYOND_PURPOSE, Ground.IMPROPER_USE, Ground.IMPROPER_ACQUISITION})
    | _ART35_5
    | {Ground.VOLUNTARY},
    ItemKind.ERASURE: frozenset({Ground.BEYOND_PURPOSE, Ground.IMPROPER_USE, Ground.IMPROPER_ACQUISITION})
    | _ART35_5
    | {Ground.VOLUNTARY},
    ItemKind.SUSPENSION_OF_PROVISION: frozenset({Ground.UNLAWFUL_PROVISION}) | _ART35_5 | {Ground.VOLUNTARY},
}
_CORRECTION_REFUSALS = frozenset(
    {Ground.NOT_INACCURATE, Ground.CORRECTION_OTHER_PROCEDURE, Ground.CORRECTION_NOT_NEEDED}
)
_PURPOSE_NOTICE_REFUSALS = frozenset(
    {Ground.PURPOSE_ALREADY_CLEAR, Ground.ART21_4_I, Ground.ART21_4_II, Ground.ART21_4_III}
)


def _grounds_table() -> dict[tuple[str, str], frozenset]:
    table: dict[tuple[str, str], frozenset] = {}
    for outcome in (Outcome.PARTIAL, Outcome.REFUSE):
        table[(ItemKind.DISCLOSURE, outcome)] = _DISCLOSURE_REFUSALS | {Ground.DISCLOSED_UNDER_OTHER_LAW}
        # Art. 33-5 applies Art. 33-1 to 33-3 to records of provision, not Art. 33-4.
        table[(ItemKind.THIRD_PARTY_RECORD_DISCLOSURE, outcome)] = _DISCLOSURE_REFUSALS
        for kind in CORRECTION_KINDS:
            table[(kind, outcome)] = _CORRECTION_REFUSALS
    table[(ItemKind.PURPOSE_NOTICE, Outcome.REFUSE)] = _PURPOSE_NOTICE_REFUSALS
    for kind, grants in _SUSPENSION_GRANTS.items():
        table[(kind, Outcome.COMPLY)] = grants
        table[(kind, Outcome.PARTIAL)] = grants
        table[(kind, Outcome.REFUSE)] = frozenset({Ground.NO_STATUTORY_GROUND})
        table[(kind, Outcome.ALTERNATIVE)] = frozenset({Ground.EXCESSIVE_COST})
    return table


# (item kind, outcome) → the grounds that may be given; a pair not listed takes no ground.
GROUNDS: dict[tuple[str, str], frozenset] = _grounds_table()


def grounds_for(kind: str, outcome: str) -> frozenset:
    """The grounds allowed for ``kind`` decided with ``outcome`` (empty: no ground is given)."""
    return GROUNDS.get((kind, outcome), frozenset())


class ApprovalOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for rework")


# ------------------------------------------------------------------------------------------
# Organizations and desk policies
# ------------------------------------------------------------------------------------------
class Organization(models.Model):
    """A business holding personal data (事業者); a group may have several."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=FREE_TEXT)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True, validators=FREE_TEXT)
    code = models.SlugField(_("short code"), max_length=32, unique=True, help_text=_("Shown in lists."))
    desk_name = models.CharField(
        _("desk name"), max_length=200, default="個人情報お問い合わせ窓口", validators=FREE_TEXT
    )
    desk_postal_code = models.CharField(_("desk postal code"), max_length=10, blank=True)
    desk_address = models.CharField(_("desk address"), max_length=300, blank=True, validators=FREE_TEXT)
    desk_phone = models.CharField(_("desk phone"), max_length=40, blank=True, validators=FREE_TEXT)
    desk_email = models.EmailField(_("desk e-mail"), blank=True, validators=[reject_line_breaks])
    desk_hours = models.CharField(_("desk hours"), max_length=200, blank=True, validators=FREE_TEXT)
    complaint_desk = models.TextField(
        _("complaint desk"), blank=True, validators=FREE_TEXT, help_text=_("Where complaints go; printed on letters.")
    )
    holiday_country = models.CharField(
        _("country of public holidays"), max_length=2, default="JP", help_text=_("ISO code, e.g. JP, DE, US.")
    )
    year_end_closure = models.BooleanField(
        _("closed Dec 29 – Jan 3"),
        null=True,
        blank=True,
        default=None,
        help_text=_("Empty: the country's custom — closed in Japan, open elsewhere."),
    )
    internal_target_business_days = models.PositiveSmallIntegerField(
        _("internal target (business days)"),
        default=14,
        help_text=_("Used where the desk policy states no deadline (“without delay”)."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention after a case ends (years)"),
        default=3,
        help_text=_("Personal data of ended cases is erased after this many years; the case skeleton stays."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organizations",
        verbose_name=_("staff with access"),
        help_text=_("Staff who may see and handle this organization's cases."),
    )

    version = models.PositiveIntegerField(default=1, editable=False)

    history = audit_history(m2m_fields=[staff])

    class Meta:
        ordering = ["code"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    def name_in(self, language: str) -> str:
        """The organization's name for a page or letter in ``language`` (Japanese where no English one)."""
        return self.name_en if language == "en" and self.name_en else self.name


class OrganizationClosedDay(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="closed_days", verbose_name=_("organization")
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True, validators=FREE_TEXT)

    history = audit_history()

    class Meta:
        ordering = ["date"]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [
            models.UniqueConstraint(fields=["organization", "date"], name="closed_day_unique_per_organization")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"


class DeskPolicy(models.Model):
    """One organization's published procedure (受付方針). Rules are data, not code."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="policies", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=200, validators=FREE_TEXT)
    effective_from = models.DateField(_("effective from"))
    source = models.TextField(
        _("source"), blank=True, validators=FREE_TEXT, help_text=_("Where the policy says this (section, URL).")
    )
    channels = models.JSONField(_("accepted channels"), default=list, blank=True)
    channel_notes = models.TextField(_("notes on channels"), blank=True, validators=FREE_TEXT)
    # Fees (Art. 38): per item kind, yen. Only these three kinds may carry one.
    fee_purpose_notice = models.PositiveIntegerField(_("fee: purpose notice (yen)"), default=0)
    fee_disclosure = models.PositiveIntegerField(_("fee: disclosure (yen)"), default=0)
    fee_third_party_record_disclosure = models.PositiveIntegerField(
        _("fee: third-party record disclosure (yen)"), default=0
    )
    fee_basis = models.CharField(_("fee charged"), max_length=16, choices=FeeBasis, default=FeeBasis.PER_ITEM)
    payment_methods = models.JSONField(_("payment methods"), default=list, blank=True)
    bank_account = models.TextField(
        _("bank account for fees"),
        blank=True,
        validators=FREE_TEXT,
        help_text=_(
            "Bank, branch, account type and number, account holder (kana): printed in letters that ask for a "
            "fee where bank transfer is accepted."
        ),
    )
    fee_notes = models.TextField(_("notes on fees"), blank=True, validators=FREE_TEXT)
    # Identity (SPEC §6)
    id_documents_required = models.BooleanField(_("identity documents required"), default=True)
    accepted_id_documents = models.JSONField(_("accepted identity documents"), default=list, blank=True)
    photo_id_count = models.PositiveSmallIntegerField(
        _("photo IDs needed"), default=1, help_text=_("Either this many photo IDs …")
    )
    non_photo_id_count = models.PositiveSmallIntegerField(
        _("IDs without photo needed"), default=2, help_text=_("… or this many IDs without a photo.")
    )
    address_match_required = models.BooleanField(_("address must match the form"), default=False)
    certificate_max_age_months = models.PositiveSmallIntegerField(
        _("certificates issued within (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Resident register, family register, seal and guardianship certificates: 3 or 6. Empty: any date."),
    )
    agent_id_documents = models.JSONField(
        _("accepted identity documents of agents"),
        default=list,
        blank=True,
        help_text=_("None ticked: the same as for the data subject."),
    )
    subject_id_for_agents = models.BooleanField(_("agent requests also need the data subject's ID"), default=False)
    id_notes = models.TextField(_("notes on identity documents"), blank=True, validators=FREE_TEXT)
    agents_allowed = models.BooleanField(_("agents allowed"), default=True)
    confirms_intent_directly = models.BooleanField(
        _("confirms the person's intent directly"),
        default=False,
        help_text=_("For agent requests the desk confirms with the data subject and records when."),
    )
    # Responses
    response_methods = models.JSONField(_("response methods"), default=list, blank=True)
    self_service_kinds = models.JSONField(
        _("kinds the self-service covers"),
        default=list,
        blank=True,
        help_text=_('Only these may be answered "resolved by self-service" (e.g. My Page).'),
    )
    reply_to = models.CharField(_("reply address"), max_length=32, choices=ReplyTo, default=ReplyTo.FORM_ADDRESS)
    download_link_days = models.PositiveSmallIntegerField(
        _("download links valid for (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("A result sent by download link can be opened until the end of this many calendar days."),
    )
    # Deadline rule (SPEC §5). No limit = the policy is silent: "without delay", internal target.
    deadline_unit = models.CharField(
        _("deadline unit"), max_length=16, choices=DeadlineUnit, default=DeadlineUnit.BUSINESS_DAYS
    )
    deadline_counts_from = models.CharField(
        _("deadline counts from"), max_length=16, choices=ClockStart, default=ClockStart.COMPLETE
    )
    deadline_limit = models.PositiveSmallIntegerField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: the policy states no deadline; the organization's internal target applies."),
    )
    deadline_notes = models.TextField(_("notes on the deadline"), blank=True, validators=FREE_TEXT)
    extension_limit = models.PositiveSmallIntegerField(
        _("extension"), null=True, blank=True, help_text=_("How much the deadline may be extended (same unit).")
    )
    extension_notice_limit = models.PositiveSmallIntegerField(
        _("extension notice within"),
        null=True,
        blank=True,
        help_text=_("The extension notice must be given within this many units of day 0."),
    )
    acknowledgement_unit = models.CharField(
        _("acknowledgement unit"), max_length=16, choices=DeadlineUnit, default=DeadlineUnit.BUSINESS_DAYS
    )
    acknowledgement_limit = models.PositiveSmallIntegerField(
        _("acknowledgement within"),
        null=True,
        blank=True,
        help_text=_("From the day the request reached us. Empty: no acknowledgement required."),
    )
    # Document copies after verification
    id_copy_disposal = models.CharField(
        _("disposal of ID copies"), max_length=32, choices=DisposalRule, default=DisposalRule.NOT_STATED
    )
    form_retention_days = models.PositiveIntegerField(
        _("keep request forms (days)"), null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    # Reminder thresholds (SPEC §13), in business days.
    remind_verification_after = models.PositiveSmallIntegerField(
        _("remind when verification takes longer than (business days)"), default=5
    )
    remind_requester_wait_after = models.PositiveSmallIntegerField(
        _("remind when waiting for the requester longer than (business days)"), default=10
    )
    remind_fee_wait_after = models.PositiveSmallIntegerField(
        _("remind when waiting for the fee longer than (business days)"), default=10
    )
    # Abandoned cases (issue 15): no answer for this long and the desk is told to close the case as
    # withdrawn (it does so only when staff confirm; the notice letter says why).
    propose_withdrawal_after = models.PositiveSmallIntegerField(
        _("propose withdrawal when the requester has not answered for (business days)"),
        null=True,
        blank=True,
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
        help_text=_(
            "Empty: never proposed. Counted from the day the desk's request letter was sent, for any wait "
            "(documents, information or the fee)."
        ),
    )

    version = models.PositiveIntegerField(default=1, editable=False)

    history = audit_history()

    class Meta:
        ordering = ["organization__code", "-effective_from"]
        verbose_name = _("desk policy")
        verbose_name_plural = _("desk policies")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "effective_from"], name="desk_policy_one_per_effective_date"
            ),
            models.CheckConstraint(
                condition=Q(photo_id_count__gt=0) | Q(non_photo_id_count__gt=0) | Q(id_documents_required=False),
                name="desk_policy_some_identity_rule",
            ),
        ]

    def __str__(self):
        return f"{self.organization.code}: {self.name}"

    def fee_for(self, kind: str) -> int:
        """The policy's fee in yen for one item of ``kind``; 0 for kinds that may carry none
        (Art. 38-1: only purpose notices, disclosures and records-of-provision disclosures)."""
        return {
            ItemKind.PURPOSE_NOTICE: self.fee_purpose_notice,
            ItemKind.DISCLOSURE: self.fee_disclosure,
            ItemKind.THIRD_PARTY_RECORD_DISCLOSURE: self.fee_third_party_record_disclosure,
        }.get(kind, 0)

    def delivery_method(self, prefer: str = "post") -> str:
        """A delivery method (``DeliveryMethod``) the policy offers: ``prefer`` where it does (or
        where the policy names none), else the first it offers. Others need a recorded reason."""
        offered = [m for m in self.response_methods if m in DeliveryMethod.values]
        return prefer if prefer in offered or not offered else offered[0]

    def fees_for(self, kinds: list[str]) -> list[int]:
        """The fee in yen of each item of an application, in order: per item, or — per
        application — the highest of its fees once, on the first item that carries it."""
        fees = [self.fee_for(kind) for kind in kinds]
        if self.fee_basis != FeeBasis.PER_APPLICATION or not any(fees):
            return fees
        charged = fees.index(max(fees))
        return [fee if index == charged else 0 for index, fee in enumerate(fees)]

    @property
    def states_a_deadline(self) -> bool:
        return self.deadline_limit is not None


class AgentProofRule(models.Model):
    """One proof an agent of a type must send: any one document of the listed kinds."""

    policy = models.ForeignKey(
        DeskPolicy, on_delete=models.CASCADE, related_name="agent_proof_rules", verbose_name=_("desk policy")
    )
    agent_type = models.CharField(_("agent type"), max_length=32, choices=AgentType)
    label = models.CharField(_("label"), max_length=200, validators=FREE_TEXT)
    document_kinds = models.JSONField(_("accepted documents (any one)"), default=list)
    holder = models.CharField(
        _("whose document"),
        max_length=16,
        choices=Holder,
        blank=True,
        help_text=_("Empty: either. A seal registration certificate proves the data subject's seal."),
    )
    max_age_months = models.PositiveSmallIntegerField(
        _("issued within (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Empty: any date of issue."),
    )

    history = audit_history()

    class Meta:
        ordering = ["policy", "agent_type", "pk"]
        verbose_name = _("agent proof rule")
        verbose_name_plural = _("agent proof rules")

    def __str__(self):
        return self.label


# ------------------------------------------------------------------------------------------
# People
# ------------------------------------------------------------------------------------------
class DataSubject(models.Model):
    """The person the data is about (本人). ``__str__`` carries no personal data."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="data_subjects", verbose_name=_("organization")
    )
    family_name = models.CharField(_("family name"), max_length=100, validators=ONE_LINE)
    given_name = models.CharField(_("given name"), max_length=100, blank=True, validators=ONE_LINE)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=100, blank=True, validators=ONE_LINE)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True, validators=ONE_LINE)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, validators=[reject_line_breaks])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=FREE_TEXT)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    address = models.CharField(_("address on the form"), max_length=300, blank=True, validators=FREE_TEXT)
    registered_postal_code = models.CharField(_("registered postal code"), max_length=10, blank=True)
    registered_address = models.CharField(
        _("registered address"),
        max_length=300,
        blank=True,
        validators=FREE_TEXT,
        help_text=_("As held in our records."),
    )
    member_id = models.CharField(_("member / applicant ID"), max_length=100, blank=True, validators=FREE_TEXT)
    # ``member_id`` as compared (``identifier_key``): kept by ``save``.
    member_key = models.CharField(max_length=100, blank=True, editable=False)
    # The full name as compared (``search_key``: width, script, variant kanji): kept by ``save``;
    # how the same person's other cases are found (``selectors.related_requests``).
    name_key = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("data subject")
        verbose_name_plural = _("data subjects")
        indexes = [
            models.Index(fields=["organization", "family_name_kana"], name="subject_org_kana_idx"),
            models.Index(fields=["email"], name="subject_email_idx"),
            # How the same person is found again (consents: member ID, date of birth, e-mail).
            models.Index(fields=["organization", "member_key"], name="subject_member_key_idx"),
            models.Index(Upper("email"), name="subject_email_upper_idx"),
            models.Index(fields=["birth_date"], name="subject_birth_date_idx"),
            models.Index(fields=["organization", "name_key"], name="subject_name_key_idx"),
        ]

    def __str__(self):
        return f"DS-{self.pk}"

    def save(self, *args, **kwargs):
        self.member_key = identifier_key(self.member_id)
        self.name_key = search_key(self.family_name + self.given_name)
        fields = kwargs.get("update_fields")
        if fields is not None:
            kept = {"member_key"} if "member_id" in fields else set()
            kept |= {"name_key"} if {"family_name", "given_name"} & set(fields) else set()
            kwargs["update_fields"] = {*fields, *kept}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def history_label(self) -> str:
        """The name shown in the case history (``__str__`` stays free of personal data)."""
        return self.full_name

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()


class Agent(models.Model):
    """Who asks on the data subject's behalf (代理人). ``__str__`` carries no personal data."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agents", verbose_name=_("organization")
    )
    agent_type = models.CharField(_("agent type"), max_length=32, choices=AgentType)
    family_name = models.CharField(_("family name"), max_length=100, validators=ONE_LINE)
    given_name = models.CharField(_("given name"), max_length=100, blank=True, validators=ONE_LINE)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=100, blank=True, validators=ONE_LINE)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True, validators=ONE_LINE)
    relationship = models.CharField(
        _("relationship to the data subject"), max_length=100, blank=True, validators=FREE_TEXT
    )
    email = models.EmailField(_("e-mail"), blank=True, validators=[reject_line_breaks])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=FREE_TEXT)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True, validators=FREE_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit_history()

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self):
        return f"AG-{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def history_label(self) -> str:
        """The name shown in the case history (``__str__`` stays free of personal data)."""
        return self.full_name


# ------------------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------------------
class ReferenceSequence(models.Model):
    """Last reference number handed out per year; locked row, so two registrations never collide."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


def open_q() -> Q:
    """Open cases, as a condition (for a filter or a filtered count)."""
    return Q(status__in=OPEN_STATUSES)


def unanswered_q() -> Q:
    """Open cases not yet answered: these can be late."""
    return Q(status__in=UNANSWERED_STATUSES)


def overdue_q(today) -> Q:
    """Unanswered cases whose due date (Asia/Tokyo) is before ``today``."""
    return unanswered_q() & Q(due_on__lt=today)


class RequestQuerySet(models.QuerySet):
    """Query building blocks shared by the admin's filters, FilterSets, selectors and reminders."""

    def open(self):
        return self.filter(open_q())

    def unanswered(self):
        return self.filter(unanswered_q())

    def overdue(self, today):
        return self.filter(overdue_q(today))

    def due_between(self, first, last):
        return self.unanswered().filter(due_on__gte=first, due_on__lte=last)

    def with_kind(self, kind):
        return self.filter(models.Exists(RequestItem.objects.filter(request=models.OuterRef("pk"), kind=kind)))

    def by_requester(self, requester: str):
        """``self`` or an agent type."""
        if requester == "self":
            return self.filter(agent__isnull=True)
        return self.filter(agent__agent_type=requester)

    def art39_passed(self, today):
        """Unanswered, and the person may already sue (``art39_on`` on or before ``today``; Art. 39)."""
        return self.unanswered().filter(art39_on__lte=today)


class Request(models.Model):
    """One case (開示等の請求) with a readable reference number."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="requests", verbose_name=_("organization")
    )
    policy = models.ForeignKey(
        DeskPolicy, on_delete=models.PROTECT, related_name="requests", verbose_name=_("desk policy")
    )
    status = models.CharField(_("status"), max_length=32, choices=Status, default=Status.RECEIVED)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel)
    channel_override_reason = models.TextField(
        _("why this channel was accepted"),
        blank=True,
        validators=[*FREE_TEXT, MaxLengthValidator(REASON_MAX_LENGTH)],
        help_text=_("Only when the desk's policy does not list the channel."),
    )
    reached_on = models.DateField(_("reached us on"), help_text=_("The day the request reached the organization."))
    form_received_on = models.DateField(
        _("form received on"), null=True, blank=True, help_text=_("When the filled-in request form arrived.")
    )
    complete_on = models.DateField(
        _("complete on"),
        null=True,
        blank=True,
        help_text=_("Form, identity documents and any fee all in hand: day 0 of the deadline."),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True, editable=False)
    art39_on = models.DateField(
        _("Art. 39 date"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("From this day the person may sue (Art. 39); none for purpose notices only."),
    )
    # The day the last result notice left (``derived.answered_on``), kept by the services like the
    # other derived dates: the ledger and the statistics read it as a column (issue 15).
    answered_on = models.DateField(_("answered on"), null=True, blank=True, editable=False)
    extended_on = models.DateField(_("extension notified on"), null=True, blank=True)
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, help_text=_("Closed, withdrawn or rejected."))
    purged_on = models.DateField(_("personal data erased on"), null=True, blank=True, editable=False)
    # The request form (申請書), kept for the policy's period after the case ended (SPEC §6).
    form_disposal_due_on = models.DateField(
        _("form to be disposed of on"), null=True, blank=True, editable=False, db_index=True
    )
    form_disposed_on = models.DateField(_("form disposed of on"), null=True, blank=True, editable=False)
    form_disposal_method = models.CharField(
        _("form disposal method"), max_length=16, choices=DisposalMethod, blank=True, editable=False
    )
    data_subject = models.ForeignKey(
        DataSubject, on_delete=models.PROTECT, related_name="requests", verbose_name=_("data subject")
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="requests", verbose_name=_("agent")
    )
    reply_to = models.CharField(_("reply address"), max_length=32, choices=ReplyTo, default=ReplyTo.FORM_ADDRESS)
    preferred_response_method = models.CharField(
        _("preferred response method"), max_length=32, choices=ResponseMethod, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assignee"),
    )
    notes = models.TextField(_("notes"), blank=True, validators=FREE_TEXT)
    end_reason = models.TextField(
        _("reason for rejection or withdrawal"), blank=True, validators=FREE_TEXT, editable=False
    )
    # Closed as withdrawn because the requester did not answer the desk's question (issue 15).
    withdrawal_deemed = models.BooleanField(_("withdrawn for want of an answer"), default=False, editable=False)
    intake_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Names, kana, addresses, e-mails and phones of the data subject and the agent as the search
    # box compares them (``derived.case_search_key``), one column for one trigram index; kept by
    # the services that register a case or correct its people, blanked by the retention purge.
    # Not in the history: it is derived from the people's own (recorded) fields.
    search_key = models.TextField(blank=True, editable=False)

    objects = RequestQuerySet.as_manager()
    history = audit_history(excluded_fields=["updated_at", "search_key"])

    class Meta:
        ordering = ["-reached_on", "-pk"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        permissions = [
            ("approve_decision", _("Can approve refusals and partial answers")),
            ("view_audit_trail", _("Can read the audit trail")),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="request_status_due_idx"),
            models.Index(fields=["organization", "status"], name="request_org_status_idx"),
            models.Index(fields=["assignee", "status"], name="request_assignee_status_idx"),
            models.Index(fields=["due_on"], name="request_due_idx"),
            models.Index(fields=["-reached_on", "-id"], name="request_reached_idx"),
            models.Index(fields=["status", "ended_on"], name="request_ended_idx"),
            # Open cases by due date (issue 16): the list's default order, the start page's overdue
            # and due-soon lists read open cases only, not the years of answered ones before them.
            models.Index(
                fields=["due_on", "-reached_on", "-id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="request_open_due_idx",
            ),
            # ... and counted by organization: the list's count of open cases reads this small index
            # alone (an index-only scan: 4 ms for 63k open cases of 100k, instead of 10-20 ms).
            models.Index(
                fields=["organization"], condition=Q(status__in=sorted(OPEN_STATUSES)), name="request_open_org_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(complete_on__isnull=True) | Q(complete_on__gte=models.F("reached_on")),
                name="request_complete_not_before_reached",
            ),
            models.CheckConstraint(
                condition=Q(form_received_on__isnull=True) | Q(form_received_on__gte=models.F("reached_on")),
                name="request_form_not_before_reached",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=models.F("reached_on")),
                name="request_due_not_before_reached",
            ),
        ]

    # Named by its reference alone: the audit trail loads cases it names without joins (issue 16).
    history_name_related = ()

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestItem(models.Model):
    """One kind of ask inside a request."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items", verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=40, choices=ItemKind)
    details = models.TextField(
        _("what is asked"), blank=True, validators=FREE_TEXT, help_text=_("Which data, which service, the period.")
    )
    requested_method = models.CharField(
        _("disclosure method asked for"), max_length=16, choices=DisclosureMethod, blank=True
    )
    correction_detail = models.TextField(
        _("correction asked for"), blank=True, validators=FREE_TEXT, help_text=_("What is wrong and what is right.")
    )
    recipient = models.CharField(
        _("third party concerned"),
        max_length=200,
        blank=True,
        validators=FREE_TEXT,
        help_text=_("For suspension of provision: the recipient named."),
    )
    fee_due = models.PositiveIntegerField(_("fee due (yen)"), default=0)

    history = audit_history()

    class Meta:
        ordering = ["request", "pk"]
        verbose_name = _("request item")
        verbose_name_plural = _("request items")
        indexes = [models.Index(fields=["kind", "request"], name="item_kind_request_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_due=0)
                | Q(kind__in=[ItemKind.PURPOSE_NOTICE, ItemKind.DISCLOSURE, ItemKind.THIRD_PARTY_RECORD_DISCLOSURE]),
                name="item_fee_only_for_art38_kinds",
            )
        ]

    def __str__(self):
        return f"{self.request_id}/{self.get_kind_display()}"


class IdentityDocument(models.Model):
    """A copy received for identity or agent authority, and its disposal (SPEC §6)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="documents", verbose_name=_("request"))
    holder = models.CharField(_("whose document"), max_length=16, choices=Holder)
    kind = models.CharField(_("document"), max_length=40, choices=DocumentKind)
    description = models.CharField(_("description"), max_length=200, blank=True, validators=FREE_TEXT)
    received_on = models.DateField(_("received on"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    individual_number = models.CharField(_("Individual Number (My Number)"), max_length=16, choices=Masking)
    insurer_number = models.CharField(_("insurer number and symbol/number"), max_length=16, choices=Masking)
    domicile = models.CharField(_("permanent domicile (本籍)"), max_length=16, choices=Masking)
    disposed_on = models.DateField(_("disposed of on"), null=True, blank=True)
    disposal_method = models.CharField(_("disposal method"), max_length=16, choices=DisposalMethod, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disposed of by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    history = audit_history()

    class Meta:
        ordering = ["request", "received_on", "pk"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        indexes = [models.Index(fields=["disposed_on", "request"], name="document_disposed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(disposed_on__isnull=True) | Q(disposed_on__gte=models.F("received_on")),
                name="document_disposed_after_received",
            ),
            models.CheckConstraint(
                condition=Q(disposed_on__isnull=True) | ~Q(disposal_method=""),
                name="document_disposal_has_method",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_holder_display()})"

    @property
    def masked_by_desk(self) -> bool:
        return Masking.MASKED_BY_DESK in (self.individual_number, self.insurer_number, self.domicile)


class FileType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


class DocumentFile(models.Model):
    """The scanned (post) or e-mailed copy of an identity document, kept sealed (issue 12;
    ``requests_app.document_files``). When the copy is disposed of, the file is erased: the row
    stays, with ``erased_at`` and no ``storage_name``, as the record that the file is gone."""

    document = models.OneToOneField(
        IdentityDocument, on_delete=models.CASCADE, related_name="file", verbose_name=_("identity document")
    )
    content_type = models.CharField(_("file type"), max_length=32, choices=FileType)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    storage_name = models.CharField(_("stored as"), max_length=200, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("attached at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("attached by")
    )
    erased_at = models.DateTimeField(_("file erased at"), null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("file erased by"),
    )

    history = audit_history(excluded_fields=["storage_name"])

    class Meta:
        verbose_name = _("identity document file")
        verbose_name_plural = _("identity document files")
        # Seeing that a file exists (its type, size, hash, erasure) is "view"; opening it is this.
        permissions = [("open_documentfile", _("Can open identity document files"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True, storage_name__gt="") | Q(erased_at__isnull=False, storage_name=""),
                name="document_file_kept_or_erased",
            )
        ]

    def __str__(self):
        return f"{self.get_content_type_display()} {self.size} B"

    @property
    def is_image(self) -> bool:
        return self.content_type in {FileType.JPEG, FileType.PNG}

    @property
    def is_kept(self) -> bool:
        return self.erased_at is None


class Payment(models.Model):
    """A fee payment received (SPEC §7)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="payments", verbose_name=_("request"))
    method = models.CharField(_("method"), max_length=32, choices=PaymentMethod)
    amount = models.PositiveIntegerField(_("amount (yen)"))
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=200, blank=True, validators=FREE_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    history = audit_history()

    class Meta:
        ordering = ["request", "received_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return f"{self.amount:,}"


class Pause(models.Model):
    """The request waits for the requester (補正待ち): the clock stops (SPEC §5)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("request"))
    kind = models.CharField(_("waiting for"), max_length=32, choices=PauseKind)
    note = models.TextField(_("what was asked"), blank=True, validators=FREE_TEXT)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("answered on"), null=True, blank=True)
    from_status = models.CharField(_("paused in status"), max_length=32, choices=Status)
    # When the desk asked (to the second): the request letter drafted for this wait is the one
    # created after it (``derived.asked_on``), not a letter of an earlier wait sent the same day.
    created_at = models.DateTimeField(_("asked at"), null=True, blank=True, editable=False)

    history = audit_history()

    class Meta:
        ordering = ["request", "started_on", "pk"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pause_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["request"], condition=Q(ended_on__isnull=True), name="pause_one_open_per_request"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_on:%Y-%m-%d}"


class Verification(models.Model):
    """Identity and authority check, with its outcome (SPEC §6)."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("request")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=VerificationOutcome)
    name_matches = models.BooleanField(_("name matches the form"), default=False)
    address_matches = models.BooleanField(_("address matches the form"), default=False)
    intent_confirmed_on = models.DateField(_("person's intent confirmed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, validators=FREE_TEXT)
    verified_on = models.DateField(_("checked on"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )

    history = audit_history()

    class Meta:
        ordering = ["request", "verified_on", "pk"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")

    def __str__(self):
        return self.get_outcome_display()


class Decision(models.Model):
    """The decision on one item (SPEC §8), with the reason the letter gives (Art. 36)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("request"))
    item = models.OneToOneField(RequestItem, on_delete=models.CASCADE, related_name="decision", verbose_name=_("item"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome)
    ground = models.CharField(_("ground"), max_length=32, choices=Ground, blank=True)
    reason_text = models.TextField(
        _("reason given to the requester"), blank=True, validators=FREE_TEXT, help_text=_("Printed in the letter.")
    )
    alternative_measure = models.TextField(_("alternative measure"), blank=True, validators=FREE_TEXT)
    method_used = models.CharField(_("disclosure method used"), max_length=16, choices=DisclosureMethod, blank=True)
    method_difference_reason = models.TextField(_("why the method differs"), blank=True, validators=FREE_TEXT)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )

    history = audit_history()

    class Meta:
        ordering = ["request", "item"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return self.get_outcome_display()

    @property
    def needs_approval(self) -> bool:
        return self.outcome in APPROVAL_OUTCOMES


class Approval(models.Model):
    """A manager's approval (or return) of the decisions that need four eyes."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("request"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=ApprovalOutcome)
    comment = models.TextField(_("comment"), blank=True, validators=FREE_TEXT)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approver")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    history = audit_history()

    class Meta:
        ordering = ["request", "created_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self):
        return self.get_outcome_display()


# ------------------------------------------------------------------------------------------
# Fulfilment (SPEC §10)
# ------------------------------------------------------------------------------------------
class TargetSystem(models.Model):
    """A system of the organization where accepted requests are carried out (e.g. a CRM)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="systems", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=200, validators=FREE_TEXT)
    description = models.CharField(_("description"), max_length=300, blank=True, validators=FREE_TEXT)
    is_active = models.BooleanField(_("active"), default=True)

    version = models.PositiveIntegerField(default=1, editable=False)

    history = audit_history()

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("target system")
        verbose_name_plural = _("target systems")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="system_unique_per_organization")]

    def __str__(self):
        return self.name


# Granting these changes data in the organization's systems: one task per system.
FULFILMENT_KINDS = CORRECTION_KINDS | SUSPENSION_KINDS
FULFILMENT_OUTCOMES = frozenset({Outcome.COMPLY, Outcome.PARTIAL, Outcome.ALTERNATIVE})


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FulfilmentTask(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("request"))
    item = models.ForeignKey(RequestItem, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("item"))
    system = models.ForeignKey(
        TargetSystem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("system"),
        help_text=_("Empty: the organization has registered no systems; do it wherever the data is kept."),
    )
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus, default=TaskStatus.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    note = models.TextField(_("note"), blank=True, validators=FREE_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)

    history = audit_history()

    class Meta:
        ordering = ["request", "item", "system__name"]
        verbose_name = _("fulfilment task")
        verbose_name_plural = _("fulfilment tasks")
        indexes = [models.Index(fields=["status", "request"], name="task_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["item", "system"], name="task_one_per_item_and_system"),
            models.CheckConstraint(
                condition=Q(status="open", done_on__isnull=True) | Q(status="done", done_on__isnull=False),
                name="task_done_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.system_id}/{self.item_id}"


# ------------------------------------------------------------------------------------------
# Letters and responses (SPEC §9)
# ------------------------------------------------------------------------------------------
class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")
    REQUEST_MISSING = "request_missing", _("Request for missing documents, information or fee")
    RESULT = "result", _("Result notice")
    REJECTION = "rejection", _("Rejection (not accepted)")
    WITHDRAWAL = "withdrawal", _("Confirmation of withdrawal")
    EXTENSION = "extension", _("Extension notice")
    REQUEST_FORM = "request_form", _("Request form sent (after a phone call)")


class LetterLanguage(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


class LetterTemplate(models.Model):
    """An organization's own wording for a kind of letter, overriding templates/letters/."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="letter_templates", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=LetterKind)
    language = models.CharField(_("language"), max_length=2, choices=LetterLanguage, default=LetterLanguage.JA)
    title = models.CharField(
        _("title template"),
        max_length=300,
        blank=True,
        validators=ONE_LINE,
        help_text=_("Empty: the standard title."),
    )
    body = models.TextField(
        _("body template"),
        help_text=_(
            "Django template syntax. Variables: case.reference, case.reached_on, subject.full_name, "
            "organization.name, items (kind, outcome, ground, reason, method), fee.due, due_on, … — see "
            "templates/letters/ for the standard text."
        ),
        validators=[*FREE_TEXT, validate_letter_template],
    )

    version = models.PositiveIntegerField(default=1, editable=False)

    history = audit_history()

    class Meta:
        ordering = ["organization", "kind", "language"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "language"], name="letter_template_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"


class Letter(models.Model):
    """A letter drafted from the case; editable until sent, then frozen."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="letters", verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=32, choices=LetterKind)
    language = models.CharField(_("language"), max_length=2, choices=LetterLanguage, default=LetterLanguage.JA)
    letter_date = models.DateField(_("letter date"))
    addressee = models.TextField(_("addressee"), validators=FREE_TEXT)
    sender = models.TextField(_("sender"), validators=FREE_TEXT)
    title = models.CharField(_("title"), max_length=300, validators=ONE_LINE)
    body = models.TextField(_("body"), validators=FREE_TEXT)
    items = models.ManyToManyField(RequestItem, blank=True, related_name="letters", verbose_name=_("items answered"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)

    history = audit_history(m2m_fields=[items])

    class Meta:
        ordering = ["request", "created_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class LetterEnclosure(models.Model):
    """A file sent with a letter — the disclosed records as a PDF, say (Art. 33-2: by electronic
    record): kept sealed like identity-document files, attached to the e-mail or offered beside the
    letter on the download page, erased when the draft is discarded or the retention purge runs."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="enclosures", verbose_name=_("letter"))
    name = models.CharField(_("file name"), max_length=200, validators=ONE_LINE)
    content_type = models.CharField(_("file type"), max_length=32, choices=FileType)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    storage_name = models.CharField(_("stored as"), max_length=200, blank=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = audit_history(excluded_fields=["storage_name"])

    class Meta:
        ordering = ["letter", "pk"]
        verbose_name = _("enclosed file")
        verbose_name_plural = _("enclosed files")

    def __str__(self):
        return f"{self.get_content_type_display()} {self.size} B"


class DeliveryMethod(models.TextChoices):
    POST = "post", _("Post")
    REGISTERED_MAIL = "registered_mail", _("Registered mail")
    EMAIL = "email", _("E-mail")
    ELECTRONIC_FILE = "electronic_file", _("Electronic file (handed over)")
    # The letter waits on the requester portal; the e-mail carries only the link (``DeliveryLink``).
    DOWNLOAD_LINK = "download_link", _("Download link (online, with the PIN)")


class DeliveryState(models.TextChoices):
    """Where a response stands. A letter sent by e-mail is recorded as ``SENDING`` before the SMTP
    server is asked and marked ``SENT`` once it accepted (the outbox): a row left ``SENDING`` means
    the process stopped in between, and staff check whether it left. Post is recorded as sent."""

    SENDING = "sending", _("Sending — check whether it left")
    SENT = "sent", _("Sent")


class Response(models.Model):
    """A letter as sent: how, when, by whom, to whom, and the exact text (SPEC §9). Only a
    ``SENT`` response counts as an answer (``DeliveryState``)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="responses", verbose_name=_("request"))
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="responses", verbose_name=_("letter"))
    method = models.CharField(_("method"), max_length=32, choices=DeliveryMethod)
    state = models.CharField(
        _("delivery"), max_length=16, choices=DeliveryState, default=DeliveryState.SENT, editable=False
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    method_override_reason = models.TextField(
        _("why this method was used"),
        blank=True,
        validators=[*FREE_TEXT, MaxLengthValidator(REASON_MAX_LENGTH)],
        help_text=_("Only when the desk's policy does not offer the method."),
    )
    addressee = models.TextField(_("sent to"), validators=FREE_TEXT)
    email = models.EmailField(_("e-mail address"), blank=True, validators=[reject_line_breaks])
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    tracking_number = models.CharField(
        _("tracking number"), max_length=40, blank=True, validators=[validate_tracking_number]
    )
    email_message_id = models.CharField(_("e-mail message id"), max_length=300, blank=True)
    attachments = models.TextField(_("attachments"), blank=True, validators=FREE_TEXT)
    text_sent = models.TextField(_("text sent"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_note = models.TextField(_("note on the return"), blank=True, validators=FREE_TEXT)

    history = audit_history()

    class Meta:
        ordering = ["request", "sent_on", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="registered_mail") | ~Q(tracking_number=""),
                name="response_registered_mail_has_tracking",
            ),
            # An e-mailed response keeps its address until the retention purge erases the text.
            models.CheckConstraint(
                condition=~Q(method="email") | ~Q(email="") | Q(text_sent=ERASED),
                name="response_email_has_address",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.sent_on:%Y-%m-%d}"


# ------------------------------------------------------------------------------------------
# Legal hold (issue 15): records kept past their retention period
# ------------------------------------------------------------------------------------------
class LegalHold(models.Model):
    """A case, or a person with all their cases and records of provision, kept from the retention
    purge while a dispute needs them (an Art. 39 suit, an inquiry by the PPC…): why, since when
    and by whom; lifted with the same. The purge skips what an open hold covers and says so."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="legal_holds", verbose_name=_("organization")
    )
    request = models.ForeignKey(
        "Request",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("case"),
    )
    data_subject = models.ForeignKey(
        DataSubject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("person"),
    )
    reason = models.TextField(_("why it is held"), validators=FREE_TEXT)
    placed_on = models.DateField(_("held since"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("placed by")
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.TextField(_("why it was lifted"), blank=True, validators=FREE_TEXT)

    history = audit_history()

    class Meta:
        ordering = ["-placed_on", "-pk"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, data_subject__isnull=True)
                | Q(request__isnull=True, data_subject__isnull=False),
                name="legal_hold_on_a_case_or_a_person",
            ),
            models.UniqueConstraint(
                fields=["request"], condition=Q(lifted_on__isnull=True), name="legal_hold_one_open_per_case"
            ),
            models.UniqueConstraint(
                fields=["data_subject"], condition=Q(lifted_on__isnull=True), name="legal_hold_one_open_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.placed_on:%Y-%m-%d}"


# ------------------------------------------------------------------------------------------
# Complaints and consultations (苦情・相談, JIS Q 15001 A.3.6; APPI Art. 40; issue 15)
# ------------------------------------------------------------------------------------------
class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    CONSULTATION = "consultation", _("Consultation")


class ComplaintFrom(models.TextChoices):
    DATA_SUBJECT = "data_subject", _("The person (data subject)")
    AGENT = "agent", _("An agent of the person")
    OTHER = "other", _("Someone else")


class ComplaintTopic(models.TextChoices):
    REQUEST_HANDLING = "request_handling", _("Handling of a request (disclosure, correction, suspension…)")
    USE = "use", _("Use of personal data")
    PROVISION = "provision", _("Provision to third parties")
    SECURITY = "security", _("Security or a leak")
    CONTACT = "contact", _("Unwanted contact or marketing")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("complaint", "Received")
    AWAITING_APPROVAL = "awaiting_approval", _("Reply awaiting approval")
    APPROVED = "approved", _("Reply approved")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")


class ComplaintOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    PARTLY_RESOLVED = "partly_resolved", _("Partly resolved")
    UNRESOLVED = "unresolved", _("Not resolved")
    EXPLAINED = "explained", _("Explained, no measure needed")


OPEN_COMPLAINT_STATUSES = frozenset(s for s in ComplaintStatus if s != ComplaintStatus.CLOSED)
# The reply has not gone yet: these can be late (the start page, the reminders).
COMPLAINT_AWAITING_REPLY = frozenset(
    {ComplaintStatus.RECEIVED, ComplaintStatus.AWAITING_APPROVAL, ComplaintStatus.APPROVED}
)


class Complaint(models.Model):
    """One complaint or consultation about our handling of personal information: from whom, how,
    about what, linked to a request or not; the reply drafted by desk staff and approved by a
    manager who did not draft it (four eyes), the day it went, the cause and the measure taken.
    ``__str__`` carries no personal data."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("organization")
    )
    kind = models.CharField(
        _("complaint or consultation"), max_length=16, choices=ComplaintKind, default=ComplaintKind.COMPLAINT
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("how it reached us"), max_length=32, choices=Channel)
    complainant_type = models.CharField(_("complainant"), max_length=16, choices=ComplaintFrom)
    complainant_name = models.CharField(_("complainant's name"), max_length=200, blank=True, validators=ONE_LINE)
    complainant_contact = models.CharField(
        _("contact (address, e-mail or phone)"), max_length=300, blank=True, validators=FREE_TEXT
    )
    topic = models.CharField(_("about"), max_length=32, choices=ComplaintTopic)
    summary = models.TextField(_("what was said"), validators=FREE_TEXT)
    request = models.ForeignKey(
        Request,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("request concerned"),
    )
    reply_due_on = models.DateField(_("reply due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus, default=ComplaintStatus.RECEIVED, editable=False
    )
    reply_text = models.TextField(_("reply"), blank=True, validators=FREE_TEXT, editable=False)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reply drafted by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reply approved by"),
    )
    approved_on = models.DateField(_("reply approved on"), null=True, blank=True, editable=False)
    approval_comment = models.TextField(_("manager's comment"), blank=True, validators=FREE_TEXT, editable=False)
    replied_on = models.DateField(_("replied on"), null=True, blank=True, editable=False)
    reply_method = models.CharField(_("reply sent by"), max_length=32, choices=Channel, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ComplaintOutcome, blank=True, editable=False)
    cause = models.TextField(_("cause"), blank=True, validators=FREE_TEXT, editable=False)
    measure = models.TextField(_("measure taken"), blank=True, validators=FREE_TEXT, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    # The retention purge (SPEC §14) erased the complainant's details on this day.
    purged_on = models.DateField(_("personal data erased on"), null=True, blank=True, editable=False)
    # The registration form's one-time key: the same form sent twice registers one complaint.
    intake_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    history = audit_history(excluded_fields=["intake_token"])

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("complaint or consultation")
        verbose_name_plural = _("complaints and consultations")
        permissions = [("approve_complaint_reply", _("Can approve replies to complaints"))]
        indexes = [
            models.Index(fields=["organization", "status", "reply_due_on"], name="complaint_org_status_idx"),
            models.Index(fields=["received_on"], name="complaint_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_due_on__gte=models.F("received_on")), name="complaint_due_not_before_received"
            ),
        ]

    def __str__(self):
        return f"C-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT_STATUSES


# ------------------------------------------------------------------------------------------
# Requester portal (issue 14): online requests, the status page, results by download link
# ------------------------------------------------------------------------------------------
class PortalSettings(models.Model):
    """An organization's online request pages: whether they are open, and the texts the person
    reads there, in Japanese and English. Open only while the policy in force accepts the web form
    channel (``selectors.portal_policy``)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="portal", verbose_name=_("organization")
    )
    enabled = models.BooleanField(_("online requests open"), default=False)
    intro = models.TextField(
        _("introduction (Japanese)"), blank=True, validators=FREE_TEXT, help_text=_("Shown above the request form.")
    )
    intro_en = models.TextField(_("introduction (English)"), blank=True, validators=FREE_TEXT)
    privacy_notice = models.TextField(
        _("how the data sent is handled (Japanese)"),
        blank=True,
        validators=FREE_TEXT,
        help_text=_("Purpose of use of what the person sends, how long the copies are kept; shown before sending."),
    )
    privacy_notice_en = models.TextField(_("how the data sent is handled (English)"), blank=True, validators=FREE_TEXT)
    after_submission = models.TextField(
        _("after sending (Japanese)"),
        blank=True,
        validators=FREE_TEXT,
        help_text=_("Shown with the reference and PIN: what happens next, how to pay a fee."),
    )
    after_submission_en = models.TextField(_("after sending (English)"), blank=True, validators=FREE_TEXT)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = audit_history()

    class Meta:
        verbose_name = _("online request pages")
        verbose_name_plural = _("online request pages")

    def __str__(self):
        return self.organization.code

    def text(self, name: str, language: str) -> str:
        """The text ``name`` (intro, privacy_notice, after_submission) in ``language``; Japanese
        where the English one is blank."""
        english = getattr(self, f"{name}_en")
        return english if language == "en" and english else getattr(self, name)


class PortalAccess(models.Model):
    """The requester's key to a case registered online: a one-time PIN shown once at sending and
    stored only as a password hash (never readable again). Wrong PINs are counted per reference
    (``PORTAL_PIN_FAILURES``) in the cache, identically for references that do not exist."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="portal_access", verbose_name=_("request")
    )
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=200, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    history = audit_history(excluded_fields=["pin_hash"])

    class Meta:
        verbose_name = _("online access")
        verbose_name_plural = _("online accesses")

    def __str__(self):
        return str(self.pk)


class DeliveryLink(models.Model):
    """A result sent by download link: the letter waits on the portal until ``expires_at`` (end of
    the policy's ``download_link_days``, Asia/Tokyo); opened with the case's PIN; every download is
    in the access log; staff can revoke it. Only the SHA-256 of the link's token is stored."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="link", verbose_name=_("response"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("why revoked"), blank=True, validators=FREE_TEXT)

    # Downloads are access-log rows (``AccessKind.PORTAL_DOWNLOAD``), not counters here.
    history = audit_history(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("download link")
        verbose_name_plural = _("download links")

    def __str__(self):
        return f"{self.expires_at:%Y-%m-%d}"

    def is_open(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def last_day(self) -> dt.date:
        """The last day the link opens (Asia/Tokyo): it works to the end of that day."""
        return timezone.localtime(self.expires_at - dt.timedelta(microseconds=1)).date()


# ------------------------------------------------------------------------------------------
# Reminders (SPEC §13)
# ------------------------------------------------------------------------------------------
class ReminderKind(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_TODAY = "due_today", _("Due today")
    DUE_IN_1 = "due_in_1", _("Due in 1 business day")
    DUE_IN_3 = "due_in_3", _("Due in 3 business days")
    ART39 = "art39", _("Two weeks since it reached us, unanswered (Art. 39)")
    ACKNOWLEDGEMENT_DUE = "acknowledgement_due", _("Acknowledgement due")
    VERIFICATION_LONG = "verification_long", _("Verification pending too long")
    DISPOSAL_DUE = "disposal_due", _("ID copies to dispose of")
    FORM_DISPOSAL_DUE = "form_disposal_due", _("Request form to dispose of")
    WAITING_LONG = "waiting_long", _("Waiting for the requester too long")
    WITHDRAWAL_PROPOSED = "withdrawal_proposed", _("No answer from the requester: close as withdrawn?")
    # Complaints and consultations (issue 15): the reply's due date.
    COMPLAINT_OVERDUE = "complaint_overdue", _("Complaint: reply overdue")
    COMPLAINT_DUE = "complaint_due", _("Complaint: reply due today or next business day")
    FEE_WAITING_LONG = "fee_waiting_long", _("Waiting for the fee too long")


# Most urgent first: the order of the groups in a digest.
REMINDER_ORDER = [
    ReminderKind.OVERDUE,
    ReminderKind.ART39,
    ReminderKind.COMPLAINT_OVERDUE,
    ReminderKind.DUE_TODAY,
    ReminderKind.DUE_IN_1,
    ReminderKind.DUE_IN_3,
    ReminderKind.COMPLAINT_DUE,
    ReminderKind.ACKNOWLEDGEMENT_DUE,
    ReminderKind.DISPOSAL_DUE,
    ReminderKind.FORM_DISPOSAL_DUE,
    ReminderKind.VERIFICATION_LONG,
    ReminderKind.WITHDRAWAL_PROPOSED,
    ReminderKind.FEE_WAITING_LONG,
    ReminderKind.WAITING_LONG,
]


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReminderLog(models.Model):
    """One reminder for one person about one case (or one complaint) on one day: the ledger that
    makes it once only.

    Claimed with ``bulk_create(ignore_conflicts=True)`` against the unique key, delivered in a
    daily digest under ``select_for_update(skip_locked=True)``.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("recipient")
    )
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders", verbose_name=_("request")
    )
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("complaint or consultation"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ReminderKind)
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=8, choices=ReminderStatus, default=ReminderStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("e-mail message id"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "recipient", "request"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "request", "kind", "day"], name="reminder_once_per_day"),
            models.UniqueConstraint(
                fields=["recipient", "complaint", "kind", "day"], name="reminder_complaint_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(request__isnull=False, complaint__isnull=True)
                | Q(request__isnull=True, complaint__isnull=False),
                name="reminder_on_a_case_or_a_complaint",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "recipient", "day"], name="reminder_pending_idx"),
            models.Index(fields=["request", "-day"], name="reminder_case_idx"),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.kind}"
