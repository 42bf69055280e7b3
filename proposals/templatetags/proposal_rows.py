"""The proposal list's rows, a proposal's timeline and every page's due-date mark, written out
in Python.

A list page shows 25 rows, each with one to five bureaus and their due dates; through template
tags, includes and a URL reversal per row they cost a third of the page (and a busy proposal's
thirty timeline rows a tenth of its page). Every value is escaped here (``html.escape``), and
the markup is the one the templates wrote.
"""

from html import escape

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


def _day(value) -> str:
    """A date as the ``date:"Y-m-d"`` filter writes it."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value else ""


def _minute(value) -> str:
    """A moment in the local time zone, as the ``date:"Y-m-d H:i"`` filter writes it."""
    local = timezone.localtime(value)
    return f"{_day(local)} {local.hour:02d}:{local.minute:02d}"


def due_html(a, today=None) -> str:
    """An assignment's due date, marked overdue (with the days), due soon, open (days left) or
    answered late: one rule (``Assignment.due_status``) for every page that shows a due date."""
    today = today or timezone.localdate()
    mark, days_left = "", a.days_left(today)
    status = a.due_status
    if status == "overdue":
        days = -days_left
        mark = ' <strong class="badge red">' + escape(ngettext("已逾期%(days)s天", "已逾期%(days)s天", days) % {"days": days}) + "</strong>"
    elif status == "soon":
        mark = ' <span class="badge amber">' + escape(ngettext("剩%(days)s天", "剩%(days)s天", days_left) % {"days": days_left}) + "</span>"
    elif a.is_open:
        mark = ' <span class="sub">' + escape(ngettext("剩%(days)s天", "剩%(days)s天", days_left) % {"days": days_left}) + "</span>"
    elif a.late_days:
        late = a.late_days
        mark = ' <span class="badge red">' + escape(ngettext("逾期%(days)s天答复", "逾期%(days)s天答复", late) % {"days": late}) + "</span>"
    return f'<span class="due {escape(status)}" title="{escape(a.due_basis)}">{_day(a.due_on)}{mark}</span>'


_detail_prefixes: dict[str, str] = {}


def proposal_detail_prefix() -> str:
    """``/proposals/`` as ``reverse("proposal-detail")`` starts, under this request's script
    prefix: reversed once per prefix, not once per row."""
    script = get_script_prefix()
    if script not in _detail_prefixes:
        _detail_prefixes[script] = reverse("proposal-detail", args=[0]).removesuffix("0/")
    return _detail_prefixes[script]


@register.filter
def proposal_url(pk) -> str:
    """``{{ a.proposal_id|proposal_url }}``: the proposal page's URL, as ``{% url 'proposal-detail' pk %}``."""
    return f"{proposal_detail_prefix()}{int(pk)}/"


@register.simple_tag
def due(a):
    return mark_safe(due_html(a))  # every part escaped in due_html


@register.simple_tag
def proposal_rows(page, selectable=False):
    """The <tr> of each proposal on a list page: number, title (重点督办), lead deputy, bureaus
    with their roles, state and due dates; a check box first when the user may batch-assign."""
    today = timezone.localdate()
    detail = proposal_detail_prefix()
    supervised = escape(gettext("重点督办"))
    rows = []
    for p in page:
        assignments = list(p.assignments.all())
        cells = []
        if selectable:
            label = escape(gettext("选择%(label)s") % {"label": p.label})
            cells.append(f'<td><input type="checkbox" name="proposal" value="{p.pk}" aria-label="{label}"></td>')
        cells.append(f'<td class="nowrap">{escape(p.session.code)} · {escape(p.label)}</td>')
        badge = ""
        if p.key_supervised:
            leader = f" · {escape(p.supervising_leader)}" if p.supervising_leader else ""
            badge = f' <span class="badge red">{supervised}{leader}</span>'
        cells.append(f'<td><a href="{detail}{p.pk}/">{escape(p.title)}</a>{badge}</td>')
        cells.append(f'<td class="hide-narrow">{escape(str(p.lead_deputy or ""))}</td>')
        bureaus = "".join(
            f"<div>{escape(a.bureau.short_name)}<small>（{escape(str(a.get_role_display()))}）</small></div>"
            for a in assignments
        )
        cells.append(f"<td>{bureaus or '—'}</td>")
        cells.append(f'<td><span class="state s-{escape(p.state)}">{escape(str(p.get_state_display()))}</span></td>')
        dues = "".join(f"<div>{due_html(a, today)}</div>" for a in assignments)
        cells.append(f"<td>{dues or '—'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(rows))  # every part escaped above


@register.simple_tag
def timeline_rows(events):
    """The <li> of each timeline step: when, what, the bureau's short name and who took it,
    with its note beneath."""
    rows = []
    for e in events:
        bureau = f" · {escape(e.assignment.bureau.short_name)}" if e.assignment_id else ""
        actor = f" · {escape(e.actor.display_name)}" if e.actor_id else ""
        note = f'<div class="sub">{escape(e.note)}</div>' if e.note else ""
        rows.append(
            f"<li><time>{_minute(e.created_at)}</time> <strong>{escape(str(e.get_action_display()))}</strong>"
            f"{bureau}{actor}{note}</li>"
        )
    return mark_safe("".join(rows))  # every part escaped above
