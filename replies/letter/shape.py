"""Titles wrapped into a balanced shape (GB/T 9704 7.3.1), breaking only between words."""

import math
import unicodedata

from .words import BETWEEN_WORDS, INSIDE_WORD, WEAK, title_breaks

TITLE_PT = 22.0  # 二号
TEXT_WIDTH_MM = 156.0
PT_MM = 25.4 / 72
TITLE_MAX_EM = math.floor(TEXT_WIDTH_MM / (TITLE_PT * PT_MM))  # 二号 characters a line: 20


def _em(char: str) -> float:
    """Estimated advance of a character in em: CJK and full-width 1, others about 0.6."""
    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.6


# Two line widths (in em) closer than this count as equal for the shape of a title.
SHAPE_TOLERANCE_EM = 1.5
# No line of a title shorter than this share of the mean line (…产城融合 / 的建议的答复).
SHORTEST_LINE = 0.6
_LEVEL, _WIDER, _NARROWER = "level", "wider", "narrower"


def balanced_lines(text: str, max_em: float = TITLE_MAX_EM, *, words=(), width=None) -> list[str]:
    """Wrap a title into lines of nearly equal width, breaking only between words.

    GB/T 9704 7.3.1: 词意完整, 排列对称, 梯形或菱形. Breaks come from ``words.title_breaks``
    (jieba's words; session names, numbers with their unit, 人大, 政协 and ``words``, e.g. the
    bureau's name, never split). Of the layouts with the fewest lines, the one with the most
    even lines wins, among those of a good shape: no line shorter than ``SHORTEST_LINE`` of
    the mean; two lines with the first at least as long as the second (within
    ``SHAPE_TOLERANCE_EM``); three or more lines a trapezoid (widths only growing or only
    shrinking) or a diamond (growing, then shrinking), never an hourglass.
    One more line is used rather than a bad shape; a word is split only when nothing else fits.
    ``width(char)`` gives a character's width in em (default: an estimate for 小标宋).
    """
    widths = [(width or _em)(c) for c in text]
    total = sum(widths)
    if total <= max_em or len(text) < 2:
        return [text]
    breaks = title_breaks(text, words)
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    fewest = math.ceil(total / max_em)
    for tier in (BETWEEN_WORDS, WEAK, INSIDE_WORD):
        usable = {i: penalty for i, (level, penalty) in breaks.items() if level <= tier}
        for count in (fewest, fewest + 1):
            if cuts := _best_cuts(prefix, usable, count, max_em, shaped=True):
                return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    usable = {i: penalty for i, (_, penalty) in breaks.items()}
    for count in range(fewest, len(text) + 1):  # whatever fits, in whatever shape
        if cuts := _best_cuts(prefix, usable, count, max_em, shaped=False):
            return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    return [text]


def _turn(shape: str, upper: float, lower: float) -> str | None:
    """The shape so far after a line of width ``lower`` under one of width ``upper``; None for
    an hourglass (a line wider than the one above, after a line narrower than its own)."""
    if lower > upper + SHAPE_TOLERANCE_EM:
        return None if shape == _NARROWER else _WIDER
    if lower < upper - SHAPE_TOLERANCE_EM:
        return _NARROWER
    return shape


def _best_cuts(
    prefix: list[float], penalties: dict[int, float], count: int, max_em: float, *, shaped: bool
) -> list[int] | None:
    """The cheapest way to cut the text into ``count`` lines at the ``penalties`` offsets:
    [0, cut, …, len]. Cost: the squared distance of each line from the mean width, plus the
    penalties of the breaks. A dynamic programme over (last break, break before it, shape)."""
    end = len(prefix) - 1
    target = prefix[end] / count
    offsets = sorted(penalties)
    # state (last break, the one before it, shape so far) -> (cost, breaks)
    states: dict[tuple[int, int, str], tuple[float, list[int]]] = {(0, -1, _LEVEL): (0.0, [0])}
    for line in range(count):
        last = line == count - 1
        following: dict[tuple[int, int, str], tuple[float, list[int]]] = {}
        for (i, before, shape), (cost, path) in states.items():
            for j in [end] if last else offsets:
                if j <= i:
                    continue
                width = prefix[j] - prefix[i]
                if width > max_em:
                    break
                if shaped and width < SHORTEST_LINE * target:
                    continue
                new_shape = shape
                if shaped and before >= 0:
                    new_shape = _turn(shape, prefix[i] - prefix[before], width)
                    if new_shape is None:
                        continue
                c = cost + (width - target) ** 2 + (0.0 if last else penalties[j])
                key = (j, i, new_shape)
                if key not in following or c < following[key][0]:
                    following[key] = (c, [*path, j])
        states = following
    finals = [
        (cost, path)
        for (_, _, shape), (cost, path) in states.items()
        if not (shaped and count == 2 and shape == _WIDER)
    ]
    if not finals:
        return None
    return min(finals)[1]
