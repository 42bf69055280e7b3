"""LetterData → HTML → PDF bytes, laid out by GB/T 9704 (see shared/docs/official-letter.md).

Pure: no database, no files written. The expensive, input-independent parts (template, CSS,
fonts, WeasyPrint's FontConfiguration) are prepared once per process.
"""

import hashlib
import io
import logging
import math
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.template import Context, Engine
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from proposals.numerals import chinese_date

from . import fonts
from .body import printed_runs
from .data import LetterData, cc_line
from .layout import letter_flow
from .shape import SHAPE_TOLERANCE_EM, TITLE_MAX_EM, _em, balanced_lines  # noqa: F401 (tests)
from .typeset import spacing_css

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)

# Grid and sizes, in millimetres unless the name says pt (same numbers as letter.css).
# The font each heading level takes (GB/T 9704): 一、 黑体, （一） 楷体, 1. and （1） 仿宋 like the body.
LETTER_FONTS = {0: "", 1: "hei", 2: "kai", 3: "fang", 4: "fang"}
LINE_MM = 10.227  # 225 mm / 22 lines
BODY_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
TEXT_WIDTH_MM = 156.0
MARK_TOP_MM = 35.0  # top of the issuing-authority mark under the top of the text block
MARK_MAX_MM = 15.0  # largest character of the authority mark
RULE_GAP_MM = 4.0  # red rule under the number line
RULE_MM = 0.5
PT_MM = 25.4 / 72
LETTER_SPACING_PT = -0.22  # 28 characters of 三号 in a line
CHAR_PT = BODY_PT + LETTER_SPACING_PT  # one character of body text: 15.78 pt
TEXT_WIDTH_PT = TEXT_WIDTH_MM / PT_MM
DATE_INDENT_PT = 4 * CHAR_PT  # the date ends four characters in from the right
SIGNER_LABEL = "签发人："


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    sha256: str
    size: int


# --- layout ---------------------------------------------------------------------------------


def text_html(text: str, role: str = "fang") -> SafeString:
    """``text`` escaped, with each run of characters that the role's first font lacks (喆 in
    FandolFang) in a ``<span class="t">``: its fallback face must not make the line taller
    (letter.css). Spans only where needed: each one costs WeasyPrint layout time."""
    lacking = fonts.first_font_lacks(role, text)
    if not lacking:
        return escape(text)
    runs: list[tuple[bool, str]] = []
    for char in text:
        fallback = char in lacking
        if runs and runs[-1][0] == fallback:
            runs[-1] = (fallback, runs[-1][1] + char)
        else:
            runs.append((fallback, char))
    return mark_safe(  # noqa: S308 - every piece is escaped
        "".join(f'<span class="t">{escape(t)}</span>' if fb else escape(t) for fb, t in runs)
    )


def _mm(value: float) -> str:
    return f"{value:.3f}mm"


def _width_pt(stacks, role: str, text: str, size: float = BODY_PT) -> float:
    """How wide ``text`` prints in the letter's body type (letter spacing included)."""
    return sum(fonts.advance_em(stacks[role], c) * size + LETTER_SPACING_PT for c in text)


def _fit_lines(pieces: list[str], fits, sep: str) -> list[str]:
    """``pieces`` joined into lines by ``sep`` two at a time where the pair ``fits``, else one
    at a time; a piece too long on its own is cut into the longest runs that fit."""
    lines: list[str] = []
    i = 0
    while i < len(pieces):
        pair = sep.join(pieces[i : i + 2])
        if i + 1 < len(pieces) and fits(pair):
            lines.append(pair)
            i += 2
            continue
        piece = pieces[i]
        while not fits(piece) and len(piece) > 1:
            cut = max(k for k in range(1, len(piece)) if fits(piece[:k]) or k == 1)
            lines.append(piece[:cut])
            piece = piece[cut:]
        lines.append(piece)
        i += 1
    return lines


# Between two signers: 、，; or white space, except inside a Latin name (John Smith).
_SIGNER_SEPARATOR = re.compile(r"\s*[、，,；;]\s*|(?<![A-Za-z])\s+|\s+(?![A-Za-z])")


def signer_lines(letter: LetterData, stacks) -> list[str]:
    """The signers' names as printed after 「签发人：」 (GB/T 9704 7.2.4): two names a line,
    the lines right of the label and clear of the document number on the last one."""
    names = [name for name in _SIGNER_SEPARATOR.split(letter.signer.strip()) if name]
    if not names:
        return []
    room = TEXT_WIDTH_PT - 2 * CHAR_PT - _width_pt(stacks, "fang", SIGNER_LABEL)
    if letter.document_number:
        room -= _width_pt(stacks, "fang", letter.document_number) + CHAR_PT
    return _fit_lines(names, lambda line: _width_pt(stacks, "kai", line) <= room, "\u3000")


def _header(letter: LetterData, stacks) -> dict | None:
    category = letter.category_mark if letter.kind == "reply" else ""
    signers = signer_lines(letter, stacks)
    number_line = bool(letter.document_number or signers)
    if not (category or letter.authority_mark or number_line):
        return None
    extra_lines = max(len(signers) - 1, 0)  # the number sits on the signers' last line
    header = {
        "category_mark": category,
        "authority_mark": letter.authority_mark,
        "document_number": letter.document_number,
        "signer_lines": [text_html(line, "kai") for line in signers],
        "number_line": number_line,
        "rule_top": None,
    }
    body_em_mm = BODY_PT * PT_MM
    if letter.authority_mark:
        mark_em = sum(_em(c) for c in letter.authority_mark)
        size = min(MARK_MAX_MM, (TEXT_WIDTH_MM - 6) / mark_em)
        # Pango puts the baseline (ascent - descent) / 2 + 1/2 em below the top of a line box
        # as tall as the font size; the ideographic em box starts 0.88 em above the baseline.
        ascent, descent = fonts.vertical_metrics("xbs")
        mark_top = MARK_TOP_MM - ((ascent - descent) / 2 + 0.5 - 0.88) * size
        signer_top = MARK_TOP_MM + size + 2 * LINE_MM  # two blank lines under the mark
        number_top = signer_top + extra_lines * LINE_MM
        if number_line:
            # The rule: 4 mm under the characters (em box) of the number line.
            ascent, descent = fonts.vertical_metrics("fang")
            number_baseline = number_top + LINE_MM / 2 + (ascent - descent) / 2 * body_em_mm
            rule_top = number_baseline + 0.12 * body_em_mm + RULE_GAP_MM
        else:  # no number to separate: the rule one line under the mark
            rule_top = MARK_TOP_MM + size + LINE_MM
        header.update(
            mark_top=_mm(mark_top),
            mark_size=_mm(size),
            signer_top=_mm(signer_top),
            number_top=_mm(number_top),
            rule_top=_mm(rule_top),
            # The header takes whole grid lines: the title and body sit on the grid under it
            # and page 1 keeps its 22nd line.
            rows=math.ceil((rule_top + RULE_MM) / LINE_MM - 1e-6),
        )
    else:
        signer_top = LINE_MM if category else 0
        lines = (1 if category else 0) + (1 + extra_lines if number_line else 0)
        header.update(
            signer_top=_mm(signer_top),
            number_top=_mm(signer_top + extra_lines * LINE_MM),
            rows=lines,
        )
    header["height"] = _mm(header["rows"] * LINE_MM)
    return header


def closing_notes(letter: LetterData) -> list[str]:
    """The notes under the date (附注), brackets included: （联系人：张三；联系电话：…）."""
    notes = []
    if letter.contact_name or letter.contact_phone:
        parts = []
        if letter.contact_name:
            parts.append(f"联系人：{letter.contact_name.strip()}")
        if letter.contact_phone:
            parts.append(f"联系电话：{letter.contact_phone.strip()}")
        notes.append("；".join(parts))
    if letter.disclosure_note.strip():
        notes.append(letter.disclosure_note.strip().strip("（）()"))
    return [f"（{note}）" for note in notes]


def signature(letter: LetterData, stacks) -> tuple[str, list[str]]:
    """How the signing bureau (发文机关署名) sits over the date, and its lines.

    GB/T 9704 7.3.5: the date four characters in from the right, the bureau centred on it
    ("centred"). A name too long for that (from about 15 characters) would run past the right
    edge: it ends where the date ends instead ("right"), in as many balanced lines as it needs
    to stay inside the text block.
    """
    bureau = letter.signing_bureau.strip()
    if not bureau:
        return "right", []
    date = chinese_date(letter.date) if letter.date else ""
    width = _width_pt(stacks, "fang", bureau)
    if date and width <= _width_pt(stacks, "fang", date) + 2 * DATE_INDENT_PT:
        return "centred", [bureau]
    room = TEXT_WIDTH_PT - DATE_INDENT_PT
    if width <= room:
        return "right", [bureau]
    return "right", balanced_lines(
        bureau, room / CHAR_PT, width=lambda c: _width_pt(stacks, "fang", c) / CHAR_PT
    )


def _closing(letter: LetterData, stacks) -> dict | None:
    notes = closing_notes(letter)
    date = chinese_date(letter.date) if letter.date else ""
    if not (letter.signing_bureau.strip() or date or notes):
        return None
    align, bureau_lines = signature(letter, stacks)
    return {
        "align": align,
        "bureau_lines": [text_html(line) for line in bureau_lines],
        "date": text_html(date),
        "notes": [text_html(note) for note in notes],
    }


def title_words(letter: LetterData) -> tuple[str, ...]:
    """Names the title must not split: the letter's bureaus and recipients, and its own list."""
    names = [
        letter.signing_bureau,
        letter.authority_mark.removesuffix("文件"),
        *(recipient.name for recipient in letter.cc),
        *letter.title_words,
    ]
    return tuple(dict.fromkeys(name.strip() for name in names if name.strip()))


def title_lines(letter: LetterData) -> list[str]:
    return balanced_lines(letter.title.strip(), words=title_words(letter))


def letter_context(letter: LetterData, *, draft: bool = False) -> dict:
    stacks = fonts.print_stacks()
    header = _header(letter, stacks)
    if header is None:
        title_gap = 0.0
    elif header["rule_top"]:
        title_gap = 2 * LINE_MM  # two blank lines under the red rule
    else:
        title_gap = LINE_MM
    title = title_lines(letter)
    closing = _closing(letter, stacks)
    flow = letter_flow(
        letter,
        header_rows=header["rows"] if header else 0,
        title_gap=round(title_gap / LINE_MM),
        title_html=[text_html(line, "xbs") for line in title],
        closing=closing,
        notes=closing_notes(letter),
        heading_role=LETTER_FONTS.get,
    )
    return {
        "flow": mark_safe(flow.html),  # noqa: S308 - built from escaped pieces (layout.py)
        "page_count": flow.pages,
        "css": letter_css() + spacing_css(flow.html),
        "draft": draft,
        "header": header,
        "title_text": letter.title.strip(),
        "title_lines": [text_html(line, "xbs") for line in title],
        "title_gap": _mm(title_gap),
        "salutation": text_html(letter.salutation.strip()),
        "closing": closing,
        "cc_text": text_html(f"抄送：{cc}") if (cc := cc_line(letter.cc)) else "",
    }


def printed_text(letter: LetterData) -> list[tuple[str, str]]:
    """Everything the letter prints, as (role, text) in reading order; page numbers and the
    draft mark aside. Mirrors ``letter_context`` and the template: what is not here is never
    printed (a category mark on an opinion, the spaces around a line)."""
    stacks = fonts.print_stacks()
    runs: list[tuple[str, str]] = []
    if letter.kind == "reply" and letter.category_mark:
        runs.append(("hei", f"类别标记：{letter.category_mark}"))
    runs.append(("xbs", letter.authority_mark))
    runs.append(("fang", letter.document_number))
    if signers := signer_lines(letter, stacks):
        runs += [("fang", SIGNER_LABEL), *(("kai", line) for line in signers)]
    runs.append(("xbs", letter.title.strip()))
    runs.append(("fang", letter.salutation.strip()))
    runs += printed_runs(letter.body, lambda level: LETTER_FONTS[level] or "fang")
    runs.append(("fang", letter.signing_bureau.strip()))
    runs.append(("fang", chinese_date(letter.date) if letter.date else ""))
    runs += [("fang", note) for note in closing_notes(letter)]
    if cc := cc_line(letter.cc):
        runs.append(("fang", f"抄送：{cc}"))
    return [(role, text) for role, text in runs if text]


# --- per-process resources ------------------------------------------------------------------


@cache
def _template():
    engine = Engine(dirs=[str(HERE)], autoescape=True, debug=False)
    return engine.get_template("letter.html")


_CSS_SOURCE = (HERE / "letter.css").read_text(encoding="utf-8")
_FONT_VAR = re.compile(r"var\(--font-(\w+)\)")
_css_by_stacks: dict[tuple, str] = {}


def letter_css() -> str:
    """letter.css with each ``var(--font-role)`` replaced by that role's font stack."""
    stacks = fonts.family_stacks()
    key = tuple(sorted(stacks.items()))
    css = _css_by_stacks.get(key)
    if css is None:
        css = _FONT_VAR.sub(lambda m: stacks[m.group(1)], _CSS_SOURCE)
        _css_by_stacks[key] = css
    return css


# Pango and fontconfig objects are shared by every render of the process and are not safe to
# use from two threads at once.
_render_lock = threading.Lock()


def render_letter_html(letter: LetterData, *, draft: bool = False) -> str:
    """The letter as one HTML document with its stylesheet inline (fonts by family name only:
    the ``@font-face`` rules come from ``fonts.font_stylesheet()``)."""
    return _template().render(Context(letter_context(letter, draft=draft)))


def _check_pages(letter: LetterData, planned: int, printed: int) -> None:
    # The pages are planned from the fonts' metrics (pages.py); a face whose lines come out
    # taller than the grid (a licensed font with odd metrics) would add pages.
    if planned != printed:
        log.warning("letter %r: %d pages planned, %d printed", letter.title[:30], planned, printed)


def render_letter_pdf(letter: LetterData, *, draft: bool = False) -> RenderedPdf:
    """The letter as PDF bytes; the same ``LetterData`` always gives the same bytes."""
    from weasyprint import HTML

    context = letter_context(letter, draft=draft)
    html = _template().render(Context(context))
    with _render_lock:
        font_sheet, config = fonts.font_stylesheet(), fonts.font_config()
        document = HTML(string=html).render(stylesheets=[font_sheet], font_config=config)
        output = io.BytesIO()
        # No dates or random identifiers: WeasyPrint writes /CreationDate only from
        # <meta name=dcterms.created>, which the template does not have.
        document.write_pdf(output, pdf_identifier=False)
    content = output.getvalue()
    _check_pages(letter, context["page_count"], len(document.pages))
    return RenderedPdf(
        content=content,
        page_count=len(document.pages),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
