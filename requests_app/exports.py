"""The desk's long files as export jobs (issue 16), made in a worker as the user who asked:

- the request ledger as CSV, Excel workbook or A4 PDF (``ledger_csv``, ``ledger_xlsx``,
  ``ledger_pdf``; params: organization, first and last day of arrival);
- the letters of chosen cases as one PDF (``letters``; params: letter ids).

Registered with ``privacyops.exports`` by ``apps.RequestsAppConfig.ready``. Each download goes to
the access log: the ledger as a ledger export of its organization, letters once per case.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import tempfile

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind
from privacyops.csv_safe import csv_lines
from privacyops.exports import registry
from requests_app import letters as desk_letters
from requests_app import reports
from requests_app.models import Letter, Request
from requests_app.selectors import organization_ids_for

VIEW_PERMISSION = "requests_app.view_request"
LEDGER_FORMATS = {"csv": "ledger_csv", "xlsx": "ledger_xlsx", "pdf": "ledger_pdf"}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "pdf": "PDF"}
LETTERS = "letters"
# A PDF or a workbook is one document held whole while it is made: beyond these the desk narrows
# the period (or takes the CSV, which has no limit).
LEDGER_LIMITS = {"pdf": 2000, "xlsx": 20000}


def period_text(first: dt.date, last: dt.date) -> str:
    return gettext("%(first)s to %(last)s") % {"first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}"}


def ledger_params(first: dt.date, last: dt.date, organization) -> dict:
    def day(d: dt.date) -> str:
        return d.isoformat().replace("-", "")  # zero-padded whatever the year

    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "file_stem": f"ledger-{organization.code}-{day(first)}-{day(last)}",
    }


def _ledger_cases(export):
    first, last = (dt.date.fromisoformat(export.params[k]) for k in ("first", "last"))
    cases = reports.ledger_cases(actor=export.created_by, organization=export.organization, first=first, last=last)
    return cases, first, last


def _counted(rows, progress):
    for done, row in enumerate(rows, start=1):
        progress(done)
        yield row


def _made_by(export) -> str:
    return reports.print_context(export.created_by)["made_by"]


def build_ledger_csv(export, progress):
    """The ledger's rows as CSV (BOM, formula-safe), read in chunks."""
    cases, _first, _last = _ledger_cases(export)
    progress(0, cases.count())
    header = [str(label) for _key, label in reports.LEDGER_COLUMNS]
    rows = reports.ledger_table(_counted(reports.ledger_rows(cases), progress))
    yield from registry.encoded(csv_lines(header, rows))


# Characters an .xlsx cannot hold (XML 1.0 control characters).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text_cell(sheet, value, font=None, wrap: bool = False):
    cell = WriteOnlyCell(sheet, _XML_ILLEGAL.sub("", str(value)))
    cell.data_type = "s"  # text as typed, never a formula
    if font is not None:
        cell.font = font
    if wrap:
        cell.alignment = WRAP
    return cell


# Column widths (characters) of the workbook; the decisions (one line per item) wrap.
WIDTHS = {
    "reference": 13,
    "status": 12,
    "assignee": 12,
    "kinds": 24,
    "verification": 10,
    "decisions": 48,
    "approval": 22,
    "response_methods": 16,
    "met": 12,
    **dict.fromkeys(reports.DATE_COLUMNS, 11),
    **dict.fromkeys(reports.YEN_COLUMNS, 10),
}
WRAPPED = frozenset({"decisions", "approval", "kinds"})
WRAP = Alignment(wrap_text=True, vertical="top")


def check_ledger_size(count: int, output: str) -> None:
    """``ValidationError`` saying the count when a ledger of ``count`` rows is too long for
    ``output`` (``LEDGER_LIMITS``: a PDF or a workbook is held whole while it is made; a CSV has
    no limit). Checked when the file is asked for and again when it is made."""
    limit = LEDGER_LIMITS.get(output)
    if limit is not None and count > limit:
        raise ValidationError(
            gettext(
                "The period holds %(count)s requests: a %(format)s file is made for at most %(limit)s. "
                "Narrow the period or download the CSV."
            )
            % {"count": f"{count:,}", "format": output.upper(), "limit": f"{limit:,}"}
        )


def _within_limit(cases, output: str, progress) -> int:
    count = cases.count()
    progress(0, count)
    check_ledger_size(count, output)
    return count


def build_ledger_xlsx(export, progress):
    """The ledger as an Excel workbook: one sheet of rows (dates as dates, yen as numbers, text
    always stored as text — a cell that starts with "=" is never a formula), one sheet saying
    what it is (organization, period, made at, by whom). At most 20,000 rows."""
    with _private_temporary_files():
        yield from _ledger_workbook(export, progress)


def _ledger_workbook(export, progress):
    cases, first, last = _ledger_cases(export)
    _within_limit(cases, "xlsx", progress)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("Request ledger")[:31])
    sheet.freeze_panes = "B2"
    for index, (key, _label) in enumerate(reports.LEDGER_COLUMNS, start=1):  # readable as opened
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(key, 14)
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, label, font=bold) for _key, label in reports.LEDGER_COLUMNS])
    count = 0
    try:
        for row in _counted(reports.ledger_rows(cases), progress):
            sheet.append(_ledger_cells(sheet, row))
            count += 1
    except BaseException:
        sheet.close()  # its temporary file finished and closed while its folder still exists
        raise
    # A filter button on every column header, over the rows written.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(reports.LEDGER_COLUMNS))}{count + 1}"
    about = workbook.create_sheet(gettext("About this file")[:31])
    for label, value in (
        (gettext("organization"), export.organization.name),
        (gettext("period"), period_text(first, last)),
        (gettext("made at"), f"{timezone.localtime():%Y-%m-%d %H:%M} (Asia/Tokyo)"),
        (gettext("made by"), _made_by(export)),
    ):
        about.append([_text_cell(about, label, font=bold), _text_cell(about, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    yield buffer.getvalue()


def _ledger_cells(sheet, row: dict) -> list:
    """One ledger row as cells: dates as dates, yen as numbers, everything else as text."""
    cells = []
    for key, _label in reports.LEDGER_COLUMNS:
        value = row[key]
        if value is None or value == "":
            cells.append(None)
        elif key in reports.DATE_COLUMNS:
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        elif key in reports.YEN_COLUMNS:
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = "#,##0"
            cells.append(cell)
        else:
            cells.append(_text_cell(sheet, value, wrap=key in WRAPPED))
    return cells


@contextlib.contextmanager
def _private_temporary_files():
    """openpyxl's write-only sheets keep their rows in temporary files until saved: put them in a
    folder of this job's own (owner-only), removed whatever happens, never left in /tmp."""
    with tempfile.TemporaryDirectory(prefix="po-export-") as folder:
        before, tempfile.tempdir = tempfile.tempdir, folder
        try:
            yield
        finally:
            tempfile.tempdir = before


def build_ledger_pdf(export, progress):
    """The ledger as an A4 landscape PDF (header repeated on every page). At most 2,000 rows."""
    cases, first, last = _ledger_cases(export)
    _within_limit(cases, "pdf", progress)
    html = render_to_string(
        "records/ledger_print.html",
        {
            "organization": export.organization,
            "period": period_text(first, last),
            "columns": reports.LEDGER_COLUMNS,
            "rows": list(_counted(reports.ledger_rows(cases), progress)),
            **reports.print_context(export.created_by),
        },
    )
    yield desk_letters.pdf_from_html(html)


def log_ledger(request, export) -> None:
    log_access(request, AccessKind.LEDGER_EXPORT, organization=export.organization)


def _letters(export) -> list[Letter]:
    """The chosen letters the user may still read (their organizations), in case order."""
    return list(
        Letter.objects.filter(
            pk__in=export.params.get("letters", []),
            request__organization_id__in=organization_ids_for(export.created_by),
        )
        .select_related("request__organization", "request__data_subject", "request__agent", "request__policy")
        .order_by("request__reference", "pk")
    )


def build_letters(export, progress):
    """The chosen letters as one PDF, each on its own pages, fonts embedded once."""
    letters = _letters(export)
    if not letters:
        raise ValidationError(gettext("None of the chosen letters can be read any more."))
    progress(0, len(letters))
    pdf = desk_letters.render_pdf_many(letters)
    progress(len(letters))
    yield pdf


def log_letters(request, export) -> None:
    """One access-log row per case whose letters are in the file (the cases chosen when it was
    asked for, not re-read through today's scope: the file holds what it holds)."""
    for case in Request.objects.filter(pk__in=export.params.get("cases", [])).select_related("organization"):
        log_access(request, AccessKind.LETTER, case=case)


def register() -> None:
    for key, label, build, content_type, extension in (
        ("ledger_csv", gettext_lazy("Request ledger (CSV)"), build_ledger_csv, "text/csv; charset=utf-8", "csv"),
        (
            "ledger_xlsx",
            gettext_lazy("Request ledger (Excel)"),
            build_ledger_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ("ledger_pdf", gettext_lazy("Request ledger (PDF)"), build_ledger_pdf, "application/pdf", "pdf"),
    ):
        registry.register(
            registry.Kind(
                key=key,
                label=label,
                permission=VIEW_PERMISSION,
                build=build,
                content_type=content_type,
                extension=extension,
                log=log_ledger,
            )
        )
    registry.register(
        registry.Kind(
            key=LETTERS,
            label=gettext_lazy("Letters (one PDF)"),
            permission=VIEW_PERMISSION,
            build=build_letters,
            content_type="application/pdf",
            extension="pdf",
            log=log_letters,
        )
    )
