"""The case page's actions: for each operation a desk user runs from the case page, its form,
its service and what to say when done (one calling convention, below).

Whether an action is offered is never decided here: ``pipeline.allowed(case, action.op, ...)``
answers for the buttons, the action page and the templates alike, and the service's
``pipeline.require`` refuses the rest.

Calling convention: ``action.service(actor=user, <case|item|letter|task|response|document>=target,
expected_version=form.cleaned_data["version"], **form.service_kwargs())``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from requests_app import forms as desk_forms
from requests_app import pipeline, services
from requests_app.models import FulfilmentTask, IdentityDocument, Letter, Request, RequestItem, Response
from requests_app.pipeline import Op


@dataclass(frozen=True)
class CaseAction:
    """One action: ``slug`` in the URL, the pipeline operation ``op``, the form and the service.

    ``target`` names the record it acts on ("item", "letter", "task", "response", "document"; chosen by
    ``?<target>=<id>``); without one, the service gets the case.
    """

    slug: str
    op: Op
    label: str
    form_class: type
    service: Callable
    done: str
    style: str = ""
    target: str | None = None
    help: str = ""
    form_kwargs: Callable = field(default=lambda case, target: {})
    # Only on a page of its own (long forms: files, personal details, a letter's text); the others
    # are also offered inline on the case page, in a fold that opens to the form (no page load).
    own_page: bool = False

    @property
    def permission(self) -> str:
        return pipeline.OPERATIONS[self.op].permission

    def run(self, *, actor, case: Request, form, target=None):
        """Call the service with the form's values; its errors propagate to the view."""
        subject = {self.target: target} if self.target else {"case": case}
        return self.service(
            actor=actor, expected_version=form.cleaned_data["version"], **subject, **form.service_kwargs()
        )


# Related manager of the case per target name.
TARGETS = {"item": "items", "letter": "letters", "task": "tasks", "response": "responses", "document": "documents"}


def target_label(target) -> str:
    """How a target is named in a page title."""
    if isinstance(target, IdentityDocument):
        return f"{target.get_kind_display()} ({target.get_holder_display()})"
    if isinstance(target, RequestItem | Letter):
        return target.get_kind_display()
    if isinstance(target, FulfilmentTask):
        system = target.system.name if target.system else gettext("(no system registered)")
        return f"{target.item.get_kind_display()} / {system}"
    if isinstance(target, Response):
        return f"{target.letter.get_kind_display()} / {target.get_method_display()}"
    return str(target)


def _with_case(case, target):
    return {"case": case}


ACTIONS: dict[str, CaseAction] = {
    action.slug: action
    for action in [
        CaseAction(
            "start-verification",
            Op.START_VERIFICATION,
            _("Start verification"),
            desk_forms.NoteForm,
            services.request_start_verification,
            _("Verification started."),
            style="primary",
        ),
        CaseAction(
            "verify",
            Op.VERIFY,
            _("Record verification outcome"),
            desk_forms.VerifyForm,
            services.request_verify,
            _("Verification outcome recorded."),
            style="primary",
        ),
        CaseAction(
            "record-document",
            Op.RECORD_DOCUMENT,
            _("Record a document received"),
            desk_forms.DocumentForm,
            services.document_record,
            _("Document recorded."),
            form_kwargs=_with_case,
            own_page=True,
        ),
        CaseAction(
            "record-form",
            Op.RECORD_FORM,
            _("Record the returned request form"),
            desk_forms.ReturnedFormForm,
            services.request_record_form,
            _("The request form is recorded as received, with the documents enclosed."),
            style="primary",
            help=_("The form sent after a phone call is back: its arrival date and what came with it."),
            own_page=True,
        ),
        CaseAction(
            "attach-file",
            Op.ATTACH_FILE,
            _("Attach the document's file"),
            desk_forms.AttachFileForm,
            services.document_attach_file,
            _("File attached (kept encrypted)."),
            target="document",
            own_page=True,
        ),
        CaseAction(
            "dispose-documents",
            Op.DISPOSE_DOCUMENTS,
            _("Record disposal of copies"),
            desk_forms.DisposeForm,
            services.document_dispose,
            _("Disposal recorded."),
            help=_("A file attached to a copy disposed of is erased at once (the record keeps that it was erased)."),
            form_kwargs=_with_case,
        ),
        CaseAction(
            "dispose-form",
            Op.DISPOSE_FORM,
            _("Record disposal of the request form"),
            desk_forms.FormDisposeForm,
            services.form_dispose,
            _("Disposal of the form recorded."),
        ),
        CaseAction(
            "record-payment",
            Op.RECORD_PAYMENT,
            _("Record a fee payment"),
            desk_forms.PaymentForm,
            services.payment_record,
            _("Payment recorded."),
            form_kwargs=_with_case,
        ),
        CaseAction(
            "pause",
            Op.PAUSE,
            _("Ask the requester (pause the clock)"),
            desk_forms.PauseForm,
            services.request_pause,
            _("The case now waits for the requester; the clock is stopped."),
        ),
        CaseAction(
            "resume",
            Op.RESUME,
            _("Requester answered (restart the clock)"),
            desk_forms.ResumeForm,
            services.request_resume,
            _("The requester's answer is recorded; the clock runs again."),
            style="primary",
        ),
        CaseAction(
            "decide",
            Op.DECIDE,
            _("Decide"),
            desk_forms.DecideForm,
            services.item_decide,
            _("Decision recorded."),
            target="item",
            form_kwargs=lambda case, item: {"item": item},
        ),
        CaseAction(
            "submit-decisions",
            Op.SUBMIT_DECISIONS,
            _("Submit decisions"),
            desk_forms.NoteForm,
            services.request_submit_decisions,
            _("Decisions submitted."),
            style="primary",
            help=_("Refusals, partial answers and alternative measures go to a manager for approval."),
        ),
        CaseAction(
            "approve",
            Op.APPROVE,
            _("Approve"),
            desk_forms.CommentForm,
            services.decision_approve,
            _("Approved: the response can be prepared."),
            style="primary",
        ),
        CaseAction(
            "return",
            Op.RETURN,
            _("Return for rework"),
            desk_forms.RequiredCommentForm,
            services.decision_return,
            _("Returned to the desk."),
        ),
        CaseAction(
            "draft-letter",
            Op.DRAFT_LETTER,
            _("Draft a letter"),
            desk_forms.DraftLetterForm,
            services.letter_draft,
            _("Letter drafted: check it, then send it."),
            form_kwargs=_with_case,
        ),
        CaseAction(
            "edit-letter",
            Op.EDIT_LETTER,
            _("Edit the letter"),
            desk_forms.LetterEditForm,
            services.letter_update,
            _("Letter saved."),
            target="letter",
            form_kwargs=lambda case, letter: {"letter": letter},
            own_page=True,
        ),
        CaseAction(
            "discard-letter",
            Op.DISCARD_LETTER,
            _("Discard the draft"),
            desk_forms.ConfirmForm,
            services.letter_discard,
            _("The draft was discarded (its history is kept)."),
            target="letter",
            style="danger",
        ),
        CaseAction(
            "send-letter",
            Op.SEND_LETTER,
            _("Send the letter"),
            desk_forms.SendLetterForm,
            services.response_send,
            _("The letter is recorded as sent."),
            target="letter",
            style="primary",
            help=_(
                "E-mail is sent now with the letter as PDF; a download link sends only the link (opened with the "
                "requester's PIN); for post, record it once it is posted."
            ),
            form_kwargs=lambda case, letter: {"case": case, "letter": letter},
        ),
        CaseAction(
            "check-sending",
            Op.CHECK_SENDING,
            _("Check an interrupted e-mail"),
            desk_forms.SendingCheckForm,
            services.response_check,
            _("The check is recorded."),
            target="response",
            style="primary",
            help=_(
                "Sending this e-mail was interrupted after it was recorded: the mail server may or may not "
                "have accepted it. Nothing is sent again by itself. Check the mail server's log (its Message-ID "
                "is shown on the case page) or ask the recipient, then say what you found."
            ),
            own_page=True,
        ),
        CaseAction(
            "record-return",
            Op.RECORD_RETURN,
            _("Record returned mail"),
            desk_forms.ReturnForm,
            services.response_record_return,
            _("Return recorded."),
            target="response",
        ),
        CaseAction(
            "revoke-link",
            Op.REVOKE_LINK,
            _("Revoke the download link"),
            desk_forms.RevokeLinkForm,
            services.delivery_link_revoke,
            _("The download link is revoked: it can no longer be opened."),
            target="response",
            style="danger",
        ),
        CaseAction(
            "hold",
            Op.HOLD,
            _("Place a legal hold"),
            desk_forms.HoldForm,
            services.hold_place,
            _("The legal hold is placed: the retention purge keeps what it covers."),
            help=_(
                "While the hold is open, the retention purge skips the case (or all the person's cases and records)."
            ),
        ),
        CaseAction(
            "lift-hold",
            Op.LIFT_HOLD,
            _("Lift the legal hold"),
            desk_forms.HoldForm,
            services.hold_lift,
            _("The legal hold is lifted: the retention purge applies again."),
        ),
        CaseAction(
            "complete-task",
            Op.COMPLETE_TASK,
            _("Mark the task done"),
            desk_forms.TaskDoneForm,
            services.task_complete,
            _("Task done."),
            target="task",
        ),
        CaseAction(
            "extend",
            Op.EXTEND,
            _("Extend the deadline"),
            desk_forms.ExtendForm,
            services.request_extend,
            _("Deadline extended; the notice is drafted — send it."),
        ),
        CaseAction(
            "close",
            Op.CLOSE,
            _("Close the case"),
            desk_forms.NoteForm,
            services.request_close,
            _("The case is closed."),
            style="primary",
        ),
        CaseAction(
            "edit-people",
            Op.UPDATE_PEOPLE,
            _("Correct personal details"),
            desk_forms.PeopleForm,
            services.request_update_people,
            _("Personal details corrected."),
            form_kwargs=_with_case,
            own_page=True,
        ),
        CaseAction(
            "withdraw",
            Op.WITHDRAW,
            _("Withdrawn by the requester"),
            desk_forms.EndForm,
            services.request_withdraw,
            _("The case is closed as withdrawn."),
            style="danger",
        ),
        CaseAction(
            "withdraw-no-answer",
            Op.WITHDRAW_NO_ANSWER,
            _("Close as withdrawn: no answer"),
            desk_forms.NoAnswerForm,
            services.request_withdraw_no_answer,
            _("The case is closed as withdrawn for want of an answer; the notice letter is drafted."),
            style="danger",
            own_page=True,  # irreversible: its own page, read before confirming
            help=_(
                "The requester has not answered the desk's question within the policy's limit. "
                "Note how you tried to reach them; the notice letter says the request is treated as withdrawn."
            ),
        ),
        CaseAction(
            "reject",
            Op.REJECT,
            _("Reject (not accepted)"),
            desk_forms.EndForm,
            services.request_reject,
            _("The case is closed as rejected."),
            style="danger",
            help=_("Verification failed, the fee was never paid, or the request is outside the desk's scope."),
        ),
    ]
}

# Buttons at the top of the case page (deciding, letters, tasks and returns are per row).
BUTTON_ORDER = [
    "record-form",
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
    "dispose-form",
    "pause",
    "edit-people",
    "hold",
    "lift-hold",
    "withdraw-no-answer",
    "withdraw",
    "reject",
]


def available_actions(user, case: Request) -> list[CaseAction]:
    """The case page's buttons for ``user``, in order: those the pipeline allows now."""
    return [ACTIONS[slug] for slug in BUTTON_ORDER if pipeline.allowed(case, ACTIONS[slug].op, user=user)]


def inline_form(action: CaseAction, case: Request, target=None):
    """The unbound form of ``action`` as the case page shows it inline, at the case's version, its
    field ids unique on the page (``id_<slug>[_<target id>]_<field>``); the names are the action
    page's own, so one view takes both."""
    suffix = f"_{target.pk}" if target is not None else ""
    return action.form_class(
        initial={"version": case.version},
        auto_id=f"id_{action.slug.replace('-', '_')}{suffix}_%s",
        **action.form_kwargs(case, target),
    )
