"""Tables pasted from Word (tab-separated cells) and the attachments note (GB/T 9704 7.3.4)
in a reply's body, read back from the PDF."""

import datetime

import pytest

from replies.letter import LetterData, uncovered_characters
from replies.letter.body import Attachments, Table, body_blocks
from replies.letter.render import printed_text
from tests.replies.test_letter_bounds import assert_inside_text_block
from tests.replies.test_letter_pdf import LEFT, MM, RIGHT, Rendered

LINE = 225 / 22
ONE_CHAR = 15.78 / MM
ROWS = [
    ["序号", "镇（街道）", "项目数（个）", "投资额（亿元）", "备注"],
    ["1", "白沙路街道", "12", "3.5", "含数字化车间改造和工业互联网平台建设项目"],
    ["2", "观海卫镇", "8", "2.1", ""],
    ["3", "宁波杭州湾新区开发建设管理委员会", "21", "10.6", "重点项目"],
]
ATTACHMENT_1 = "慈溪市推进“产业争先”三年攻坚行动计划（2018-2020年）及其实施细则和配套政策汇编"
ATTACHMENT_2 = "2022年智能制造项目清单"
BODY = "\n".join(
    [
        "您提出的建议收悉。现将有关情况答复如下：",
        "2022年我市各镇（街道）智能制造项目情况如下表：",
        *("\t".join(row) for row in ROWS),
        "感谢您对我市工作的关心和支持。",
        f"附件：1.{ATTACHMENT_1}",
        f"2.{ATTACHMENT_2}",
    ]
)


def letter(body: str = BODY) -> LetterData:
    return LetterData(
        kind="reply",
        title="对市十八届人大二次会议第8号建议的答复",
        salutation="王芳代表：",
        body=body,
        signing_bureau="慈溪市经济和信息化局",
        date=datetime.date(2023, 9, 12),
        contact_name="张三",
        contact_phone="0574-12345678",
    )


@pytest.fixture(scope="module")
def rendered():
    return Rendered(letter())


# --- reading the body -------------------------------------------------------------------------


def test_tab_separated_lines_are_a_table():
    blocks = body_blocks(BODY)
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 1
    assert [list(row) for row in tables[0].rows] == ROWS
    assert isinstance(blocks[-1], Attachments)
    assert blocks[-1].items == (("1.", ATTACHMENT_1), ("2.", ATTACHMENT_2))


def test_ragged_rows_are_padded_and_a_blank_line_ends_a_table():
    blocks = body_blocks("甲\t乙\t丙\n丁\n\n一\t二\n三")
    assert [type(b).__name__ for b in blocks] == ["Table", "Paragraph", "Table", "Paragraph"]
    assert blocks[0].rows == (("甲", "乙", "丙"),)
    assert blocks[2].rows == (("一", "二"),)


def test_a_single_attachment_and_a_mention_of_attachments():
    (note,) = body_blocks("附件：慈溪市智能经济发展规划")
    assert note.items == (("", "慈溪市智能经济发展规划"),)
    # 「附件：」 followed by a paragraph that is no numbered item: body text, not a note
    blocks = body_blocks("附件：见下文\n我局将继续推进。")
    assert not any(isinstance(b, Attachments) for b in blocks)


def test_cells_are_checked_for_glyphs_without_tabs():
    texts = [text for _, text in printed_text(letter())]
    assert "宁波杭州湾新区开发建设管理委员会" in texts
    assert not any("\t" in text for text in texts)
    assert uncovered_characters(letter()) == []


# --- in the PDF -------------------------------------------------------------------------------


def test_the_table_has_borders_within_the_text_block(rendered):
    page = rendered.pages[0]
    edges = page.edges
    assert len(edges) >= 2 * (len(ROWS) + len(ROWS[0]))
    assert min(e["x0"] for e in edges) / MM == pytest.approx(LEFT, abs=0.3)
    assert max(e["x1"] for e in edges) / MM == pytest.approx(RIGHT, abs=0.3)
    assert_inside_text_block(rendered.result.content)


def test_every_cell_prints_inside_its_column(rendered):
    page = rendered.pages[0]
    verticals = sorted({round(e["x0"] / MM, 1) for e in page.edges if e["orientation"] == "v"})
    assert len(verticals) == len(ROWS[0]) + 1
    words = [line for line in rendered.lines(1) if line.size == 14]
    text = "".join(line.text for line in words)
    for row in ROWS:
        for cell in row:
            for char in cell:
                assert char in text
    for line in words:
        for char in line.chars:
            x0, x1 = char["x0"] / MM, char["x1"] / MM
            column = next(i for i, v in enumerate(verticals) if v > x0) - 1
            assert verticals[column] < x0 and x1 < verticals[column + 1] + 0.05, char["text"]


def test_the_text_after_the_table_is_back_on_the_grid(rendered):
    salutation = rendered.find_line(1, "王芳代表：")
    after = rendered.find_line(1, "感谢您对我市工作的关心和支持。")
    steps = (after.baseline - salutation.baseline) / LINE
    assert steps == pytest.approx(round(steps), abs=0.02)
    table_bottom = max(e["bottom"] for e in rendered.pages[0].edges) / MM
    assert after.em_top > table_bottom


def test_the_attachments_note_hangs_under_the_first_name(rendered):
    last = rendered.page_of("（联系人：")
    pages = range(1, last + 1)
    lines = [line for n in pages for line in rendered.lines(n) if line.size == 16]
    start = next(i for i, line in enumerate(lines) if line.text.startswith("附件："))
    first, wrapped, second = lines[start : start + 3]
    assert first.x0 == pytest.approx(LEFT + 2 * ONE_CHAR, abs=0.3)  # 「附件」 two characters in
    number = first.chars[3]
    name = first.chars[5]
    assert number["text"] == "1"
    assert wrapped.x0 == pytest.approx(name["x0"] / MM, abs=0.3)  # under the name's first char
    assert second.text == "2." + ATTACHMENT_2
    assert second.x0 == pytest.approx(number["x0"] / MM, abs=0.3)  # numbers one under another
    assert (first.text + wrapped.text).endswith(ATTACHMENT_1)
    # one blank line between the body and the note (on the same page here)
    body_end = lines[start - 1]
    if body_end.baseline < first.baseline:
        assert first.baseline - body_end.baseline == pytest.approx(2 * LINE, abs=0.2)


def test_a_table_longer_than_a_page_breaks_between_rows():
    rows = ["序号\t项目名称\t投资额（万元）"] + [
        f"{n}\t智能制造示范项目第{n}期数字化车间建设与工业互联网平台改造\t{n * 100}"
        for n in range(1, 25)
    ]
    page = Rendered(letter("\n".join(["现将项目清单列下：", *rows, "特此答复。"])))
    assert len(page.pages) >= 2
    assert_inside_text_block(page.result.content)
    text = "".join(
        line.text
        for n in range(1, len(page.pages) + 1)
        for line in page.lines(n)
        if line.size == 14
    )
    for n in range(1, 25):
        assert f"第{n}期" in text
    for number in range(1, len(page.pages)):
        edges = page.pages[number - 1].edges
        if edges:  # the table stays inside the text block on every page
            assert max(e["bottom"] for e in edges) / MM <= 262.2
