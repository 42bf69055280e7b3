"""「导出 Excel」 of the proposal list: exactly the rows the list's filters select, under the same
access rule, one row per proposal, written as it is read (write-only workbook, spooled to disk
past a few megabytes) and bounded by LIST_EXPORT_MAX_ROWS. Each download is audited."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from accounts.audit import ObjectRef, audit_record
from accounts.limits import limited
from accounts.models import AuditRecord
from accounts.roles import roles_of
from accounts.spreadsheets import append_rows

from .filters import RATING_CHOICES, ProposalFilter
from .models import Assignment, Proposal
from .selectors import proposal_list_order, with_assignments

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
# (header, width); dates are real dates, counts are numbers.
COLUMNS = [
    ("编号", 8), ("届次", 24), ("标题", 48), ("领衔代表", 10), ("代表团", 14), ("附议代表", 24),
    ("提出时间", 10), ("类别", 12), ("收到日期", 12), ("重点督办", 8), ("承办单位(主办/协办)", 36),
    ("交办日期", 12), ("答复期限", 12), ("状态", 10), ("答复日期", 12), ("逾期天数", 8),
    ("测评(办理工作)", 12), ("测评(办理结果)", 12),
]
RATING_LABELS = dict(RATING_CHOICES)


def listed_proposals(request):
    """The proposal list's rows for this request: its filters over ``visible_to``, its order."""
    visible = Proposal.objects.visible_to(request.user)
    proposal_filter = ProposalFilter(request.GET, queryset=visible, user=request.user)
    return proposal_list_order(with_assignments(proposal_filter.qs))


def _ratings(proposal_ids) -> dict:
    """proposal id -> (work, result) of the current rating on its newest rated lead reply,
    the lead deputy's before a co-signer's. Read by reverse lookups: ratings live in replies."""
    found = {}
    rows = (
        Assignment.objects.active()
        .filter(proposal_id__in=proposal_ids, role=Assignment.Role.LEAD, replies__evaluations__isnull=False,
                replies__evaluations__superseded_by__isnull=True)
        .values_list("proposal_id", "proposal__lead_deputy_id", "replies__round", "replies__evaluations__deputy_id",
                     "replies__evaluations__created_at", "replies__evaluations__work", "replies__evaluations__result")
    )
    for pid, lead_id, round_, deputy_id, created_at, work, result in rows:
        key = (round_, deputy_id == lead_id, created_at)
        if pid not in found or key > found[pid][0]:
            found[pid] = (key, (str(RATING_LABELS.get(work, work)), str(RATING_LABELS.get(result, result))))
    return {pid: labels for pid, (_key, labels) in found.items()}


def _row(proposal, ratings, today) -> list:
    assignments = list(proposal.assignments.all())
    leads = [a for a in assignments if a.is_lead]
    delivered = [a.finished_on for a in leads if a.finished_on]
    late = [a.overdue_days if a.is_open else a.late_days for a in leads]
    work, result = ratings.get(proposal.pk, ("", ""))
    return [
        proposal.number,
        proposal.session.name,
        proposal.title,
        proposal.lead_deputy.name,
        proposal.lead_deputy.delegation.short_name or proposal.lead_deputy.delegation.name,
        "、".join(d.name for d in proposal.co_signers.all()),
        proposal.get_timing_display(),
        proposal.get_category_display(),
        proposal.received_on,
        "是" if proposal.key_supervised else "",
        "、".join(f"{a.bureau.short_name or a.bureau.name}（{a.get_role_display()}）" for a in assignments),
        min((timezone.localdate(a.assigned_at) for a in assignments), default=None),
        min((a.due_on for a in leads), default=None),
        proposal.get_state_display(),
        max(delivered) if leads and len(delivered) == len(leads) else None,
        max(late, default=0) or None,
        work,
        result,
    ]


def proposals_xlsx(proposals, out) -> int:
    """Write ``proposals`` (already filtered and ordered) as a workbook into ``out``; the row count."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("建议列表"))
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    rows = proposals.select_related("lead_deputy__delegation").prefetch_related("co_signers")
    count = rows.count()
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    append_rows(sheet, [[header for header, _width in COLUMNS]])
    today = timezone.localdate()
    chunk = []

    def flush():
        ratings = _ratings([p.pk for p in chunk])
        append_rows(sheet, (_row(p, ratings, today) for p in chunk))
        chunk.clear()

    for proposal in rows.iterator(chunk_size=CHUNK):
        chunk.append(proposal)
        if len(chunk) == CHUNK:
            flush()
    flush()
    book.save(out)
    return count


@login_required
@require_GET
@limited("list-export", per_minute=settings.LIST_EXPORTS_PER_MINUTE)
def proposal_list_export(request):
    if roles_of(request.user).is_deputy_only:
        raise PermissionDenied(_("代表请在「我的建议」中查看自己的建议。"))
    proposals = listed_proposals(request)
    count = proposals.count()
    query = request.GET.urlencode()
    if count > settings.LIST_EXPORT_MAX_ROWS:
        messages.error(request, _("符合条件的建议共%(n)s件，超过一次导出的上限%(limit)s件，请缩小筛选范围后再导出。") % {
            "n": count, "limit": settings.LIST_EXPORT_MAX_ROWS,
        })
        return redirect(f"{reverse('proposal-list')}?{query}")
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    written = proposals_xlsx(proposals, out)
    out.seek(0)
    audit_record(
        action=AuditRecord.Action.LIST_EXPORT, request=request,
        obj=ObjectRef(type="proposals.proposal", id="", text=_("建议列表 Excel")),
        detail=_("%(n)s件；筛选条件：%(query)s") % {"n": written, "query": query or _("无")},
    )
    name = f"建议列表-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
