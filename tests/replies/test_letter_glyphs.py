"""Every character prints with a right glyph, or is reported before it can be signed.

Fandol maps ￥ to a dollar sign: ￥ must come from the next face (Noto CJK). Ideographs beyond
Noto (CJK Extension B on, 𠀀) come from HanaMinB, last in every role. ``uncovered_characters``
lists what no face of the printing role draws.
"""

import datetime
import io
import time

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from replies.demo.documents import OPINION_239, REPLY_110, REPLY_176, REPLY_366
from replies.letter import CcRecipient, LetterData, fonts, uncovered_characters
from replies.letter.render import printed_text
from tests.replies.test_letter_pdf import CONTACT, glyph_bounds, letter_from_seed, to_unicode_cids

YUAN, MACRON, DOLLAR = "\uffe5", "\uffe3", "\uff04"
EXT_B = "\U00020000"  # 𠀀, CJK Extension B
ROLES_WITH_FANDOL_FIRST = ("fang", "kai", "hei", "song")


def family_in_pdf(font: fonts.FontFile) -> str:
    return font.family.replace(" ", "-")


# --- which face draws what ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_FANDOL_FIRST)
def test_fandol_does_not_count_for_its_wrong_glyphs(role):
    first = fonts.print_stacks()[role][0]
    assert first.postscript_name.startswith("Fandol")
    assert not first.draws(YUAN) and not first.draws(MACRON)
    assert first.draws(DOLLAR) and first.draws("中")  # the rest of the block is fine
    assert fonts.first_font_lacks(role, f"{YUAN}元") == {YUAN}
    assert fonts.uncovered(fonts.print_stacks()[role], YUAN + MACRON) == []  # Noto has them


@pytest.mark.parametrize("edit", ["in place", "rebuilt"])
def test_the_face_given_to_weasyprint_lacks_the_wrong_mappings(edit, monkeypatch):
    if edit == "rebuilt":  # the fallback for cmap layouts the in-place edit does not handle
        monkeypatch.setattr(fonts, "_unmap_in_place", lambda cmap, code: False)
    font = fonts.print_stacks()["fang"][0]
    original = TTFont(font.path, lazy=True).getBestCmap()
    program = TTFont(io.BytesIO(fonts.font_program(font)), lazy=True)
    cmap = program.getBestCmap()
    assert ord(YUAN) not in cmap and ord(MACRON) not in cmap
    assert {code: name for code, name in original.items() if chr(code) not in (YUAN, MACRON)} == (
        cmap
    )
    assert program["CFF "].cff.fontNames  # the outlines are still there
    # What WeasyPrint gets (with TrueType outlines once they are made) maps the same.
    served = TTFont(io.BytesIO(fonts.font_bytes(font)), lazy=True)
    assert ord(YUAN) not in served.getBestCmap()
    assert len(served.getBestCmap()) == len(cmap)


def test_every_role_ends_with_the_extension_face():
    for role, stack in fonts.print_stacks().items():
        assert stack[-1].postscript_name == "HanaMinB", role
        assert stack[-1].draws(EXT_B)
        assert fonts.font_stacks()[role] == stack[:-1]  # the role's own faces come first


# --- in the PDF -----------------------------------------------------------------------------

MONEY_LETTER = LetterData(
    kind="reply",
    title=f"关于{YUAN}3000万元专项资金的答复",
    salutation="王𠀀代表：",
    body=(
        f"一、资金{YUAN}100万元\n"
        f"（一）拨付{YUAN}50万元。其余\n"
        f"共计{YUAN}150万元，{MACRON}线，代表{EXT_B}的意见。"
    ),
    signing_bureau="慈溪市财政局",
    date=datetime.date(2023, 9, 12),
)


@pytest.fixture(scope="module")
def money_pdf():
    from replies.letter import render_letter_pdf

    return render_letter_pdf(MONEY_LETTER).content


def chars_of(pdf: bytes, text: str) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [c for page in document.pages for c in page.chars if c["text"] == text]


def test_yuan_prints_from_noto_not_as_a_dollar(money_pdf):
    stacks = fonts.print_stacks()
    yuans = chars_of(money_pdf, YUAN)
    assert len(yuans) == 4  # in the title, a 黑体 heading, a 楷体 heading, the body
    for char in yuans:
        assert "Fandol" not in char["fontname"]
        assert "NotoS" in char["fontname"]
    # The glyph drawn is Noto's ￥: WeasyPrint keeps glyph ids when it subsets.
    reader = PdfReader(io.BytesIO(money_pdf))
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            cid = to_unicode_cids(font["/ToUnicode"].get_object().get_data()).get(YUAN)
            if cid is None:
                continue
            name = str(font["/BaseFont"])
            face = next(f for s in stacks.values() for f in fonts.served_faces(s) if family_in_pdf(f) in name)
            assert face.postscript_name.startswith("NotoS")
            noto = TTFont(io.BytesIO(fonts.font_bytes(face)), lazy=True)
            assert cid == noto.getGlyphID(noto.getBestCmap()[ord(YUAN)])


def test_the_yuan_stays_on_the_grid(money_pdf):
    # The fallback face has taller metrics; like 喆 the ￥ must not push its line down.
    with pdfplumber.open(io.BytesIO(money_pdf)) as document:
        body = [c for c in document.pages[0].chars if round(c["size"]) == 16]
    # top down: salutation, the two headings, the body line (then bureau and date)
    baselines = sorted({round(c["matrix"][5], 2) for c in body}, reverse=True)[:4]
    pitches = [(a - b) / (72 / 25.4) for a, b in zip(baselines, baselines[1:], strict=False)]
    assert pitches == [pytest.approx(10.227, abs=0.1)] * 3


def test_extension_b_prints_from_hanazono_with_a_real_glyph(money_pdf):
    found = chars_of(money_pdf, EXT_B)
    assert len(found) == 2  # in the salutation and in the body
    assert all("HanaMinB" in char["fontname"] for char in found)
    assert glyph_bounds(money_pdf, EXT_B) is not None


# --- uncovered_characters -------------------------------------------------------------------


@pytest.mark.parametrize(
    "letter",
    [
        letter_from_seed(REPLY_110, date=datetime.date(2022, 6, 24), **CONTACT),
        letter_from_seed(REPLY_176, **CONTACT, disclosure_note="此件主动公开"),
        letter_from_seed(REPLY_366),
        letter_from_seed(OPINION_239, kind="opinion", signing_bureau="慈溪市科学技术局"),
        MONEY_LETTER,
    ],
    ids=["110", "176", "366", "239", "money"],
)
def test_the_seeds_and_rare_characters_are_covered(letter):
    assert uncovered_characters(letter) == []


EMOJI = "😀😁😂🤣😃😄😅😆😉😊😋😎😍"


def every_field_letter(kind="reply") -> LetterData:
    e = iter(EMOJI)
    return LetterData(
        kind=kind,
        category_mark="A" + next(e),
        authority_mark="慈溪市经济和信息化局文件" + next(e),
        document_number="慈经信建〔2023〕3号" + next(e),
        signer="龚激红" + next(e),
        title="对市十八届人大二次会议第366号建议的答复" + next(e),
        salutation="岑国建代表" + next(e) + "：",
        body=f"一、标题{next(e)}。正文\n正文{next(e)}",
        signing_bureau="慈溪市经济和信息化局" + next(e),
        date=datetime.date(2023, 9, 12),
        contact_name="张三" + next(e),
        contact_phone="0574-12345678" + next(e),
        disclosure_note="此件主动公开" + next(e),
        cc=(CcRecipient("市科技局" + next(e)),),
    )


def test_every_printed_field_is_checked_in_reading_order():
    assert uncovered_characters(every_field_letter()) == list(EMOJI)
    # An opinion never prints its category mark: that character does not count.
    assert uncovered_characters(every_field_letter("opinion")) == list(EMOJI[1:])


def test_private_use_controls_and_emoji_are_uncovered_white_space_is_not():
    letter = LetterData(
        kind="reply",
        title="答复",
        salutation="王\ue000代表：",  # a private-use 造字, e.g. from an office's own font
        body=(
            "𠀀 喆\u3000犇\t堃\u200b。\ufe0f"  # ExtB, GB2312-outsiders, spaces, ZWSP, VS16
            "\U000f0001\x01😀\ue76c😀"  # plane-15 private use, a control, emoji, Fandol's €
        ),
    )
    assert uncovered_characters(letter) == ["\ue000", "\U000f0001", "\x01", "😀", "\ue76c"]


def test_wrong_glyphs_count_as_missing(monkeypatch, settings, tmp_path):
    # With Fandol alone in the 仿宋 stack, ￥ (a $ there) and 喆 (absent) cannot print.
    settings.LETTER_FONT_DIR = str(tmp_path)
    monkeypatch.setitem(fonts.WIDE_FONTS, "fang", [])
    monkeypatch.setattr(fonts, "EXTENSION_FONTS", [])
    assert [f.postscript_name for f in fonts.print_stacks()["fang"]] == ["FandolFang-Regular"]
    letter = LetterData(kind="reply", title="答复", salutation="王喆代表：", body=f"{YUAN}5，$5")
    assert uncovered_characters(letter) == ["喆", YUAN]


def test_printed_text_is_what_the_pdf_prints():
    """``printed_text`` (what the check reads) and the template (what prints) agree."""
    from replies.letter import render_letter_pdf

    letter = LetterData(
        kind="reply",
        category_mark="A",
        authority_mark="慈溪市经济和信息化局文件",
        document_number="慈经信建〔2023〕3号",
        signer="龚激红、欧阳建国",
        title="对市十八届人大二次会议第366号建议的答复",
        salutation="岑国建代表：",
        body="一、总体情况\n（一）强平台。近年来\n1.第一点。其余\n正文。",
        signing_bureau="慈溪市经济和信息化局",
        date=datetime.date(2023, 9, 12),
        contact_name="张三",
        contact_phone="0574-12345678",
        disclosure_note="此件主动公开",
        cc=(CcRecipient("市科技局"), CcRecipient("胡国锋", is_person=True)),
    )
    expected = "".join(text for _, text in printed_text(letter))
    with pdfplumber.open(io.BytesIO(render_letter_pdf(letter).content)) as document:
        printed = "".join(
            c["text"] for page in document.pages for c in page.chars if round(c["size"]) != 14
        )
        cc = "".join(c["text"] for c in document.pages[-1].chars if round(c["size"]) == 14)
    assert sorted(printed.replace(" ", "").replace("\u3000", "")) == sorted(
        expected.replace("\u3000", "").replace("抄送：市科技局，胡国锋。", "")
    )
    assert "抄送：市科技局，胡国锋。" in cc


def test_a_ten_page_letter_is_checked_in_well_under_50_ms():
    letter = letter_from_seed(REPLY_110, date=datetime.date(2022, 6, 24), **CONTACT)
    assert len(letter.body) > 5000  # 11 pages
    uncovered_characters(letter)  # fonts found, cmaps read: once per process
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        assert uncovered_characters(letter) == []
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.02


def test_a_missing_extension_font_is_a_warning(monkeypatch, settings, tmp_path):
    from django.core.checks import Warning, run_checks

    settings.LETTER_FONT_DIR = str(tmp_path)
    assert [m.id for m in run_checks() if m.id and m.id.startswith("replies.")] == []
    monkeypatch.setattr(fonts, "EXTENSION_FONTS", [tmp_path / "HanaMinB.ttf"])
    messages = [m for m in run_checks() if m.id and m.id.startswith("replies.")]
    assert [(type(m), m.id) for m in messages] == [(Warning, "replies.W002")]
    assert "fonts-hanazono" in messages[0].hint
    assert all(stack[-1].postscript_name != "HanaMinB" for stack in fonts.print_stacks().values())
