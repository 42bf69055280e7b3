"""Drafting replies and opinions, reading replies, their PDFs, bulk exports and the deputies'
page. Thin: fetch through selectors, write through the drafting and workflow services."""

import io
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import roles_of
from proposals.errors import ConflictError, WorkflowError
from proposals.filters import ProposalFilter
from proposals.models import Assignment, Proposal, Session
from proposals.selectors import assignment_get_visible
from proposals.states import OPEN_ASSIGNMENT_STATES, AssignmentState

from . import drafts, exports, pdf, workflow
from .forms import OpinionDraftForm, ReplyDraftForm
from .letter import render_letter_pdf
from .models import ExportJob, LetterPdf
from .selectors import (
    current_opinion,
    current_reply,
    deputy_proposals,
    export_get_for,
    opinion_get_visible,
    reply_get_visible,
)


def _editable(user, assignment: Assignment, role: str):
    if assignment.role != role:
        raise PermissionDenied(_("此交办不需要这类稿件。"))
    if not roles_of(user).works_for(assignment.bureau_id):
        raise PermissionDenied(_("只有承办单位可以起草此稿。"))


def _show_refusal(form, error: WorkflowError):
    """Put the refusal on the form. After a conflict the user's text stays in the form and the
    next save starts from the stored version; returns what the other person saved, if any."""
    form.add_error(None, str(error))
    if not isinstance(error, ConflictError):
        return None
    form.data = form.data.copy()
    form.data["version"] = error.current.version
    return error.current


def _cc_text(reply) -> str:
    return "\n".join(reply.cc.values_list("name", flat=True))


REPLY_FIELDS = ["version", "body", "category_mark", "disclosure", "contact_name", "contact_phone"]
OPINION_FIELDS = ["version", "title", "body", "contact_name", "contact_phone"]


@login_required
def reply_edit(request, pk):
    assignment = assignment_get_visible(request.user, pk)
    _editable(request.user, assignment, Assignment.Role.LEAD)
    reply = current_reply(assignment)
    if reply is None or assignment.state != AssignmentState.DRAFTING:
        messages.error(request, _("当前状态为「%(state)s」，不能修改答复稿。") % {"state": assignment.get_state_display()})
        return redirect("proposal-detail", pk=assignment.proposal_id)
    marks = assignment.proposal.session.category_marks
    conflict = None
    if request.method == "POST":
        form = ReplyDraftForm(request.POST, marks=marks)
        if form.is_valid():
            data = form.cleaned_data
            try:
                drafts.reply_save_draft(
                    reply=reply, by=request.user, version=data["version"], body=data["body"],
                    category_mark=data["category_mark"], disclosure=data["disclosure"],
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    cc=drafts.parse_cc_text(data["cc_text"], drafts.proposal_people(assignment)),
                )
            except WorkflowError as error:
                conflict = _show_refusal(form, error)
            else:
                messages.success(request, _("答复稿已保存。"))
                return redirect("reply-edit", pk=assignment.pk)
    else:
        initial = {**model_to_dict(reply, fields=REPLY_FIELDS), "version": reply.version, "cc_text": _cc_text(reply)}
        form = ReplyDraftForm(initial=initial, marks=marks)
    return render(
        request,
        "replies/reply_form.html",
        {"form": form, "assignment": assignment, "reply": reply, "conflict": conflict,
         "conflict_cc": _cc_text(conflict) if conflict else ""},
    )


@login_required
def opinion_edit(request, pk):
    assignment = assignment_get_visible(request.user, pk)
    _editable(request.user, assignment, Assignment.Role.ASSISTING)
    opinion = current_opinion(assignment)
    if opinion is None or assignment.state != AssignmentState.DRAFTING:
        messages.error(request, _("当前状态为「%(state)s」，不能修改协办意见。") % {"state": assignment.get_state_display()})
        return redirect("proposal-detail", pk=assignment.proposal_id)
    conflict = None
    if request.method == "POST":
        form = OpinionDraftForm(request.POST)
        if form.is_valid():
            try:
                drafts.opinion_save_draft(opinion=opinion, by=request.user, **form.cleaned_data)
            except WorkflowError as error:
                conflict = _show_refusal(form, error)
            else:
                messages.success(request, _("协办意见已保存。"))
                return redirect("opinion-edit", pk=assignment.pk)
    else:
        initial = {**model_to_dict(opinion, fields=OPINION_FIELDS), "version": opinion.version}
        form = OpinionDraftForm(initial=initial)
    return render(
        request,
        "replies/opinion_form.html",
        {"form": form, "assignment": assignment, "opinion": opinion, "conflict": conflict},
    )


@login_required
def reply_detail(request, pk):
    reply = reply_get_visible(request.user, pk)
    return render(request, "replies/reply_detail.html", {
        "reply": reply, "proposal": reply.assignment.proposal,
        "pdf_job": pdf.current_pdf(reply), "pdf_file": pdf.downloadable_pdf(reply),
        "is_admin": roles_of(request.user).is_admin,
    })


# --- PDFs -------------------------------------------------------------------------------------


def _pdf_response(content_or_path, filename, *, inline=False):
    source = open(content_or_path, "rb") if isinstance(content_or_path, Path) else io.BytesIO(content_or_path)
    # FileResponse writes Content-Disposition with an RFC 5987 filename* for non-ASCII names.
    return FileResponse(source, as_attachment=not inline, filename=filename, content_type="application/pdf")


@login_required
def reply_pdf(request, pk):
    """The stored official letter, under the same access rule as the reply page."""
    reply = reply_get_visible(request.user, pk, signed=True)
    stored = pdf.downloadable_pdf(reply)
    if stored is None:
        raise Http404(_("PDF 尚未生成，请稍后再试。"))
    return _pdf_response(pdf.file_of(stored), pdf.letter_filename(reply))


@login_required
def reply_preview_pdf(request, pk):
    """The current draft as a PDF marked 草稿, rendered on request and never stored."""
    assignment = assignment_get_visible(request.user, pk)
    _editable(request.user, assignment, Assignment.Role.LEAD)
    reply = current_reply(assignment)
    if reply is None or reply.is_signed:
        raise Http404
    rendered = render_letter_pdf(pdf.reply_letter(reply), draft=True)
    return _pdf_response(rendered.content, f"草稿 {reply.title}.pdf", inline=True)


@login_required
def opinion_pdf(request, pk):
    opinion = opinion_get_visible(request.user, pk)
    rendered = render_letter_pdf(pdf.opinion_letter(opinion), draft=not opinion.is_sent)
    prefix = "" if opinion.is_sent else "草稿 "
    return _pdf_response(rendered.content, f"{prefix}{opinion.title}.pdf")


@login_required
@require_POST
def reply_pdf_rerender(request, pk):
    reply = reply_get_visible(request.user, pk, signed=True)
    job = workflow.reply_pdf_rerender(reply=reply, by=request.user)
    messages.success(request, _("已重新排队生成 PDF（第 %(n)s 次）。") % {"n": job.generation})
    return redirect("reply-detail", pk=reply.pk)


@login_required
def reply_pdf_status(request, pk):
    reply = reply_get_visible(request.user, pk)
    job = pdf.current_pdf(reply)
    data = {"state": job.state if job else None, "label": job.get_state_display() if job else ""}
    if job and job.state == LetterPdf.State.DONE:
        data.update(sha256=job.sha256, page_count=job.page_count, size=job.size)
    if job and roles_of(request.user).is_admin:
        data["error"] = job.error
    return JsonResponse(data)


# --- bulk export ------------------------------------------------------------------------------


def _require_exporter(user):
    if not roles_of(user).may_export:
        raise PermissionDenied(_("只有管理员和代表工委、政府办可以批量导出。"))


@login_required
def export_new(request):
    _require_exporter(request.user)
    visible = Proposal.objects.visible_to(request.user)
    data = request.POST if request.method == "POST" else request.GET
    proposal_filter = ProposalFilter(data or None, queryset=visible, user=request.user)
    form = proposal_filter.form
    error = None
    if request.method == "POST":
        session = Session.objects.filter(pk=request.POST.get("session") or None).first()
        if session is None:
            error = _("请选择会议。")
        elif form.is_valid():
            query = request.POST.copy()
            query.pop("csrfmiddlewaretoken", None)
            job = exports.export_start(by=request.user, session=session, query=query.urlencode())
            return redirect("export-detail", pk=job.pk)
    count = None
    session_id = data.get("session") if data else None
    if session_id and form.is_valid():
        session = Session.objects.filter(pk=session_id).first()
        if session:
            count = exports.matching_replies(user=request.user, session=session, query=data.urlencode()).count()
    return render(request, "replies/export_new.html", {"filter": proposal_filter, "error": error, "count": count})


@login_required
def export_detail(request, pk):
    return render(request, "replies/export_detail.html", {"job": export_get_for(request.user, pk)})


@login_required
def export_status(request, pk):
    job = export_get_for(request.user, pk)
    return JsonResponse({
        "state": job.state, "label": job.get_state_display(), "percent": job.percent,
        "rendered": job.rendered, "total": job.total, "error": job.error,
        "download": reverse("export-download", args=[job.pk]) if job.state == ExportJob.State.DONE else None,
    })


@login_required
def export_download(request, pk):
    job = export_get_for(request.user, pk)
    if job.state != ExportJob.State.DONE:
        raise Http404
    path = exports.export_path(job)
    name = f"{job.session.name}答复（{job.total}件）.zip"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="application/zip")


# --- deputies ---------------------------------------------------------------------------------


@login_required
def my_proposals(request):
    if not roles_of(request.user).is_deputy:
        raise PermissionDenied(_("此页面供代表查看本人的建议。"))
    return render(
        request,
        "replies/my_proposals.html",
        {
            "proposals": deputy_proposals(request.user),
            "today": timezone.localdate(),
            "open_states": OPEN_ASSIGNMENT_STATES,
        },
    )
