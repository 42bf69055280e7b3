"""The letter fonts' PostScript outlines, converted ahead to TrueType on a fine grid (outlines.py):
the same characters on the same glyphs with the same widths, shapes moved by a few font units
at most, and a face not yet converted printed as it is."""

import io

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont

from replies.letter import compact, fonts, outlines

TEXT = "关于加快数字化转型的建议答复，。“”（）０１２３"


@pytest.fixture(scope="module")
def small_fang() -> bytes:
    """FandolFang cut to a few characters, still PostScript (CFF): converts in a moment."""
    face = TTFont(fonts.print_stacks()["fang"][0].path)
    options = Options()
    options.notdef_outline = True
    subsetter = Subsetter(options)
    subsetter.populate(text=TEXT)
    subsetter.subset(face)
    out = io.BytesIO()
    face.save(out)
    assert out.getvalue()[:4] == b"OTTO"
    return out.getvalue()


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "fonts"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(compact, "_cache_folder", lambda: folder)
    return folder


def bounds(font: TTFont, name: str):
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(pen)
    return pen.bounds


def test_the_converted_face_draws_each_character_on_its_own_glyph_with_its_width(small_fang):
    before = TTFont(io.BytesIO(small_fang))
    after = TTFont(io.BytesIO(outlines.truetype(small_fang, error=outlines.ERROR, grid=6)))

    assert "glyf" in after and "CFF " not in after
    assert len(after.getGlyphOrder()) == len(before.getGlyphOrder())
    for char in TEXT:
        old, new = before.getBestCmap()[ord(char)], after.getBestCmap()[ord(char)]
        assert before.getGlyphID(old) == after.getGlyphID(new), char
        assert before["hmtx"][old][0] == after["hmtx"][new][0], char  # the same advance
        # The outline moved by at most ERROR + GRID (font units of 1000 per em) anywhere.
        for was, now in zip(bounds(before, old), bounds(after, new), strict=True):
            assert abs(was - now) <= outlines.ERROR + 6, (char, was, now)


def test_a_face_is_printed_as_it_is_until_it_is_converted(small_fang, cache_folder, settings):
    settings.LETTER_OUTLINE_GRID = 6
    assert outlines.served(small_fang) == small_fang  # not made yet: the face as it is

    assert outlines.prepare(small_fang) is True
    converted = outlines.served(small_fang)
    assert converted[:4] == b"\x00\x01\x00\x00"
    assert outlines.prepare(small_fang) is False  # made once

    settings.LETTER_OUTLINE_GRID = 0  # conversion off: the PostScript face again
    assert outlines.served(small_fang) == small_fang
    assert outlines.prepare(small_fang) is False


def test_truetype_fonts_are_left_alone(cache_folder):
    truetype = fonts.extension_font().path.read_bytes()[:64]
    assert outlines.served(truetype) == truetype and outlines.prepare(truetype) is False


def test_the_pdf_keeps_only_the_tables_a_truetype_cidfont_uses(small_fang):
    converted = outlines.truetype(small_fang, error=outlines.ERROR, grid=6)
    stripped = TTFont(io.BytesIO(outlines.pdf_tables(converted)))
    assert set(stripped.keys()) - {"GlyphOrder"} == {"head", "hhea", "hmtx", "loca", "glyf", "maxp"}
    assert stripped["glyf"][stripped.getGlyphOrder()[5]].numberOfContours > 0
    assert outlines.pdf_tables(small_fang) == small_fang  # PostScript subsets are not touched
