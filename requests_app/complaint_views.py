"""The complaints and consultations register in the admin (issue 15): register, read, correct,
and the reply's road — drafted by the desk, approved by another (a manager), sent, closed with
cause and measure. Thin adapters: selectors scope (another organization's complaint is a 404),
one service per operation, refused input shown beside its field with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacyops.audit.access import log_access
from privacyops.audit.models import AccessKind
from privacyops.audit.views import record_history
from requests_app import forms as desk_forms
from requests_app import pipeline, selectors, services
from requests_app.forms import apply_validation_error
from requests_app.models import Complaint, ComplaintStatus
from requests_app.pipeline import Op
from requests_app.views import admin_context

TEMPLATE = "admin/requests_app/complaint/"
# slug → (operation, form, service, what the user is told after it, the button), in the order the
# page offers them: a manager's decision on a drafted reply first.
OPERATIONS = {
    "approve": (
        Op.COMPLAINT_APPROVE,
        desk_forms.ComplaintApproveForm,
        services.complaint_approve,
        _("Reply approved."),
        _("Approve the reply"),
    ),
    "return": (
        Op.COMPLAINT_RETURN,
        desk_forms.ComplaintReturnForm,
        services.complaint_return,
        _("The reply went back to the desk for rework."),
        _("Return the reply for rework"),
    ),
    "draft": (
        Op.COMPLAINT_DRAFT,
        desk_forms.ComplaintReplyForm,
        services.complaint_draft_reply,
        _("The reply is drafted and waits for a manager's approval."),
        _("Draft the reply (for approval)"),
    ),
    "reply": (
        Op.COMPLAINT_REPLY,
        desk_forms.ComplaintRepliedForm,
        services.complaint_record_reply,
        _("The reply is recorded as sent."),
        _("Record the reply as sent"),
    ),
    "close": (
        Op.COMPLAINT_CLOSE,
        desk_forms.ComplaintCloseForm,
        services.complaint_close,
        _("Closed."),
        _("Close with the outcome"),
    ),
}


def _get(request, object_id) -> Complaint:
    if not request.user.has_perm("requests_app.view_complaint"):
        raise PermissionDenied
    try:
        return selectors.complaint_get(actor=request.user, pk=int(object_id))
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("No such complaint, or it belongs to an organization you cannot see.")) from None


def _url(complaint) -> str:
    return reverse("admin:requests_app_complaint_change", args=[complaint.pk])


def complaint_history(request, model_admin, object_id):
    """The complaint's history (another organization's is a 404, as its page), in the access log:
    its diffs show the complainant's details."""
    complaint = _get(request, object_id)
    log_access(request, AccessKind.COMPLAINT_HISTORY, organization=complaint.organization)
    return record_history(request, model_admin, complaint.pk)


def complaint_add(request, model_admin):
    """Register a complaint or consultation (a form sent twice registers it once)."""
    if not request.user.has_perm("requests_app.add_complaint"):
        raise PermissionDenied
    form = desk_forms.ComplaintForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_register(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                intake_token=form.cleaned_data["intake_token"],
                **form.service_kwargs(),
            )
        except services.DuplicateSubmission as duplicate:
            messages.warning(request, str(duplicate))
            return HttpResponseRedirect(_url(duplicate.request))
        except ValidationError as error:
            apply_validation_error(form, error)
        except services.TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Registered. The reply is due on %(date)s.") % {"date": complaint.reply_due_on}
            )
            return HttpResponseRedirect(_url(complaint))
    status = 400 if request.method == "POST" else 200
    context = admin_context(
        model_admin, request, title=gettext("Register a complaint or consultation"), form=form, add=True
    )
    return TemplateResponse(request, TEMPLATE + "form.html", context, status=status)


def complaint_edit(request, model_admin, object_id):
    """Correct the facts of an open complaint."""
    complaint = _get(request, object_id)
    if not pipeline.allowed(complaint, Op.COMPLAINT_UPDATE, user=request.user):
        raise PermissionDenied
    log_access(request, AccessKind.COMPLAINT, organization=complaint.organization)
    initial = {
        **{name: getattr(complaint, name) for name in services.complaints.FACTS if name not in {"request"}},
        "request_reference": complaint.request.reference if complaint.request_id else "",
        "version": complaint.version,
    }
    form = desk_forms.ComplaintForm(request.POST or None, initial=initial, actor=request.user, complaint=complaint)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_update(
                actor=request.user,
                complaint=complaint,
                expected_version=form.cleaned_data.get("version"),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except services.TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Saved."))
            return HttpResponseRedirect(_url(complaint))
    status = 400 if request.method == "POST" else 200
    context = admin_context(
        model_admin, request, title=gettext("Correct the complaint"), form=form, complaint=complaint, add=False
    )
    return TemplateResponse(request, TEMPLATE + "form.html", context, status=status)


def _offered(complaint, user, *, drafted: bool) -> list[str]:
    offered = [slug for slug, (op, *_rest) in OPERATIONS.items() if pipeline.allowed(complaint, op, user=user)]
    if drafted and "approve" in offered:
        offered.remove("approve")  # four eyes: the page says another manager must approve
    return offered


def complaint_detail(request, model_admin, object_id):
    """The complaint, its reply's road, and the forms for what the user may do next. A POST names
    the operation (``op``); a refused one shows its form again as it was filled in."""
    complaint = _get(request, object_id)
    log_access(request, AccessKind.COMPLAINT, organization=complaint.organization)
    drafted = request.user.pk in selectors.complaint_drafters(complaint)
    offered = _offered(complaint, request.user, drafted=drafted)
    forms = {}
    for slug in offered:
        form_class = OPERATIONS[slug][1]
        initial = {"version": complaint.version}
        if slug == "draft":
            initial["reply_text"] = complaint.reply_text
        forms[slug] = form_class(initial=initial, prefix=slug)
    status = 200
    if request.method == "POST":
        slug = request.POST.get("op", "")
        if slug not in OPERATIONS:
            raise Http404
        _op, form_class, service, done, _button = OPERATIONS[slug]
        form = form_class(request.POST, prefix=slug)
        forms[slug] = form
        if form.is_valid():
            try:
                service(
                    actor=request.user,
                    complaint=complaint,
                    expected_version=form.cleaned_data["version"],
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except services.TransitionNotAllowed as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, str(done))
                return HttpResponseRedirect(_url(complaint))
        status = 400
    context = admin_context(
        model_admin,
        request,
        title=gettext("Complaint or consultation C-%(number)s") % {"number": complaint.pk},
        complaint=complaint,
        forms=[(slug, OPERATIONS[slug][4], forms[slug]) for slug in OPERATIONS if slug in forms],
        can_edit=pipeline.allowed(complaint, Op.COMPLAINT_UPDATE, user=request.user),
        returned=complaint.status == ComplaintStatus.RECEIVED and bool(complaint.reply_text),
        awaiting_other_approver=drafted and pipeline.allowed(complaint, Op.COMPLAINT_APPROVE, user=request.user),
        history_url=reverse("admin:requests_app_complaint_history", args=[complaint.pk]),
        is_detail=True,
    )
    return TemplateResponse(request, TEMPLATE + "complaint.html", context, status=status)
