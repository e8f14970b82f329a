"""The records an audit asks for (issue 15): the request ledger (受付台帳) as a page, and as CSV,
Excel workbook and A4 PDF made by export jobs (issue 16); the statistics for the management review
as a page and A4 PDF.

Thin adapters like ``views``: every desk role that may read cases may read them, scoped to the
user's organizations (``reports`` reads through the selectors' scope). The ledger names cases, so
its page and each of its files is written to the access log; the statistics hold no case.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind
from privacyops.db import reads_from_replica
from privacyops.exports import services as export_services
from privacyops.exports import views as export_views
from requests_app import exports, reports
from requests_app import letters as desk_letters
from requests_app.forms import ReportPeriodForm
from requests_app.models import (
    AgentType,
    Channel,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintTopic,
    ItemKind,
    Outcome,
    Status,
)
from requests_app.views import admin_context

VIEW_PERMISSION = "requests_app.view_request"
LEDGER_PAGE_ROWS = 100


def _period_form(request, *, all_organizations: bool) -> ReportPeriodForm:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    form = ReportPeriodForm(request.GET, actor=request.user, all_organizations=all_organizations)
    if not request.GET and not form.is_valid():
        # The first visit (nothing chosen yet) asks for the organization without calling it an error.
        form = ReportPeriodForm(None, actor=request.user, all_organizations=all_organizations)
    return form


def _query_without_format(request) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    return query.urlencode()


_period_text = exports.period_text


# ------------------------------------------------------------------------------------------
# The request ledger
# ------------------------------------------------------------------------------------------
@reads_from_replica
def ledger(request, model_admin):
    """The ledger of one organization for a period: a page of 100 rows; its files (CSV, Excel, A4
    PDF) are asked for with a POST (``format``) and made as export jobs (``requests_app.exports``)."""
    form = _period_form(request, all_organizations=False)
    output = request.POST.get("format", "") if request.method == "POST" else ""
    context = admin_context(
        model_admin,
        request,
        title=gettext("Request ledger"),
        form=form,
        columns=reports.LEDGER_COLUMNS,
        file_jobs=[
            (gettext("Export as CSV"), "csv"),
            (gettext("Export as Excel"), "xlsx"),
            (gettext("Export as PDF (A4)"), "pdf"),
        ],
        query=_query_without_format(request),
    )
    if request.method == "POST" and output not in exports.LEDGER_FORMATS:
        form.add_error(None, gettext("Unknown file format."))
    if not form.is_valid():
        return TemplateResponse(
            request, "admin/requests_app/request/ledger.html", context, status=400 if request.GET else 200
        )
    organization, first, last = (form.cleaned_data[k] for k in ("organization", "first", "last"))
    cases = reports.ledger_cases(actor=request.user, organization=organization, first=first, last=last)
    if output:
        return _start_ledger_file(request, output, organization, first, last, cases)
    log_access(request, AccessKind.LEDGER, organization=organization)
    page = Paginator(cases, LEDGER_PAGE_ROWS).get_page(request.GET.get("page"))
    context.update(
        organization=organization,
        period=_period_text(first, last),
        page=page,
        rows=list(reports.ledger_rows(page.object_list)),
    )
    return TemplateResponse(request, "admin/requests_app/request/ledger.html", context)


def _start_ledger_file(request, output: str, organization, first, last, cases) -> HttpResponse:
    """Ask for the ledger's file as an export job; a PDF or workbook over its row limit is refused
    now, with the count (the job would refuse it too)."""
    try:
        exports.check_ledger_size(cases.count() if output in exports.LEDGER_LIMITS else 0, output)
        export = export_services.export_start(
            actor=request.user,
            kind=exports.LEDGER_FORMATS[output],
            title=gettext("%(what)s (%(format)s)")
            % {
                "what": f"{gettext('Request ledger')} {organization.name} {_period_text(first, last)}",
                "format": exports.FORMAT_NAMES[output],
            },
            params=exports.ledger_params(first, last, organization),
            organization=organization,
            scope={organization.pk},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(f"{request.path}?{_query_without_format(request)}")
    return export_views.started(request, export)


def _pdf(request, template: str, context: dict, filename: str, *, on_made=None) -> HttpResponse:
    """``template`` rendered with ``context`` (and who made it, when, in which language) as an
    A4 PDF download; where PDF cannot be made here, back to the page with the reason.
    ``on_made()`` runs once the file exists (the access log)."""
    html = render_to_string(
        template,
        {
            **context,
            **reports.print_context(request.user),
        },
    )
    try:
        pdf = desk_letters.pdf_from_html(html)
    except desk_letters.PdfUnavailable as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(f"{request.path}?{_query_without_format(request)}")
    if on_made is not None:
        on_made()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ------------------------------------------------------------------------------------------
# The statistics for the management review
# ------------------------------------------------------------------------------------------
@reads_from_replica
def statistics(request, model_admin):
    """The figures of a period for every organization the user sees (or one), with charts; the
    same as an A4 PDF with ``?format=pdf``."""
    form = _period_form(request, all_organizations=True)
    output = request.GET.get("format", "")
    context = admin_context(
        model_admin,
        request,
        title=gettext("Statistics for the management review"),
        form=form,
        file_links=[(gettext("PDF (A4)"), "pdf")],
        query=_query_without_format(request),
    )
    if output not in ("", "pdf"):
        form.add_error(None, gettext("Unknown file format."))
    if not form.is_valid():
        return TemplateResponse(
            request, "admin/requests_app/request/statistics.html", context, status=400 if request.GET else 200
        )
    organization, first, last = (form.cleaned_data[k] for k in ("organization", "first", "last"))
    stats = reports.statistics(actor=request.user, first=first, last=last, organization=organization)
    context.update(_statistics_context(stats, organization))
    if output == "pdf":
        scope = organization.code if organization is not None else "all"
        return _pdf(
            request, "records/statistics_print.html", context, f"statistics-{scope}-{first:%Y%m%d}-{last:%Y%m%d}.pdf"
        )
    return TemplateResponse(request, "admin/requests_app/request/statistics.html", context)


def _statistics_context(stats: reports.Statistics, organization) -> dict:
    """Labels, tables and charts of the figures, in the active language."""

    def labelled(choices, counts: dict) -> list[tuple[str, int]]:
        labels = dict(choices)
        return [(str(labels.get(key, key)), n) for key, n in counts.items()]

    requesters = {reports.SELF: gettext("Self"), **dict(AgentType.choices)}
    outcome_labels = {"": gettext("Not decided yet"), **dict(Outcome.choices)}
    kinds = dict(ItemKind.choices)
    by_kind_outcome: dict[str, dict[str, int]] = {}
    for (kind, outcome), n in stats.items_by_outcome.items():
        by_kind_outcome.setdefault(kind, {})[outcome] = n
    outcome_keys = [o for o in ["", *Outcome] if any(o in row for row in by_kind_outcome.values())]
    outcome_table = [
        (kinds[kind], [row.get(o, 0) for o in outcome_keys], sum(row.values())) for kind, row in by_kind_outcome.items()
    ]
    by_kind = labelled(ItemKind.choices, stats.items_by_kind)
    by_channel = labelled(Channel.choices, stats.by_channel)
    by_requester = [(str(requesters[k]), n) for k, n in stats.by_requester.items()]
    by_status = labelled(Status.choices, stats.by_status)
    outcomes = [
        (str(outcome_labels[o]), n) for o, n in sorted(stats.outcomes.items(), key=lambda kv: outcome_keys.index(kv[0]))
    ]
    complaint_outcomes = [*ComplaintOutcome, reports.OPEN]
    outcome_names = {**dict(ComplaintOutcome.choices), reports.OPEN: gettext("Still open")}
    counts = stats.complaints["by_kind_outcome"]
    complaints = {
        "columns": [str(outcome_names[o]) for o in complaint_outcomes],
        "rows": [
            (
                kind.label,
                [counts.get((kind, o), 0) for o in complaint_outcomes],
                sum(counts.get((kind, o), 0) for o in complaint_outcomes),
            )
            for kind in ComplaintKind
        ],
        "topics": labelled(ComplaintTopic.choices, stats.complaints["by_topic"]),
    }
    return {
        "complaints": complaints,
        "stats": stats,
        "organization": organization,
        "period": _period_text(stats.first, stats.last),
        "by_kind": by_kind,
        "by_channel": by_channel,
        "by_requester": by_requester,
        "by_status": by_status,
        "tables": [
            (gettext("Requests by status"), by_status, "by-status"),
            (gettext("Requests by channel"), by_channel, "by-channel"),
            (gettext("Requests by requester"), by_requester, "by-requester"),
            (gettext("Requests by organization"), [(o.name, n) for o, n in stats.organizations], "by-organization"),
            (gettext("Items by kind"), by_kind, "by-kind"),
        ],
        "outcome_columns": [str(outcome_labels[o]) for o in outcome_keys],
        "outcome_table": outcome_table,
        "outcomes": outcomes,
        "charts": [
            (gettext("Items by kind"), reports.bar_chart(by_kind)),
            (gettext("Decisions by outcome (items)"), reports.bar_chart(outcomes)),
            (gettext("Requests by channel"), reports.bar_chart(by_channel)),
            (gettext("Requests by requester"), reports.bar_chart(by_requester)),
        ],
        "days_chart": reports.bar_chart(
            [(gettext("%(days)s business days") % {"days": d}, n) for d, n in stats.days_to_answer.items()],
            label_width=110,
            single_colour=True,
        ),
    }
