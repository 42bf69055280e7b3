"""The annual handling report (办理情况报告): the draft as an editable text, and the edited text
downloaded as a PDF letter or as plain text. For the two offices and admins, like /stats/."""

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.audit import audit_record
from accounts.limits import over_limit
from accounts.models import AuditRecord
from proposals.models import Session

from . import preview
from .letter.notice import render_document_pdf, uncovered_document_characters
from .report import report_document, report_draft, report_text
from .responses import pdf_response, too_slow_response
from .stats_views import _require_overseer, _sessions

BODY_MAX = 100_000


class ReportForm(forms.Form):
    session = forms.ModelChoiceField(queryset=Session.objects.all(), widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    salutation = forms.CharField(label=gettext_lazy("主送机关"), max_length=100, required=False)
    body = forms.CharField(
        label=gettext_lazy("正文"), max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 32, "class": "report-text"}),
        help_text=gettext_lazy("可直接修改。每行一段；「一、」「（一）」「1.」开头为标题；用「|」分隔的连续各行为表格（第一行为表头）。"),
    )
    signing_bureau = forms.CharField(label=gettext_lazy("署名"), max_length=100, required=False)
    date = forms.DateField(
        label=gettext_lazy("成文日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _chosen(request, sessions) -> Session:
    value = request.GET.get("session", "")
    for session in sessions:
        if value == str(session.pk):
            return session
    if not sessions:
        raise Http404(_("还没有会议。"))
    return sessions[0]


def _page(request, form, session, sessions, draft=None, status=200):
    return render(request, "replies/report.html", {
        "form": form, "session": session, "sessions": sessions, "draft": draft,
    }, status=status)


@login_required
def report_page(request):
    """The draft of the chosen session's report, prefilled for editing."""
    _require_overseer(request.user)
    sessions = _sessions()
    session = _chosen(request, sessions)
    draft = report_draft(session)
    form = ReportForm(initial={
        "session": session.pk, "title": draft.title, "salutation": draft.salutation, "body": draft.body,
        "signing_bureau": draft.signing_bureau, "date": draft.today,
    })
    return _page(request, form, session, sessions, draft)


@login_required
@require_POST
def report_download(request):
    """The text as the office edited it: ``format=pdf`` (the letter) or ``format=txt``."""
    _require_overseer(request.user)
    form = ReportForm(request.POST)
    sessions = _sessions()
    if not form.is_valid():
        session = form.cleaned_data.get("session") or (sessions[0] if sessions else None)
        return _page(request, form, session, sessions, status=400)
    data = form.cleaned_data
    session = data.pop("session")
    kind = "txt" if request.POST.get("format") == "txt" else "pdf"
    if kind == "txt":
        content = report_text(**data).encode("utf-8")
        audit_record(action=AuditRecord.Action.REPORT_DOWNLOAD, request=request, obj=session, detail=kind)
        return FileResponse(
            io.BytesIO(content), as_attachment=True, filename=f"{data['title']}.txt",
            content_type="text/plain; charset=utf-8",
        )
    refused = over_limit(request, "pdf", per_minute=6)
    if refused:
        return refused
    letter, blocks = report_document(**data)
    if missing := uncovered_document_characters(letter, blocks):
        form.add_error("body", _("以下字符无法打印，请修改后再下载 PDF：%(chars)s")
                       % {"chars": "、".join(f"「{c}」" for c in missing)})
        return _page(request, form, session, sessions, status=400)
    try:
        rendered = preview.render_with_time_limit(render_document_pdf, letter, blocks)
    except preview.PreviewTooSlow as slow:
        return too_slow_response(request, slow)
    audit_record(action=AuditRecord.Action.REPORT_DOWNLOAD, request=request, obj=session, detail=kind)
    return pdf_response(rendered.content, f"{data['title']}.pdf")
