"""File size of the official letter: the 9-page reply 110 stays small, with every glyph it prints
embedded (each character extracts as text, each font is an embedded subset whose glyph for a
code is the character's own)."""

import datetime
import io
import re
import unicodedata
from collections import Counter

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from replies.demo.documents import REPLY_110
from replies.letter import compact, fonts, render_letter_pdf
from replies.letter.render import printed_text
from tests.replies.test_letter_pdf import CONTACT, letter_from_seed

# Reply 110 printed 623 KB before compact faces (the title's Noto face alone 141 KB compressed,
# 750 KB before); now about 505 KB. What is left is FandolFang's outlines for the body's ~780
# distinct characters, 346 KB compressed; see ``test_reply_110_meets_the_issue_target``.
SIZE_BUDGET = 530_000
TITLE_FONT_BUDGET = 40_000  # compressed bytes of the 小标宋 subset (141 KB before)
TARGET = 300_000  # issue 9


@pytest.fixture(scope="module")
def reply_110():
    letter = letter_from_seed(REPLY_110, date=datetime.date(2022, 6, 24), **CONTACT)
    return letter, render_letter_pdf(letter)


def embedded_fonts(content: bytes) -> list[dict]:
    """Each font of the PDF: its name, its glyph id → text map, its font program (compressed
    size and bytes)."""
    document = PDFDocument(PDFParser(io.BytesIO(content)))
    found = []
    for xref in document.xrefs:
        for object_id in xref.get_objids():
            font = resolve1(document.getobj(object_id))
            if not isinstance(font, dict) or getattr(font.get("Subtype"), "name", "") != "Type0":
                continue
            descendant = resolve1(resolve1(font["DescendantFonts"])[0])
            descriptor = resolve1(descendant["FontDescriptor"])
            program = next(
                (
                    resolve1(descriptor[key])
                    for key in ("FontFile3", "FontFile2")
                    if key in descriptor
                ),
                None,
            )
            to_unicode = resolve1(font["ToUnicode"]).get_data().decode("latin-1")
            glyphs = {
                int(gid, 16): bytes.fromhex(text).decode("utf-16-be")
                for gid, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]+)>", to_unicode)
            }
            found.append(
                {
                    "name": font["BaseFont"].name,
                    "glyphs": glyphs,
                    "compressed": len(program.get_rawdata()) if program else 0,
                    "program": program.get_data() if program else b"",
                }
            )
    return found


def test_reply_110_is_small(reply_110):
    _, rendered = reply_110
    assert rendered.page_count >= 9
    assert rendered.size <= SIZE_BUDGET, rendered.size
    (title_font,) = [
        f for f in embedded_fonts(rendered.content) if "NotoSerifCJKscBold" in f["name"]
    ]
    assert title_font["compressed"] <= TITLE_FONT_BUDGET, title_font["compressed"]


@pytest.mark.xfail(
    strict=True, reason="FandolFang's own outlines for the body take ~346 KB compressed"
)
def test_reply_110_meets_the_issue_target(reply_110):
    assert reply_110[1].size <= TARGET


def test_every_character_extracts_as_text(reply_110):
    letter, rendered = reply_110
    pdf = pdfplumber.open(io.BytesIO(rendered.content))
    extracted = Counter(
        c["text"] for page in pdf.pages for c in page.chars if not c["text"].isspace()
    )
    printed = Counter(
        char
        for _, text in printed_text(letter)
        for char in text
        if not char.isspace() and unicodedata.category(char) != "Cf"
    )
    assert printed - extracted == Counter()
    # Besides the letter's text only the page numbers (「— 3 —」).
    assert set(extracted - printed) <= set("—0123456789")
    assert all(re.match(r"[A-Z]{6}\+", c["fontname"]) for page in pdf.pages for c in page.chars)


def test_every_glyph_is_embedded_and_is_its_characters_own(reply_110):
    _, rendered = reply_110
    found = embedded_fonts(rendered.content)
    assert {
        re.sub(r"^[A-Z]{6}\+Jianyi-|-[0-9a-f]{10}(-compact)?$", "", f["name"]) for f in found
    } >= {
        "NotoSerifCJKscBold",
        "FandolFangRegular",
        "FandolKaiRegular",
        "FandolHeiRegular",
    }
    for font in found:
        assert font["program"], font["name"]  # embedded, never left to the reader's fonts
        face = TTFont(io.BytesIO(font["program"]))
        order, cmap = face.getGlyphOrder(), face.getBestCmap()
        charstrings = face["CFF "].cff.topDictIndex[0].CharStrings if "CFF " in face else None
        assert font["glyphs"].pop(0, "\uffff") == "\uffff"  # WeasyPrint's entry for .notdef
        for gid, text in font["glyphs"].items():
            # The page shows glyph ``gid`` as CID ``gid``: the font must draw the character there,
            # both by its cmap and (CFF) by the CID its charset gives the glyph.
            assert cmap[ord(text)] == order[gid], (font["name"], text)
            if charstrings is not None:
                assert order[gid] in (".notdef", f"cid{gid:05d}"), (font["name"], text)
                if not text.isspace():
                    charstring = charstrings[order[gid]]
                    charstring.decompile()
                    assert len(charstring.program) > 1, (font["name"], text)  # an outline


def test_a_large_face_prints_through_its_compact_cut():
    stack = fonts.served_faces(fonts.print_stacks()["xbs"])
    assert (
        fonts.served_faces(fonts.print_stacks()["fang"]) == fonts.print_stacks()["fang"]
    )  # Fandol
    assert stack[0].compact and not stack[1].compact and stack[0].path == stack[1].path
    data = fonts.font_bytes(stack[0])
    face = TTFont(io.BytesIO(data))
    assert face["maxp"].numGlyphs < 9000  # of 65,535
    assert face.getGlyphOrder()[1000] == "cid01000"  # glyph n is CID n
    cmap = face.getBestCmap()
    assert ord("议") in cmap and ord("喆") not in cmap  # GB2312, not beyond
    assert ord("—") not in cmap and ord('"') not in cmap  # drawn otherwise in Chinese (locl)
    assert ord("“") in cmap and ord("，") in cmap
    # Read back from the cache, the same bytes.
    assert fonts.font_bytes(stack[0]) == data


def test_a_dash_in_the_title_keeps_its_chinese_form():
    # In Chinese text Noto draws 「——」 as one two-em dash (its ZHS ``locl`` and ligatures),
    # which the compact cut cannot: the dash prints from the whole face.
    letter = letter_from_seed(
        REPLY_110, title="关于加快数字化转型——以慈溪为例的答复", body="您的建议已收悉。", **CONTACT
    )
    content = render_letter_pdf(letter).content
    whole = fonts.print_stacks()["xbs"][0]
    assert ord("—") in compact.localized_characters(fonts.font_bytes(whole))
    dashes = {
        f["name"].partition("+")[2]: text
        for f in embedded_fonts(content)
        if "NotoSerifCJKscBold" in f["name"]
        for text in f["glyphs"].values()
        if "—" in text
    }
    assert dashes == {whole.family.replace(" ", "-"): "——"}
    title = "".join(
        c["text"] for c in pdfplumber.open(io.BytesIO(content)).pages[0].chars if c["size"] > 20
    )
    assert "数字化转型——以慈溪" in title


def test_a_character_beyond_the_compact_cut_prints_from_the_full_face():
    from tests.replies.test_letter_pdf import letter_from_seed as letter_with

    letter = letter_with(
        REPLY_110, title="关于陈喆代表建议的答复", body="您的建议已收悉。", **CONTACT
    )
    content = render_letter_pdf(letter).content
    title = "".join(
        c["text"]
        for c in pdfplumber.open(io.BytesIO(content)).pages[0].chars
        if "NotoSerifCJKscBold" in c["fontname"]
    )
    assert "关于陈喆代表建议的答复" in title
    for font in embedded_fonts(content):
        if "NotoSerifCJKscBold" in font["name"]:
            face = TTFont(io.BytesIO(font["program"]))
            for gid, text in font["glyphs"].items():
                if gid == 0:
                    continue
                assert face.getBestCmap()[ord(text)] == face.getGlyphOrder()[gid]


def test_identity_charset_rewrites_only_the_cid_numbers():
    full = fonts.font_bytes(fonts.print_stacks()["xbs"][0])
    cut = compact.compact_face(full, codes={ord(c) for c in "对市建议的答复"})
    face = TTFont(io.BytesIO(cut))
    order = face.getGlyphOrder()
    assert order == [".notdef", *(f"cid{n:05d}" for n in range(1, len(order)))]
    original = TTFont(io.BytesIO(full), lazy=True)
    for char in "对市建议的答复":
        new = face.getGlyphSet()[face.getBestCmap()[ord(char)]]
        old = original.getGlyphSet()[original.getBestCmap()[ord(char)]]
        assert new.width == old.width
