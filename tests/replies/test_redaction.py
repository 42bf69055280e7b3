"""What the public text of a reply leaves out: contact details go, ordinary numbers stay."""

import pytest

from replies.publication import (
    PLACEHOLDER,
    Removal,
    find_cuts,
    marked_lines,
    redact,
    segments,
)

X = PLACEHOLDER


def public(text, **contact):
    return redact(text, find_cuts(text, **contact))


@pytest.mark.parametrize(
    "text,expected",
    [
        # landlines, with the area code written every usual way
        ("请致电0574-63000000。", f"请致电{X}。"),
        ("请致电0574－6300 0000。", f"请致电{X}。"),
        ("请致电(0574)63000000。", f"请致电{X}。"),
        ("请致电（0574）63000000。", f"请致电{X}。"),
        ("请致电0574 63000000转8001。", f"请致电{X}。"),
        ("请致电010-62345678。", f"请致电{X}。"),
        ("请致电０５７４－６３０００００。", f"请致电{X}。"),
        # 8-digit local numbers where the text says they are phones
        ("联系电话：63000000", f"{X}"),
        ("办公室电话 63000000、63000001。", f"办公室电话 {X}。"),
        ("请拨打6300 0000咨询。", f"请拨打{X}咨询。"),
        # mobiles
        ("手机13812345678。", f"手机{X}。"),
        ("手机138 1234 5678。", f"手机{X}。"),
        ("手机138-1234-5678。", f"手机{X}。"),
        ("手机+86 13812345678。", f"手机{X}。"),
        ("手机+86-138-1234-5678。", f"手机{X}。"),
        ("手机（+86）19912345678。", f"手机{X}。"),
        ("手机１３８１２３４５６７８。", f"手机{X}。"),
        # ID numbers, 18 digits (X at the end) and the old 15
        ("身份证号33028219900101123X已核实。", f"身份证号{X}已核实。"),
        ("身份证号330282199001011234已核实。", f"身份证号{X}已核实。"),
        ("身份证号330282900101123已核实。", f"身份证号{X}已核实。"),
        # e-mail
        ("请发邮件至cxjxj@cixi.gov.cn。", f"请发邮件至{X}。"),
        ("请发邮件至 zhang.san+jy@163.com 联系。", f"请发邮件至 {X} 联系。"),
        ("请发邮件至ｃｘ＠ｑｑ．ｃｏｍ。", f"请发邮件至{X}。"),
        # the note line, on its own line or at the end of a paragraph
        ("我们将认真办理。\n（联系人：陈承办；联系电话：0574-63000000）", f"我们将认真办理。\n{X}"),
        ("我们将认真办理。（联系人：陈承办，联系电话：63000000）", f"我们将认真办理。{X}"),
        ("一、总体情况\n联系人：王五　联系电话：63000000\n二、", f"一、总体情况\n{X}\n二、"),
        ("附注：联系人：王五\n", f"{X}\n"),
    ],
)
def test_contact_details_are_replaced_by_the_placeholder(text, expected):
    assert public(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023年9月12日",
        "市十八届人大一次会议第176号建议",
        "安排专项资金3000万元，带动投资13500000000元。",
        "依据慈经信建〔2022〕3号文件。",
        "2022-01-10至2022-12-31",
        "全市共有企业23456789家，电话费3000000元。",
        "服务热线12345，邮编315300。",
        "统计日期20230912，增长12.5%。",
        "第（1）项、1.、（一）、一、",
    ],
)
def test_ordinary_numbers_stay(text):
    assert public(text) == text


def test_the_reply_s_own_contact_name_and_phone_go_wherever_they_occur():
    text = "经陈承办核实，可拨 6300-0000 咨询。"
    assert public(text, contact_name="陈承办", contact_phone="6300-0000") == f"经{X}核实，可拨 {X} 咨询。"


def test_a_one_character_contact_name_is_not_cut_everywhere():
    assert public("王家的王", contact_name="王") == "王家的王"


def test_marked_text_goes_everywhere_it_occurs():
    text = "张三反映的问题，张三已知悉。"
    assert public(text, marked=["张三"]) == f"{X}反映的问题，{X}已知悉。"


def test_overlapping_and_touching_cuts_become_one_placeholder():
    text = "联系人陈承办0574-63000000。"
    cuts = find_cuts(text, contact_name="陈承办")
    assert len(cuts) == 1 and cuts[0].text == "陈承办0574-63000000"
    assert set(cuts[0].reasons) == {Removal.CONTACT, Removal.PHONE}
    assert redact(text, cuts) == f"联系人{X}。"


def test_segments_give_back_the_whole_text_with_the_cuts_marked():
    text = "请致电0574-63000000或发邮件至a@b.cn。"
    cuts = find_cuts(text)
    pieces = segments(text, cuts)
    assert "".join(p.text for p in pieces) == text
    assert [p.text for p in pieces if p.cut] == ["0574-63000000", "a@b.cn"]
    assert [p.cut.label for p in pieces if p.cut] == ["电话号码", "电子邮箱"]
    (note,) = find_cuts("（联系人：王五；联系电话：0574-63000000）")
    assert note.label == "联系人信息"


def test_marked_lines_are_stripped_and_deduplicated():
    assert marked_lines(" 张三 \n\n李四\r\n张三\n\u3000") == ("张三", "李四")
