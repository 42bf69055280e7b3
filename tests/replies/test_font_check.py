"""Fonts for the official letter: found at start-up, licensed ones first, never empty boxes."""

import datetime
import io
import shutil

import pdfplumber
import pytest
from django.core.checks import Error, Warning, run_checks

from replies import checks
from replies.letter import LetterData, fonts, render_letter_pdf

FANDOL_KAI = fonts._FANDOL / "FandolKai-Regular.otf"


@pytest.fixture
def no_licensed_fonts(settings, tmp_path):
    settings.LETTER_FONT_DIR = str(tmp_path / "empty")
    return settings


def replies_messages():
    return [m for m in run_checks() if m.id and m.id.startswith("replies.")]


def test_checks_pass_on_this_machine(no_licensed_fonts):
    assert replies_messages() == []
    assert fonts.missing_roles() == []
    report = fonts.font_report()
    assert set(report) == {"fang", "kai", "hei", "song", "xbs"}
    for role, paths in report.items():
        assert paths, role
        assert all(path.exists() for path in paths)


def test_a_role_without_any_font_is_an_error(no_licensed_fonts, monkeypatch, tmp_path):
    gone = [tmp_path / "nowhere" / "FandolKai-Regular.otf"]
    monkeypatch.setitem(fonts.FREE_FONTS, "kai", gone)
    monkeypatch.setitem(fonts.WIDE_FONTS, "kai", gone)

    assert fonts.missing_roles() == ["kai"]
    assert fonts.font_report()["kai"] == []
    messages = replies_messages()
    assert [(type(m), m.id) for m in messages] == [(Error, "replies.E001")]
    assert "楷体" in messages[0].msg


def test_missing_harfbuzz_subset_is_a_warning(no_licensed_fonts, monkeypatch):
    assert checks.harfbuzz_subset_available()
    monkeypatch.setattr(checks, "HARFBUZZ_SUBSET_NAMES", ("libharfbuzz-subset-not-here.so.0",))
    assert not checks.harfbuzz_subset_available()
    messages = replies_messages()
    assert [(type(m), m.id) for m in messages] == [(Warning, "replies.W001")]
    assert "libharfbuzz-subset0" in messages[0].hint


def test_licensed_font_is_used_first(settings, tmp_path):
    licensed = tmp_path / "fonts" / "楷体_GB2312.otf"
    licensed.parent.mkdir()
    shutil.copyfile(FANDOL_KAI, licensed)
    (tmp_path / "fonts" / "黑体.ttf").write_bytes(b"not a font")  # ignored, not fatal
    settings.LETTER_FONT_DIR = str(tmp_path / "fonts")

    report = fonts.font_report()
    assert report["kai"][0] == licensed
    assert report["kai"][1:] == [FANDOL_KAI, fonts.font_stacks()["kai"][-1].path]
    assert fonts.font_stacks()["kai"][0].licensed
    assert not fonts.font_stacks()["hei"][0].licensed  # the broken 黑体.ttf is skipped
    assert fonts.missing_roles() == []

    letter = LetterData(
        kind="reply",
        title="对市十八届人大一次会议第1号建议的答复",
        salutation="罗冲代表：",
        body="（一）强平台搭建。近年来……",
        date=datetime.date(2022, 6, 24),
    )
    pdf = pdfplumber.open(io.BytesIO(render_letter_pdf(letter).content))
    heading = [c for c in pdf.pages[0].chars if c["text"] == "强"][0]
    assert fonts.font_stacks()["kai"][0].family.replace(" ", "-") in heading["fontname"]


@pytest.mark.parametrize(
    ("file_name", "role"),
    [
        ("方正小标宋简体.ttf", "xbs"),
        ("FZXBSJW--GB1-0.TTF", "xbs"),
        ("仿宋_GB2312.ttf", "fang"),
        ("FangSong_GB2312.ttf", "fang"),
        ("SIMKAI.TTF", "kai"),
        ("simhei.ttf", "hei"),
        ("simsun.ttc", "song"),
    ],
)
def test_licensed_file_names(tmp_path, file_name, role):
    (tmp_path / file_name).write_bytes(b"")
    found = fonts._licensed_files(tmp_path)
    assert found[role] == [tmp_path / file_name]
    assert sum(len(paths) for paths in found.values()) == 1


def test_collections_give_their_simplified_chinese_face():
    from fontTools.ttLib import TTFont

    collections = {f for stack in fonts.font_stacks().values() for f in stack if f.is_collection}
    assert len(collections) >= 2  # Noto Serif CJK Bold (小标宋), Noto CJK as wide fallbacks
    for font in collections:
        # The first face of a Noto CJK collection is the Japanese one (different glyph shapes).
        assert "CJKsc" in font.postscript_name
        face = TTFont(io.BytesIO(fonts.font_bytes(font)), lazy=True)
        assert face["name"].getDebugName(6) == font.postscript_name
        assert ord("喆") in face.getBestCmap()
