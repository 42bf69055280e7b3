"""The official letter, read back from the PDF (GB/T 9704, shared/docs/official-letter.md).

Each seed is rendered once per module. Positions are in millimetres from the top-left corner
of the page. The top of a line of characters is its ideographic em box (baseline - 0.88 em):
pdfplumber's own ``top`` depends on the descent each font declares, not on where ink is.
"""

import datetime
import io
import re

import pdfplumber
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from proposals.text import paragraphs
from replies.demo.documents import OPINION_239, REPLY_110, REPLY_176, REPLY_366, seed_letter
from replies.letter import (
    CcRecipient,
    LetterData,
    cc_line,
    fonts,
    render_letter_html,
    render_letter_pdf,
)
from replies.letter.render import LETTER_FONTS, balanced_lines
from replies.letter.typeset import squeeze

MM = 72 / 25.4
LEFT, RIGHT, TOP, BOTTOM = 28.0, 184.0, 37.0, 262.0  # the text block
RED = (0.0, 0.8, 0.8, 0.0)
CONTACT = {"contact_name": "张三", "contact_phone": "0574-12345678"}


# --- helpers --------------------------------------------------------------------------------


def letter_from_seed(name: str, kind: str = "reply", **overrides) -> LetterData:
    seed = seed_letter(name)
    fields = {
        "kind": kind,
        "title": seed.title,
        "salutation": seed.salutation,
        "body": seed.body,
        "signing_bureau": seed.bureau or seed.authority_mark.removesuffix("文件"),
        "date": seed.date,
        "category_mark": seed.category_mark,
        "authority_mark": seed.authority_mark,
        "document_number": seed.document_number,
        "signer": seed.signer,
        "cc": tuple(CcRecipient(c.name, c.is_person) for c in seed.cc),
    }
    fields.update(overrides)
    return LetterData(**fields)


class Rendered:
    """A rendered letter with its PDF opened once for reading."""

    def __init__(self, letter: LetterData, **options):
        self.letter = letter
        self.result = render_letter_pdf(letter, **options)
        self.pdf = pdfplumber.open(io.BytesIO(self.result.content))
        self.pages = self.pdf.pages
        self._lines = {}

    def lines(self, page_number: int) -> list["Line"]:
        """The page's lines of text, top to bottom, each read left to right."""
        if page_number not in self._lines:
            page = self.pages[page_number - 1]
            by_baseline: dict[float, list[dict]] = {}
            for char in page.chars:
                baseline = round((page.height - char["matrix"][5]) / MM, 1)
                key = next((b for b in by_baseline if abs(b - baseline) < 0.5), baseline)
                by_baseline.setdefault(key, []).append(char)
            self._lines[page_number] = [
                Line(baseline, sorted(chars, key=lambda c: c["x0"]))
                for baseline, chars in sorted(by_baseline.items())
            ]
        return self._lines[page_number]

    def find_line(self, page_number: int, startswith: str) -> "Line":
        for line in self.lines(page_number):
            if line.text.startswith(startswith):
                return line
        raise AssertionError(f"no line starting {startswith!r} on page {page_number}")

    def page_of(self, startswith: str) -> int:
        """The number of the first page with a line starting ``startswith``."""
        for number in range(1, len(self.pages) + 1):
            if any(line.text.startswith(startswith) for line in self.lines(number)):
                return number
        raise AssertionError(f"no line starting {startswith!r}")

    def text_block_lines(self, page_number: int) -> list["Line"]:
        return [line for line in self.lines(page_number) if line.em_top < BOTTOM]


class Line:
    def __init__(self, baseline: float, chars: list[dict]):
        self.baseline = baseline
        self.chars = chars
        self.text = "".join(c["text"] for c in chars)
        self.size = round(max(c["size"] for c in chars), 1)
        self.em_top = baseline - 0.88 * self.size / MM
        self.em_bottom = baseline + 0.12 * self.size / MM
        self.x0 = chars[0]["x0"] / MM
        self.x1 = chars[-1]["x1"] / MM

    def chars_of(self, text: str) -> list[dict]:
        start = self.text.index(text)
        return self.chars[start : start + len(text)]

    def __repr__(self):
        return f"<Line {self.baseline:.1f}mm {self.text[:20]!r}>"


def no_space(text: str) -> str:
    return re.sub(r"\s", "", text)


def pdf_family(role: str) -> str:
    """How the first font of a role is named in the PDF (its @font-face family, dashed)."""
    return fonts.font_stacks()[role][0].family.replace(" ", "-")


# --- the seeds, rendered once ---------------------------------------------------------------


@pytest.fixture(scope="module")
def reply_110():
    return Rendered(letter_from_seed(REPLY_110, date=datetime.date(2022, 6, 24), **CONTACT))


@pytest.fixture(scope="module")
def reply_176():
    return Rendered(letter_from_seed(REPLY_176, **CONTACT, disclosure_note="此件主动公开"))


@pytest.fixture(scope="module")
def reply_366():
    return Rendered(letter_from_seed(REPLY_366))


@pytest.fixture(scope="module")
def opinion_239():
    # The category mark is set on purpose: an opinion must never print it.
    return Rendered(
        letter_from_seed(
            OPINION_239,
            kind="opinion",
            category_mark="A",
            signing_bureau="慈溪市科学技术局",
            date=datetime.date(2017, 5, 10),
        )
    )


RARE_NAME_LETTER = LetterData(
    kind="reply",
    title="对市十八届人大二次会议第8号建议的答复",
    salutation="王喆代表：",
    body="您提出的建议收悉。\n感谢王喆、李犇、张堃代表的关心和支持。",
    signing_bureau="慈溪市经济和信息化局",
    date=datetime.date(2023, 9, 12),
)


@pytest.fixture(scope="module")
def rare_name():
    return Rendered(RARE_NAME_LETTER)


# --- page and grid --------------------------------------------------------------------------


def test_pages_are_a4(reply_110):
    assert reply_110.result.page_count == len(reply_110.pages) > 1
    for page in reply_110.pages:
        assert page.width / MM == pytest.approx(210, abs=0.5)
        assert page.height / MM == pytest.approx(297, abs=0.5)


def test_text_block_starts_28mm_from_the_left(reply_176):
    starts = set()
    for number in range(2, reply_176.page_of("2018年6月20日")):  # pages of body text only
        body = [line for line in reply_176.text_block_lines(number) if line.size == 16]
        assert min(line.x0 for line in body) == pytest.approx(LEFT, abs=1)
        starts |= {round(line.x0, 1) for line in body}
    # Lines start at the left edge, or two characters in (2 × 15.78 pt) for a paragraph.
    assert starts == {round(LEFT, 1), round(LEFT + 2 * 15.78 / MM, 1)}


def test_line_pitch_is_a_22_line_grid(reply_110):
    full_pages = 0
    for number in range(2, len(reply_110.pages)):  # body only, no blank lines in between
        baselines = [line.baseline for line in reply_110.text_block_lines(number)]
        assert len(baselines) <= 22
        full_pages += len(baselines) == 22  # (others end early: no lone line, no lone heading)
        for upper, lower in zip(baselines, baselines[1:], strict=False):
            assert lower - upper == pytest.approx(10.2, abs=0.3)
        # The first line sits at the top of the text block.
        assert reply_110.text_block_lines(number)[0].em_top == pytest.approx(TOP, abs=3)
    assert full_pages >= len(reply_110.pages) // 2


def test_lines_hold_at_most_28_characters(reply_110, reply_176):
    full_lines = 0
    for rendered in (reply_110, reply_176):
        for number in range(1, len(rendered.pages) + 1):
            for line in rendered.text_block_lines(number):
                if line.size != 16:
                    continue
                wide = [c for c in line.text if ord(c) > 0x2E80]
                # 28 cells; two marks side by side (「。”」) share one and a half (标点挤压)
                squeezed = sum(squeeze(a, b, 1.0) for a, b in zip(line.text, line.text[1:], strict=False))
                assert len(wide) <= 28 + squeezed, line.text
                assert line.x1 <= RIGHT + 0.3, line.text
                full_lines += len(line.text) == len(wide) == 28
    assert full_lines > 50  # 28 characters do fill a line: the spacing is not too loose


def test_title_is_22pt_and_body_16pt(reply_176):
    title = reply_176.find_line(1, "对市十七届人大三次会议")
    assert {round(c["size"], 1) for c in title.chars} == {22}
    assert pdf_family("xbs") in title.chars[0]["fontname"]
    assert title.text == "对市十七届人大三次会议第176号建议的答复"
    assert (title.x0 + title.x1) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=1.5)  # centred
    body = reply_176.find_line(1, "您在市十七届人大三次会议")
    assert {round(c["size"], 1) for c in body.chars} == {16}
    assert pdf_family("fang") in body.chars[0]["fontname"]
    salutation = reply_176.find_line(1, "傅磊代表：")
    assert salutation.x0 == pytest.approx(LEFT, abs=0.5)
    # one blank line between title and salutation
    assert salutation.baseline - title.baseline == pytest.approx(2 * 10.227, abs=1.5)


# --- header block ---------------------------------------------------------------------------


def test_header_block_positions(reply_110):
    mark = reply_110.find_line(1, "慈溪市经济和信息化局文件")
    assert mark.em_top == pytest.approx(TOP + 35, abs=1.5)
    assert (mark.x0 + mark.x1) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=1.5)
    assert mark.x1 - mark.x0 <= 156
    assert pdf_family("xbs") in mark.chars[0]["fontname"]

    number_line = reply_110.find_line(1, "慈经信建〔2022〕3号")
    assert number_line.text == "慈经信建〔2022〕3号签发人：龚激红"  # number and signer: one line
    assert number_line.em_top > mark.em_bottom + 2 * 10.227 - 1  # two blank lines under the mark
    number = number_line.chars_of("慈经信建〔2022〕3号")
    signer = number_line.chars_of("签发人：龚激红")
    one_char = 15.78 / MM
    assert number[0]["x0"] / MM == pytest.approx(LEFT + one_char, abs=1)
    assert signer[-1]["x1"] / MM == pytest.approx(RIGHT - one_char, abs=1)
    assert pdf_family("fang") in number[0]["fontname"]
    assert pdf_family("fang") in signer[0]["fontname"]  # 签发人： 仿宋
    assert pdf_family("kai") in signer[-1]["fontname"]  # the name 楷体
    assert {round(c["matrix"][5], 1) for c in number + signer} == {round(number[0]["matrix"][5], 1)}

    rule = [r for r in reply_110.pages[0].rects if tuple(r["non_stroking_color"]) == RED]
    assert len(rule) == 1
    rule = rule[0]
    assert rule["x0"] / MM == pytest.approx(LEFT, abs=0.3)
    assert rule["x1"] / MM == pytest.approx(RIGHT, abs=0.3)
    assert 0.3 <= (rule["bottom"] - rule["top"]) / MM <= 0.55
    assert rule["top"] / MM - number_line.em_bottom == pytest.approx(4, abs=0.8)

    category = reply_110.lines(1)[0]
    assert category.text == "类别标记：A"
    assert category.x1 == pytest.approx(RIGHT, abs=1)
    assert category.em_bottom < mark.em_top


def test_authority_mark_and_rule_are_red(reply_110):
    mark = reply_110.find_line(1, "慈溪市经济和信息化局文件")
    assert {tuple(c["non_stroking_color"]) for c in mark.chars} == {RED}
    assert all(tuple(c["non_stroking_color"]) != RED for c in reply_110.find_line(1, "罗冲").chars)
    assert any(tuple(r["non_stroking_color"]) == RED for r in reply_110.pages[0].rects)


def test_letter_without_header_starts_with_the_title(reply_176):
    first = reply_176.lines(1)[0]
    assert first.text.startswith("对市十七届人大三次会议")
    assert first.em_top == pytest.approx(TOP + (10.227 - 22 / MM) / 2, abs=1.5)
    assert not reply_176.pages[0].rects


def test_opinion_never_prints_a_category_mark(opinion_239):
    text = opinion_239.pages[0].extract_text()
    assert "类别标记" not in text
    salutation = opinion_239.find_line(1, "市经信局：")
    assert salutation.x0 == pytest.approx(LEFT, abs=0.5)
    title = opinion_239.lines(1)[:2]
    assert no_space("".join(line.text for line in title)) == (
        "关于慈溪市人大十七届第一次会议第239号建议的协办意见"
    )


# --- body -----------------------------------------------------------------------------------


def document_text(rendered: Rendered) -> str:
    """Every line inside the text block, page after page, without white space."""
    return "".join(
        no_space(line.text)
        for number in range(1, len(rendered.pages) + 1)
        for line in rendered.text_block_lines(number)
    )


@pytest.mark.parametrize("fixture", ["reply_110", "reply_176", "reply_366", "opinion_239"])
def test_body_characters_all_present_in_order(fixture, request):
    rendered = request.getfixturevalue(fixture)
    text = document_text(rendered)
    body = no_space(rendered.letter.body)
    assert body in text
    assert text.index(no_space(rendered.letter.salutation)) < text.index(body)


def test_heading_fonts(reply_110):
    hei, kai, fang = pdf_family("hei"), pdf_family("kai"), pdf_family("fang")
    level_one = reply_110.find_line(2, "一、构建新型学习型政企关系方面")
    assert all(hei in c["fontname"] for c in level_one.chars)
    level_two = reply_110.find_line(2, "（一）强平台搭建")
    heading = level_two.chars_of("（一）强平台搭建，高效畅通政企沟通效率。")
    assert all(kai in c["fontname"] for c in heading)
    rest = level_two.chars[len(heading) :]
    assert rest and all(fang in c["fontname"] for c in rest)  # 「近年来…」 is body text
    for line in (level_one, level_two):
        assert line.x0 == pytest.approx(LEFT + 2 * 15.78 / MM, abs=1)  # indented two characters
        assert {round(c["size"], 1) for c in line.chars} == {16}
        assert not any("Bold" in c["fontname"] for c in line.chars)


def test_rare_name_characters_have_real_glyphs(rare_name):
    salutation = rare_name.find_line(1, "王喆代表：")
    zhe = salutation.chars_of("喆")[0]
    # FandolFang has no 喆: it comes from the wide fallback of the 仿宋 stack.
    assert pdf_family("fang") not in zhe["fontname"]
    assert any(
        font.family.replace(" ", "-") in zhe["fontname"] for font in fonts.font_stacks()["fang"]
    )
    for char in "喆犇堃":
        assert glyph_bounds(rare_name.result.content, char) is not None, char
    # The fallback face (taller metrics) does not push those lines off the grid.
    lines = [line for line in rare_name.lines(1) if line.size == 16][:3]
    assert [line.text[:4] for line in lines] == ["王喆代表", "您提出的", "感谢王喆"]
    for upper, lower in zip(lines, lines[1:], strict=False):
        assert lower.baseline - upper.baseline == pytest.approx(10.227, abs=0.1)


def glyph_bounds(pdf: bytes, char: str):
    """Bounds of the glyph drawn for ``char``, read from the embedded font program.

    WeasyPrint keeps glyph ids (CIDs) when subsetting; a character missing from every font
    gets a CID past the end of the font, i.e. no outline.
    """
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cid = to_unicode_cids(font["/ToUnicode"].get_object().get_data()).get(char)
            if cid is None:
                continue
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            program = TTFont(io.BytesIO(stream.get_object().get_data()))
            order = program.getGlyphOrder()
            if cid >= len(order):
                return None
            pen = BoundsPen(program.getGlyphSet())
            program.getGlyphSet()[order[cid]].draw(pen)
            return pen.bounds
    raise AssertionError(f"{char!r} is not in the PDF")


def to_unicode_cids(cmap: bytes) -> dict[str, int]:
    cids = {}
    text = cmap.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for cid, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            cids[bytes.fromhex(uni).decode("utf-16-be")] = int(cid, 16)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, uni in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = ord(bytes.fromhex(uni).decode("utf-16-be"))
            for offset in range(int(end, 16) - int(start, 16) + 1):
                cids[chr(first + offset)] = int(start, 16) + offset
    return cids


# --- closing, colophon, page numbers --------------------------------------------------------


def test_signature_date_and_note(reply_176):
    last = reply_176.page_of("2018年6月20日")
    bureau = reply_176.find_line(last, "慈溪市经济和信息化局")
    date = reply_176.find_line(last, "2018年6月20日")
    assert date.baseline - bureau.baseline == pytest.approx(10.227, abs=0.3)
    assert date.x1 == pytest.approx(RIGHT - 4 * 15.78 / MM, abs=1)  # four characters in
    assert (bureau.x0 + bureau.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=1)
    note = reply_176.find_line(last, "（联系人：")
    assert note.text == "（联系人：张三；联系电话：0574-12345678）"
    assert note.x0 == pytest.approx(LEFT + 2 * 15.78 / MM, abs=1)
    assert note.baseline - date.baseline == pytest.approx(10.227, abs=0.3)
    assert reply_176.find_line(last, "（此件主动公开）").baseline > note.baseline


def test_cc_block_at_the_foot_of_the_last_page(reply_176):
    last = len(reply_176.pages)
    for number in range(1, last):
        assert "抄送" not in reply_176.pages[number - 1].extract_text()
    cc_lines = [line for line in reply_176.lines(last) if line.size == 14]
    cc_lines = [line for line in cc_lines if line.em_top < BOTTOM]
    expected = "抄送：" + cc_line(reply_176.letter.cc)
    assert (
        expected
        == "抄送：市人大代表工委，市政府办公室，市科技局，白沙路街道人大工作委员会，潘省办、胡国锋。"
    )
    assert "".join(line.text for line in cc_lines) == expected
    first, *wrapped = cc_lines
    assert first.x0 == pytest.approx(LEFT + 14 / MM, abs=0.5)  # 「抄送：」 one character in
    assert wrapped  # the list is long enough to wrap …
    for line in wrapped:  # … and hangs under the first recipient
        assert line.x0 == pytest.approx(first.chars[3]["x0"] / MM, abs=0.5)

    rules = sorted(
        (r for r in reply_176.pages[last - 1].rects if r["width"] / MM > 150),
        key=lambda r: r["top"],
    )
    assert len(rules) == 2
    above, below = rules
    for rule in rules:
        assert rule["x0"] / MM == pytest.approx(LEFT, abs=0.3)
        assert rule["x1"] / MM == pytest.approx(RIGHT, abs=0.3)
        assert (rule["bottom"] - rule["top"]) / MM == pytest.approx(0.35, abs=0.05)  # thick
    assert below["bottom"] / MM == pytest.approx(BOTTOM, abs=0.3)  # on the text block's edge
    assert above["bottom"] / MM < first.em_top < cc_lines[-1].em_bottom < below["top"] / MM
    body_end = max((line.em_bottom for line in reply_176.lines(last) if line.size == 16), default=0)
    assert body_end < above["top"] / MM


def test_page_numbers_alternate_sides(reply_110):
    one_char = 14 / MM
    for number in range(1, len(reply_110.pages) + 1):
        line = reply_110.lines(number)[-1]
        assert line.text == f"— {number} —"
        assert line.size == 14
        assert line.em_top == pytest.approx(BOTTOM + 7, abs=1.5)
        assert pdf_family("song") in line.chars[0]["fontname"]
        if number % 2:  # odd pages: right, one character in
            assert line.x1 == pytest.approx(RIGHT - one_char, abs=1)
        else:
            assert line.x0 == pytest.approx(LEFT + one_char, abs=1)


# --- output ---------------------------------------------------------------------------------


def test_same_letter_gives_same_bytes(reply_176):
    again = render_letter_pdf(reply_176.letter)
    assert again.content == reply_176.result.content
    assert again.sha256 == reply_176.result.sha256
    assert again.size == len(again.content)
    # Nothing that changes from one run (or second) to the next: no dates, no random /ID.
    reader = PdfReader(io.BytesIO(again.content))
    assert not {"/CreationDate", "/ModDate"} & set(reader.metadata)
    assert "/ID" not in reader.trailer
    assert reader.metadata["/Title"] == reply_176.letter.title


def test_draft_is_marked_on_every_page(rare_name):
    draft = Rendered(RARE_NAME_LETTER, draft=True)
    assert draft.result.sha256 != rare_name.result.sha256
    for page in draft.pages:  # drawn at an angle: look for the characters, not a line
        marks = [c for c in page.chars if c["text"] in "草稿" and c["size"] > 50]
        assert sorted(c["text"] for c in marks) == ["稿", "草"]
    for page in rare_name.pages:
        assert not any(c["text"] in "草稿" for c in page.chars)


# --- text rules without rendering ------------------------------------------------------------


def test_cc_line_joins_bodies_and_people():
    cc = (
        CcRecipient("市人大代表工委"),
        CcRecipient("潘省办", is_person=True),
        CcRecipient("胡国锋", is_person=True),
        CcRecipient("市科技局"),
    )
    assert cc_line(cc) == "市人大代表工委，潘省办、胡国锋，市科技局。"
    assert cc_line(()) == ""


def test_body_lines_lose_layout_noise():
    body = "\u3000\u3000第一段。 \n\n   \n  （二）第二段\u3000\n"
    assert [p.text for p in paragraphs(body)] == ["第一段。", "（二）第二段"]


@pytest.mark.parametrize(
    ("paragraph", "heading", "role"),
    [
        ("一、构建新型学习型政企关系方面", "一、构建新型学习型政企关系方面", "hei"),
        (
            "（一）围绕智能制造投资方向抓总体谋划。一是……",
            "（一）围绕智能制造投资方向抓总体谋划。",
            "kai",
        ),
        ("(一)推动重点产业创新发展。聚焦培育新兴产业。", "(一)推动重点产业创新发展。", "kai"),
        ("1.第一点。其余", "1.第一点。", "fang"),
        ("1．第一点", "1．第一点", "fang"),
        ("（1）第一小点。其余", "（1）第一小点。", "fang"),
        ("一是制定出台人才发展新政。", "", ""),
        ("2017年以来，我市深入贯彻", "", ""),
        ("1.63亿元扶持资金", "", ""),
    ],
)
def test_heading_lines(paragraph, heading, role):
    (found,) = paragraphs(paragraph)
    assert (found.heading, LETTER_FONTS[found.level]) == (heading, role)
    assert found.text == paragraph


def test_long_titles_wrap_into_balanced_lines():
    lines = balanced_lines("关于慈溪市人大十七届第一次会议第239号建议的协办意见")
    assert lines == ["关于慈溪市人大十七届第一次会议", "第239号建议的协办意见"]
    assert balanced_lines("对市十八届人大一次会议第110号建议的答复") == [
        "对市十八届人大一次会议第110号建议的答复"
    ]
    long = "关于加快推进制造业数字化转型和智能化改造提升中小企业核心竞争力的建议的答复"
    lines = balanced_lines(long)
    widths = [len(line) for line in lines]
    assert "".join(lines) == long and len(lines) == 2 and max(widths) - min(widths) <= 4


def test_text_is_escaped_in_the_html():
    letter = LetterData(
        kind="opinion",
        title="<b>标题</b>",
        salutation="市经信局：",
        body='正文<script>alert("x")</script> & 1 < 2',
        cc=(CcRecipient("<i>市科技局</i>"),),
    )
    html = render_letter_html(letter)
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&amp; 1 &lt; 2" in html


# --- a co-handling opinion with its own number -------------------------------------------------


def numbered_opinion(proposal, cora, bob, ben, bureau_a, bureau_b, *, number: str):
    from replies import workflow
    from replies.models import CoHandlingOpinion
    from tests.workflow_helpers import assign

    _lead, assisting = assign(proposal, cora, bureau_a, [bureau_b])
    workflow.assignment_accept(assignment=assisting, by=bob)
    CoHandlingOpinion.objects.filter(assignment=assisting).update(
        document_number=number,
        signer=ben,
        signed_on=datetime.date(2017, 5, 10),
        body="您转来的建议收悉。现将我局意见函告如下：\n我局将继续支持制造业发展。",
        contact_name="周协办",
        contact_phone="0574-63000000",
    )
    return CoHandlingOpinion.objects.get(assignment=assisting)


def test_a_numbered_opinion_has_a_full_header_and_its_disclosure_note(
    proposal, cora, bob, ben, bureau_a, bureau_b
):
    from replies.pdf import opinion_letter

    opinion = numbered_opinion(proposal, cora, bob, ben, bureau_a, bureau_b, number="慈科建〔2017〕12号")
    letter = opinion_letter(opinion)
    assert letter.kind == "opinion"
    assert letter.authority_mark == "慈溪市科学技术局文件"
    assert letter.signer == ben.display_name
    page = Rendered(letter)
    mark = page.find_line(1, "慈溪市科学技术局文件")
    assert mark.em_top == pytest.approx(TOP + 35, abs=1.5)
    assert {tuple(c["non_stroking_color"]) for c in mark.chars} == {RED}
    number = page.find_line(1, "慈科建〔2017〕12号")
    assert number.text == f"慈科建〔2017〕12号签发人：{ben.display_name}"
    assert number.x0 == pytest.approx(LEFT + 15.78 / MM, abs=1)
    assert "类别标记" not in page.pages[0].extract_text()  # never on an opinion
    last = page.page_of("（联系人：")
    contact = page.find_line(last, "（联系人：")
    disclosure = page.find_line(last, "（此件不予公开）")
    assert disclosure.baseline - contact.baseline == pytest.approx(10.227, abs=0.3)
    assert disclosure.x0 == pytest.approx(LEFT + 2 * 15.78 / MM, abs=1)


def test_an_unnumbered_opinion_stays_a_plain_letter(proposal, cora, bob, ben, bureau_a, bureau_b):
    from replies.pdf import opinion_letter

    letter = opinion_letter(numbered_opinion(proposal, cora, bob, ben, bureau_a, bureau_b, number=""))
    assert (letter.authority_mark, letter.signer, letter.disclosure_note) == ("", "", "")
