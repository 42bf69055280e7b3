"""Tables in a letter's body (cells as clerks paste them from Word), measured for the grid.

GB/T 9704 sets no type for tables in the body; offices set them in 仿宋 smaller than the body:
四号 (14 pt) here, ruled, within the text block. Column widths follow their longest cell; a
column that does not fit shares the room left and its cells wrap, never past the border. Each
row takes a whole number of grid lines (its text centred in them), so the text after the
table stays on the grid and a page break falls between rows.
"""

import math

from .body import Table
from .typeset import break_lines, glyphs, line_html

CELL_PT = 14.0
CELL_LINE_MM = 10.227 * 2 / 3  # three lines of table text in two grid lines
PAD_MM = 1.2  # inside each cell, left and right
PAD_PT = PAD_MM * 72 / 25.4
RULE_MM = 0.25
MIN_COLUMN_PT = 2 * CELL_PT + 2 * PAD_PT  # room for two characters


def _natural(text: str, role: str) -> float:
    return sum(g.advance for g in glyphs(text, role, CELL_PT)) + 2 * PAD_PT


def column_widths(table: Table, width: float) -> list[float]:
    """Each column's width in pt, together ``width``. Where all columns fit at their longest
    cell they share the room in proportion; otherwise the narrow ones keep their width and
    the rest share what is left equally (max-min fair: a long column never squeezes a header
    such as 「投资额（亿元）」 into three lines to stay on one line itself)."""
    natural = [
        max(
            max(_natural(row[c], _role(table, r)) for r, row in enumerate(table.rows)),
            MIN_COLUMN_PT,
        )
        for c in range(table.columns)
    ]
    if sum(natural) <= width:
        return [n * width / sum(natural) for n in natural]
    widths = [0.0] * len(natural)
    room, left = width, len(natural)
    for column in sorted(range(len(natural)), key=natural.__getitem__):
        widths[column] = min(natural[column], room / left)
        room -= widths[column]
        left -= 1
    return widths


def _role(table: Table, row: int) -> str:
    return "hei" if row == 0 and len(table.rows) > 1 else "fang"  # a header row in 黑体


def table_rows(table: Table, width: float) -> tuple[list[float], list[tuple[list[str], int]]]:
    """The column widths and, for each row, the HTML of its cells and its grid lines."""
    widths = column_widths(table, width)
    rows = []
    for r, row in enumerate(table.rows):
        role = _role(table, r)
        cells = []
        height = 1
        for text, column in zip(row, widths, strict=True):
            room = column - 2 * PAD_PT
            lines = break_lines(
                glyphs(text, role, CELL_PT), [room], em=CELL_PT, spacing=0.0, justify=False
            )
            cells.append("\n".join(line_html(line, 0.0, role) for line in lines))
            height = max(height, len(lines))
        grid = math.ceil((height * CELL_LINE_MM + RULE_MM) / 10.227 - 1e-6)
        rows.append((cells, grid))
    return widths, rows


def table_html(
    widths: list[float], rows: list[tuple[list[str], int]], *, header: bool, style: str
) -> str:
    """A table of ``rows`` (a page's share) in a box exactly as tall as its grid lines."""
    total = sum(grid for _, grid in rows)
    cols = "".join(f'<col style="width: {w:.2f}pt">' for w in widths)
    body = []
    for index, (cells, grid) in enumerate(rows):
        tag = "th" if header and index == 0 else "td"
        height = grid * 10.227 - RULE_MM
        body.append(
            f'<tr style="height: {height:.3f}mm">'
            + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells)
            + "</tr>"
        )
    return (
        f'<div{style}><div class="table-box" style="height: {total * 10.227:.3f}mm">'
        f'<table class="cells"><colgroup>{cols}</colgroup>{"".join(body)}</table></div></div>'
    )
