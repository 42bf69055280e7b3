"""LetterData → HTML → PDF bytes, laid out by GB/T 9704 (see shared/docs/official-letter.md).

Pure: no database, no files written. The expensive, input-independent parts (template, CSS,
fonts, WeasyPrint's FontConfiguration) are prepared once per process.
"""

import hashlib
import io
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.template import Context, Engine
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from proposals.numerals import chinese_date
from proposals.text import paragraphs as body_paragraphs

from . import fonts
from .data import LetterData, cc_line

HERE = Path(__file__).resolve().parent

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
TITLE_MAX_EM = math.floor(TEXT_WIDTH_MM / (TITLE_PT * PT_MM))  # 二号 characters a line: 20

@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    sha256: str
    size: int


# --- text rules -----------------------------------------------------------------------------


def _em(char: str) -> float:
    """Estimated advance of a character in em: CJK and full-width 1, others about 0.6."""
    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.6


_NO_BREAK_BEFORE = set("，。、；：？！）》」』”’…—·%")
_NO_BREAK_AFTER = set("（《「『“‘")
_GOOD_BREAK_AFTER = ("会议", "的", "、", "，", "；", "：")
_GOOD_BREAK_BEFORE = ("关于", "第", "对")


def balanced_lines(text: str, max_em: float = TITLE_MAX_EM) -> list[str]:
    """Wrap a title into lines of nearly equal width, breaking between phrases where possible."""
    widths = [_em(c) for c in text]
    total = sum(widths)
    if total <= max_em or len(text) < 2:
        return [text]

    def allowed(i: int) -> bool:  # a break between text[i-1] and text[i]
        before, after = text[i - 1], text[i]
        if after in _NO_BREAK_BEFORE or before in _NO_BREAK_AFTER:
            return False
        return not (before.isascii() and after.isascii() and before.isalnum() and after.isalnum())

    def penalty(i: int) -> float:
        good = text[:i].endswith(_GOOD_BREAK_AFTER) or text[i:].startswith(_GOOD_BREAK_BEFORE)
        return 0.0 if good else 12.0  # words stay whole unless the lines get lopsided

    breaks = [i for i in range(1, len(text)) if allowed(i)]
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    for count in range(math.ceil(total / max_em), len(text) + 1):
        target = total / count
        # best[k][i]: cost of setting text[:i] in k lines, ending with a break at i
        best: list[dict[int, tuple[float, list[int]]]] = [{0: (0.0, [])}]
        for k in range(1, count):
            row = {}
            for i in breaks:
                for j, (cost, path) in best[k - 1].items():
                    width = prefix[i] - prefix[j]
                    if j < i and width <= max_em:
                        c = cost + (width - target) ** 2 + penalty(i)
                        if i not in row or c < row[i][0]:
                            row[i] = (c, [*path, i])
            best.append(row)
        finals = [
            (cost + (total - prefix[j] - target) ** 2, path)
            for j, (cost, path) in best[count - 1].items()
            if total - prefix[j] <= max_em
        ]
        if finals:
            _, path = min(finals, key=lambda item: item[0])
            cuts = [0, *path, len(text)]
            return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    return [text]


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


def _header(letter: LetterData) -> dict | None:
    category = letter.category_mark if letter.kind == "reply" else ""
    number_line = bool(letter.document_number or letter.signer)
    if not (category or letter.authority_mark or number_line):
        return None
    header = {
        "category_mark": category,
        "authority_mark": letter.authority_mark,
        "document_number": letter.document_number,
        "signer": letter.signer,
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
        number_top = MARK_TOP_MM + size + 2 * LINE_MM  # two blank lines under the mark
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
            number_top=_mm(number_top),
            rule_top=_mm(rule_top),
            height=_mm(rule_top + RULE_MM),
        )
    else:
        lines = (1 if category else 0) + (1 if number_line else 0)
        header.update(number_top=_mm(LINE_MM if category else 0), height=_mm(lines * LINE_MM))
    return header


def _closing(letter: LetterData) -> dict | None:
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
    date = chinese_date(letter.date) if letter.date else ""
    if not (letter.signing_bureau or date or notes):
        return None
    return {
        "bureau": text_html(letter.signing_bureau.strip()),
        "date": text_html(date),
        "notes": [text_html(f"（{note}）") for note in notes],
    }


def letter_context(letter: LetterData, *, draft: bool = False) -> dict:
    header = _header(letter)
    if header is None:
        title_gap = 0.0
    elif header["rule_top"]:
        title_gap = 2 * LINE_MM  # two blank lines under the red rule
    else:
        title_gap = LINE_MM
    paragraphs = [
        {"heading": p.heading, "font": LETTER_FONTS[p.level], "text": text_html(p.rest)}
        for p in body_paragraphs(letter.body)
    ]
    return {
        "css": letter_css(),
        "draft": draft,
        "header": header,
        "title_text": letter.title.strip(),
        "title_lines": [text_html(line, "xbs") for line in balanced_lines(letter.title.strip())],
        "title_gap": _mm(title_gap),
        "salutation": text_html(letter.salutation.strip()),
        "paragraphs": paragraphs,
        "closing": _closing(letter),
        "cc_text": text_html(f"抄送：{cc}") if (cc := cc_line(letter.cc)) else "",
    }


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


def render_letter_pdf(letter: LetterData, *, draft: bool = False) -> RenderedPdf:
    """The letter as PDF bytes; the same ``LetterData`` always gives the same bytes."""
    from weasyprint import HTML

    html = render_letter_html(letter, draft=draft)
    with _render_lock:
        font_sheet, config = fonts.font_stylesheet(), fonts.font_config()
        document = HTML(string=html).render(stylesheets=[font_sheet], font_config=config)
        output = io.BytesIO()
        # No dates or random identifiers: WeasyPrint writes /CreationDate only from
        # <meta name=dcterms.created>, which the template does not have.
        document.write_pdf(output, pdf_identifier=False)
    content = output.getvalue()
    return RenderedPdf(
        content=content,
        page_count=len(document.pages),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
