"""The flow of a letter under its header, as pieces for ``pages``: title, salutation, body
(paragraphs, tables, attachments note), closing and colophon, each line set by ``typeset``.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape

from .body import Attachments, Table, body_blocks
from .data import CcRecipient
from .pages import Piece, colophon_place, flow_html, paginate, units
from .tables import table_html, table_rows
from .typeset import break_lines, glyphs, line_html

LINE_MM = 10.227
TEXT_WIDTH_PT = 156.0 * 72 / 25.4
CHAR_PT = 16.0 - 0.22
INDENT_PT = 2 * CHAR_PT
CC_PT = 14.0
CC_LABEL = "抄送："
# Lines end in a newline under ``white-space: pre`` (letter.css ``.lines``): a <br> would be
# one more element for WeasyPrint to style, and styles are most of its time.
LINE_BREAK = "\n"
CC_LINE_MM = 7.5  # letter.css .colophon-block
CC_RULES_MM = 2 * 0.35 + 2 * 0.6  # two thick rules, the margins of the cc line


@dataclass(frozen=True)
class Flow:
    html: str
    pages: int  # pages of the letter, blank and colophon pages included


def _lines(text_glyphs, widths) -> list[str]:
    return [line_html(line) for line in break_lines(text_glyphs, widths)]


def _paragraph_glyphs(paragraph, heading_role) -> list:
    role = heading_role(paragraph.level) or "fang"
    return glyphs(paragraph.heading, role) + glyphs(paragraph.rest, "fang")


def _text_piece(lines: list[str], css: str, *, gap: int = 0, keep_last: bool = False) -> Piece:
    def html(parts: list[int], style: str) -> str:
        classes = css if parts[0] == 0 else f"{css} cont"
        inner = LINE_BREAK.join(lines[i] for i in parts)
        return f'<p class="{classes}"{style}>{inner}</p>'

    return Piece(html, [1] * len(lines), gap=gap, keep_last=keep_last)


def _table_piece(table: Table) -> Piece:
    widths, rows = table_rows(table, TEXT_WIDTH_PT)
    header = len(table.rows) > 1

    def html(parts: list[int], style: str) -> str:
        return table_html(
            widths, [rows[i] for i in parts], header=header and parts[0] == 0, style=style
        )

    return Piece(html, [grid for _, grid in rows], keep_first=header)  # never a lone header row


def _attachments_piece(note: Attachments) -> Piece:
    """GB/T 9704 7.3.4: one blank line under the body, 「附件：」 two characters in, each item's
    number under the first one's, a long name wrapping under its own first character."""
    label = sum(g.advance - 0.22 for g in glyphs("附件：", "fang"))
    number_left = INDENT_PT + label
    lines: list[str] = []
    for index, (number, name) in enumerate(note.items):
        prefix = ("附件：" if index == 0 else "") + number
        name_left = number_left + sum(g.advance - 0.22 for g in glyphs(number, "fang"))
        first_left = INDENT_PT if index == 0 else number_left
        width = TEXT_WIDTH_PT - name_left
        set_lines = break_lines(glyphs(name, "fang"), [width])
        for n, line in enumerate(set_lines):
            left = first_left if n == 0 else name_left
            text = (escape(prefix) if n == 0 else "") + line_html(line)
            lines.append(f'<div style="padding-left: {left:.2f}pt">{text}</div>')
        if not set_lines:
            lines.append(f'<div style="padding-left: {first_left:.2f}pt">{escape(prefix)}</div>')

    def html(parts: list[int], style: str) -> str:
        inner = "".join(lines[i] for i in parts)
        return f'<div class="attachments lines"{style}>{inner}</div>'

    return Piece(html, [1] * len(lines), gap=1)


def _closing_piece(closing: dict, notes: list[str]) -> Piece:
    note_lines = [
        _lines(glyphs(note, "fang"), [TEXT_WIDTH_PT - INDENT_PT, TEXT_WIDTH_PT]) for note in notes
    ]
    rows = len(closing["bureau_lines"]) + bool(str(closing["date"]))
    rows += sum(len(lines) for lines in note_lines)
    signature = ""
    if closing["bureau_lines"] or closing["date"]:
        bureau = "<br>".join(closing["bureau_lines"])
        signature = (
            f'<div class="signature {closing["align"]}"><div class="signature-box">'
            + (f'<div class="bureau">{bureau}</div>' if bureau else "")
            + (f'<div class="date">{closing["date"]}</div>' if str(closing["date"]) else "")
            + "</div></div>"
        )
    notes_html = "".join(
        f'<p class="note lines">{LINE_BREAK.join(lines)}</p>' for lines in note_lines
    )

    def html(parts: list[int], style: str) -> str:
        return f'<div class="closing"{style}>{signature}{notes_html}</div>'

    return Piece(html, [1] * rows, gap=2, keep=True, body=False)


def cc_lines(cc: tuple[CcRecipient, ...]) -> list[str]:
    """「抄送：」 and the recipients, a name never split (县发展和改革局, 欧阳建国): each line
    holds whole names with their 「，」「、」 or 「。」; only a name longer than a line wraps."""
    recipients = [r for r in cc if r.name.strip()]
    pieces = []
    for index, recipient in enumerate(recipients):
        if index == len(recipients) - 1:
            mark = "。"
        elif recipient.is_person and recipients[index + 1].is_person:
            mark = "、"
        else:
            mark = "，"
        pieces.append(recipient.name.strip() + mark)
    room = TEXT_WIDTH_PT - 2 * CC_PT - 3 * CC_PT  # one character in each side, under the label
    lines: list[str] = []
    current, used = "", 0.0
    for piece in pieces:
        width = sum(g.advance for g in glyphs(piece, "fang", CC_PT))
        if current and used + width > room + 0.01:
            lines.append(current)
            current, used = "", 0.0
        if width > room + 0.01:  # a name longer than a line: the only one that wraps
            parts = break_lines(
                glyphs(piece, "fang", CC_PT), [room], em=CC_PT, spacing=0.0, justify=False
            )
            lines += [part.text for part in parts[:-1]]
            current = parts[-1].text
            used = sum(g.advance for g in parts[-1].glyphs)
            continue
        current += piece
        used += width
    if current:
        lines.append(current)
    if lines:
        lines[0] = CC_LABEL + lines[0]
    return lines


def _colophon_html(lines: list[str], place: str) -> str:
    style = {
        "here": "",
        "next": ' style="break-before: left"',
        "after_blank": ' style="break-before: left; page: bare"',
    }[place]
    inner = LINE_BREAK.join(escape(line) for line in lines)
    return (
        f'<div class="colophon-anchor"{style}><div class="colophon"><div class="colophon-block">'
        f'<div class="rule thick"></div><p class="cc lines">{inner}</p><div class="rule thick"></div>'
        "</div></div></div>"
    )


def colophon_rows(lines: list[str]) -> int:
    """Grid lines the colophon takes at the foot of a page, with a blank line above it."""
    return 1 + math.ceil((len(lines) * CC_LINE_MM + CC_RULES_MM) / LINE_MM - 1e-6)


def letter_flow(
    letter, *, header_rows: int, title_gap: int, title_html: list[str], closing, notes, heading_role
) -> Flow:
    """The letter under its header: title, salutation, body, closing and colophon, paged."""
    pieces = (
        [Piece(lambda parts, style: "", [header_rows], keep=True, body=False)]
        if header_rows
        else []
    )

    def title(parts, style):
        return f'<p class="title"{style}>{"<br>".join(title_html)}</p>'

    pieces.append(
        Piece(title, [1] * len(title_html), gap=title_gap, keep=True, keep_last=True, body=False)
    )
    if salutation := letter.salutation.strip():
        pieces.append(
            _text_piece(
                _lines(glyphs(salutation, "fang"), [TEXT_WIDTH_PT]),
                "salutation lines",
                gap=1,
                keep_last=True,
            )
        )
    for block in body_blocks(letter.body):
        if isinstance(block, Table):
            pieces.append(_table_piece(block))
        elif isinstance(block, Attachments):
            pieces.append(_attachments_piece(block))
        else:
            lines = _lines(
                _paragraph_glyphs(block, heading_role), [TEXT_WIDTH_PT - INDENT_PT, TEXT_WIDTH_PT]
            )
            alone = bool(block.heading) and not block.rest
            pieces.append(_text_piece(lines, "para lines", keep_last=alone))
    closing_index = None
    if closing is not None:
        closing_index = len(pieces)
        pieces.append(_closing_piece(closing, notes))
    pages = paginate(units(pieces, closing_index))
    html = flow_html(pieces, pages)
    count = len(pages.pages)
    if lines := cc_lines(letter.cc):
        place = colophon_place(pages, colophon_rows(lines))
        html += "\n" + _colophon_html(lines, place)
        count += {"here": 0, "next": 1, "after_blank": 2}[place]
    return Flow(html, count)
