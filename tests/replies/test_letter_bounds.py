"""Nothing prints outside the text block (GB/T 9704: 156 mm from 28 mm; the page, vertically).

``assert_inside_text_block`` is the reusable check: every character's box on every page, read
back from the PDF. Each letter is rendered once per module.
"""

import datetime
import io

import pdfplumber
import pytest

from replies.demo.documents import OPINION_239, REPLY_110, REPLY_176, REPLY_366
from replies.letter import CcRecipient, LetterData, fonts
from replies.letter.render import signer_lines
from tests.replies.test_letter_pdf import CONTACT, LEFT, MM, RIGHT, Rendered, letter_from_seed

PAGE_HEIGHT = 297.0
ONE_CHAR = 15.78 / MM  # a character of body text, in mm
DATE_END = RIGHT - 4 * ONE_CHAR  # the date ends four characters in from the right


def characters_outside_text_block(pdf: bytes, *, tolerance_mm: float = 0.2) -> list[str]:
    """Each character of ``pdf`` whose box leaves the text block horizontally or the page
    vertically, as 「page n: 'x' at x0–x1 mm, top–bottom mm」."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            height = page.height / MM
            assert height == pytest.approx(PAGE_HEIGHT, abs=0.5)
            for char in page.chars:
                x0, x1 = char["x0"] / MM, char["x1"] / MM
                top, bottom = char["top"] / MM, char["bottom"] / MM
                if (
                    x0 < LEFT - tolerance_mm
                    or x1 > RIGHT + tolerance_mm
                    or top < -tolerance_mm
                    or bottom > height + tolerance_mm
                ):
                    found.append(
                        f"page {number}: {char['text']!r} at {x0:.1f}-{x1:.1f} mm, "
                        f"{top:.1f}-{bottom:.1f} mm"
                    )
    return found


def assert_inside_text_block(pdf: bytes, *, tolerance_mm: float = 0.2) -> None:
    """Every character box on every page of ``pdf`` lies within the 156 mm text block from
    28 mm (horizontally) and within the page (vertically)."""
    outside = characters_outside_text_block(pdf, tolerance_mm=tolerance_mm)
    assert not outside, f"{len(outside)} characters outside the text block: {outside[:10]}"


# --- letters --------------------------------------------------------------------------------

BUREAU_15 = "慈溪市市场监督管理局高新区分局"
BUREAU_20 = "慈溪市综合行政执法局（慈溪市城市管理局）"
BUREAU_26 = "宁波杭州湾新区开发建设管理委员会经济发展局（统计局）"
LONG_SIGNERS = "阿卜杜热合曼·买买提、古丽娜尔·艾尼瓦尔、欧阳建国、司马相如"
LONG_CC = tuple(
    [
        CcRecipient("市人大代表工作委员会"),
        CcRecipient("市人民政府办公室"),
        CcRecipient("宁波杭州湾新区开发建设管理委员会经济发展局"),
        CcRecipient("市发展和改革局"),
        CcRecipient("市财政局"),
        CcRecipient("白沙路街道人大工作委员会"),
        CcRecipient("观海卫镇人民代表大会主席团"),
        CcRecipient("周巷镇人民代表大会主席团"),
        CcRecipient("市住房和城乡建设局（市人防办公室）"),
        CcRecipient("市自然资源和规划局"),
    ]
    + [CcRecipient(name, is_person=True) for name in ("潘省办", "胡国锋", "欧阳建国", "司马相如")]
)
LONG_TITLE = (
    "关于进一步完善城乡基础设施建设投融资机制加快推进新型城镇化和乡村振兴战略实施"
    "促进城乡融合发展的建议的答复"
)
URL = "https://www.cixi.gov.cn/art/2023/9/12/art_1229012345_59123456.html?from=jianyi&page=1"


def test_the_long_names_are_as_long_as_they_say():
    assert [len(BUREAU_15), len(BUREAU_20), len(BUREAU_26)] == [15, 20, 26]


def long_letter(**overrides) -> LetterData:
    fields = {
        "kind": "reply",
        "title": "对市十八届人大二次会议第366号建议的答复",
        "salutation": "岑国建代表：",
        "body": "您提出的建议收悉。现答复如下：\n一、总体情况\n感谢您对我市工作的关心和支持。",
        "signing_bureau": "慈溪市经济和信息化局",
        "date": datetime.date(2023, 12, 28),
        "category_mark": "A",
        "authority_mark": "慈溪市经济和信息化局文件",
        "document_number": "慈经信建〔2023〕128号",
        "signer": "龚激红",
        **CONTACT,
    }
    fields.update(overrides)
    return LetterData(**fields)


LETTERS = {
    "reply_110": lambda: letter_from_seed(REPLY_110, date=datetime.date(2022, 6, 24), **CONTACT),
    "reply_176": lambda: letter_from_seed(REPLY_176, **CONTACT, disclosure_note="此件主动公开"),
    "reply_366": lambda: letter_from_seed(REPLY_366),
    "opinion_239": lambda: letter_from_seed(
        OPINION_239,
        kind="opinion",
        signing_bureau="慈溪市科学技术局",
        date=datetime.date(2017, 5, 10),
    ),
    "bureau_15": lambda: long_letter(signing_bureau=BUREAU_15),
    "bureau_20": lambda: long_letter(signing_bureau=BUREAU_20),
    "bureau_26": lambda: long_letter(signing_bureau=BUREAU_26),
    "bureau_26_no_date": lambda: long_letter(signing_bureau=BUREAU_26, date=None),
    "long_signers": lambda: long_letter(signer=LONG_SIGNERS),
    "one_long_signer": lambda: long_letter(signer="阿卜杜热合曼买买提古丽娜尔艾尼瓦尔欧阳建国司马"),
    "long_cc": lambda: long_letter(cc=LONG_CC),
    "long_title": lambda: long_letter(title=LONG_TITLE),
    "long_latin": lambda: long_letter(
        body=f"详见{URL}。\n{URL * 2}",
        contact_phone="0574-12345678/13800000000/13900000000/13700000000/13600000000",
    ),
    "everything_long": lambda: long_letter(
        title=LONG_TITLE, signing_bureau=BUREAU_26, signer=LONG_SIGNERS, cc=LONG_CC
    ),
}


@pytest.fixture(scope="module")
def rendered():
    """Each letter rendered once for the module, on first use."""
    cache: dict[str, Rendered] = {}

    def get(name: str) -> Rendered:
        if name not in cache:
            cache[name] = Rendered(LETTERS[name]())
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(LETTERS))
def test_nothing_prints_outside_the_text_block(rendered, name):
    assert_inside_text_block(rendered(name).result.content)


def test_the_check_sees_a_character_outside():
    # The letter's layout no longer produces one: a plain page with too long a line does.
    from weasyprint import HTML

    wide = HTML(
        string="<style>@page{size:A4;margin:37mm 26mm 35mm 28mm}</style>"
        "<p style='white-space:nowrap;font-size:16pt'>" + "字" * 40 + "</p>"
    ).write_pdf()
    outside = characters_outside_text_block(wide)
    assert len(outside) == 40 - 27 and all(entry.startswith("page 1: '字'") for entry in outside)


# --- the signing bureau -----------------------------------------------------------------------


def closing_lines(rendered: Rendered, date_text: str):
    last = rendered.page_of(date_text)
    date = rendered.find_line(last, date_text)
    lines = [line for line in rendered.lines(last) if line.size == 16]
    index = next(i for i, line in enumerate(lines) if line.baseline == date.baseline)
    return lines, index, date


def test_a_short_bureau_is_centred_on_the_date(rendered):
    lines, index, date = closing_lines(rendered("reply_176"), "2018年6月20日")
    bureau = lines[index - 1]
    assert bureau.text == "慈溪市经济和信息化局"
    assert date.x1 == pytest.approx(DATE_END, abs=1)
    assert (bureau.x0 + bureau.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=1)


@pytest.mark.parametrize("name", ["bureau_15", "bureau_20"])
def test_a_long_bureau_ends_where_the_date_ends(rendered, name):
    letter = LETTERS[name]()
    lines, index, date = closing_lines(rendered(name), "2023年12月28日")
    bureau = lines[index - 1]
    assert bureau.text == letter.signing_bureau
    assert date.x1 == pytest.approx(DATE_END, abs=1)  # the date does not move
    assert bureau.x1 == pytest.approx(date.x1, abs=0.5)
    assert date.baseline - bureau.baseline == pytest.approx(10.227, abs=0.3)


def test_a_bureau_too_long_for_a_line_wraps_into_balanced_lines(rendered):
    lines, index, date = closing_lines(rendered("bureau_26"), "2023年12月28日")
    first, second = lines[index - 2], lines[index - 1]
    assert first.text + second.text == BUREAU_26
    assert first.text == "宁波杭州湾新区开发建设管理"  # at a word boundary, evenly
    for line in (first, second):
        assert line.x1 == pytest.approx(date.x1, abs=0.5)
    assert second.baseline - first.baseline == pytest.approx(10.227, abs=0.3)
    assert date.x1 == pytest.approx(DATE_END, abs=1)


def test_a_bureau_without_a_date_ends_four_characters_in(rendered):
    last = rendered("bureau_26_no_date").page_of("宁波杭州湾")
    lines = [line for line in rendered("bureau_26_no_date").lines(last) if line.size == 16]
    bureau = [line for line in lines if line.text in BUREAU_26 and len(line.text) > 5]
    assert "".join(line.text for line in bureau) == BUREAU_26
    assert all(line.x1 == pytest.approx(DATE_END, abs=0.5) for line in bureau)


# --- signers ----------------------------------------------------------------------------------


def test_several_signers_take_several_lines_with_the_number_on_the_last(rendered):
    letter = LETTERS["long_signers"]()
    page = rendered("long_signers")
    expected = signer_lines(letter, fonts.print_stacks())
    assert len(expected) >= 2
    assert "".join(expected).replace("\u3000", "") == LONG_SIGNERS.replace("、", "")
    first = page.find_line(1, "签发人：")
    assert first.text == "签发人：" + expected[0]
    assert first.x1 == pytest.approx(RIGHT - ONE_CHAR, abs=1)
    names = [c for c in first.chars if c["text"] == expected[0][0]][0]
    following = [line for line in page.lines(1) if line.baseline > first.baseline][
        : len(expected) - 1
    ]
    for offset, line in enumerate(following, 1):
        assert line.baseline - first.baseline == pytest.approx(offset * 10.227, abs=0.3)
        name_line = expected[offset]
        name_chars = line.chars_of(name_line[:2])
        # later lines line up under the first name (GB/T 9704 7.2.4)
        assert name_chars[0]["x0"] / MM == pytest.approx(names["x0"] / MM, abs=0.5)
    number = page.find_line(1, "慈经信建〔2023〕128号")
    assert number.baseline == following[-1].baseline  # the number on the signers' last line
    assert number.x0 == pytest.approx(LEFT + ONE_CHAR, abs=1)
    rule = [r for r in page.pages[0].rects if r["width"] / MM > 150][0]
    assert rule["top"] / MM - number.em_bottom == pytest.approx(4, abs=0.8)
