"""Desk screens inside the admin: intake, the case page, case actions, the case history.

Thin adapters: they check the permission, fetch through selectors (scoped to the user's
organizations: another organization's case is a 404), parse a form, call one service and render.
A refused operation shows its message with the form as the user filled it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind
from privacyops.exports import services as export_services
from privacyops.exports import views as export_views
from requests_app import derived, document_files, extensions, pipeline, selectors, services
from requests_app import exports as desk_exports
from requests_app import forms as desk_forms
from requests_app import letters as desk_letters
from requests_app.actions import ACTIONS, TARGETS, available_actions, inline_form, target_label
from requests_app.forms import apply_validation_error
from requests_app.models import DocumentFile, Letter, Request, Status
from requests_app.pipeline import Op

HISTORY = "requests_app.view_historicalrequest"


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


def admin_context(model_admin, request, **extra) -> dict:
    """The context every desk page inside the admin starts from (site, model, app), plus ``extra``."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "app_label": model_admin.model._meta.app_label,
        **extra,
    }


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
        admin_context(
            model_admin,
            request,
            title=gettext("Register a request"),
            form=form,
            documents=documents,
            add=True,
            related=_related_for_intake(request, request.POST) if request.method == "POST" else None,
        ),
    )


def _related_for_intake(request, data) -> list | None:
    """The same person's other cases for what the intake form holds so far (``data``: the form's
    fields, raw), or None while there is nothing to look for."""
    form = desk_forms.RelatedLookupForm(data, actor=request.user)
    if not form.is_valid():
        return None
    found = selectors.related_requests(actor=request.user, **form.lookup())
    if found:
        log_access(request, AccessKind.CASE_LIST)  # references and states of a named person
    return found


def intake_related(request, model_admin):
    """The intake page's "same person's other cases" panel, for what has been typed so far:
    POST only (names and dates never go into a URL), an HTML fragment."""
    if not request.user.has_perm("requests_app.add_request"):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    return TemplateResponse(
        request,
        "admin/requests_app/request/_related.html",
        {"related": _related_for_intake(request, request.POST), "at_intake": True},
    )


def _letter_row(case, letter, user) -> tuple:
    """A letter as the case page lists it: (letter, can edit, can send, blank to fill, the inline
    send form or None, can discard)."""
    can_send = pipeline.allowed(case, Op.SEND_LETTER, user=user, target=letter)
    return (
        letter,
        pipeline.allowed(case, Op.EDIT_LETTER, user=user, target=letter),
        can_send,
        not letter.is_sent and desk_letters.unfilled(letter),
        inline_form(ACTIONS["send-letter"], case, letter) if can_send else None,
        pipeline.allowed(case, Op.DISCARD_LETTER, user=user, target=letter),
    )


def case_detail(request, model_admin, object_id):
    """The case page: everything about one case, its actions, and the editable details."""
    if not request.user.has_perm("requests_app.view_request"):
        raise PermissionDenied
    case = _get_case(request, object_id)
    user = request.user
    can_change = pipeline.allowed(case, Op.UPDATE, user=user)  # the editable details form
    edit_form = None
    if can_change:
        initial = {
            "version": case.version,
            "assignee": case.assignee,
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
    actions = available_actions(user, case)
    can_decide = pipeline.allowed(case, Op.DECIDE, user=user)
    # Verification is one form on the page, open, beside the policy's checklist.
    verify = next((action for action in actions if action.slug == "verify"), None)
    context = admin_context(
        model_admin,
        request,
        title=gettext("Case %(reference)s") % {"reference": case.reference},
        case=case,
        original=case,
        items=items,
        fee=derived.fee_status(case),
        clock=derived.clock_for(case),
        identity_missing=derived.identity_missing(case) if show_identity else [],
        actions=[
            (action, None if action.own_page else inline_form(action, case))
            for action in actions
            if action is not verify
        ],
        verify_form=inline_form(verify, case) if verify else None,
        verify_action=verify,
        id_rule=derived.id_rule_text(case.policy) if verify else "",
        disposal_due=derived.copies_due_for_disposal(case),
        holds=derived.open_holds(case),
        withdrawal_proposal=derived.withdrawal_proposed(case),
        decide_forms=[(item, inline_form(ACTIONS["decide"], case, item) if can_decide else None) for item in items],
        decide_action=ACTIONS["decide"],
        send_action=ACTIONS["send-letter"],
        send_label=gettext("Send"),
        discard_action=ACTIONS["discard-letter"],
        discard_form=desk_forms.ConfirmForm(initial={"version": case.version}, auto_id=False),
        complete_action=ACTIONS["complete-task"],
        letters=[_letter_row(case, letter, user) for letter in case.letters.all()],
        responses=[
            (
                response,
                pipeline.allowed(case, Op.RECORD_RETURN, user=user, target=response),
                pipeline.allowed(case, Op.CHECK_SENDING, user=user, target=response),
                inline_form(ACTIONS["revoke-link"], case, response)
                if pipeline.allowed(case, Op.REVOKE_LINK, user=user, target=response)
                else None,
            )
            for response in case.responses.all()
        ],
        revoke_action=ACTIONS["revoke-link"],
        # Asked of the access log only where a result went by link.
        downloads=selectors.portal_downloads(case) if any(hasattr(r, "link") for r in case.responses.all()) else {},
        now=timezone.now(),
        leaving=derived.letters_in_outbox(case),
        documents=[(d, pipeline.allowed(case, Op.ATTACH_FILE, user=user, target=d)) for d in case.documents.all()],
        can_open_files=user.has_perm("requests_app.open_documentfile"),
        show_identity=show_identity,
        tasks=[
            (
                task,
                inline_form(ACTIONS["complete-task"], case, task)
                if pipeline.allowed(case, Op.COMPLETE_TASK, user=user, target=task)
                else None,
            )
            for task in case.tasks.all()
        ],
        edit_form=edit_form,
        can_view_history=user.has_perm(HISTORY),
        close_blockers=derived.close_blockers(case) if case.status == Status.RESPONDED else [],
        today=timezone.localdate(),
        panels=extensions.case_panels(case, user),
        related=selectors.related_to_case(actor=user, case=case),
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
    item = None
    if action.target:
        related = getattr(case, TARGETS[action.target])
        try:
            item = related.get(pk=int(request.GET.get(action.target, "")))
        except (ObjectDoesNotExist, ValueError):
            raise Http404 from None
    if not pipeline.allowed(case, action.op, user=request.user, target=item):
        messages.error(request, pipeline.why_not(case, action.op, user=request.user, target=item))
        return HttpResponseRedirect(_case_url(case))
    form_kwargs = action.form_kwargs(case, item)
    if request.method == "GET":
        log_access(request, AccessKind.ACTION, case=case)  # the page shows the case's personal data
    if request.method == "POST":
        form = action.form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            letters_before = set(case.letters.values_list("pk", flat=True))
            complete_before = case.complete_on
            try:
                result = action.run(actor=request.user, case=case, form=form, target=item)
            except services.DraftExists as error:
                messages.warning(request, str(error))
                return HttpResponseRedirect(_letter_edit_url(error.letter))
            except services.TransitionNotAllowed as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, action.done)
                for warning in getattr(result, "warnings", ()):
                    messages.warning(request, warning)
                return _after_action(request, case, letters_before, complete_before)
    else:
        form = action.form_class(initial={"version": case.version}, **form_kwargs)
    # A letter's page also offers what comes next for it: sending it as saved, or discarding it.
    follow_ups = []
    if slug == "edit-letter":
        for next_slug in ("send-letter", "discard-letter"):
            following = ACTIONS[next_slug]
            if pipeline.allowed(case, following.op, user=request.user, target=item):
                follow_ups.append((following, inline_form(following, case, item)))
    title = action.label if item is None else f"{action.label}: {target_label(item)}"
    return TemplateResponse(
        request,
        "admin/requests_app/request/action.html",
        admin_context(
            model_admin,
            request,
            title=title,
            case=case,
            original=case,
            item=item,
            action=action,
            form=form,
            fee=derived.fee_status(case),
            identity_missing=derived.identity_missing(case) if slug == "verify" else [],
            # Verifying: the copies beside what the desk checked on each (masking, dates).
            documents=list(case.documents.all()) if slug == "verify" else [],
            can_open_files=request.user.has_perm("requests_app.open_documentfile"),
            follow_ups=follow_ups,
        ),
    )


def _letter_edit_url(letter) -> str:
    url = reverse("admin:requests_app_request_action", args=[letter.request_id, "edit-letter"])
    return f"{url}?letter={letter.pk}"


def _after_action(request, case, letters_before: set[int], complete_before) -> HttpResponseRedirect:
    """Where a done operation leads, and what it says beyond its own message (nothing silent): a
    letter it drafted is named and opened; a request it made complete says that the clock started
    and when the answer is due; copies the policy disposes of at once are due today."""
    case = selectors.request_get(actor=request.user, pk=case.pk)
    if complete_before is None and case.complete_on is not None:
        if case.due_on is not None:
            messages.info(
                request,
                gettext("The request is complete as of %(date)s: the clock has started. The answer is due on %(due)s.")
                % {"date": case.complete_on.isoformat(), "due": case.due_on.isoformat()},
            )
        else:
            messages.info(
                request, gettext("The request is complete as of %(date)s.") % {"date": case.complete_on.isoformat()}
            )
    due = derived.copies_due_for_disposal(case)
    if due is not None and due.since == timezone.localdate():
        messages.warning(
            request,
            gettext(
                "The policy disposes of identity document copies as soon as verification ends: %(n)s copy(ies) "
                "are due for disposal today."
            )
            % {"n": len(due.documents)},
        )
    drafted = [letter for letter in case.letters.all() if letter.pk not in letters_before and not letter.is_sent]
    if drafted:
        letter = drafted[-1]
        messages.info(
            request,
            gettext("A letter was drafted: %(kind)s. It is open below: check it, then send it.")
            % {"kind": letter.get_kind_display()},
        )
        if pipeline.allowed(case, Op.EDIT_LETTER, user=request.user, target=letter):
            return HttpResponseRedirect(_letter_edit_url(letter))
    return HttpResponseRedirect(_case_url(case))


def case_history(request, model_admin, object_id):
    """Every change to the case and what is recorded on it: who, when, why, old → new."""
    if not request.user.has_perm(HISTORY):
        raise PermissionDenied
    case = _get_case(request, object_id, selectors.request_header)
    log_access(request, AccessKind.HISTORY, case=case)
    return TemplateResponse(
        request,
        "admin/requests_app/request/case_history.html",
        admin_context(
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
    html = desk_letters.render_html(
        letter, pdf_url=pdf_url, back_url=_case_url(letter.request), nonce=str(getattr(request, "csp_nonce", ""))
    )
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


def letter_enclosure(request, model_admin, object_id, letter_id, enclosure_id):
    """A file sent with a letter, as the desk checks it before and after sending: scoped like the
    letter (404 outside the user's organizations), the opening in the access log, never cached."""
    letter = _letter(request, object_id, letter_id)
    enclosure = letter.enclosures.filter(pk=enclosure_id).first()
    if enclosure is None:
        raise Http404
    try:
        data = services.enclosure_open(enclosure)
    except services.TransitionNotAllowed as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(_case_url(letter.request))
    suffix = document_files.SUFFIX[enclosure.content_type]
    response = HttpResponse(data, content_type=enclosure.content_type)
    response["Content-Disposition"] = f'inline; filename="{letter.request.reference}-{enclosure.pk}.{suffix}"'
    response["Cache-Control"] = "no-store, private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def document_file(request, model_admin, object_id, document_id):
    """An identity document's file, for staff allowed to open such files: scoped to the user's
    organizations (404 otherwise, as for a case they cannot see), each opening in the access log,
    never cached, never offered to another origin. An erased file says so."""
    if not request.user.has_perm("requests_app.open_documentfile"):
        raise PermissionDenied
    case = _get_case(request, object_id, selectors.request_header)
    try:
        attached = DocumentFile.objects.select_related("document__request").get(
            document_id=document_id, document__request=case
        )
    except DocumentFile.DoesNotExist:
        raise Http404(gettext("This document has no file.")) from None
    try:
        data = services.document_file_open(actor=request.user, document_file=attached)
    except services.TransitionNotAllowed as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(_case_url(case))
    log_access(request, AccessKind.DOCUMENT_FILE, case=case)
    suffix = document_files.SUFFIX[attached.content_type]
    response = HttpResponse(data, content_type=attached.content_type)
    response["Content-Disposition"] = (
        f"{'attachment' if request.GET.get('download') else 'inline'}; "
        f'filename="{case.reference}-document-{attached.document_id}.{suffix}"'
    )
    response["Cache-Control"] = "no-store, private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# ------------------------------------------------------------------------------------------
# Bulk work from the request list (admin actions)
# ------------------------------------------------------------------------------------------
BULK_LIMIT = 100
BULK_PRINT_LIMIT = 50


def _bulk_context(model_admin, request, queryset, **extra) -> dict:
    return admin_context(
        model_admin,
        request,
        action_name=request.POST.get("action", ""),
        selected=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        **extra,
    )


def bulk_assign(request, model_admin, queryset):
    """Assign the selected cases to one member of staff (or unassign them): each through
    ``services.request_update`` (its own history row; a case that cannot be assigned is named with
    why). An intermediate page first, then the list with what was done."""
    cases = list(
        queryset.select_related("organization", "data_subject", "assignee").order_by("reference")[: BULK_LIMIT + 1]
    )
    if len(cases) > BULK_LIMIT:
        messages.error(request, gettext("Select at most %(n)s cases at a time.") % {"n": BULK_LIMIT})
        return None
    form = desk_forms.BulkAssignForm(request.POST if "apply" in request.POST else None, actor=request.user)
    if form.is_bound and form.is_valid():
        assignee, note = form.cleaned_data["assignee"], form.cleaned_data["note"]
        done, refused = [], []
        for case in cases:
            try:
                services.request_update(actor=request.user, case=case, assignee=assignee, note=note)
            except services.TransitionNotAllowed as error:
                refused.append(f"{case.reference}: {error}")
            except ValidationError as error:
                refused.append(f"{case.reference}: {' '.join(error.messages)}")
            else:
                done.append(case.reference)
        if done:
            who = assignee.get_full_name() or assignee.username if assignee else gettext("nobody (unassigned)")
            messages.success(
                request,
                gettext("%(n)s case(s) assigned to %(who)s: %(references)s")
                % {"n": len(done), "who": who, "references": "、".join(done)},
            )
        for line in refused:
            messages.error(request, gettext("Not assigned: %(reason)s") % {"reason": line})
        return None  # back to the list
    return TemplateResponse(
        request,
        "admin/requests_app/request/bulk_assign.html",
        _bulk_context(model_admin, request, queryset, title=gettext("Assign cases"), cases=cases, form=form),
    )


def bulk_print(request, model_admin, queryset):
    """The letters of the selected cases as one PDF: a page to choose them (each case's newest
    letter ticked), then an export job makes the PDF (``requests_app.exports``); its download
    writes each case's letters to the access log."""
    chosen_letters = (
        Letter.objects.filter(request__in=queryset)
        .select_related("request__organization", "request__data_subject", "request__agent", "request__policy")
        .order_by("request__reference", "pk")
    )
    available = list(chosen_letters[: BULK_PRINT_LIMIT * 4])
    if "apply" in request.POST:
        wanted = {int(pk) for pk in request.POST.getlist("letter") if pk.isdigit()}
        printing = [letter for letter in available if letter.pk in wanted]
        if not printing:
            messages.error(request, gettext("Tick at least one letter to print."))
        elif len(printing) > BULK_PRINT_LIMIT:
            messages.error(request, gettext("Print at most %(n)s letters at a time.") % {"n": BULK_PRINT_LIMIT})
        else:
            now = timezone.localtime()
            try:
                export = export_services.export_start(
                    actor=request.user,
                    kind=desk_exports.LETTERS,
                    title=gettext("%(n)s letter(s) as one PDF, %(day)s")
                    % {"n": len(printing), "day": f"{now:%Y-%m-%d %H:%M}"},
                    params={
                        "letters": [letter.pk for letter in printing],
                        "cases": sorted({letter.request_id for letter in printing}),
                        "file_stem": f"letters-{now:%Y%m%d-%H%M%S}",
                    },
                    scope={letter.request.organization_id for letter in printing},
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return None
            return export_views.started(request, export)
    newest = {}
    for letter in available:
        newest[letter.request_id] = letter.pk
    without = list(queryset.exclude(pk__in=newest.keys()).order_by("reference").values_list("reference", flat=True))
    return TemplateResponse(
        request,
        "admin/requests_app/request/bulk_print.html",
        _bulk_context(
            model_admin,
            request,
            queryset,
            title=gettext("Print letters as one PDF"),
            letters=[(letter, letter.pk in newest.values()) for letter in available],
            without_letters=without,
            limit=BULK_PRINT_LIMIT,
        ),
    )


def dashboard_context(request) -> dict:
    """The start page after login: my work by urgency; for managers and auditors, the desk's figures."""
    user = request.user
    if not user.has_perm("requests_app.view_request"):
        return {}
    today = timezone.localdate()
    context = {"dashboard": True, "today": today}
    if user.has_perm("requests_app.view_complaint"):
        context["complaints"] = selectors.dashboard_complaints(actor=user, today=today)
    if user.has_perm("requests_app.view_audit_trail"):
        # Managers and auditors watch the team; desk staff see their own cases.
        team = selectors.dashboard_team_work(actor=user, today=today)
        context.update(
            team=team,
            counts=team["by_state"],
            on_time=selectors.dashboard_on_time(actor=user, today=today),
            received=selectors.dashboard_received(actor=user, today=today),
            failed_reminders=selectors.reminders_failed_count(actor=user),
        )
    else:
        context["work"] = selectors.dashboard_my_work(actor=user, today=today)
    return context
