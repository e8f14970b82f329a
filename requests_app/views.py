"""Desk screens inside the admin: intake, the case page, case actions, the case history.

Thin adapters: they check the permission, fetch through selectors (scoped to the user's
organizations: another organization's case is a 404), parse a form, call one service and render.
A refused operation shows its message with the form as the user filled it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacyops.access import log_access
from privacyops.models import AccessKind
from requests_app import forms as desk_forms
from requests_app import letters as desk_letters
from requests_app import selectors, services
from requests_app.deadlines import BusinessCalendar
from requests_app.models import (
    TRANSITIONS,
    FulfilmentTask,
    Letter,
    LetterKind,
    Request,
    RequestItem,
    Response,
    Status,
    TaskStatus,
)

CHANGE = "requests_app.change_request"
APPROVE = "requests_app.approve_decision"
HISTORY = "requests_app.view_historicalrequest"
# Where documents, fees and questions to the requester may still be recorded.
RECORDING_STATUSES = frozenset({Status.RECEIVED, Status.VERIFYING, Status.AWAITING_REQUESTER, Status.IN_PROGRESS})


# ------------------------------------------------------------------------------------------
# Case actions: one declaration per operation, shown as buttons from the status pipeline
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseAction:
    slug: str
    label: str
    form_class: type
    run: Callable
    available: Callable[[Request], bool]
    done: str
    permission: str = CHANGE
    style: str = ""
    target: str | None = None  # "item", "letter", "task" or "response": chosen by ?<target>=<id>
    passes_form: bool = False  # ``run`` gets the form (for its service_kwargs) instead of the target
    help: str = ""
    extra_form_kwargs: Callable = field(default=lambda case, item: {})


TARGETS = {"item": "items", "letter": "letters", "task": "tasks", "response": "responses"}


def target_label(target) -> str:
    if isinstance(target, RequestItem):
        return target.get_kind_display()
    if isinstance(target, Letter):
        return target.get_kind_display()
    if isinstance(target, FulfilmentTask):
        system = target.system.name if target.system else gettext("(no system registered)")
        return f"{target.item.get_kind_display()} / {system}"
    if isinstance(target, Response):
        return f"{target.letter.get_kind_display()} / {target.get_method_display()}"
    return str(target)


def _can_move(to_status):
    return lambda case: to_status in TRANSITIONS[case.status]


def _fee_short(case):
    return services.fee_status(case).shortfall > 0


ACTIONS: dict[str, CaseAction] = {
    action.slug: action
    for action in [
        CaseAction(
            slug="start-verification",
            label=_("Start verification"),
            form_class=desk_forms.NoteForm,
            run=lambda actor, case, data, item: services.request_start_verification(
                actor=actor, case=case, expected_version=data["version"]
            ),
            available=lambda case: case.status == Status.RECEIVED,
            done=_("Verification started."),
            style="primary",
        ),
        CaseAction(
            slug="verify",
            label=_("Record verification outcome"),
            form_class=desk_forms.VerifyForm,
            run=lambda actor, case, data, item: services.request_verify(
                actor=actor,
                case=case,
                expected_version=data["version"],
                outcome=data["outcome"],
                name_matches=data["name_matches"],
                address_matches=data["address_matches"],
                intent_confirmed_on=data["intent_confirmed_on"],
                note=data["note"],
                on=data["on"],
            ),
            available=lambda case: case.status == Status.VERIFYING,
            done=_("Verification outcome recorded."),
            style="primary",
        ),
        CaseAction(
            slug="record-document",
            label=_("Record a document received"),
            form_class=desk_forms.DocumentForm,
            run=lambda actor, case, data, item: services.document_record(
                actor=actor,
                case=case,
                expected_version=data.pop("version"),
                **{k: v for k, v in data.items() if k in desk_forms.DocumentFields.base_fields},
            ),
            available=lambda case: case.status in RECORDING_STATUSES,
            done=_("Document recorded."),
            extra_form_kwargs=lambda case, item: {"case": case},
        ),
        CaseAction(
            slug="dispose-documents",
            label=_("Record disposal of copies"),
            form_class=desk_forms.DisposeForm,
            run=lambda actor, case, data, item: services.document_dispose(
                actor=actor,
                case=case,
                expected_version=data["version"],
                documents=data["documents"],
                disposed_on=data["disposed_on"],
                method=data["method"],
            ),
            available=lambda case: any(d.disposed_on is None for d in case.documents.all()),
            done=_("Disposal recorded."),
            extra_form_kwargs=lambda case, item: {"case": case},
        ),
        CaseAction(
            slug="record-payment",
            label=_("Record a fee payment"),
            form_class=desk_forms.PaymentForm,
            run=lambda actor, case, data, item: services.payment_record(
                actor=actor,
                case=case,
                expected_version=data["version"],
                amount=data["amount"],
                method=data["method"],
                received_on=data["received_on"],
                note=data["note"],
            ),
            available=lambda case: _fee_short(case) and case.status in RECORDING_STATUSES | {Status.AWAITING_APPROVAL},
            done=_("Payment recorded."),
            extra_form_kwargs=lambda case, item: {"case": case},
        ),
        CaseAction(
            slug="pause",
            label=_("Ask the requester (pause the clock)"),
            form_class=desk_forms.PauseForm,
            run=lambda actor, case, data, item: services.request_pause(
                actor=actor,
                case=case,
                expected_version=data["version"],
                kind=data["kind"],
                note=data["note"],
                on=data["on"],
            ),
            available=_can_move(Status.AWAITING_REQUESTER),
            done=_("The case now waits for the requester; the clock is stopped."),
        ),
        CaseAction(
            slug="resume",
            label=_("Requester answered (restart the clock)"),
            form_class=desk_forms.ResumeForm,
            run=lambda actor, case, data, item: services.request_resume(
                actor=actor, case=case, expected_version=data["version"], on=data["on"], note=data["note"]
            ),
            available=lambda case: case.status == Status.AWAITING_REQUESTER,
            done=_("The requester's answer is recorded; the clock runs again."),
            style="primary",
        ),
        CaseAction(
            slug="decide",
            label=_("Decide"),
            form_class=desk_forms.DecideForm,
            run=lambda actor, case, data, item: services.item_decide(
                actor=actor, item=item, expected_version=data.pop("version"), **data
            ),
            available=lambda case: case.status == Status.IN_PROGRESS,
            done=_("Decision recorded."),
            target="item",
            extra_form_kwargs=lambda case, item: {"item": item},
        ),
        CaseAction(
            slug="submit-decisions",
            label=_("Submit decisions"),
            form_class=desk_forms.NoteForm,
            run=lambda actor, case, data, item: services.request_submit_decisions(
                actor=actor, case=case, expected_version=data["version"], note=data["note"]
            ),
            available=lambda case: case.status == Status.IN_PROGRESS,
            done=_("Decisions submitted."),
            style="primary",
            help=_("Refusals, partial answers and alternative measures go to a manager for approval."),
        ),
        CaseAction(
            slug="approve",
            label=_("Approve"),
            form_class=desk_forms.CommentForm,
            run=lambda actor, case, data, item: services.decision_approve(
                actor=actor, case=case, expected_version=data["version"], comment=data["comment"]
            ),
            available=lambda case: case.status == Status.AWAITING_APPROVAL,
            done=_("Approved: the response can be prepared."),
            permission=APPROVE,
            style="primary",
        ),
        CaseAction(
            slug="return",
            label=_("Return for rework"),
            form_class=desk_forms.RequiredCommentForm,
            run=lambda actor, case, data, item: services.decision_return(
                actor=actor, case=case, expected_version=data["version"], comment=data["comment"]
            ),
            available=lambda case: case.status == Status.AWAITING_APPROVAL,
            done=_("Returned to the desk."),
            permission=APPROVE,
        ),
        CaseAction(
            slug="draft-letter",
            label=_("Draft a letter"),
            form_class=desk_forms.DraftLetterForm,
            run=lambda actor, case, data, target: services.letter_draft(
                actor=actor, case=case, expected_version=data["version"], kind=data["kind"], language=data["language"]
            ),
            available=lambda case: bool(desk_forms.letter_kinds_for(case)),
            done=_("Letter drafted: check it, then send it."),
            extra_form_kwargs=lambda case, target: {"case": case},
        ),
        CaseAction(
            slug="edit-letter",
            label=_("Edit the letter"),
            form_class=desk_forms.LetterEditForm,
            run=lambda actor, case, data, letter: services.letter_update(
                actor=actor,
                letter=letter,
                expected_version=data["version"],
                letter_date=data["letter_date"],
                addressee=data["addressee"],
                sender=data["sender"],
                title=data["title"],
                body=data["body"],
            ),
            available=lambda case: any(not letter.is_sent for letter in case.letters.all()),
            done=_("Letter saved."),
            target="letter",
            extra_form_kwargs=lambda case, letter: {"letter": letter},
        ),
        CaseAction(
            slug="send-letter",
            label=_("Send the letter"),
            form_class=desk_forms.SendLetterForm,
            run=lambda actor, case, data, letter: services.response_send(
                actor=actor,
                letter=letter,
                expected_version=data["version"],
                method=data["method"],
                sent_on=data["sent_on"],
                email=data["email"],
                tracking_number=data["tracking_number"],
                attachments=data["attachments"],
            ),
            available=lambda case: any(not letter.is_sent for letter in case.letters.all()),
            done=_("The letter is recorded as sent."),
            target="letter",
            style="primary",
            help=_("E-mail is sent now with the letter as PDF; for post, record it once it is posted."),
            extra_form_kwargs=lambda case, letter: {"case": case, "letter": letter},
        ),
        CaseAction(
            slug="record-return",
            label=_("Record returned mail"),
            form_class=desk_forms.ReturnForm,
            run=lambda actor, case, data, response: services.response_record_return(
                actor=actor,
                response=response,
                expected_version=data["version"],
                returned_on=data["returned_on"],
                note=data["note"],
            ),
            available=lambda case: any(r.returned_on is None for r in case.responses.all()),
            done=_("Return recorded."),
            target="response",
        ),
        CaseAction(
            slug="complete-task",
            label=_("Mark the task done"),
            form_class=desk_forms.TaskDoneForm,
            run=lambda actor, case, data, task: services.task_complete(
                actor=actor, task=task, expected_version=data["version"], done_on=data["done_on"], note=data["note"]
            ),
            available=lambda case: any(t.status == TaskStatus.OPEN for t in case.tasks.all()),
            done=_("Task done."),
            target="task",
        ),
        CaseAction(
            slug="extend",
            label=_("Extend the deadline"),
            form_class=desk_forms.ExtendForm,
            run=lambda actor, case, data, target: services.request_extend(
                actor=actor, case=case, expected_version=data["version"], reason=data["reason"], on=data["on"]
            ),
            available=lambda case: (
                bool(case.policy.extension_limit)
                and case.extended_on is None
                and case.due_on is not None
                and case.status in services.LETTER_STATES[LetterKind.EXTENSION]
            ),
            done=_("Deadline extended; the notice is drafted — send it."),
        ),
        CaseAction(
            slug="close",
            label=_("Close the case"),
            form_class=desk_forms.NoteForm,
            run=lambda actor, case, data, target: services.request_close(
                actor=actor, case=case, expected_version=data["version"], note=data["note"]
            ),
            available=lambda case: case.status == Status.RESPONDED,
            done=_("The case is closed."),
            style="primary",
        ),
        CaseAction(
            slug="edit-people",
            label=_("Correct personal details"),
            form_class=desk_forms.PeopleForm,
            run=lambda actor, case, data, form: services.request_update_people(
                actor=actor, case=case, expected_version=data["version"], **form.service_kwargs()
            ),
            available=lambda case: case.is_open,
            done=_("Personal details corrected."),
            extra_form_kwargs=lambda case, item: {"case": case},
            passes_form=True,
        ),
        CaseAction(
            slug="withdraw",
            label=_("Withdrawn by the requester"),
            form_class=desk_forms.EndForm,
            run=lambda actor, case, data, item: services.request_withdraw(
                actor=actor, case=case, expected_version=data["version"], reason=data["reason"], on=data["on"]
            ),
            available=_can_move(Status.WITHDRAWN),
            done=_("The case is closed as withdrawn."),
            style="danger",
        ),
        CaseAction(
            slug="reject",
            label=_("Reject (not accepted)"),
            form_class=desk_forms.EndForm,
            run=lambda actor, case, data, item: services.request_reject(
                actor=actor, case=case, expected_version=data["version"], reason=data["reason"], on=data["on"]
            ),
            available=_can_move(Status.REJECTED),
            done=_("The case is closed as rejected."),
            style="danger",
            help=_("Verification failed, the fee was never paid, or the request is outside the desk's scope."),
        ),
    ]
}
# Buttons at the top of the case page (deciding is done per item, in the items table).
BUTTON_ORDER = [
    "start-verification",
    "verify",
    "resume",
    "submit-decisions",
    "approve",
    "return",
    "close",
    "draft-letter",
    "extend",
    "record-document",
    "record-payment",
    "dispose-documents",
    "pause",
    "edit-people",
    "withdraw",
    "reject",
]


def available_actions(user, case: Request) -> list[CaseAction]:
    actions = [ACTIONS[slug] for slug in BUTTON_ORDER]
    return [a for a in actions if user.has_perm(a.permission) and a.available(case)]


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
def _get_case(request, object_id, selector=selectors.request_get) -> Request:
    try:
        return selector(actor=request.user, pk=int(object_id))
    except (Request.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("No such case, or it belongs to an organization you cannot see.")) from None


def _case_url(case) -> str:
    return reverse("admin:requests_app_request_change", args=[case.pk])


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names (or at the top)."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _context(model_admin, request, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "app_label": model_admin.model._meta.app_label,
        **extra,
    }


@dataclass
class Clock:
    """What the case page says about the deadline."""

    due_on: dt.date | None
    days_left: int | None
    state: str  # "running", "paused", "not_started", "ended"
    counted: int
    limit: int
    unit: str
    internal_target: bool

    @property
    def overdue_by(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def clock_for(case: Request, today: dt.date | None = None) -> Clock:
    today = today or timezone.localdate()
    unit, limit = services.deadline_rule(case)
    periods = services.clock_periods(case)
    calendar = BusinessCalendar.for_organization(case.organization)
    counted = calendar.counted_days(periods, unit, until=today) if periods else 0
    if not case.is_open or case.status == Status.RESPONDED:
        state = "ended"
    elif case.status == Status.AWAITING_REQUESTER:
        state = "paused"
    elif not periods:
        state = "not_started"
    else:
        state = "running"
    days_left = calendar.business_days_between(today, case.due_on) if case.due_on else None
    return Clock(case.due_on, days_left, state, counted, limit, unit, case.policy.deadline_limit is None)


# ------------------------------------------------------------------------------------------
# Views
# ------------------------------------------------------------------------------------------
def intake(request, model_admin):
    """Register a request, keyed from the form as it reached us."""
    if not request.user.has_perm("requests_app.add_request"):
        raise PermissionDenied
    actor = request.user
    if request.method == "POST":
        form = desk_forms.IntakeForm(request.POST, actor=actor)
        documents = desk_forms.IntakeDocumentFormSet(request.POST, prefix="documents")
        if form.is_valid() and documents.is_valid():
            kwargs = form.service_kwargs()
            kwargs["documents"] = [d.service_kwargs() for d in documents.forms if d.cleaned_data.get("kind")]
            if kwargs["agent"] is None and any(d["holder"] == "agent" for d in kwargs["documents"]):
                form.add_error(None, gettext("A document is marked as the agent's, but no agent is given."))
            else:
                try:
                    case = services.request_register(actor=actor, **kwargs)
                except services.DuplicateSubmission as error:
                    messages.warning(request, str(error))
                    return HttpResponseRedirect(_case_url(error.request))
                except services.TransitionNotAllowed as error:
                    form.add_error(None, str(error))
                except ValidationError as error:
                    apply_validation_error(form, error)
                else:
                    messages.success(
                        request, gettext("Registered as case %(reference)s.") % {"reference": case.reference}
                    )
                    return HttpResponseRedirect(_case_url(case))
    else:
        form = desk_forms.IntakeForm(actor=actor)
        documents = desk_forms.IntakeDocumentFormSet(prefix="documents")
    return TemplateResponse(
        request,
        "admin/requests_app/request/intake.html",
        _context(
            model_admin,
            request,
            title=gettext("Register a request"),
            form=form,
            documents=documents,
            add=True,
        ),
    )


def case_detail(request, model_admin, object_id):
    """The case page: everything about one case, its actions, and the editable details."""
    if not request.user.has_perm("requests_app.view_request"):
        raise PermissionDenied
    case = _get_case(request, object_id)
    user = request.user
    can_change = user.has_perm(CHANGE) and case.is_open
    edit_form = None
    if can_change:
        initial = {
            "version": case.version,
            "assignee": case.assignee,
            "form_received_on": case.form_received_on,
            "preferred_response_method": case.preferred_response_method,
            "reply_to": case.reply_to,
            "notes": case.notes,
        }
        if request.method == "POST":
            edit_form = desk_forms.CaseEditForm(request.POST, actor=user, case=case)
            if edit_form.is_valid():
                data = dict(edit_form.cleaned_data)
                version = data.pop("version")
                try:
                    services.request_update(actor=user, case=case, expected_version=version, **data)
                except services.TransitionNotAllowed as error:
                    edit_form.add_error(None, str(error))
                except ValidationError as error:
                    apply_validation_error(edit_form, error)
                else:
                    messages.success(request, gettext("Case details saved."))
                    return HttpResponseRedirect(_case_url(case))
        else:
            edit_form = desk_forms.CaseEditForm(initial=initial, actor=user, case=case)
    elif request.method == "POST":
        raise PermissionDenied

    if request.method == "GET":
        log_access(request, AccessKind.CASE, case=case)
    items = list(case.items.all())
    show_identity = case.status in {Status.RECEIVED, Status.VERIFYING, Status.AWAITING_REQUESTER}
    context = _context(
        model_admin,
        request,
        title=gettext("Case %(reference)s") % {"reference": case.reference},
        case=case,
        original=case,
        items=items,
        fee=services.fee_status(case),
        clock=clock_for(case),
        identity_missing=services.identity_missing(case) if show_identity else [],
        actions=available_actions(user, case),
        can_decide=user.has_perm(CHANGE) and ACTIONS["decide"].available(case),
        edit_form=edit_form,
        can_view_history=user.has_perm(HISTORY),
        can_change=user.has_perm(CHANGE),
        close_blockers=services.close_blockers(case) if case.status == Status.RESPONDED else [],
        letter_states=services.LETTER_STATES,
        today=timezone.localdate(),
    )
    return TemplateResponse(request, "admin/requests_app/request/case.html", context)


def case_action(request, model_admin, object_id, slug):
    """One operation on the case: its form, then the service; refusals keep the input."""
    action = ACTIONS.get(slug)
    if action is None:
        raise Http404
    if not request.user.has_perm(action.permission):
        raise PermissionDenied
    case = _get_case(request, object_id)
    if not action.available(case):
        messages.error(
            request,
            gettext("“%(action)s” is not possible while the case is “%(status)s”.")
            % {"action": action.label, "status": case.get_status_display()},
        )
        return HttpResponseRedirect(_case_url(case))
    item = None
    if action.target:
        related = getattr(case, TARGETS[action.target])
        try:
            item = related.get(pk=int(request.GET.get(action.target, "")))
        except (ObjectDoesNotExist, ValueError):
            raise Http404 from None
    form_kwargs = action.extra_form_kwargs(case, item)
    if request.method == "GET":
        log_access(request, AccessKind.ACTION, case=case)  # the page shows the case's personal data
    if request.method == "POST":
        form = action.form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                action.run(request.user, case, dict(form.cleaned_data), form if action.passes_form else item)
            except services.TransitionNotAllowed as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, action.done)
                return HttpResponseRedirect(_case_url(case))
    else:
        form = action.form_class(initial={"version": case.version}, **form_kwargs)
    title = action.label if item is None else f"{action.label}: {target_label(item)}"
    return TemplateResponse(
        request,
        "admin/requests_app/request/action.html",
        _context(
            model_admin,
            request,
            title=title,
            case=case,
            original=case,
            item=item,
            action=action,
            form=form,
            fee=services.fee_status(case),
            identity_missing=services.identity_missing(case) if slug == "verify" else [],
        ),
    )


def case_history(request, model_admin, object_id):
    """Every change to the case and what is recorded on it: who, when, why, old → new."""
    if not request.user.has_perm(HISTORY):
        raise PermissionDenied
    case = _get_case(request, object_id, selectors.request_header)
    log_access(request, AccessKind.HISTORY, case=case)
    return TemplateResponse(
        request,
        "admin/requests_app/request/case_history.html",
        _context(
            model_admin,
            request,
            title=gettext("History of case %(reference)s") % {"reference": case.reference},
            case=case,
            original=case,
            entries=selectors.case_history(case),
        ),
    )


def _letter(request, object_id, letter_id) -> Letter:
    if not request.user.has_perm("requests_app.view_request"):
        raise PermissionDenied
    case = _get_case(request, object_id)
    try:
        letter = case.letters.select_related("request__organization").get(pk=int(letter_id))
    except (Letter.DoesNotExist, ValueError):
        raise Http404 from None
    log_access(request, AccessKind.LETTER, case=case)
    return letter


def letter_print(request, model_admin, object_id, letter_id):
    """The letter on A4, ready for the browser's print dialog."""
    letter = _letter(request, object_id, letter_id)
    pdf_url = reverse("admin:requests_app_request_letter_pdf", args=[letter.request_id, letter.pk])
    html = desk_letters.render_html(letter, pdf_url=pdf_url, back_url=_case_url(letter.request))
    return HttpResponse(html)


def letter_pdf(request, model_admin, object_id, letter_id):
    """The same letter as PDF (Japanese fonts embedded)."""
    letter = _letter(request, object_id, letter_id)
    try:
        pdf = desk_letters.render_pdf(letter)
    except desk_letters.PdfUnavailable as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(_case_url(letter.request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.request.reference}-{letter.kind}.pdf"'
    return response


def dashboard_context(request) -> dict:
    """The start page after login: my work by urgency; for managers and auditors, the desk's figures."""
    user = request.user
    if not user.has_perm("requests_app.view_request"):
        return {}
    today = timezone.localdate()
    context = {"dashboard": True, "work": selectors.dashboard_my_work(actor=user, today=today), "today": today}
    if user.has_perm("requests_app.view_audit_trail"):
        context.update(
            counts=selectors.dashboard_counts(actor=user),
            on_time=selectors.dashboard_on_time(actor=user, today=today),
            received=selectors.dashboard_received(actor=user, today=today),
            failed_reminders=selectors.reminders_failed_count(actor=user),
        )
    return context
