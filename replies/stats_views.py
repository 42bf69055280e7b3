"""The statistics page (统计) and its Excel file: for the two offices and admins."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import roles_of
from accounts.spreadsheets import append_rows
from proposals.models import Session

from . import stats_snapshots
from .stats import Number, Rate, Stats

ALL_SESSIONS = stats_snapshots.StatsSnapshot.ALL  # ?session=all, the snapshot of all sessions
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_overseer(user) -> None:
    if not roles_of(user).sees_everything:
        raise PermissionDenied(_("只有人大代表工委、政府办公室和管理员可以查看统计。"))


def _sessions():
    return list(Session.objects.order_by("-starts_on", "-pk"))


def _chosen(value: str, sessions) -> tuple[Session | None, str]:
    """The session asked for (?session=<pk>, or ?session=all); the newest by default."""
    if value == ALL_SESSIONS:
        return None, ALL_SESSIONS
    for session in sessions:
        if value == str(session.pk):
            return session, value
    newest = sessions[0] if sessions else None
    return newest, str(newest.pk) if newest else ALL_SESSIONS


@login_required
def stats_page(request):
    _require_overseer(request.user)
    sessions = _sessions()
    session, chosen = _chosen(request.GET.get("session", ""), sessions)
    shown = stats_snapshots.shown_stats(session)
    return render(request, "stats/index.html", {
        "stats": shown.stats, "snapshot": shown.snapshot, "current": shown.current,
        "counting": stats_snapshots.is_counting(session),
        "sessions": sessions, "chosen": chosen, "chart_data": shown.stats.chart_data(),
    })


@login_required
def stats_status(request):
    """Whether the snapshot the page shows is current, for the page's poll while a worker
    recounts: {"current": …, "computed_at": ISO time or null}."""
    _require_overseer(request.user)
    session, _chosen_value = _chosen(request.GET.get("session", ""), _sessions())
    snapshot = stats_snapshots.snapshot_of(session)
    return JsonResponse({
        "current": bool(snapshot and stats_snapshots.is_current(snapshot)),
        "counting": stats_snapshots.is_counting(session),
        "computed_at": timezone.localtime(snapshot.computed_at).isoformat() if snapshot else None,
    })


@login_required
@require_POST
def stats_refresh(request):
    """「重新统计」: ask a worker to count again now; the page then shows that it is counting."""
    _require_overseer(request.user)
    session, chosen = _chosen(request.POST.get("session", ""), _sessions())
    stats_snapshots.refresh_now(session)
    return redirect(f"{reverse('stats')}?session={chosen}")


def _cell(value):
    if isinstance(value, Number):
        return value.value
    if isinstance(value, Rate):
        return value.value  # a fraction, shown as a percentage by the cell's format
    return value


def stats_workbook(stats: Stats) -> bytes:
    """One sheet per table: frozen header, autofilter, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in stats.tables:
        sheet = book.create_sheet(table.title[:31])
        body = table.rows + ([table.total] if table.total else [])
        append_rows(sheet, [
            [table.label_header, *table.columns],
            *([row.label, *(_cell(c) for c in row.cells)] for row in body),
        ])
        for row_number, row in enumerate(body, start=2):
            for column, source in enumerate(row.cells, start=2):
                if isinstance(source, Rate):
                    sheet.cell(row=row_number, column=column).number_format = "0.0%"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        sheet.column_dimensions["A"].width = 22
        for i in range(2, len(table.columns) + 2):
            sheet.column_dimensions[get_column_letter(i)].width = 12
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
def stats_export(request):
    _require_overseer(request.user)
    sessions = _sessions()
    session, _chosen_value = _chosen(request.GET.get("session", ""), sessions)
    stats = stats_snapshots.shown_stats(session).stats  # the numbers the page shows
    response = HttpResponse(stats_workbook(stats), content_type=XLSX)
    name = f"stats-{session.code if session else 'all'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
