"""Reads, scoped to what the actor may see (SPEC §15). Query shape is decided here, once."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from requests_app.models import DeskPolicy, FulfilmentTask, Letter, Organization, ReminderLog, Request, Response


def organization_ids_for(user) -> frozenset[int]:
    """Organizations whose cases ``user`` may see: all for superusers, else those granted.

    Cached on the user object for the length of a request or task.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_privacyops_org_ids", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Organization.objects.values_list("pk", flat=True))
        else:
            cached = frozenset(user.organizations.values_list("pk", flat=True))
        user._privacyops_org_ids = cached
    return cached


def organization_list(*, actor) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=organization_ids_for(actor))


def request_list(*, actor) -> QuerySet[Request]:
    """Cases the actor may see, with what every list shows joined or prefetched."""
    return (
        Request.objects.filter(organization_id__in=organization_ids_for(actor))
        .select_related("organization", "data_subject", "agent", "assignee", "policy")
        .prefetch_related("items", Prefetch("organization__closed_days"))
    )


def request_header(*, actor, pk) -> Request:
    """One case with only what its header shows (history and similar pages)."""
    return (
        Request.objects.filter(organization_id__in=organization_ids_for(actor))
        .select_related("organization", "data_subject", "agent")
        .prefetch_related("items")
        .get(pk=pk)
    )


def request_get(*, actor, pk) -> Request:
    """One case with everything its page shows; ``Request.DoesNotExist`` outside the actor's scope."""
    return (
        Request.objects.filter(organization_id__in=organization_ids_for(actor))
        .select_related("organization", "policy", "data_subject", "agent", "assignee", "created_by")
        .prefetch_related(
            "organization__closed_days",
            "policy__agent_proof_rules",
            "items__decision__decided_by",
            "documents__recorded_by",
            "documents__disposed_by",
            "payments__recorded_by",
            "pauses",
            "verifications__verified_by",
            "approvals__approver",
            Prefetch("letters", queryset=Letter.objects.select_related("created_by")),
            Prefetch("responses", queryset=Response.objects.select_related("sent_by", "letter")),
            Prefetch("tasks", queryset=FulfilmentTask.objects.select_related("system", "done_by", "item")),
            Prefetch(
                "reminders",
                queryset=ReminderLog.objects.select_related("recipient").order_by("-day", "-id"),
                to_attr="reminder_log",
            ),
        )
        .get(pk=pk)
    )


def policy_in_force(organization: Organization, on: dt.date | None = None) -> DeskPolicy | None:
    """The organization's desk policy in force on ``on`` (today by default)."""
    on = on or timezone.localdate()
    return organization.policies.filter(effective_from__lte=on).order_by("-effective_from").first()


def assignable_staff(*, actor, organization: Organization | None = None) -> QuerySet:
    """Active staff who may work cases of ``organization`` (or of any organization ``actor`` sees)."""
    org_ids = [organization.pk] if organization is not None else list(organization_ids_for(actor))
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(organizations__in=org_ids))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def case_history(case: Request) -> list:
    """The case's whole story, newest first: the request and everything recorded on it, with diffs."""
    from privacyops.history import build_timeline
    from requests_app.models import (
        Agent,
        Approval,
        DataSubject,
        Decision,
        FulfilmentTask,
        IdentityDocument,
        Pause,
        Payment,
        RequestItem,
        Verification,
    )

    item_kinds = {item.pk: item.get_kind_display() for item in case.items.all()}

    def on_case(model):
        return model.history.filter(request_id=case.pk).select_related("history_user")

    sources = [
        (
            Request._meta.verbose_name,
            Request.history.filter(id=case.pk).select_related("history_user"),
            lambda row: row.reference,
        ),
        (RequestItem._meta.verbose_name, on_case(RequestItem), lambda row: row.get_kind_display()),
        (
            IdentityDocument._meta.verbose_name,
            on_case(IdentityDocument),
            lambda row: f"{row.get_kind_display()} / {row.get_holder_display()}",
        ),
        (Payment._meta.verbose_name, on_case(Payment), lambda row: f"{row.amount:,}"),
        (Pause._meta.verbose_name, on_case(Pause), lambda row: row.get_kind_display()),
        (Verification._meta.verbose_name, on_case(Verification), lambda row: row.get_outcome_display()),
        (Decision._meta.verbose_name, on_case(Decision), lambda row: item_kinds.get(row.item_id, f"#{row.item_id}")),
        (Approval._meta.verbose_name, on_case(Approval), lambda row: row.get_outcome_display()),
        (Letter._meta.verbose_name, on_case(Letter), lambda row: row.get_kind_display()),
        (Response._meta.verbose_name, on_case(Response), lambda row: row.get_method_display()),
        (
            FulfilmentTask._meta.verbose_name,
            on_case(FulfilmentTask),
            lambda row: item_kinds.get(row.item_id, f"#{row.item_id}"),
        ),
        (
            DataSubject._meta.verbose_name,
            DataSubject.history.filter(id=case.data_subject_id).select_related("history_user"),
            lambda row: str(row),
        ),
    ]
    if case.agent_id:
        sources.append(
            (
                Agent._meta.verbose_name,
                Agent.history.filter(id=case.agent_id).select_related("history_user"),
                lambda row: str(row),
            )
        )
    return build_timeline(sources)
