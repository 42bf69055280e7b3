"""Lines of the official letter read back from the PDF: justified to the full 28 characters,
adjacent punctuation compressed (标点挤压), no forbidden line starts or ends (避头尾), long
Latin words and URLs broken inside the margin."""

import datetime

import pytest

from replies.demo.documents import OPINION_239, REPLY_110, REPLY_176, REPLY_366
from replies.letter import LetterData
from replies.letter.typeset import NO_LINE_START, OPENING, break_lines, glyphs
from tests.replies.test_letter_bounds import URL, assert_inside_text_block
from tests.replies.test_letter_pdf import (
    BOTTOM,
    CONTACT,
    LEFT,
    MM,
    RIGHT,
    Rendered,
    letter_from_seed,
)

ONE_CHAR = 15.78 / MM
INDENT = LEFT + 2 * ONE_CHAR
HALF_EM = 8 / MM  # half of a 16 pt character
FILL = "我局高度重视建议办理工作认真研究逐条落实"


def fill(count: int) -> str:
    return (FILL * 4)[:count]


def letter(body: str) -> LetterData:
    return LetterData(
        kind="reply",
        title="对市十八届人大二次会议第8号建议的答复",
        salutation="王芳代表：",
        body=body,
        signing_bureau="慈溪市经济和信息化局",
        date=datetime.date(2023, 9, 12),
    )


# Each paragraph sets its first line of 26 cells so that a naive break would start the second
# line with what must not start one (or end the first with what must not end one).
RULES = [
    fill(26) + "。" + fill(10),
    fill(26) + "——" + fill(10),
    fill(25) + "……" + fill(10),
    fill(25) + "“" + fill(10) + "”",
    fill(26) + "）" + fill(10),
    fill(24) + "。”“" + fill(10) + "。”",
    fill(26) + "？" + fill(10),
    "他说：“好。”“再见。”（完）" + fill(30),
]
LETTERS = {
    "reply_110": lambda: letter_from_seed(REPLY_110, date=datetime.date(2022, 6, 24), **CONTACT),
    "reply_176": lambda: letter_from_seed(REPLY_176, **CONTACT),
    "reply_366": lambda: letter_from_seed(REPLY_366),
    "opinion_239": lambda: letter_from_seed(
        OPINION_239,
        kind="opinion",
        signing_bureau="慈溪市科学技术局",
        date=datetime.date(2017, 5, 10),
    ),
    "rules": lambda: letter("\n".join(RULES)),
    "latin": lambda: letter(
        f"详见{URL}。\n{URL * 2}\n网址https://www.cixi.gov.cn/与电话0574-12345678"
    ),
}


@pytest.fixture(scope="module")
def rendered():
    cache: dict[str, Rendered] = {}

    def get(name: str) -> Rendered:
        if name not in cache:
            cache[name] = Rendered(LETTERS[name]())
        return cache[name]

    return get


def body_lines(page: Rendered):
    """Every 三号 line from the salutation to the line before the signing bureau, in order."""
    lines = [
        line
        for number in range(1, len(page.pages) + 1)
        for line in page.text_block_lines(number)
        if line.size == 16
    ]
    start = next(i for i, line in enumerate(lines) if line.text == page.letter.salutation)
    end = next(i for i, line in enumerate(lines) if line.text == page.letter.signing_bureau)
    return lines[start + 1 : end]


def wrapped(lines):
    """The lines followed by a line of the same paragraph (one that starts at the margin)."""
    return [
        line
        for line, after in zip(lines, lines[1:], strict=False)
        if after.x0 == pytest.approx(LEFT, abs=0.3)
    ]


@pytest.mark.parametrize("name", ["reply_110", "reply_176", "reply_366", "opinion_239"])
def test_wrapped_lines_reach_the_right_edge(rendered, name):
    lines = wrapped(body_lines(rendered(name)))
    assert len(lines) > 20
    short = [line.text for line in lines if line.x1 < RIGHT - ONE_CHAR / 2]
    assert not short, f"{len(short)} of {len(lines)} wrapped lines end short: {short[:5]}"
    assert all(line.x1 <= RIGHT + 0.2 for line in lines)


@pytest.mark.parametrize("name", ["reply_110", "reply_176", "reply_366", "opinion_239", "rules"])
def test_no_line_starts_or_ends_with_a_forbidden_mark(rendered, name):
    for line in body_lines(rendered(name)):
        assert line.text[0] not in NO_LINE_START, line.text
        assert not line.text.startswith(("——", "……")), line.text
        assert line.text[-1] not in OPENING, line.text


def test_dashes_and_ellipses_never_split(rendered):
    lines = body_lines(rendered("rules"))
    text = "".join(line.text for line in lines)
    assert text.count("——") == 1 and text.count("……") == 1
    for line in lines:
        assert not line.text.endswith("—") or line.text.endswith("——")
        assert not line.text.startswith("—")


def test_a_pushed_line_is_stretched_to_the_edge(rendered):
    lines = body_lines(rendered("rules"))
    first = lines[0]  # 26 cells + 「。」 would not fit: 「作。」 went down together
    assert first.x0 == pytest.approx(INDENT, abs=0.3)
    assert first.x1 == pytest.approx(RIGHT, abs=0.3)
    assert len(first.text) == 25
    assert lines[1].text.startswith(fill(26)[-1] + "。")


def test_adjacent_punctuation_is_compressed(rendered):
    line = next(line for line in body_lines(rendered("rules")) if line.text.startswith("他说"))
    text = line.text
    x = [c["x0"] / MM for c in line.chars]
    plain = x[text.index("好") + 1] - x[text.index("好")]  # a character: one cell (justified)
    assert plain == pytest.approx(ONE_CHAR, abs=0.2)
    period = text.index("。”“")
    # 。 and ” each give up their blank half before the next mark (and take no share of the
    # justification); “ keeps its width before 再
    assert x[period + 1] - x[period] == pytest.approx(ONE_CHAR - HALF_EM, abs=0.05)
    assert x[period + 2] - x[period + 1] == pytest.approx(ONE_CHAR - HALF_EM, abs=0.05)
    assert x[period + 3] - x[period + 2] == pytest.approx(plain, abs=0.05)
    # ：“ — the colon's ink is in its left half too
    colon = text.index("：“")
    assert x[colon + 1] - x[colon] == pytest.approx(ONE_CHAR - HALF_EM, abs=0.05)


def test_question_marks_are_never_compressed():
    # ？ is centred in its cell in FandolFang: squeezing it would run it into the next mark.
    (line,) = break_lines(glyphs("好吗？”", "fang"), [400.0])
    assert line.squeeze == [0.0, 0.0, 0.0, 0.0]


def test_long_latin_words_and_urls_break_inside_the_margin(rendered):
    page = rendered("latin")
    assert_inside_text_block(page.result.content)
    lines = body_lines(page)
    text = "".join(line.text for line in lines)
    assert URL in text and URL * 2 in text
    # the URL fills its lines: it breaks where the line ends, not before
    url_lines = [line for line in wrapped(lines) if "cixi" in line.text or "art" in line.text]
    assert url_lines and all(line.x1 >= RIGHT - ONE_CHAR / 2 for line in url_lines)
    # a telephone number never breaks
    assert any("0574-12345678" in line.text for line in lines)


def test_lines_stay_in_the_text_block_vertically(rendered):
    for number in range(1, len(rendered("rules").pages) + 1):
        for line in rendered("rules").text_block_lines(number):
            assert line.em_bottom <= BOTTOM + 0.2


# --- the line breaker on its own (no rendering) -----------------------------------------------

WIDTHS = [442.2 - 31.56, 442.2]  # a paragraph: two characters of indent, then the full width


@pytest.mark.parametrize("mark", ["。", "，", "”", "）", "》", "——", "……", "？", "：", "、"])
@pytest.mark.parametrize("before", range(22, 30))
def test_no_break_puts_a_mark_at_a_line_start(mark, before):
    text = fill(before) + mark + fill(40)
    lines = break_lines(glyphs(text, "fang"), WIDTHS)
    assert "".join(line.text for line in lines) == text
    for line in lines[1:]:
        assert line.text[0] not in NO_LINE_START, [line.text for line in lines]
    for line in lines[:-1]:
        assert line.text[-1] not in OPENING


@pytest.mark.parametrize("before", range(22, 30))
def test_an_opening_mark_never_ends_a_line(before):
    text = fill(before) + "《" + fill(40) + "》"
    lines = break_lines(glyphs(text, "fang"), WIDTHS)
    assert all(line.text[-1] != "《" for line in lines)


def test_white_space_runs_print_as_one_space():
    (line,) = break_lines(glyphs("甲乙   丙 \u3000丁", "fang"), WIDTHS)
    assert line.text == "甲乙 丙 \u3000丁"  # U+3000 is a character of its own, kept
