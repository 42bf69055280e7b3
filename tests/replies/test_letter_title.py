"""Titles break between words, in a pleasing shape (GB/T 9704 7.3.1: 词意完整, 梯形或菱形)."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from replies.letter import CcRecipient, LetterData, render_letter_html
from replies.letter.render import SHAPE_TOLERANCE_EM, TITLE_MAX_EM, _em, balanced_lines
from replies.letter.render import title_lines as letter_title_lines
from replies.letter.words import INSIDE_WORD, fixed_spans, title_breaks

ROOT = Path(__file__).resolve().parents[2]

# Real-looking titles, each with the words (by hand, not by jieba) no break may fall inside.
TITLES = [
    (
        "关于加快推进城乡基础设施建设补短板和老旧小区改造提升工作的建议的答复",
        [
            "关于",
            "加快",
            "推进",
            "城乡",
            "基础设施",
            "建设",
            "补短板",
            "老旧小区",
            "改造",
            "提升",
            "工作",
            "建议",
            "答复",
        ],
    ),
    (
        "关于进一步加强慈溪市杭州湾新区与宁波前湾新区一体化发展的建议的答复",
        ["进一步", "加强", "慈溪市", "杭州湾新区", "宁波前湾新区", "一体化", "发展"],
    ),
    (
        "对市十八届人大二次会议第366号建议关于加快白沙路街道老旧小区改造的答复",
        ["市十八届人大二次会议", "第366号", "建议", "白沙路街道", "老旧小区"],
    ),
    (
        "关于2019年度3000万元专项资金使用情况及白沙路街道人大工作委员会意见的答复",
        ["2019年度", "3000万元", "专项资金", "使用", "情况", "白沙路街道", "人大", "委员会"],
    ),
    (
        "对市十三届政协二次会议第110号提案关于观海卫镇和周巷镇建设农村文化礼堂的答复",
        ["市十三届政协二次会议", "第110号", "提案", "观海卫镇", "周巷镇", "农村", "文化礼堂"],
    ),
    (
        "关于慈溪市人大十七届第一次会议第239号建议的协办意见",
        ["慈溪市", "人大十七届第一次会议", "第239号", "协办意见"],
    ),
    (
        "关于加快推进制造业数字化转型和智能化改造提升中小企业核心竞争力的建议的答复",
        ["制造业", "数字化", "转型", "智能化", "改造", "中小企业", "核心", "竞争力"],
    ),
    (
        "关于市人大常委会2019—2021年立法计划中5G基站建设和〔2022〕3号文件落实情况的答复",
        ["人大常委会", "2019—2021年", "立法", "计划", "5G", "基站", "〔2022〕3号", "文件"],
    ),
    (
        "关于进一步完善城乡基础设施建设投融资机制加快推进新型城镇化和乡村振兴战略实施"
        "促进城乡融合发展的建议的答复",
        ["基础设施", "投融资", "机制", "新型", "城镇化", "乡村", "振兴", "战略", "融合"],
    ),
    (
        "关于在观海卫镇和周巷镇和龙山镇建设农村文化礼堂和乡村振兴示范带的建议的答复",
        ["观海卫镇", "周巷镇", "龙山镇", "农村", "文化礼堂", "乡村振兴", "示范带"],
    ),
    # Titles the even-width layout used to break inside a word (基础|设施, 人|大, 2019年|度,
    # 3000万|元, 宁波前湾|新区, 经济开发|区) or set with a short first line.
    ("关于加快推进我市城乡基础设施建设的建议的答复", ["城乡", "基础设施", "建设"]),
    ("关于进一步发挥基层人大代表作用的建议的答复", ["发挥", "基层", "人大", "代表"]),
    ("关于加快落实市政府2019年度民生实事项目的建议的答复", ["2019年度", "民生", "实事"]),
    (
        "关于保障2019年重点工程3000万元专项资金按时拨付的建议的答复",
        ["2019年", "重点", "工程", "3000万元", "专项资金"],
    ),
    ("关于进一步加快宁波前湾新区产城融合的建议的答复", ["宁波前湾新区", "产城融合"]),
    (
        "关于加快建设慈溪滨海经济开发区和宁波前湾新区的建议的答复",
        ["慈溪", "滨海", "经济开发区", "宁波前湾新区"],
    ),
    ("关于加强市人大常委会对政府专项资金监督的建议的答复", ["人大常委会", "专项资金", "监督"]),
    ("关于加快白沙路街道农贸市场改造的建议的答复", ["白沙路街道", "农贸市场", "改造"]),
]


def breaks_of(lines: list[str]) -> list[int]:
    offsets, at = [], 0
    for line in lines[:-1]:
        at += len(line)
        offsets.append(at)
    return offsets


def width(line: str) -> float:
    return sum(_em(c) for c in line)


def assert_whole(title: str, lines: list[str], words: list[str]) -> None:
    for offset in breaks_of(lines):
        for word in words:
            start = title.find(word)
            assert start != -1, word
            while start != -1:
                assert not start < offset < start + len(word), (lines, word)
                start = title.find(word, start + 1)


def assert_good_shape(lines: list[str]) -> None:
    widths = [width(line) for line in lines]
    assert all(w <= TITLE_MAX_EM for w in widths), lines
    if len(widths) == 2:  # the first line longer, or about as long (never much shorter)
        assert widths[0] >= widths[1] - SHAPE_TOLERANCE_EM, lines
    # a trapezoid or a diamond: once narrower, never wider again (no hourglass)
    narrowed = False
    for upper, lower in zip(widths, widths[1:], strict=False):
        if lower < upper - SHAPE_TOLERANCE_EM:
            narrowed = True
        assert not (narrowed and lower > upper + SHAPE_TOLERANCE_EM), lines


@pytest.mark.parametrize(("title", "words"), TITLES, ids=[t[:12] for t, _ in TITLES])
def test_long_titles_break_between_words_in_a_good_shape(title, words):
    lines = balanced_lines(title)
    assert "".join(lines) == title
    assert len(lines) >= 2
    assert_whole(title, lines, words)
    assert_good_shape(lines)


def test_the_examples_break_as_a_typesetter_would():
    assert balanced_lines(TITLES[0][0]) == [
        "关于加快推进城乡基础设施建设补短板",
        "和老旧小区改造提升工作的建议的答复",
    ]
    assert balanced_lines(TITLES[5][0]) == [
        "关于慈溪市人大十七届第一次会议",
        "第239号建议的协办意见",
    ]
    # Two lines would put the shorter one first, or split 宁波前湾新区: a diamond instead …
    # or nearly equal lines, the first one character shorter at most.
    first, second = balanced_lines(TITLES[1][0])
    assert width(first) >= width(second) - 1


def test_short_titles_stay_on_one_line():
    for title in (
        "对市十八届人大二次会议第366号建议的答复",
        "对市十八届人大一次会议第110号建议的答复",
    ):
        assert balanced_lines(title) == [title]


def test_three_line_titles_are_a_trapezoid_or_a_diamond():
    lines = balanced_lines(TITLES[8][0])
    assert len(lines) == 3
    assert_good_shape(lines)


# --- fixed words ------------------------------------------------------------------------------


def spanned(text: str, words=()) -> list[str]:
    return [text[a:b] for a, b in fixed_spans(text, words)]


def test_session_names_numbers_and_congress_words_are_fixed():
    assert "市十八届人大一次会议" in spanned("对市十八届人大一次会议第110号建议的答复")
    assert "市十三届政协二次会议" in spanned("对市十三届政协二次会议第5号提案的答复")
    assert "市人大十七届第一次会议" in spanned("关于慈溪市人大十七届第一次会议第239号建议")
    assert "市第十八届人民代表大会第三次全体会议" in spanned("市第十八届人民代表大会第三次全体会议")
    found = spanned("2019年投入3000万元，第110号，〔2022〕3号，2023年9月12日，增长12.5%")
    for word in ("2019年", "3000万元", "第110号", "〔2022〕3号", "2023年9月12日", "12.5%"):
        assert word in found
    assert {"人大", "政协"} <= set(spanned("人大和政协"))


def test_no_break_inside_a_fixed_word_even_when_lopsided():
    title = "关于" + "推进" * 3 + "市十八届人大一次会议第1100号建议有关工作的答复"
    spans = fixed_spans(title)
    for offset, (tier, _) in title_breaks(title).items():
        if any(a < offset < b for a, b in spans):
            assert tier == INSIDE_WORD  # the last resort only
    lines = balanced_lines(title)
    assert_whole(title, lines, ["市十八届人大一次会议", "第1100号"])


def test_the_caller_names_words_that_never_split():
    title = "关于慈溪市经济和信息化局牵头推进全市制造业数字化转型和智能化改造的建议的答复"
    bureau = "慈溪市经济和信息化局"
    assert_whole(title, balanced_lines(title, words=(bureau,)), [bureau])
    # … through the letter: its bureau, its cc recipients and its own list of words.
    for letter in (
        LetterData(kind="reply", title=title, salutation="", body="", signing_bureau=bureau),
        LetterData(kind="reply", title=title, salutation="", body="", cc=(CcRecipient(bureau),)),
        LetterData(kind="reply", title=title, salutation="", body="", title_words=(bureau,)),
    ):
        lines = letter_title_lines(letter)
        assert_whole(title, lines, [bureau])
        html = render_letter_html(letter)
        assert "<br>".join(lines) in html


def test_words_for_one_title_do_not_change_the_next():
    other = TITLES[6][0]
    before = balanced_lines(other)
    balanced_lines(TITLES[0][0], words=("智能化改造提升中小企业",))
    assert balanced_lines(other) == before


def test_title_words_survive_a_json_snapshot():
    letter = LetterData(kind="reply", title="t", salutation="", body="", title_words=["慈溪市"])
    assert letter.title_words == ("慈溪市",)
    assert LetterData(kind="reply", title="t", salutation="", body="").title_words == ()


def test_the_rendered_title_has_the_lines():
    letter = LetterData(
        kind="reply",
        title=TITLES[0][0],
        salutation="罗冲代表：",
        body="您提出的建议收悉。",
        date=datetime.date(2023, 9, 12),
    )
    html = render_letter_html(letter)
    assert "关于加快推进城乡基础设施建设补短板<br>和老旧小区改造提升工作的建议的答复" in html


# --- jieba, once and quietly ------------------------------------------------------------------


def test_jieba_loads_quietly_once_with_its_cache_in_the_temp_dir(tmp_path):
    script = (
        "from replies.letter import words\n"
        "from replies.letter.render import balanced_lines\n"
        f"balanced_lines({TITLES[0][0]!r})\n"
        "first = words.tokenizer()\n"
        f"balanced_lines({TITLES[1][0]!r})\n"
        "print(first.initialized, words.tokenizer() is first)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no "Building prefix dict …" on the console
    assert done.stdout.split() == ["True", "True"]  # loaded by the first title, kept for the next
    cache = tmp_path / f"jianyi-jieba-{os.getuid()}" / "jieba.cache"
    assert cache.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [cache.parent.name]  # nothing in the cwd
    assert not (ROOT / "jieba.cache").exists()
