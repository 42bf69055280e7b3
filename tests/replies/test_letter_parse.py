"""A published reply pasted as plain text comes apart into the letter's fields: the five seed
documents exactly as the demo data reads them, and the same documents as a clerk pastes them
(website furniture, half-width colons, other brackets, Chinese-numeral dates, noise)."""

import datetime
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from proposals.text import paragraphs
from replies.demo import documents as docs
from replies.letter import CcRecipient, LetterData
from replies.letter.parse import (
    BAD_DATE,
    CLOSING,
    DUPLICATE,
    HEADER,
    PAGE,
    REPEATED_TITLE,
    WEBSITE,
    parse_date,
    parse_letter_text,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
SEED_DIRS = [d for d in (SHARED_SEEDS, docs.SEED_DIR) if d.is_dir()]
LETTERS = [docs.REPLY_176, docs.REPLY_366, docs.REPLY_110, docs.OPINION_239]
PASTED = Path(__file__).resolve().parent / "pasted"


def seed_text(name, directory=docs.SEED_DIR):
    return (directory / name).read_text(encoding="utf-8")


def printed(body):
    """The body as the letter lays it out: paragraphs, white space and blank lines ignored."""
    return [p.text for p in paragraphs(body)]


def assert_same_letter(parsed, seed, *, exact_body=True):
    assert (parsed.title, parsed.salutation) == (seed.title, seed.salutation)
    assert (parsed.category_mark, parsed.authority_mark) == (seed.category_mark, seed.authority_mark)
    assert (parsed.document_number, parsed.signer) == (seed.document_number, seed.signer)
    assert (parsed.signing_bureau, parsed.date, parsed.cc) == (seed.bureau, seed.date, seed.cc)
    if exact_body:
        assert parsed.body == seed.body
    else:
        assert printed(parsed.body) == printed(seed.body)


# --- the seeds, as published -------------------------------------------------------------------


@pytest.mark.parametrize("directory", SEED_DIRS, ids=lambda d: d.parent.name)
@pytest.mark.parametrize("name", LETTERS)
def test_each_seed_parses_to_the_fields_the_demo_data_stores(name, directory):
    parsed = parse_letter_text(seed_text(name, directory))
    assert_same_letter(parsed, docs.seed_letter(name))
    assert parsed.unplaced == ()
    assert parsed.dropped == ()


def test_the_seeds_fields_in_detail():
    reply_110 = parse_letter_text(seed_text(docs.REPLY_110))
    assert reply_110.kind == "reply"
    assert reply_110.category_mark == "A"
    assert reply_110.authority_mark == "慈溪市经济和信息化局文件"
    assert (reply_110.document_number, reply_110.signer) == ("慈经信建〔2022〕3号", "龚激红")
    assert reply_110.body.startswith("您在市十八届人大一次会议期间提出的")
    assert reply_110.body.endswith("多提宝贵意见和建议。")

    reply_176 = parse_letter_text(seed_text(docs.REPLY_176))
    assert reply_176.signing_bureau == "慈溪市经济和信息化局"
    assert reply_176.date == datetime.date(2018, 6, 20)
    assert reply_176.cc[-2:] == (CcRecipient("潘省办", True), CcRecipient("胡国锋", True))
    assert reply_176.cc[0] == CcRecipient("市人大代表工委", False)

    reply_366 = parse_letter_text(seed_text(docs.REPLY_366))
    assert reply_366.date == datetime.date(2023, 9, 12)
    assert reply_366.cc[-1] == CcRecipient("匡堰镇人大主席团", False)
    assert len(reply_366.cc) == 8  # 「市税务局,市人力社保局,…」 with half-width commas too

    opinion = parse_letter_text(seed_text(docs.OPINION_239))
    assert opinion.kind == "opinion"
    assert opinion.title == "关于慈溪市人大十七届第一次会议第239号建议的协办意见"  # two lines joined
    assert opinion.salutation == "市经信局："
    assert opinion.letter().category_mark == ""


@pytest.mark.parametrize("name", LETTERS)
def test_the_parsed_letter_is_the_letter_data_the_seed_gives(name):
    seed = docs.seed_letter(name)
    letter = parse_letter_text(seed_text(name)).letter()
    assert isinstance(letter, LetterData)
    assert letter.kind == ("opinion" if name == docs.OPINION_239 else "reply")
    assert (letter.title, letter.salutation, letter.body) == (seed.title, seed.salutation, seed.body)
    assert (letter.signing_bureau, letter.date, letter.cc) == (seed.bureau, seed.date, seed.cc)


def test_the_proposal_text_is_not_a_letter_but_does_not_break_the_parser():
    parsed = parse_letter_text(seed_text(docs.PROPOSAL_176))
    assert parsed.salutation == ""
    assert "二、建议" in parsed.body


# --- the seeds as a clerk pastes them -------------------------------------------------------------

WEB_TOP = (
    "首页 > 政务公开 > 建议提案办理结果\n"
    "{title}\n"
    "来源：慈溪市经济和信息化局  发布时间：2023-09-15 10:20  浏览次数：1024\n"
    "【字体：大 中 小】\n"
    "\n"
)
WEB_BOTTOM = (
    "\n"
    "【打印本页】【关闭窗口】\n"
    "分享到： 微信 微博 QQ空间\n"
    "上一篇：关于市十八届人大一次会议第109号建议的答复\n"
    "下一篇：关于市十八届人大一次会议第111号建议的答复\n"
)


def from_the_website(name):
    seed = docs.seed_letter(name)
    return WEB_TOP.format(title=seed.title) + seed_text(name) + WEB_BOTTOM


def noisy(text):
    """Blank lines between all lines, indentation of every kind, trailing spaces."""
    indents = ["", "    ", "\u3000\u3000", "\t", " \u3000 "]
    return "\n\n".join(indents[n % len(indents)] + line + "  " for n, line in enumerate(text.split("\n")))


@pytest.mark.parametrize("name", LETTERS)
def test_windows_line_endings_change_nothing(name):
    parsed = parse_letter_text(seed_text(name).replace("\n", "\r\n"))
    assert_same_letter(parsed, docs.seed_letter(name))
    assert "\r" not in parsed.body


@pytest.mark.parametrize("name", LETTERS)
def test_website_furniture_is_dropped_and_listed(name):
    parsed = parse_letter_text(from_the_website(name))
    assert_same_letter(parsed, docs.seed_letter(name))
    assert parsed.unplaced == ()
    dropped = {(line.number, line.reason) for line in parsed.dropped}
    lines = from_the_website(name).split("\n")
    assert {(1, WEBSITE), (2, REPEATED_TITLE), (3, WEBSITE), (4, WEBSITE)} <= dropped
    bottom = {n for n, line in enumerate(lines, 1) if line.startswith(("【打印", "分享到", "上一篇", "下一篇"))}
    assert bottom <= {n for n, reason in dropped if reason == WEBSITE}
    assert len(parsed.dropped) == 8


@pytest.mark.parametrize("name", LETTERS)
def test_blank_lines_and_indentation_noise(name):
    parsed = parse_letter_text(noisy(seed_text(name)))
    assert_same_letter(parsed, docs.seed_letter(name), exact_body=False)
    assert parsed.unplaced == ()


@pytest.mark.parametrize("name", LETTERS)
def test_no_break_spaces_and_invisible_characters_from_a_web_page(name):
    text = "\ufeff" + seed_text(name).replace("\u3000\u3000您", "\xa0\xa0您").replace("。", "。\u200b")
    parsed = parse_letter_text(text)
    assert_same_letter(parsed, docs.seed_letter(name), exact_body=False)
    assert "\xa0" not in parsed.body and "\u200b" not in parsed.body


def test_half_width_colons():
    text = (
        seed_text(docs.REPLY_110)
        .replace("类别标记：A", "类别标记:A").replace("签发人： ", "签发人: ").replace("罗冲代表：", "罗冲代表:")
    )
    parsed = parse_letter_text(text)
    assert_same_letter(parsed, docs.seed_letter(docs.REPLY_110))
    reply_176 = parse_letter_text(seed_text(docs.REPLY_176).replace("抄  送：", "抄送:").replace("傅磊代表：", "傅磊代表:"))
    assert_same_letter(reply_176, docs.seed_letter(docs.REPLY_176))
    opinion = parse_letter_text(seed_text(docs.OPINION_239).replace("市经信局：", "市经信局:"))
    assert (opinion.salutation, opinion.kind) == ("市经信局：", "opinion")


@pytest.mark.parametrize(
    "written", ["慈经信建【2022】3号", "慈经信建[2022]3号", "慈经信建(2022)3号", "慈经信建（2022）3号",
                "慈经信建〔2022〕3号", "慈经信建［2022］3号", "慈经信建 〔 2022 〕 3 号", "慈经信建〔２０２２〕３号"],
)
def test_any_bracket_style_of_the_document_number_becomes_the_standard_one(written):
    parsed = parse_letter_text(seed_text(docs.REPLY_110).replace("慈经信建〔2022〕3号", written))
    assert parsed.document_number == "慈经信建〔2022〕3号"
    assert parsed.signer == "龚激红"
    assert parsed.unplaced == ()


@pytest.mark.parametrize(
    "header",
    [
        "慈经信建〔2022〕3号\n签发人：龚激红",
        "慈经信建〔2022〕3号    签发人：\n龚激红",
        "签发人：龚 激 红\n慈经信建〔2022〕3号",
        "文号：慈经信建〔2022〕3号\n签发人:龚激红",
    ],
)
def test_signer_on_the_same_line_or_the_next(header):
    text = seed_text(docs.REPLY_110).replace("慈经信建〔2022〕3号                         签发人： 龚激红", header)
    parsed = parse_letter_text(text)
    assert (parsed.document_number, parsed.signer) == ("慈经信建〔2022〕3号", "龚激红")
    assert parsed.title == "对市十八届人大一次会议第110号建议的答复"
    assert parsed.unplaced == ()


@pytest.mark.parametrize("mark_line", ["类别：A", "A类", "A", "Ａ", "类别标记: A", "（A类）", "   A   "])
def test_the_category_mark_in_any_of_its_forms(mark_line):
    parsed = parse_letter_text(seed_text(docs.REPLY_110).replace("类别标记：A", mark_line))
    assert parsed.category_mark == "A"
    assert_same_letter(parsed, docs.seed_letter(docs.REPLY_110))


def test_a_lone_category_letter_at_the_top_of_a_reply_without_header():
    parsed = parse_letter_text("B\n" + seed_text(docs.REPLY_176))
    assert parsed.category_mark == "B"
    assert parsed.title == docs.seed_letter(docs.REPLY_176).title


@pytest.mark.parametrize(
    "written,date",
    [
        ("二〇二三年九月十二日", datetime.date(2023, 9, 12)),
        ("二○二三年九月十二日", datetime.date(2023, 9, 12)),
        ("二零二三年十二月三十一日", datetime.date(2023, 12, 31)),
        ("二〇一八年六月二十日", datetime.date(2018, 6, 20)),
        ("2023年09月12日", datetime.date(2023, 9, 12)),
        ("２０２３年９月１２日", datetime.date(2023, 9, 12)),
        ("2023 年 9 月 12 日", datetime.date(2023, 9, 12)),
        ("2023-09-12", datetime.date(2023, 9, 12)),
    ],
)
def test_dates_in_arabic_or_chinese_numerals(written, date):
    parsed = parse_letter_text(seed_text(docs.REPLY_366).replace("2023年9月12日", written))
    assert parsed.date == date
    assert parsed.signing_bureau == "慈溪市经济和信息化局"
    assert printed(parsed.body) == printed(docs.seed_letter(docs.REPLY_366).body)


def test_parse_date():
    assert parse_date("二〇二三年九月十二日") == datetime.date(2023, 9, 12)
    assert parse_date("2023年2月30日") is False
    assert parse_date("九月十二日") is None


def test_a_day_that_does_not_exist_is_reported_not_guessed():
    parsed = parse_letter_text(seed_text(docs.REPLY_366).replace("2023年9月12日", "2023年2月30日"))
    assert parsed.date is None
    assert [(line.text, line.reason) for line in parsed.unplaced] == [("2023年2月30日", BAD_DATE)]
    assert parsed.signing_bureau == "慈溪市经济和信息化局"


@pytest.mark.parametrize("name", [docs.REPLY_176, docs.REPLY_366])
def test_a_trailing_printing_line_is_recognised_and_left_out(name):
    text = seed_text(name).rstrip() + "\n\n  慈溪市经济和信息化局办公室             2023年9月12日印发\n"
    parsed = parse_letter_text(text)
    assert parsed.printing == "慈溪市经济和信息化局办公室 2023年9月12日印发"
    assert_same_letter(parsed, docs.seed_letter(name))
    assert parsed.unplaced == ()
    assert "印发" not in parsed.body


@pytest.mark.parametrize(
    "note,disclosure,contact",
    [
        ("（联系人：陈承办；联系电话：0574-63000000）\n（此件主动公开）", "public", ("陈承办", "0574-63000000")),
        ("(联系人:陈承办,联系电话:0574-63000000)\n此件公开发布", "public", ("陈承办", "0574-63000000")),
        ("（此件依申请公开）\n联系人：陈承办  电话：63000000", "on_request", ("陈承办", "63000000")),
        ("（此件不予公开；联系人：陈承办；联系电话：13800000000）", "not_public", ("陈承办", "13800000000")),
        ("联系人及电话：陈承办，0574-63000000\n公开方式：主动公开", "public", ("陈承办", "0574-63000000")),
        ("（联系人：陈承办 0574-63000000）", "", ("陈承办", "0574-63000000")),
    ],
)
def test_note_lines_give_the_contact_and_the_disclosure(note, disclosure, contact):
    text = seed_text(docs.REPLY_366).replace("2023年9月12日\n", "2023年9月12日\n" + note + "\n")
    parsed = parse_letter_text(text)
    assert parsed.disclosure == disclosure
    assert (parsed.contact_name, parsed.contact_phone) == contact
    assert parsed.unplaced == ()
    assert_same_letter(parsed, docs.seed_letter(docs.REPLY_366))
    letter = parsed.letter()
    assert (letter.contact_name, letter.contact_phone) == contact


def test_the_disclosure_note_is_kept_as_written():
    parsed = parse_letter_text(seed_text(docs.REPLY_366).replace("2023年9月12日\n", "2023年9月12日\n（此件公开发布）\n"))
    assert (parsed.disclosure, parsed.disclosure_note) == ("public", "此件公开发布")


@pytest.mark.parametrize(
    "salutation",
    ["马青、周丽等委员：", "马青、周丽等委员:", "傅磊、马青代表：", "傅磊同志：", "尊敬的傅磊代表："],
)
def test_salutations_to_one_or_many(salutation):
    parsed = parse_letter_text(seed_text(docs.REPLY_176).replace("傅磊代表：", salutation))
    assert parsed.salutation == salutation.replace(":", "：")
    assert parsed.kind == "reply"
    assert printed(parsed.body) == printed(docs.seed_letter(docs.REPLY_176).body)


def test_salutation_and_first_paragraph_on_one_line():
    text = seed_text(docs.REPLY_110).replace("罗冲代表：\n", "罗冲代表：")
    parsed = parse_letter_text(text)
    assert parsed.salutation == "罗冲代表："
    assert parsed.body == docs.seed_letter(docs.REPLY_110).body


def test_bureau_and_date_on_one_line():
    text = seed_text(docs.REPLY_366).replace("慈溪市经济和信息化局　　　　　　　　　　　　　\n\n", "")
    text = text.replace("2023年9月12日", "慈溪市经济和信息化局    2023年9月12日")
    parsed = parse_letter_text(text)
    assert (parsed.signing_bureau, parsed.date) == ("慈溪市经济和信息化局", datetime.date(2023, 9, 12))
    assert_same_letter(parsed, docs.seed_letter(docs.REPLY_366))


def test_an_opinion_with_its_signature_and_date():
    text = seed_text(docs.OPINION_239).rstrip() + "\n\n慈溪市科学技术局\n二〇一七年五月十日\n"
    parsed = parse_letter_text(text)
    assert parsed.kind == "opinion"
    assert (parsed.signing_bureau, parsed.date) == ("慈溪市科学技术局", datetime.date(2017, 5, 10))
    assert parsed.body == docs.seed_letter(docs.OPINION_239).body


def test_a_cc_list_wrapped_over_lines():
    text = seed_text(docs.REPLY_366).replace("市自然资源规划局,", "市自然资源规划局,\n      ")
    parsed = parse_letter_text(text)
    assert parsed.cc == docs.seed_letter(docs.REPLY_366).cc
    assert parsed.unplaced == ()


def test_a_government_website_page_copied_whole():
    """The page as a browser copies it: site name, breadcrumbs, the information-disclosure table
    (索引号, 发布机构, 公开方式, 文号 …), the heading, the letter, share and print buttons."""
    text = (PASTED / "reply-366-from-the-website.txt").read_text(encoding="utf-8")
    parsed = parse_letter_text(text)
    seed = docs.seed_letter(docs.REPLY_366)
    assert (parsed.title, parsed.salutation, parsed.body) == (seed.title, seed.salutation, seed.body)
    assert (parsed.signing_bureau, parsed.date, parsed.cc) == (seed.bureau, seed.date, seed.cc)
    assert parsed.document_number == "慈经信建〔2023〕21号"  # from the table's 文号
    assert parsed.disclosure == "public"  # 公开方式：主动公开
    assert (parsed.contact_name, parsed.contact_phone) == ("张三", "0574-63000000")
    assert [(line.number, line.text, line.reason) for line in parsed.unplaced] == [(1, "慈溪市人民政府", HEADER)]
    reasons = {line.number: line.reason for line in parsed.dropped}
    last = len(text.rstrip("\n").split("\n"))
    assert reasons == {2: WEBSITE, 3: WEBSITE, 4: WEBSITE, 5: WEBSITE, 6: WEBSITE, 9: REPEATED_TITLE,
                       10: WEBSITE, 11: WEBSITE, last - 1: WEBSITE, last: WEBSITE}


def test_lines_it_cannot_place_are_reported_with_their_numbers():
    text = (
        "慈溪市人民政府门户网站\n"
        + seed_text(docs.REPLY_366).rstrip()
        + "\n扫码关注“慈溪发布”\n抄报：宁波市经信局。\n"
    )
    parsed = parse_letter_text(text)
    assert_same_letter(parsed, docs.seed_letter(docs.REPLY_366))
    lines = text.split("\n")
    assert [(line.number, line.reason) for line in parsed.unplaced] == [
        (1, HEADER), (len(lines) - 2, CLOSING), (len(lines) - 1, CLOSING),
    ]
    assert parsed.unplaced[0].text == "慈溪市人民政府门户网站"
    assert lines[parsed.unplaced[1].number - 1] == "扫码关注“慈溪发布”"


def test_a_second_date_is_a_duplicate():
    text = seed_text(docs.REPLY_366).replace("2023年9月12日\n", "2023年9月12日\n2023年9月13日\n")
    parsed = parse_letter_text(text)
    assert parsed.date == datetime.date(2023, 9, 12)
    assert [(line.text, line.reason) for line in parsed.unplaced] == [("2023年9月13日", DUPLICATE)]


def test_page_numbers_from_a_word_copy_are_dropped_from_the_body():
    body_lines = seed_text(docs.REPLY_110).split("\n")
    body_lines.insert(15, "— 2 —")
    body_lines.insert(18, "- 3 -")
    parsed = parse_letter_text("\n".join(body_lines))
    assert printed(parsed.body) == printed(docs.seed_letter(docs.REPLY_110).body)
    assert [line.reason for line in parsed.dropped] == [PAGE, PAGE]


def test_the_title_repeated_as_the_page_heading_is_one_title():
    seed = docs.seed_letter(docs.REPLY_176)
    parsed = parse_letter_text(seed.title + "\n" + seed_text(docs.REPLY_176))
    assert parsed.title == seed.title
    assert [line.reason for line in parsed.dropped] == [REPEATED_TITLE]


def test_a_body_pasted_without_header_or_closing():
    body = docs.seed_letter(docs.REPLY_110).body
    parsed = parse_letter_text(body)
    assert (parsed.title, parsed.salutation, parsed.date) == ("", "", None)
    assert parsed.body == body


def test_a_title_without_salutation():
    seed = docs.seed_letter(docs.REPLY_110)
    parsed = parse_letter_text(f"{seed.title}\n\n{seed.body}")
    assert (parsed.title, parsed.salutation) == (seed.title, "")
    assert parsed.body == seed.body


def test_nothing_in_nothing_out():
    parsed = parse_letter_text("")
    assert (parsed.body, parsed.unplaced, parsed.dropped) == ("", (), ())
    assert parse_letter_text("首页 > 政务公开\n打印本页 关闭窗口\n").body == ""


@pytest.mark.parametrize("name", LETTERS)
def test_everything_a_clerk_pastes_at_once(name):
    """Website around it, Windows line endings, noise, half-width colons, other brackets, a
    Chinese-numeral date, 类别：A on its own line and a 印发 line."""
    seed = docs.seed_letter(name)
    text = seed_text(name)
    text = re.sub(r"(代表|信局)：\n", r"\1:\n", text)
    text = text.replace("类别标记：A", "类别：A").replace("〔2022〕", "【2022】")
    text = re.sub(r"^(\s*)2023年9月12日$", r"\1二〇二三年九月十二日", text, flags=re.M)
    text = text.replace("2018年6月20日\n", "二〇一八年六月二十日\n")
    if seed.cc:
        text = text.rstrip() + "\n慈溪市经济和信息化局办公室   2023年9月12日印发\n"
    text = noisy(WEB_TOP.format(title=seed.title) + text + WEB_BOTTOM).replace("\n", "\r\n")
    parsed = parse_letter_text(text)
    assert_same_letter(parsed, seed, exact_body=False)
    assert parsed.unplaced == ()
    assert bool(parsed.printing) == bool(seed.cc)


# --- manage.py letter_from_text --------------------------------------------------------------------


def test_the_command_prints_the_fields_and_renders_the_letter(tmp_path):
    source = tmp_path / "366.txt"
    source.write_text(from_the_website(docs.REPLY_366) + "扫码关注\n", encoding="utf-8")
    out = StringIO()
    call_command("letter_from_text", str(source), "--out", str(tmp_path / "letter.pdf"), stdout=out)
    text = out.getvalue()
    assert "title (标题): 对市十八届人大二次会议第366号建议的答复" in text
    assert "salutation (称呼): 岑国建代表：" in text
    assert "date (成文日期): 2023年9月12日" in text
    assert "cc (抄送): 市人大代表工委，市政府办公室，市税务局" in text
    assert "Dropped as furniture (8 lines)" in text
    assert "Could not place (1 lines)" in text and "扫码关注" in text
    pdf = (tmp_path / "letter.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")


def test_the_command_reads_gb18030_text_from_windows(tmp_path):
    source = tmp_path / "176.txt"
    source.write_bytes(seed_text(docs.REPLY_176).replace("\n", "\r\n").encode("gb18030"))
    out = StringIO()
    call_command("letter_from_text", str(source), stdout=out)
    assert "salutation (称呼): 傅磊代表：" in out.getvalue()
    assert (tmp_path / "176.pdf").read_bytes().startswith(b"%PDF")


def test_the_command_refuses_a_text_without_body(tmp_path):
    source = tmp_path / "empty.txt"
    source.write_text("首页 > 政务公开\n【打印本页】【关闭窗口】\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no body"):
        call_command("letter_from_text", str(source), stdout=StringIO())
    assert not (tmp_path / "empty.pdf").exists()


def test_the_command_refuses_a_file_it_cannot_read(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("letter_from_text", str(tmp_path / "missing.txt"), stdout=StringIO())


def test_the_command_exit_status(tmp_path):
    missing = subprocess.run(
        [sys.executable, "manage.py", "letter_from_text", str(tmp_path / "missing.txt")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert missing.returncode != 0
    assert "cannot read" in missing.stderr
