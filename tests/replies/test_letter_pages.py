"""Pages of the official letter (GB/T 9704): full 22-line pages, the closing kept with two
body lines, the body on the grid under the header, the colophon on an even last page."""

import datetime

import pytest

from proposals.numerals import chinese_date
from replies.demo.documents import REPLY_110, REPLY_176, REPLY_366
from replies.letter import CcRecipient, LetterData
from replies.letter.layout import cc_lines
from replies.letter.pages import Piece, colophon_place, paginate, units
from replies.letter.render import letter_context
from tests.replies.test_letter_pdf import (
    BOTTOM,
    CONTACT,
    LEFT,
    MM,
    TOP,
    Rendered,
    letter_from_seed,
)

LINE = 225 / 22
PHRASE = "我局高度重视建议办理工作认真研究逐条落实有关部门积极配合推进"


def chars(count: int, offset: int = 0) -> str:
    """``count`` characters of body text without punctuation (one cell each)."""
    return "".join(PHRASE[(offset + i) % len(PHRASE)] for i in range(count))


def paragraph(lines: int, last: int = 20) -> str:
    """A paragraph that sets in ``lines`` lines: 26 characters after the indent, then 28."""
    if lines == 1:
        return chars(last)
    return chars(26) + chars(28 * (lines - 2), 3) + chars(last, 7)


def numbered_letter(*paragraph_lines: int, cc=()) -> LetterData:
    """A reply with the full header block (8 grid lines) and a one-line note: page 1 holds
    13 lines of header, title and salutation and 5 of closing, so 4 body lines."""
    return LetterData(
        kind="reply",
        title="对市十八届人大二次会议第366号建议的答复",
        salutation="岑国建代表：",
        body="\n".join(paragraph(n) for n in paragraph_lines),
        signing_bureau="慈溪市经济和信息化局",
        date=datetime.date(2023, 12, 28),
        category_mark="A",
        authority_mark="慈溪市经济和信息化局文件",
        document_number="慈经信建〔2023〕128号",
        signer="龚激红",
        contact_name="张三",
        contact_phone="0574-12345678",
        cc=tuple(cc),
    )


SHORT_CC = (CcRecipient("市人大代表工委"), CcRecipient("市政府办公室"))
SEEDS = {
    "reply_110": lambda: letter_from_seed(REPLY_110, date=datetime.date(2022, 6, 24), **CONTACT),
    "reply_176": lambda: letter_from_seed(REPLY_176, **CONTACT, disclosure_note="此件主动公开"),
    "reply_366": lambda: letter_from_seed(REPLY_366),
}
LETTERS = {
    **SEEDS,
    "fills_page_one": lambda: numbered_letter(4),
    "one_line_more": lambda: numbered_letter(5),
    "last_paragraph_splits": lambda: numbered_letter(5, 10),
    "room_for_cc": lambda: numbered_letter(5, 10, cc=SHORT_CC),
    "no_room_for_cc": lambda: numbered_letter(5, 21, cc=SHORT_CC),
}


@pytest.fixture(scope="module")
def rendered():
    cache: dict[str, Rendered] = {}

    def get(name: str) -> Rendered:
        if name not in cache:
            cache[name] = Rendered(LETTERS[name]())
        return cache[name]

    return get


def body_lines(page: Rendered, number: int):
    """The page's lines of 三号 text inside the text block."""
    return [line for line in page.text_block_lines(number) if line.size == 16]


def grid_line(page: Rendered, line) -> float:
    """Which line of the 22-line grid ``line`` sits on (1: the top of the text block),
    measured against the first line of page 2, which starts a page of body text."""
    first = body_lines(page, 2)[0]
    assert first.em_top == pytest.approx(TOP, abs=3)
    return (line.baseline - first.baseline) / LINE + 1


def date_page(page: Rendered) -> int:
    date = chinese_date(page.letter.date)
    pages = [
        n for n in range(1, len(page.pages) + 1) if any(line.text == date for line in page.lines(n))
    ]
    assert len(pages) == 1
    return pages[0]


# --- full pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SEEDS))
def test_every_page_before_the_closing_holds_22_lines(rendered, name):
    page = rendered(name)
    closing = date_page(page)
    assert closing > 2
    for number in range(2, closing):
        lines = body_lines(page, number)
        moved = len(body_lines(page, number + 1)) and number + 1 == closing
        assert len(lines) == 22 or moved, (number, len(lines))
        for upper, lower in zip(lines, lines[1:], strict=False):
            assert lower.baseline - upper.baseline == pytest.approx(LINE, abs=0.1)


@pytest.mark.parametrize("name", list(SEEDS))
def test_page_one_keeps_its_22nd_line(rendered, name):
    page = rendered(name)
    last = body_lines(page, 1)[-1]
    assert grid_line(page, last) == pytest.approx(22, abs=0.02)
    # the body sits on the grid: every line of page 1 from the salutation on
    salutation = page.find_line(1, page.letter.salutation)
    for line in body_lines(page, 1)[body_lines(page, 1).index(salutation) :]:
        steps = (last.baseline - line.baseline) / LINE
        assert steps == pytest.approx(round(steps), abs=0.02), line


def test_a_letter_filling_page_one_stays_on_one_page(rendered):
    page = rendered("fills_page_one")
    assert len(page.pages) == 1
    note = page.find_line(1, "（联系人：")
    assert (BOTTOM - note.baseline) == pytest.approx(LINE - 7.3, abs=0.3)  # on grid line 22


def test_one_line_too_many_moves_two_with_the_closing(rendered):
    page = rendered("one_line_more")
    assert len(page.pages) == 2
    second = body_lines(page, 2)
    date = page.find_line(2, "2023年12月28日")
    above = [line for line in second if line.baseline < date.baseline - 1.5 * LINE]
    assert len(above) == 2  # never a single body line above the signature
    assert above[0].x0 == pytest.approx(LEFT, abs=0.5)  # the paragraph continues
    assert above[0].em_top == pytest.approx(TOP, abs=3)
    first = body_lines(page, 1)
    paragraph_start = [line for line in first if line.text.startswith(PHRASE[:4])]
    assert len(paragraph_start) == 1  # the last paragraph was split, not moved whole


def test_the_last_paragraph_splits_and_page_one_is_full(rendered):
    page = rendered("last_paragraph_splits")
    assert len(page.pages) == 2
    first = body_lines(page, 1)
    assert (BOTTOM - first[-1].baseline) == pytest.approx(LINE - 7.3, abs=0.3)  # line 22
    starts = [line for line in first if line.x0 > LEFT + 5]
    assert len([line for line in starts if line.text.startswith(PHRASE[:4])]) == 2
    continued = body_lines(page, 2)[0]
    assert continued.x0 == pytest.approx(LEFT, abs=0.5)  # the second paragraph goes on
    date = page.find_line(2, "2023年12月28日")
    above = [line for line in body_lines(page, 2) if line.baseline < date.baseline - 1.5 * LINE]
    assert len(above) == 6


@pytest.mark.parametrize("name", list(LETTERS))
def test_the_pages_print_as_planned(rendered, name):
    page = rendered(name)
    assert letter_context(page.letter)["page_count"] == len(page.pages)


# --- the colophon -----------------------------------------------------------------------------


def cc_page(page: Rendered) -> int:
    return page.page_of("抄送：")


def page_number_text(page: Rendered, number: int) -> str:
    return "".join(
        line.text for line in page.lines(number) if line.size == 14 and line.em_top > BOTTOM
    )


def test_a_body_ending_on_an_odd_page_puts_the_colophon_on_the_even_one(rendered):
    page = rendered("reply_176")
    closing = date_page(page)
    assert closing % 2 == 1
    assert cc_page(page) == closing + 1 == len(page.pages)
    assert "抄送" not in page.pages[closing - 1].extract_text()
    assert page_number_text(page, closing + 1) == f"— {closing + 1} —"


def test_the_colophon_shares_an_even_last_page_with_room(rendered):
    page = rendered("room_for_cc")
    assert len(page.pages) == 2
    assert cc_page(page) == date_page(page) == 2
    cc = page.find_line(2, "抄送：")
    note = page.find_line(2, "（联系人：")
    assert note.em_bottom < cc.em_top - LINE / 2


def test_no_room_on_an_even_page_gives_a_blank_page_then_the_colophon(rendered):
    page = rendered("no_room_for_cc")
    assert date_page(page) == 2
    assert len(page.pages) == 4
    assert not page.pages[2].chars and not page.pages[2].rects  # blank, no page number
    assert cc_page(page) == 4
    assert page_number_text(page, 4) == ""  # GB/T 9704 7.5: after a blank page, no number
    rules = [r for r in page.pages[3].rects if r["width"] / MM > 150]
    assert max(r["bottom"] for r in rules) / MM == pytest.approx(BOTTOM, abs=0.3)


@pytest.mark.parametrize("name", ["reply_176", "reply_366", "room_for_cc", "no_room_for_cc"])
def test_a_letter_with_a_colophon_has_an_even_number_of_pages(rendered, name):
    assert len(rendered(name).pages) % 2 == 0


@pytest.mark.parametrize("prefix", range(0, 12))
def test_cc_names_never_split(prefix):
    names = [
        "市人大代表工委",
        "市政府办公室" + "甲" * prefix,
        "县发展和改革局",
        "欧阳建国",
        "司马相如",
    ]
    people = {"欧阳建国", "司马相如"}
    cc = tuple(CcRecipient(name, name in people) for name in names * 2)
    lines = cc_lines(cc)
    assert "".join(lines) == "抄送：" + "".join(
        name + mark
        for name, mark in zip(
            names * 2, ["，", "，", "，", "、", "，", "，", "，", "，", "、", "。"], strict=True
        )
    )
    for line in lines:
        assert line[-1] in "，、。", lines  # each line ends after a whole name


def test_cc_names_stay_whole_in_the_pdf(rendered):
    page = rendered("reply_366")
    number = cc_page(page)
    lines = [line for line in page.lines(number) if line.size == 14 and line.em_top < BOTTOM]
    assert len(lines) >= 2
    assert all(line.text[-1] in "，、。" for line in lines)
    assert "".join(line.text for line in lines).startswith("抄送：")


# --- the page rules on their own (no rendering) -----------------------------------------------


def pieces_of(*shapes):
    """Pieces from (lines, options) pairs; each piece's html names its parts."""
    result = []
    for index, (lines, options) in enumerate(shapes):
        result.append(
            Piece(lambda parts, style, i=index: f"{i}:{parts}{style}", [1] * lines, **options)
        )
    return result


def page_parts(pages):
    return [[(unit.piece, unit.part) for unit in page if not unit.gap] for page in pages.pages]


def test_a_heading_on_its_own_line_never_ends_a_page():
    pieces = pieces_of((21, {}), (1, {"keep_last": True}), (5, {}))
    pages = paginate(units(pieces, None))
    assert [len(page) for page in page_parts(pages)] == [21, 6]
    assert page_parts(pages)[1][0] == (1, 0)  # the heading opens page 2


def test_a_gap_at_the_top_of_a_page_goes():
    pieces = pieces_of((22, {}), (3, {"gap": 1}))
    pages = paginate(units(pieces, None))
    assert [sum(u.rows for u in page) for page in pages.pages] == [22, 3]


def test_the_closing_takes_exactly_two_lines_with_it():
    pieces = pieces_of((20, {}), (4, {"gap": 2, "keep": True, "body": False}))
    pages = paginate(units(pieces, 1))
    assert [sum(u.rows for u in page) for page in pages.pages] == [18, 8]
    assert colophon_place(pages, 3) == "here"  # page 2 is even and has room
    assert colophon_place(pages, 15) == "after_blank"
