"""Lines of text set by hand on the GB/T 9704 grid, so that WeasyPrint only stacks them.

WeasyPrint does not stretch CJK lines (``text-align: justify``), knows no 避头尾 and no
punctuation compression; so the letter breaks its own lines from the fonts' advances:

- a line holds what fits in its width (28 characters of 三号 with the letter's spacing);
- adjacent full-width punctuation is compressed by half a character (标点挤压: 「。”“」), the
  blank half of the first mark going; only marks whose ink sits in one half are compressed
  (measured in the Fandol faces: ？ is centred there, so it keeps its width);
- no line starts with closing punctuation, 「——」 or 「……」, none ends with an opening mark,
  and nothing breaks inside 「——」「……」, a Latin word, a number or at 「·」 (阿卜杜热合曼·买买提);
  what would break a rule moves to the next line with the character before it (推出);
- a word of Latin letters too long to move (a URL) breaks anywhere, inside the margin;
- every line but a paragraph's last is justified to the full width by its letter spacing.

``set_lines`` returns the lines as HTML: plain text where nothing needs changing, spans where
the spacing, the face (a heading sentence) or a fallback face (``class="t"``) differs.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.utils.html import escape

from . import fonts

LETTER_SPACING_PT = -0.22
CLOSING = frozenset("，。、；：？！）」』”’》〉】〕］｝〗,.;:?!)]}%％‰℃°›»")
OPENING = frozenset("（「『“‘《〈【〔［｛〖([{‹«")
NO_LINE_START = CLOSING | frozenset("—…·～")
SQUEEZE_CLOSING = frozenset("，。、；：！）」』”’》〉】〕")
SQUEEZE_OPENING = frozenset("（「『“‘《〈【〔")
FULL_WIDTH_PUNCTUATION = SQUEEZE_CLOSING | SQUEEZE_OPENING | frozenset("？")
LONG_WORD_EM = 8.0  # a Latin word wider than this breaks anywhere rather than move
_EPSILON = 0.01
# Pango sets a Latin letter or digit up to 0.015 pt wider than its advance plus the letter
# spacing (measured: rounding inside Pango); over a line of a URL that is 0.3 mm past the edge.
NARROW_SLACK_PT = 0.02
JUSTIFY_MIN_PT = 1.0  # a line this little short (0.35 mm) is left as it is: no span for that
# The classes that set a run in another face than the paragraph's (letter.css).
ROLE_CLASSES = {"hei": "heading-hei", "kai": "heading-kai"}


@dataclass(frozen=True)
class Glyph:
    char: str
    role: str
    advance: float  # pt, without letter spacing
    fallback: bool  # drawn by a later face of the role's stack (letter.css ``.t``)


@dataclass
class SetLine:
    glyphs: list[Glyph]
    squeeze: list[float]  # pt taken from each glyph's advance (标点挤压)
    extra: float = 0.0  # pt added after each glyph but the last (justification)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)


_advances: dict[tuple[str, str, float], tuple[float, bool]] = {}
_WHITE_SPACE = re.compile(r"[ \t\r\n]+")


def glyphs(text: str, role: str, size: float = 16.0) -> list[Glyph]:
    """``text`` as glyphs of ``role`` at ``size`` pt, with their advances from the fonts; a run
    of white space is one space, as HTML would have it (the lines are set ``white-space: pre``)."""
    text = _WHITE_SPACE.sub(" ", text)
    stacks = None
    result = []
    for char in text:
        key = (role, char, size)
        known = _advances.get(key)
        if known is None:
            stacks = stacks or fonts.print_stacks()
            stack = stacks[role]
            fallback = bool(stack) and not stack[0].draws(char)
            advance = fonts.advance_em(stack, char) * size
            if advance < size * 0.9:  # a Latin letter or digit: see NARROW_SLACK_PT
                advance += NARROW_SLACK_PT
            known = _advances[key] = (advance, fallback)
        result.append(Glyph(char, role, known[0], known[1]))
    return result


@cache
def _is_word(char: str) -> bool:
    """A character of a Latin word or number (no break between two of them)."""
    if char.isspace():
        return False
    width = unicodedata.east_asian_width(char)
    return width in ("Na", "H", "N") or (width == "A" and unicodedata.category(char)[0] in "LN")


@cache
def _breakable(before: str, after: str) -> bool:
    """Whether a line may end after ``before`` and the next begin with ``after``."""
    if after.isspace() or after in NO_LINE_START or before in OPENING:
        return False
    if before == "·":
        return False
    if before.isspace():
        return True
    return not (_is_word(before) and _is_word(after))


def segments(items: list[Glyph]) -> list[list[Glyph]]:
    """The runs of glyphs no line may break inside."""
    runs: list[list[Glyph]] = []
    for glyph in items:
        if runs and not _breakable(runs[-1][-1].char, glyph.char):
            runs[-1].append(glyph)
        else:
            runs.append([glyph])
    return runs


def _long_word(segment: list[Glyph], em: float) -> bool:
    """A run of Latin letters too long to move to the next line whole (a URL)."""
    return sum(g.advance for g in segment if _is_word(g.char)) > LONG_WORD_EM * em


@cache
def squeeze(first: str, second: str, em: float) -> float:
    """How much of ``first``'s advance goes when ``second`` follows it on the line."""
    if first in SQUEEZE_CLOSING and second in FULL_WIDTH_PUNCTUATION:
        return em / 2
    if first in SQUEEZE_OPENING and second in SQUEEZE_OPENING:
        return em / 2
    return 0.0


def _extent(line: list[Glyph], squeezes: list[float], spacing: float) -> float:
    """Width from the line's start to the end of its last glyph's box."""
    if not line:
        return 0.0
    return sum(g.advance + spacing - s for g, s in zip(line[:-1], squeezes, strict=False)) + (
        line[-1].advance
    )


def break_lines(
    items: list[Glyph],
    widths: list[float],
    *,
    em: float = 16.0,
    spacing: float = LETTER_SPACING_PT,
    justify: bool = True,
) -> list[SetLine]:
    """``items`` broken into lines: line n is ``widths[n]`` pt wide (the last width repeats)."""
    lines: list[SetLine] = []
    line: list[Glyph] = []
    squeezes: list[float] = []
    end = 0.0  # extent of ``line``

    def width() -> float:
        return widths[min(len(lines), len(widths) - 1)]

    def add(glyph: Glyph) -> float:
        """The extent of ``line`` with ``glyph`` appended (nothing changed)."""
        if not line:
            return glyph.advance
        return end + spacing - squeeze(line[-1].char, glyph.char, em) + glyph.advance

    def append(glyph: Glyph) -> None:
        nonlocal end
        new_end = add(glyph)
        if line:
            squeezes.append(squeeze(line[-1].char, glyph.char, em))
        line.append(glyph)
        end = new_end

    def close() -> None:
        nonlocal line, squeezes, end
        while line and line[-1].char.isspace():
            line.pop()
            squeezes = squeezes[: max(len(line) - 1, 0)]
        if line:
            lines.append(SetLine(line, [*squeezes, 0.0]))
        line, squeezes, end = [], [], 0.0

    for segment in segments(items):
        if not line:
            segment = _lstrip(segment)
            if not segment:
                continue
        full, last = end, line[-1].char if line else None
        trial = end
        pairs = []  # the squeeze before each glyph of the segment
        for glyph in segment:
            sq = squeeze(last, glyph.char, em) if last is not None else 0.0
            pairs.append(sq)
            full = full + spacing - sq + glyph.advance if last is not None else glyph.advance
            if not glyph.char.isspace():  # a space ends a run; at a line's end it takes no room
                trial = full
            last = glyph.char
        if trial <= width() + _EPSILON:
            squeezes.extend(pairs[1:] if not line else pairs)
            line.extend(segment)
            end = full
            continue
        if line and not _long_word(segment, em):
            cut = _weak_break(segment, line, end, width(), spacing, em)
            if cut:  # 2018-|2020: rather than leave a wide gap
                for glyph in segment[:cut]:
                    append(glyph)
                segment = segment[cut:]
            close()  # the (rest of the) run to the next line
            segment = _lstrip(segment)
        for glyph in segment:  # fill a line with what is too long for any (or a URL)
            if line and add(glyph) > width() + _EPSILON:
                close()
                if glyph.char.isspace():
                    continue
            append(glyph)
    close()
    if justify:
        for index, set_line in enumerate(lines[:-1]):
            # the space goes after each glyph but the last and the compressed marks
            gaps = sum(1 for s in set_line.squeeze[:-1] if not s)
            if gaps:
                room = widths[min(index, len(widths) - 1)]
                slack = room - _extent(set_line.glyphs, set_line.squeeze, spacing)
                if slack > JUSTIFY_MIN_PT:
                    set_line.extra = slack / gaps
    return lines


WEAK_BREAK_AFTER = frozenset("-/_.?&=")  # inside a Latin word or number: 2018-|2020, /|art
WEAK_GAP_EM = 2.0  # the room a line may keep empty before a word breaks after one of them


def _weak_break(segment, line, end, width, spacing, em) -> int:
    """Where to break ``segment`` after a hyphen or slash so the line is filled, or 0: only
    when moving the whole run would leave more than ``WEAK_GAP_EM`` empty."""
    if width - end <= WEAK_GAP_EM * em:
        return 0
    best, trial, previous = 0, end, line[-1] if line else None
    for index, glyph in enumerate(segment[:-1], 1):
        sq = squeeze(previous.char, glyph.char, em) if previous else 0.0
        trial = trial + spacing - sq + glyph.advance if previous else glyph.advance
        previous = glyph
        if trial > width + _EPSILON:
            break
        if glyph.char in WEAK_BREAK_AFTER and _is_word(segment[index].char):
            best = index
    return best


def _lstrip(segment: list[Glyph]) -> list[Glyph]:
    while segment and segment[0].char.isspace():
        segment = segment[1:]
    return segment


def line_html(line: SetLine, spacing: float = LETTER_SPACING_PT, base_role: str = "fang") -> str:
    """One line as HTML: a span with the line's letter spacing when it is justified, and
    inside it spans only for a compressed mark (class ``q`` in body type), a run in another
    face (a heading sentence) or a fallback face (``t``). Spans cost WeasyPrint time."""
    runs: list[tuple[tuple[str, str], str]] = []
    body_type = spacing == LETTER_SPACING_PT  # 三号 with the letter's spacing: class q fits
    for glyph, squeezed in zip(line.glyphs, line.squeeze, strict=True):
        classes = []
        style = ""
        if glyph.role != base_role and glyph.role in ROLE_CLASSES:
            classes.append(ROLE_CLASSES[glyph.role])
        if glyph.fallback:
            classes.append("t")
        if squeezed and body_type and squeezed == 8.0:
            classes.append("q")
        elif squeezed:
            style = f"letter-spacing: {spacing - squeezed:.3f}pt"
        key = (" ".join(classes), style)
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1] + glyph.char)
        else:
            runs.append((key, glyph.char))
    html = []
    for (classes, style), text in runs:
        if not classes and not style:
            html.append(escape(text))
            continue
        attributes = f' class="{classes}"' if classes else ""
        if style:
            attributes += f' style="{style}"'
        html.append(f"<span{attributes}>{escape(text)}</span>")
    inner = "".join(html)
    if line.extra:
        return f'<span class="{spacing_class(spacing + line.extra)}">{inner}</span>'
    return inner


# A justified line's letter spacing is a class (``j392``: 0.392 pt) with its rule in the
# document's stylesheet: WeasyPrint parses every inline style anew, a class rule once.
_SPACING_CLASS = re.compile(r'class="j(m?)(\d+)"')


def spacing_class(points: float) -> str:
    thousandths = round(points * 1000)
    return f"j{'m' if thousandths < 0 else ''}{abs(thousandths)}"


def spacing_css(html: str) -> str:
    """The rules for the spacing classes ``html`` uses."""
    found = sorted(set(_SPACING_CLASS.findall(html)))
    return "".join(
        f".j{minus}{digits} {{ letter-spacing: {'-' if minus else ''}{int(digits) / 1000:.3f}pt; }}\n"
        for minus, digits in found
    )
