"""The consents and records lists as CSV export jobs (issue 16): the list as filtered on screen
(same filters and search), every row, made in a worker as the user who asked.

One export kind per list that has an export (``consents_<model>``), registered by ``apps.ready``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.messages.storage.base import BaseStorage, Message
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind
from privacyops.csv_safe import csv_lines
from privacyops.exports import registry


def kind_for(model) -> str:
    return f"consents_{model._meta.model_name}"


def changelist_queryset(model_admin, user, query: str):
    """The rows of ``model_admin``'s list for ``user`` filtered by ``query`` (the list page's
    query string, without its page number), as the list page itself filters them. Raises
    ``ValidationError`` for filters the list does not understand."""
    opts = model_admin.model._meta
    request = RequestFactory().get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), QUERY_STRING=query)
    request.user = user
    request._messages = _Collected(request)  # what the list would say on its page
    request.GET = request.GET.copy()
    request.GET.pop(PAGE_VAR, None)  # the whole list as filtered, not the page the link was taken on
    try:
        changelist = model_admin.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
    except IncorrectLookupParameters:
        raise ValidationError(gettext("The list's filters were not understood: nothing was exported.")) from None
    refused = [str(message) for message in request._messages.collected if message.level >= messages.WARNING]
    if refused:  # a filter the list refused (its page shows the message): no file of another list
        raise ValidationError([*refused, gettext("Nothing was exported.")])
    return queryset


class _Collected(BaseStorage):
    """Messages of a list built outside a page (the export job), kept to be said as the reason."""

    def __init__(self, request):
        super().__init__(request)
        self.collected = []

    def add(self, level, message, extra_tags=""):
        self.collected.append(Message(level, message, extra_tags))

    def _get(self, *args, **kwargs):
        return [], True

    def _store(self, messages, response, *args, **kwargs):
        return []


def _builder(model):
    def build(export, progress):
        """The list's rows, one CSV line each; formula cells neutralised (``privacyops.csv_safe``)."""
        model_admin = admin.site._registry[model]
        queryset = changelist_queryset(model_admin, export.created_by, export.params.get("query", ""))
        queryset = queryset.select_related("data_subject", *model_admin.export_related).order_by("pk")
        progress(0, queryset.count())
        row = type(model_admin).export_row

        def rows():
            for done, obj in enumerate(queryset.iterator(chunk_size=2000), start=1):
                progress(done)
                yield row(obj)

        yield from registry.encoded(csv_lines(model_admin.export_header, rows()))

    return build


def log(request, export) -> None:
    log_access(request, AccessKind.RECORDS_EXPORT)


def register() -> None:
    for model, model_admin in admin.site._registry.items():
        if getattr(model_admin, "export_row", None) is None:
            continue
        registry.register(
            registry.Kind(
                key=kind_for(model),
                label=gettext_lazy("%(list)s (CSV)") % {"list": model._meta.verbose_name_plural},
                permission=f"{model._meta.app_label}.view_{model._meta.model_name}",
                build=_builder(model),
                content_type="text/csv; charset=utf-8",
                extension="csv",
                log=log,
            )
        )
