"""Half-width punctuation in Chinese text (pasted from Word or a web page): found and converted.

A half-width mark ``, : ; ( ) ! ?`` is Chinese punctuation typed the wrong width when the
nearest character beside it (spaces aside) on either side is Chinese: a Han character or
full-width punctuation (「增长,达到」, 「“数字化”,推动」, 「时间:2024年」). Between digits and
Latin words it stays as it is: 「1:1」, 「3,000」, 「10:30」, 「Hello, world」, 「a.php?id=1」.
Brackets go by pairs: when one bracket of a pair on a line is Chinese, both are
(「(1)加强」 becomes 「（1）加强」, 「总值(GDP)增长」 becomes 「总值（GDP）增长」). The spaces
beside a converted mark go with it: a full-width mark carries its own space.

Pure functions of the text; the draft page lists ``half_width_places`` and converts with
``to_full_width`` on request, for review before saving.
"""

import re
import unicodedata
from dataclasses import dataclass

FULL_WIDTH = {
    ",": "，",
    ":": "：",
    ";": "；",
    "(": "（",
    ")": "）",
    "!": "！",
    "?": "？",
}
MARK_NAMES = {
    ",": "逗号",
    ":": "冒号",
    ";": "分号",
    "(": "左括号",
    ")": "右括号",
    "!": "叹号",
    "?": "问号",
}
# Spaces that may sit between a mark and its neighbour (a full-width space counts as Chinese
# context, as in 「一、　标题」; it is not skipped and not removed).
_SPACES = " \t\u00a0"
# Punctuation of Chinese text outside the CJK blocks: curly quotes, ellipsis, dash, middle dot.
_CHINESE_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
EXCERPT_CHARS = 6
_LINE_BREAKS = re.compile(r"(\r\n|\r|\n)")


@dataclass(frozen=True)
class Place:
    """One half-width mark to convert: on ``line`` (1-based, a paragraph of the body), at
    ``column`` (1-based, in characters), with the text around it before and after."""

    line: int
    column: int
    mark: str
    before: str
    after: str

    @property
    def mark_name(self) -> str:
        return MARK_NAMES[self.mark]


def is_chinese(char: str) -> bool:
    """A Han character (any CJK block, compatibility forms included) or Chinese punctuation
    (CJK symbols, full-width forms, curly quotes, ……, ——)."""
    code = ord(char)
    if (
        0x3000 <= code <= 0x303F  # CJK symbols and punctuation
        or 0xFF01 <= code <= 0xFF60  # full-width forms
        or 0xFE30 <= code <= 0xFE4F  # CJK compatibility forms
        or char in _CHINESE_PUNCTUATION
    ):
        return True
    return unicodedata.name(char, "").startswith(
        ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
    )


def _neighbour(line: str, index: int, step: int) -> str:
    """The nearest character from ``index`` in direction ``step`` that is not a space."""
    index += step
    while 0 <= index < len(line) and line[index] in _SPACES:
        index += step
    return line[index] if 0 <= index < len(line) else ""


def _beside_chinese(line: str, index: int) -> bool:
    return any(
        is_chinese(c) for c in (_neighbour(line, index, -1), _neighbour(line, index, 1)) if c
    )


def _pairs(line: str) -> dict[int, int]:
    """Matching half-width brackets of a line, both ways: {open: close, close: open}."""
    pairs, open_at = {}, []
    for index, char in enumerate(line):
        if char == "(":
            open_at.append(index)
        elif char == ")" and open_at:
            start = open_at.pop()
            pairs[start], pairs[index] = index, start
    return pairs


def _marks_to_convert(line: str) -> list[int]:
    """Indexes of the half-width marks of ``line`` that are Chinese punctuation."""
    pairs = _pairs(line)
    found = set()
    for index, char in enumerate(line):
        if char in FULL_WIDTH and _beside_chinese(line, index):
            found.add(index)
            if index in pairs:
                found.add(pairs[index])
    return sorted(found)


def _convert_line(line: str, marks: list[int]) -> str:
    """``line`` with the marks at ``marks`` made full-width and the spaces beside them dropped."""
    chars = list(line)
    dropped = set()
    for index in marks:
        chars[index] = FULL_WIDTH[line[index]]
        for step in (-1, 1):
            at = index + step
            while 0 <= at < len(line) and line[at] in _SPACES:
                dropped.add(at)
                at += step
    return "".join(c for i, c in enumerate(chars) if i not in dropped)


def _excerpt(line: str, index: int) -> tuple[int, int]:
    return max(0, index - EXCERPT_CHARS), min(len(line), index + EXCERPT_CHARS + 1)


def half_width_places(text: str) -> list[Place]:
    """Every half-width mark of ``text`` that ``to_full_width`` converts, in reading order."""
    places = []
    for number, line in enumerate(_LINE_BREAKS.split(text)[::2], start=1):
        marks = _marks_to_convert(line)
        for index in marks:
            start, end = _excerpt(line, index)
            window = [i - start for i in marks if start <= i < end]
            piece = line[start:end]
            places.append(
                Place(
                    line=number,
                    column=index + 1,
                    mark=line[index],
                    before=piece,
                    after=_convert_line(piece, window),
                )
            )
    return places


def to_full_width(text: str) -> str:
    """``text`` with its half-width Chinese punctuation made full-width; line breaks and every
    other character as they were."""
    parts = _LINE_BREAKS.split(text)
    # split() with a group keeps the breaks at odd positions: only the lines change.
    return "".join(
        part if i % 2 else _convert_line(part, _marks_to_convert(part))
        for i, part in enumerate(parts)
    )
