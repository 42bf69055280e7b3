"""The statistics tables' cells in one tag: 1,500 numbers each linking to its list, without a
template include, a URL reversal and Django's escaping machinery per cell (which took most of
the page's time)."""

from html import escape
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from replies.stats import Rate

register = template.Library()


@register.simple_tag
def stats_cells(cells):
    """One <td> per cell: a rate as text, a number as a link to the proposals it counts."""
    base = escape(reverse("proposal-list"))
    return mark_safe("".join(_cell(cell, base) for cell in cells))  # every part escaped below


def _cell(cell, base: str) -> str:
    if isinstance(cell, Rate):
        return f'<td class="num rate">{escape(cell.percent)}</td>'
    href = f"{base}?{escape(urlencode(cell.query))}"
    return f'<td class="num"><a class="stat" href="{href}">{int(cell.value)}</a></td>'
