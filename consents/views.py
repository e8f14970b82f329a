"""Admin pages of the consents app that write through its services (SPEC §11): record a consent,
withdraw it, record a provision or receipt, stop an opt-out provision for a person, import
records from a CSV file, and export the filtered lists as formula-safe CSV.

Each write runs in one transaction: when the service refuses, the person on record added for it
is not kept either, the form shows what was typed with the reason beside the field it concerns.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from consents import exports as consent_exports
from consents import forms as consent_forms
from consents import services
from consents.models import Consent, Direction
from privacyops.exports import services as export_services
from privacyops.exports import views as export_views
from requests_app.pipeline import TransitionNotAllowed


def _show_error(form, error: Exception) -> None:
    """A service's refusal on the field it concerns (or at the top of the form)."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for name, texts in error.message_dict.items():
                form.add_error(name if name in form.fields else None, texts)
        else:
            form.add_error(None, error.messages)
    else:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, str(error))


def _page(request, model_admin, *, form, title, submit, intro="", extra=None):
    opts = model_admin.model._meta
    return TemplateResponse(
        request,
        "admin/consents/form.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "title": title,
            "form": form,
            "submit": submit,
            "intro": intro,
            "cancel_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            **(extra or {}),
        },
    )


def _done(request, model_admin, message: str, obj=None):
    messages.success(request, message)
    opts = model_admin.model._meta
    if obj is not None:
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))


def _write(form, operation):
    """Run ``operation()`` in one transaction; a refusal goes on the form and nothing is kept."""
    try:
        with transaction.atomic():
            return operation()
    except (ValidationError, TransitionNotAllowed) as error:
        _show_error(form, error)
        return None


def _person(form, actor):
    """The person the form names, found on record or added (``services.person_on_record``)."""
    return services.person_on_record(
        actor=actor, organization_id=form.cleaned_data["organization"].pk, identity=form.identity()
    )


def consent_add(request, model_admin):
    """Record a person's consent (found on record by their details, or added)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = consent_forms.ConsentForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():

        def operation():
            person = _person(form, request.user)
            return services.consent_give(actor=request.user, data_subject=person, **form.service_kwargs())

        consent = _write(form, operation)
        if consent is not None:
            return _done(request, model_admin, gettext("Consent recorded."), consent)
    return _page(request, model_admin, form=form, title=gettext("Record a consent"), submit=gettext("Record"))


def consent_withdraw(request, model_admin, object_id):
    """Record that the person withdrew a consent (outside a case: by phone, My Page, …)."""
    consent = model_admin.get_object(request, object_id)  # None for another organization's or a bad id
    if consent is None:
        raise Http404
    if not model_admin.can_withdraw(request):
        raise PermissionDenied
    form = consent_forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        withdrawn = _write(
            form, lambda: services.consent_withdraw(actor=request.user, consent=consent, **form.cleaned_data)
        )
        if withdrawn is not None:
            return _done(request, model_admin, gettext("Consent withdrawn."), withdrawn)
    return _page(
        request,
        model_admin,
        form=form,
        title=gettext("Withdraw a consent"),
        submit=gettext("Withdraw"),
        intro=f"{consent.data_subject.full_name} — {consent} ({consent.given_on:%Y-%m-%d})",
    )


def record_add(request, model_admin):
    """Record a provision to (Art. 29) or a receipt from (Art. 30) a third party."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = consent_forms.ProvisionRecordForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():

        def operation():
            person = _person(form, request.user)
            kwargs = form.service_kwargs()
            if form.cleaned_data["direction"] == Direction.RECEIVED:
                return services.receipt_record(actor=request.user, data_subject=person, **kwargs)
            return services.provision_record(actor=request.user, data_subject=person, **kwargs)

        record = _write(form, operation)
        if record is not None:
            return _done(request, model_admin, gettext("Record saved."), record)
    return _page(
        request,
        model_admin,
        form=form,
        title=gettext("Record a provision or receipt"),
        submit=gettext("Record"),
        intro=gettext(
            "A provision is refused when the person stopped provision to that recipient, or has no consent "
            "in force for it, or when it needs no record (Art. 27-1, 27-5)."
        ),
    )


def stop_add(request, model_admin):
    """Stop provision for a person: an opt-out provision they asked to stop (Art. 27-2), or provision
    to a recipient (a granted suspension of provision, Art. 35-3) — with the case, if any."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = consent_forms.StopForm(request.POST or None, initial=request.GET.dict() or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def operation():
            organization_id = data["organization"].pk
            if data["opt_out"] is not None and data["opt_out"].organization_id != organization_id:
                raise ValidationError({"opt_out": gettext("This opt-out provision is another organization's.")})
            if data["case"] is not None and data["case"].organization_id != organization_id:
                raise ValidationError({"case_reference": gettext("This case is another organization's.")})
            person = _person(form, request.user)
            if data["opt_out"] is not None:
                return services.opt_out_stop(
                    actor=request.user,
                    opt_out=data["opt_out"],
                    data_subject=person,
                    on=data["on"],
                    case=data["case"],
                    note=data["note"],
                )
            return services.provision_suspend(
                actor=request.user, data_subject=person, recipient=data["recipient"].strip(), on=data["on"],
                case=data["case"], note=data["note"],
            )  # fmt: skip

        stop = _write(form, operation)
        if stop is not None and getattr(stop, "already_in_force", False):
            messages.info(
                request,
                gettext("Provision was already stopped for this person since %(date)s.")
                % {"date": stop.since.isoformat()},
            )
            return HttpResponseRedirect(reverse("admin:consents_provisionstop_change", args=[stop.pk]))
        if stop is not None:
            return _done(request, model_admin, gettext("Provision stopped for this person."), stop)
    return _page(request, model_admin, form=form, title=gettext("Stop provision for a person"), submit=gettext("Stop"))


def records_import(request, model_admin):
    """Import records exported from another system: all rows or none, every error named by row
    and column."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = consent_forms.ImportForm(request.POST or None, request.FILES or None, actor=request.user)
    errors: list[tuple[int, str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.records_import(
                actor=request.user,
                organization_id=data["organization"].pk,
                rows=data["rows"],
                errors=data["row_errors"],
                source=data["file"].name[:100],
            )
        except services.ImportRefused as refused:
            errors = refused.errors
            form.add_error(
                None,
                gettext("Nothing was imported: %(count)d problems in the file (below). Correct them and try again.")
                % {"count": len(errors)},
            )
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            return _done(request, model_admin, gettext("%(count)d records imported.") % {"count": count})
    return _page(
        request,
        model_admin,
        form=form,
        title=gettext("Import records of provision and receipt (CSV)"),
        submit=gettext("Import"),
        extra={
            "multipart": True,
            "import_errors": [(row, _column_label(column), message) for row, column, message in errors],
            "columns": consent_forms.RECORD_COLUMNS,
            "aliases": list(consent_forms.HEADER_ALIASES),
        },
    )


def _column_label(column: str) -> str:
    return column or gettext("(the row)")


# ------------------------------------------------------------------------------------------
# Exports: the list as filtered on screen
# ------------------------------------------------------------------------------------------
def export(request, model_admin):
    """Start the changelist's rows as filtered (same filters and search) as a CSV export job
    (``consents.exports``); filters the list does not understand are refused now."""
    opts = model_admin.model._meta
    if request.method != "POST":
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    query = request.GET.copy()
    query.pop(PAGE_VAR, None)
    try:
        consent_exports.changelist_queryset(model_admin, request.user, query.urlencode())
        now = timezone.localtime()
        # The title never repeats the search (it may be a person's name, and the title outlives the file).
        filtered = gettext(" (filtered)") if query else ""
        export = export_services.export_start(
            actor=request.user,
            kind=consent_exports.kind_for(model_admin.model),
            title=f"{opts.verbose_name_plural}{filtered} {now:%Y-%m-%d %H:%M}",
            params={"query": query.urlencode(), "file_stem": f"{opts.model_name}-{now:%Y%m%d-%H%M%S}"},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(
            f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{query.urlencode()}"
        )
    return export_views.started(request, export)


def record_row(record) -> list:
    person = record.data_subject
    consent = record.consent
    return [
        record.organization.code,
        record.direction,
        person.family_name,
        person.given_name,
        person.family_name_kana,
        person.given_name_kana,
        person.birth_date or "",
        person.member_id,
        person.email,
        record.counterparty,
        record.counterparty_address,
        record.items,
        record.provided_on,
        record.last_provided_on or "",
        record.basis,
        record.recorded_how,
        consent.given_on if consent is not None else "",
        consent.method if consent is not None else "",
        record.opt_out.recipient if record.opt_out_id else "",
        record.provider_obtained_how,
        1 if record.excluded_from_disclosure else 0,
        record.retention_end,
        record.created_on,
    ]


RECORD_HEADER = (*consent_forms.RECORD_COLUMNS, *consent_forms.EXPORT_ONLY_COLUMNS)

CONSENT_HEADER = (
    "organization",
    "family_name",
    "given_name",
    "birth_date",
    "member_id",
    "scope",
    "purpose",
    "recipient",
    "items",
    "given_on",
    "method",
    "evidence",
    "policy_version",
    "country",
    "withdrawn_on",
    "withdrawal_method",
    "withdrawn_by_case",
)


def consent_row(consent: Consent) -> list:
    person = consent.data_subject
    return [
        consent.organization.code,
        person.family_name,
        person.given_name,
        person.birth_date or "",
        person.member_id,
        consent.scope,
        consent.purpose.text if consent.purpose_id else "",
        consent.recipient,
        consent.items,
        consent.given_on,
        consent.method,
        consent.evidence,
        consent.policy_version,
        consent.country,
        consent.withdrawn_on or "",
        consent.withdrawal_method,
        consent.withdrawn_by_case.reference if consent.withdrawn_by_case_id else "",
    ]
