"""Official letters whose body has tables: the 交办通知 and the annual handling report.

The same GB/T 9704 page, header, title, salutation, closing and colophon as a reply (built by
``render.letter_context`` from a ``LetterData`` with an empty body, with the same fonts); the
body is a list of blocks instead: paragraphs (plain text, one per line, headings 一、（一）as in a
reply) and tables. ``notice.html`` is ``letter.html`` with that body, ``notice.css`` adds the
tables to ``letter.css``.
"""

import dataclasses
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.template import Context, Engine

from proposals.text import paragraphs as body_paragraphs

from . import fonts, render
from .coverage import is_printed, uncovered_characters
from .data import LetterData
from .render import LETTER_FONTS, RenderedPdf, letter_context, text_html

HERE = Path(__file__).resolve().parent
CELL_SEPARATOR = "|"


@dataclass(frozen=True)
class TableBlock:
    """A table: a header row and body rows of text; ``wide`` is the index of the column that
    takes the room left (a title), the others keep their text on one line where they can."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    wide: int | None = None


Block = str | TableBlock  # a str is paragraphs, one per line


def table_lines(table: TableBlock) -> list[str]:
    """The table as text lines, cells separated by 「|」: how it reads in an editable text."""
    return [f" {CELL_SEPARATOR} ".join(row) for row in (table.header, *table.rows)]


def _em_width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.6 for c in text)


def blocks_from_text(text: str) -> list[Block]:
    """Editable text back into blocks: a run of lines holding 「|」 (or tabs, as a table copied
    from Word) is a table, its first line the header; every other line is a paragraph."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    prose: list[str] = []

    def flush_table():
        if rows:
            width = max(len(r) for r in rows)
            padded = [r + ("",) * (width - len(r)) for r in rows]
            body = padded[1:] or padded  # the column whose text is longest takes the room left
            widest = max(range(width), key=lambda i: max(_em_width(r[i]) for r in body))
            blocks.append(TableBlock(padded[0], tuple(padded[1:]), wide=widest))
            rows.clear()

    for line in (text or "").replace("\r\n", "\n").split("\n"):
        separator = CELL_SEPARATOR if CELL_SEPARATOR in line else "\t" if "\t" in line.strip() else None
        if separator:
            if prose:
                blocks.append("\n".join(prose))
                prose.clear()
            cells = line.strip().strip(separator).split(separator)
            rows.append(tuple(cell.strip() for cell in cells))
        else:
            flush_table()
            prose.append(line)
    flush_table()
    if prose:
        blocks.append("\n".join(prose))
    return [b for b in blocks if not isinstance(b, str) or b.strip()]


def blocks_text(blocks: list[Block]) -> str:
    """Blocks as editable text (the inverse of ``blocks_from_text``)."""
    return "\n".join("\n".join(table_lines(b)) if isinstance(b, TableBlock) else b for b in blocks)


def _paragraphs(text: str) -> list[dict]:
    return [
        {"heading": p.heading, "font": LETTER_FONTS[p.level], "text": text_html(p.rest)}
        for p in body_paragraphs(text)
    ]


def _table(table: TableBlock) -> dict:
    return {
        "header": [text_html(cell) for cell in table.header],
        "rows": [[text_html(cell) for cell in row] for row in table.rows],
        "wide": table.wide,
    }


def document_context(letter: LetterData, blocks: list[Block]) -> dict:
    context = letter_context(dataclasses.replace(letter, body=""))
    context["css"] += notice_css()
    context["blocks"] = [
        {"table": _table(b)} if isinstance(b, TableBlock) else {"paragraphs": _paragraphs(b)} for b in blocks
    ]
    return context


def printed_blocks(blocks: list[Block]) -> list[tuple[str, str]]:
    """What the blocks print, as (role, text): headings in their face, the rest in 仿宋."""
    runs = []
    for block in blocks:
        if isinstance(block, TableBlock):
            runs += [("fang", cell) for row in (block.header, *block.rows) for cell in row]
        else:
            for p in body_paragraphs(block):
                runs += [(LETTER_FONTS[p.level] or "fang", p.heading), ("fang", p.rest)]
    return [(role, text) for role, text in runs if text]


def uncovered_document_characters(letter: LetterData, blocks: list[Block]) -> list[str]:
    """The characters of the letter and its blocks that no face of their role draws, each once
    (as ``coverage.uncovered_characters`` checks a reply)."""
    found = dict.fromkeys(uncovered_characters(dataclasses.replace(letter, body="")))
    stacks = fonts.print_stacks()
    for role, text in printed_blocks(blocks):
        for char in dict.fromkeys(text):
            if char in found or not is_printed(char):
                continue
            if unicodedata.category(char) == "Cc" or fonts.uncovered(stacks[role], char):
                found[char] = None
    return list(found)


# --- per-process resources ------------------------------------------------------------------


@cache
def _template():
    return Engine(dirs=[str(HERE)], autoescape=True, debug=False).get_template("notice.html")


_CSS_SOURCE = (HERE / "notice.css").read_text(encoding="utf-8")
_FONT_VAR = re.compile(r"var\(--font-(\w+)\)")


def notice_css() -> str:
    stacks = fonts.family_stacks()
    return _FONT_VAR.sub(lambda m: stacks[m.group(1)], _CSS_SOURCE)


def render_document_html(letter: LetterData, blocks: list[Block]) -> str:
    return _template().render(Context(document_context(letter, blocks)))


def render_document_pdf(letter: LetterData, blocks: list[Block]) -> RenderedPdf:
    """The letter as PDF bytes; the same input always gives the same bytes."""
    from weasyprint import HTML

    html = render_document_html(letter, blocks)
    with render._render_lock:  # the renderer's: Pango is shared by every render of the process
        font_sheet, config = fonts.font_stylesheet(), fonts.font_config()
        document = HTML(string=html).render(stylesheets=[font_sheet], font_config=config)
        output = io.BytesIO()
        document.write_pdf(output, pdf_identifier=False)
    content = output.getvalue()
    return RenderedPdf(
        content=content, page_count=len(document.pages), sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
