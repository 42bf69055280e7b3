"""Batch assignment from the proposal list, and the 交办通知 pages and PDFs. Thin: the batch goes
through ``notices.batch_assign``, every read through ``AssignmentNotice.objects.visible_to``."""

import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.limits import limited
from accounts.models import AuditRecord, Organization
from accounts.roles import require_manager, roles_of
from proposals.batch import MAX_BATCH, BatchRefused, batch_refusals
from proposals.deadlines import opinion_deadline, reply_deadline
from proposals.errors import WorkflowError
from proposals.filters import ProposalFilter
from proposals.forms import bureaus
from proposals.models import Proposal

from . import notices, preview
from .letter.notice import render_document_pdf
from .responses import pdf_response, too_slow_response

PAGE_SIZE = 25


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BatchAssignForm(forms.Form):
    lead = forms.ModelChoiceField(label=gettext_lazy("主办单位"), queryset=Organization.objects.none())
    assistants = forms.ModelMultipleChoiceField(
        label=gettext_lazy("协办单位"), queryset=Organization.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    reply_due_on = forms.DateField(
        label=gettext_lazy("指定答复期限"), required=False, widget=_date_input(),
        help_text=gettext_lazy("不填则按会议规定计算（见上）。"),
    )
    opinion_due_on = forms.DateField(
        label=gettext_lazy("指定协办意见期限"), required=False, widget=_date_input(),
        help_text=gettext_lazy("不填则按会议规定计算（见上）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = bureaus()
        self.fields["assistants"].queryset = bureaus()


def _selected(user, ids: list[str]) -> list[Proposal] | None:
    """The ticked proposals, or None when one of them is not (or no longer) there to see."""
    wanted = set(ids)
    if not all(re.fullmatch(r"[0-9]{1,18}", i) for i in wanted):  # 「²」 passes isdigit(), not int()
        return None
    found = list(
        Proposal.objects.visible_to(user).filter(pk__in=wanted).select_related("session", "lead_deputy")
        .order_by("-session__term", "-session__number", "number")
    )
    return found if len(found) == len(wanted) else None


def _matching(request) -> list[str]:
    """The ids of the proposals the list shows for the same filters (its access rule included)."""
    query = request.GET.copy()
    for name in ("matching", "page", "proposal"):
        query.pop(name, None)
    found = ProposalFilter(query, queryset=Proposal.objects.visible_to(request.user), user=request.user).qs
    return [str(pk) for pk in found.values_list("pk", flat=True)[: MAX_BATCH + 1]]


def _defaults(proposals: list[Proposal]) -> list[dict]:
    """The due dates the rules give for assigning today, per session of the selection."""
    today = timezone.localdate()
    sessions = dict.fromkeys(p.session for p in proposals)
    return [
        {"session": s, "reply": reply_deadline(s, today), "opinion": opinion_deadline(s, today)}
        for s in sessions
    ]


@login_required
def batch_assign(request):
    """GET: the proposals ticked on the list, and which of them cannot be assigned; POST: assign
    them all to one lead and its assisting bureaus, or none of them."""
    require_manager(request.user, _("只有人大代表工委可以交办建议。"))
    posted = request.method == "POST"
    ids = (request.POST if posted else request.GET).getlist("proposal")
    if not posted and request.GET.get("matching") == "1":  # every proposal the list's filters find
        ids = _matching(request)
        if len(ids) > MAX_BATCH:
            messages.error(request, _("筛选出的建议超过%(n)s件，请缩小筛选范围后再批量交办。") % {"n": MAX_BATCH})
            return redirect("proposal-list")
    proposals = _selected(request.user, ids) if ids else []
    if not proposals:
        messages.error(
            request,
            _("所选建议有的已不存在，请重新选择。") if ids else _("请先勾选要交办的建议，再点「批量交办」。"),
        )
        return redirect("proposal-list")
    form = BatchAssignForm(request.POST if posted else None)
    refusals = {r.proposal.pk: r.reason for r in batch_refusals(proposals)}
    if posted and form.is_valid():
        clean = form.cleaned_data
        try:
            batch = notices.batch_assign(
                proposals=proposals, lead=clean["lead"], assistants=clean["assistants"], by=request.user,
                reply_due_on=clean["reply_due_on"], opinion_due_on=clean["opinion_due_on"],
            )
        except BatchRefused as refused:
            refusals = {r.proposal.pk: r.reason for r in refused.refusals}
            form.add_error(None, str(refused))
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已批量交办%(n)s件建议，生成交办通知%(m)s份。")
                % {"n": len(proposals), "m": batch.notices.count()},
            )
            return redirect("notice-batch", pk=batch.pk)
    rows = [{"proposal": p, "refusal": refusals.get(p.pk, "")} for p in proposals]
    rest = [p.pk for p in proposals if p.pk not in refusals]
    return render(request, "replies/batch_assign.html", {
        "form": form, "rows": rows, "refused": len(proposals) - len(rest), "rest": len(rest),
        "rest_query": urlencode({"proposal": rest}, doseq=True), "defaults": _defaults(proposals),
    })


@login_required
def notice_batch(request, pk):
    found = notices.batch_notices_visible(request.user, pk)
    return render(request, "replies/notice_batch.html", {"batch": found[0].batch, "notices": found})


@login_required
def notice_list(request):
    roles = roles_of(request.user)
    if not (roles.sees_everything or roles.is_bureau_member):
        raise PermissionDenied(_("只有承办单位和两办可以查看交办通知。"))
    visible = notices.with_counts(notices.notices_visible(request.user))
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "replies/notice_list.html", {"page": page})


@login_required
def notice_detail(request, pk):
    notice = notices.notice_get_visible(request.user, pk)
    letter, blocks = notices.notice_document(notice)
    return render(request, "replies/notice_detail.html", {
        "notice": notice, "letter": letter,
        "blocks": [{"table": b} if not isinstance(b, str) else {"text": b} for b in blocks],
        "proposals": [
            a.proposal for a in notice.assignments.select_related("proposal").order_by("proposal__number")
        ],
    })


@login_required
@limited("pdf", per_minute=6)
def notice_pdf(request, pk):
    notice = notices.notice_get_visible(request.user, pk)
    try:
        rendered = preview.render_with_time_limit(render_document_pdf, *notices.notice_document(notice))
    except preview.PreviewTooSlow as slow:
        return too_slow_response(request, slow)
    audit_record(action=AuditRecord.Action.NOTICE_PDF, request=request, obj=notice, detail=notice.document_number)
    return pdf_response(rendered.content, notices.notice_filename(notice))
