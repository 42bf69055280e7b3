"""Drafting replies and opinions, reading replies, their PDFs, bulk exports and the deputies'
page. Thin: fetch through selectors, write through the drafting and workflow services."""

import dataclasses
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import audit_record
from accounts.limits import limited, over_limit
from accounts.models import AuditRecord
from accounts.roles import require_manager, roles_of
from proposals.errors import ConflictError, WorkflowError
from proposals.filters import ProposalFilter
from proposals.forms import TransitionForm
from proposals.models import Assignment, Proposal, Session
from proposals.selectors import assignment_get_visible
from proposals.states import AssignmentState
from proposals.transitions import available_transitions

from . import drafts, exports, pdf, preview, rating, workflow
from .deputies import deputy_card, deputy_cards
from .forms import (
    CorrectionForm,
    EvaluationForm,
    OpinionDraftForm,
    PaperEvaluationForm,
    ReplyDraftForm,
)
from .letter import punctuation, uncovered_characters
from .models import Evaluation, ExportJob, LetterPdf
from .responses import pdf_response, too_slow_response
from .selectors import (
    current_opinion,
    current_reply,
    export_get_for,
    export_still_readable,
    last_return,
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


def _warn_undrawable(request, letter) -> None:
    """Tell the clerk now, while drafting, about characters no font can print (signing refuses them)."""
    undrawable = uncovered_characters(letter)
    if undrawable:
        messages.warning(request, drafts.undrawable_message(undrawable) + _("；签发前须修改。"))


def _cc_text(reply) -> str:
    return "\n".join(reply.cc.values_list("name", flat=True))


REPLY_FIELDS = ["version", "addressed_to", "body", "category_mark", "disclosure", "contact_name", "contact_phone"]
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
    salutations = drafts.addressed_to_choices(reply)
    conflict, converted = None, None
    if request.method == "POST" and "to_full_width" in request.POST:
        # Converted for review, not saved: the clerk checks the text and saves as usual.
        converted = punctuation.half_width_places(request.POST.get("body", ""))
        data = request.POST.copy()
        data["body"] = punctuation.to_full_width(data.get("body", ""))
        data.setdefault("addressed_to", reply.addressed_to)  # posted from the paste page: none
        form = ReplyDraftForm(data, marks=marks, addressed_to_choices=salutations)
        if converted:
            messages.info(request, _("已将 %(n)s 处半角标点转换为全角，尚未保存：请核对正文后点击「保存草稿」。") % {"n": len(converted)})
        else:
            messages.info(request, _("正文中没有需要转换的半角标点。"))
    elif request.method == "POST":
        form = ReplyDraftForm(request.POST, marks=marks, addressed_to_choices=salutations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                drafts.reply_save_draft(
                    reply=reply, by=request.user, version=data["version"], body=data["body"],
                    category_mark=data["category_mark"], disclosure=data["disclosure"],
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    cc=drafts.parse_cc_text(data["cc_text"], drafts.proposal_people(assignment)),
                    addressed_to=data.get("addressed_to") or None,
                )
            except WorkflowError as error:
                conflict = _show_refusal(form, error)
            else:
                messages.success(request, _("答复稿已保存。"))
                _warn_undrawable(request, pdf.live_reply_letter(reply))
                return redirect("reply-edit", pk=assignment.pk)
    else:
        initial = {**model_to_dict(reply, fields=REPLY_FIELDS), "version": reply.version, "cc_text": _cc_text(reply)}
        form = ReplyDraftForm(initial=initial, marks=marks, addressed_to_choices=salutations)
    return render(
        request,
        "replies/reply_form.html",
        {"form": form, "assignment": assignment, "reply": reply, "conflict": conflict,
         "conflict_cc": _cc_text(conflict) if conflict else "", "last_return": last_return(assignment),
         "converted": converted},
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
                _warn_undrawable(request, pdf.opinion_letter(opinion))
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
    """The reply in full. The leader reads it here and returns or signs it on the same page;
    deputies get the letter and its PDF, never the job's internals."""
    reply = reply_get_visible(request.user, pk)
    roles = roles_of(request.user)
    assignment = reply.assignment
    is_current = current_reply(assignment).pk == reply.pk
    return render(request, "replies/reply_detail.html", {
        "reply": reply, "proposal": assignment.proposal, "a": assignment,
        "actions": available_transitions(request.user, assignment) if is_current else [],
        "transition_form": TransitionForm(),
        "show_pdf_job": _sees_pdf_jobs(roles),
        "pdf_job": pdf.current_pdf(reply), "pdf_file": pdf.downloadable_pdf(reply),
        "is_admin": roles.is_admin,
        "last_return": last_return(assignment) if is_current and not reply.is_signed else None,
    })


# --- PDFs -------------------------------------------------------------------------------------


@login_required
def reply_pdf(request, pk):
    """The stored official letter, under the same access rule as the reply page."""
    reply = reply_get_visible(request.user, pk, signed=True)
    stored = pdf.downloadable_pdf(reply)
    if stored is None:
        raise Http404(_("PDF 尚未生成，请稍后再试。"))
    audit_record(action=AuditRecord.Action.REPLY_PDF, request=request, obj=reply)
    return pdf_response(pdf.file_of(stored), pdf.letter_filename(reply))


@login_required
@limited("pdf", per_minute=6)
def reply_preview_pdf(request, pk):
    """The current draft as a PDF marked 草稿, rendered on request and never stored. Posted from
    the draft form it shows the text as typed, saved or not (nothing is saved)."""
    assignment = assignment_get_visible(request.user, pk)
    _editable(request.user, assignment, Assignment.Role.LEAD)
    reply = current_reply(assignment)
    if reply is None or reply.is_signed:
        raise Http404
    letter = pdf.reply_letter(reply)
    if request.method == "POST":
        form = ReplyDraftForm(request.POST, marks=assignment.proposal.session.category_marks,
                              addressed_to_choices=drafts.addressed_to_choices(reply))
        if not form.is_valid():
            messages.error(request, _("预览失败：") + " ".join(e for errs in form.errors.values() for e in errs))
            return redirect("reply-edit", pk=assignment.pk)
        data = form.cleaned_data
        letter = dataclasses.replace(
            letter,
            salutation=drafts.salutation_for(reply, data.get("addressed_to")),
            body=data["body"],
            category_mark=data["category_mark"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            disclosure_note=pdf.DISCLOSURE_NOTES.get(data["disclosure"], ""),
            cc=tuple(drafts.parse_cc_text(data["cc_text"], drafts.proposal_people(assignment))),
        )
    try:
        rendered = preview.render_on_request(letter, draft=True)
    except preview.PreviewTooSlow as slow:
        return too_slow_response(request, slow)
    return pdf_response(rendered.content, f"草稿 {reply.title}.pdf", inline=True)


@login_required
@limited("pdf", per_minute=6)
def opinion_pdf(request, pk):
    opinion = opinion_get_visible(request.user, pk)
    try:
        rendered = preview.render_on_request(pdf.opinion_letter(opinion), draft=not opinion.is_sent)
    except preview.PreviewTooSlow as slow:
        return too_slow_response(request, slow)
    prefix = "" if opinion.is_sent else "草稿 "
    audit_record(action=AuditRecord.Action.OPINION_PDF, request=request, obj=opinion, detail=prefix.strip())
    return pdf_response(rendered.content, f"{prefix}{opinion.title}.pdf")


@login_required
@require_POST
def reply_pdf_rerender(request, pk):
    reply = reply_get_visible(request.user, pk, signed=True)
    job = workflow.reply_pdf_rerender(reply=reply, by=request.user)
    messages.success(request, _("已重新排队生成 PDF（第 %(n)s 次）。") % {"n": job.generation})
    return redirect("reply-detail", pk=reply.pk)


def _sees_pdf_jobs(roles) -> bool:
    """The PDF job (state, attempts, hash, errors) is the offices' and bureaus' business; a
    deputy gets the letter and its download, never the job — on the page or its JSON."""
    return roles.sees_everything or roles.is_bureau_member


@login_required
def reply_pdf_status(request, pk):
    reply = reply_get_visible(request.user, pk)
    if not _sees_pdf_jobs(roles_of(request.user)):
        raise Http404
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


def _session_from(value) -> Session | None:
    """The chosen session, or None for anything that is not a session's id."""
    value = str(value or "")
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return Session.objects.filter(pk=int(value)).first()


@login_required
def export_new(request):
    _require_exporter(request.user)
    visible = Proposal.objects.visible_to(request.user)
    data = request.POST if request.method == "POST" else request.GET
    proposal_filter = ProposalFilter(data or None, queryset=visible, user=request.user)
    form = proposal_filter.form
    error = None
    if request.method == "POST":
        session = _session_from(request.POST.get("session"))
        if session is None:
            error = _("请选择会议。")
        elif form.is_valid():
            refused = over_limit(request, "export", per_minute=3)
            if refused:
                return refused
            query = request.POST.copy()
            query.pop("csrfmiddlewaretoken", None)
            job = exports.export_start(by=request.user, session=session, query=query.urlencode())
            return redirect("export-detail", pk=job.pk)
    count = None
    session_id = data.get("session") if data else None
    if session_id and form.is_valid():
        session = _session_from(session_id)
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
@require_POST
def export_retry(request, pk):
    job = export_get_for(request.user, pk)
    _require_exporter(request.user)
    if job.state != ExportJob.State.FAILED:
        return redirect("export-detail", pk=job.pk)
    new = exports.export_retry(job=job, by=request.user)
    messages.success(request, _("已重新开始导出。"))
    return redirect("export-detail", pk=new.pk)


@login_required
def export_download(request, pk):
    job = export_get_for(request.user, pk)
    if job.state != ExportJob.State.DONE or not export_still_readable(request.user, job):
        raise Http404
    path = exports.export_path(job)
    name = f"{job.session.name}答复（{job.total}件）.zip"
    audit_record(action=AuditRecord.Action.EXPORT_DOWNLOAD, request=request, obj=job, detail=name)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="application/zip")


# --- deputies and their evaluations ----------------------------------------------------------


def _require_deputy(user):
    if not roles_of(user).is_deputy:
        raise PermissionDenied(_("此页面供代表查看本人的建议。"))


@login_required
def my_proposals(request):
    _require_deputy(request.user)
    page = deputy_cards(request.user, request.GET.get("page"))
    return render(request, "replies/my_proposals.html", {"cards": page.object_list, "page": page})


@login_required
def my_proposal(request, pk):
    _require_deputy(request.user)
    card = deputy_card(request.user, pk)
    return render(request, "replies/my_proposal.html", {"card": card, "form": EvaluationForm()})


@login_required
@require_POST
def evaluation_new(request, pk):
    """The deputy's own rating of a sent reply."""
    _require_deputy(request.user)
    reply = reply_get_visible(request.user, pk)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            evaluation = rating.evaluation_submit(reply=reply, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            if evaluation.is_dissatisfied:
                messages.success(request, _("测评已提交。您选择了「不满意」，承办单位将重新办理并再次答复。"))
            else:
                messages.success(request, _("测评已提交，谢谢。"))
    else:
        messages.error(request, _("测评未提交：") + " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("my-proposal", pk=reply.assignment.proposal_id)


@login_required
def evaluation_paper(request, pk):
    """The congress office records a rating the deputy gave on paper, with the scan."""
    reply = reply_get_visible(request.user, pk)
    require_manager(request.user, _("只有人大代表工委可以录入或更正测评。"))
    proposal = reply.assignment.proposal
    form = PaperEvaluationForm(request.POST or None, request.FILES or None, deputies=rating.raters(proposal))
    if request.method == "POST" and form.is_valid():
        try:
            rating.evaluation_record_paper(reply=reply, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已录入纸质测评。"))
            return redirect("proposal-detail", pk=proposal.pk)
    return render(request, "replies/evaluation_form.html", {"form": form, "reply": reply, "proposal": proposal})


@login_required
def evaluation_correct(request, pk):
    evaluation = get_object_or_404(
        Evaluation.objects.visible_to(request.user).select_related("reply__assignment__proposal__session", "deputy"),
        pk=pk,
    )
    require_manager(request.user, _("只有人大代表工委可以录入或更正测评。"))
    proposal = evaluation.reply.assignment.proposal
    initial = {"work": evaluation.work, "result": evaluation.result, "comment": evaluation.comment}
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rating.evaluation_correct(evaluation=evaluation, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已更正测评，原记录保留。"))
            return redirect("proposal-detail", pk=proposal.pk)
    return render(request, "replies/evaluation_form.html", {
        "form": form, "reply": evaluation.reply, "proposal": proposal, "correcting": evaluation,
    })


@login_required
def evaluation_scan(request, pk):
    evaluation = get_object_or_404(Evaluation.objects.visible_to(request.user).exclude(scan=""), pk=pk)
    audit_record(action=AuditRecord.Action.EVALUATION_SCAN, request=request, obj=evaluation)
    return FileResponse(evaluation.scan.open("rb"), as_attachment=True, filename=Path(evaluation.scan.name).name)
