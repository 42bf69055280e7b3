"""Half-width punctuation between Chinese characters: found, listed and converted; digits and
Latin words keep theirs."""

import pytest

from replies.letter.punctuation import half_width_places, is_chinese, to_full_width


@pytest.mark.parametrize(
    ("typed", "converted"),
    [
        ("增长,达到", "增长，达到"),
        ("时间:2024年", "时间：2024年"),
        ("一是加强领导;二是完善机制", "一是加强领导；二是完善机制"),
        ("是吗?好!", "是吗？好！"),
        ("我们将继续努力!", "我们将继续努力！"),
        ("国内生产总值(GDP)增长", "国内生产总值（GDP）增长"),
        ("(1)加强平台建设", "（1）加强平台建设"),
        ("(一)强平台搭建", "（一）强平台搭建"),
        ("“数字化”,推动转型", "“数字化”，推动转型"),
        ("采用AI,提升效率", "采用AI，提升效率"),
        ("增长5%,达到3.5%", "增长5%，达到3.5%"),
        ("联系电话:0574-63000000", "联系电话：0574-63000000"),
        ("网址:https://www.cixi.gov.cn/a.php?id=1", "网址：https://www.cixi.gov.cn/a.php?id=1"),
        # the spaces around a converted mark go with it (a full-width mark has its own)
        ("增长 , 达到", "增长，达到"),
        ("时间: 2024年", "时间：2024年"),
        # full-width context counts as Chinese
        ("。(附后)", "。（附后）"),
    ],
)
def test_marks_beside_chinese_become_full_width(typed, converted):
    assert to_full_width(typed) == converted
    assert half_width_places(typed)
    assert half_width_places(converted) == []  # converting twice changes nothing
    assert to_full_width(converted) == converted


@pytest.mark.parametrize(
    "text",
    [
        "3.5%",
        "GDP",
        "2024年1:1",
        "比例为1:1的配套",
        "3,000元",
        "上午10:30召开",
        "Hello, world! Is it?",
        "f(x)",
        "见https://example.com/a?b=1;c=2",
        "第1,2,3条",
        "(a)(b)",
        "已经全角：，；（）！？",
        "",
    ],
)
def test_digits_and_latin_keep_their_half_width_marks(text):
    assert to_full_width(text) == text
    assert half_width_places(text) == []


def test_only_the_marks_between_chinese_change_in_a_mixed_line():
    typed = "2024年GDP增长3.5%,比例1:1(按2023年价格计算),详见www.cixi.gov.cn?id=1。"
    assert to_full_width(typed) == (
        "2024年GDP增长3.5%，比例1:1（按2023年价格计算），详见www.cixi.gov.cn?id=1。"
    )


def test_brackets_go_by_pairs():
    # the opening bracket follows a digit and precedes a letter: it converts with its partner
    assert to_full_width("第3(a)项规定") == "第3（a）项规定"
    # an unmatched bracket goes by its own neighbours
    assert to_full_width("见附件1)说明") == "见附件1）说明"
    assert to_full_width("A(b") == "A(b"


def test_places_name_line_column_and_show_before_and_after():
    text = "罗冲代表：\n您提出的建议(第110号)收悉,谢谢!\n\nGDP 3.5%, 1:1"
    places = half_width_places(text)
    assert [(p.line, p.column, p.mark, p.mark_name) for p in places] == [
        (2, 7, "(", "左括号"),
        (2, 13, ")", "右括号"),
        (2, 16, ",", "逗号"),
        (2, 19, "!", "叹号"),
    ]
    comma = places[2]  # six characters either side, converted as the whole line converts
    assert (comma.before, comma.after) == ("10号)收悉,谢谢!", "10号）收悉，谢谢！")
    assert (places[0].before, places[0].after) == (
        "您提出的建议(第110号)",
        "您提出的建议（第110号）",
    )


def test_line_breaks_and_everything_else_stay():
    text = "第一段,完\r\n第二段:完\r第三段\n\n  缩进 保留 ,\n"
    assert to_full_width(text) == "第一段，完\r\n第二段：完\r第三段\n\n  缩进 保留，\n"
    assert [p.line for p in half_width_places(text)] == [1, 2, 5]


def test_what_counts_as_chinese():
    for char in "中𠀀，。“”…—「」　":
        assert is_chinese(char), char
    for char in "a1%.,:-/ ":
        assert not is_chinese(char), char


# --- on the draft page ---------------------------------------------------------------------


def _draft_page(client, proposal, cora, alice, bureau_a, body):
    from replies.selectors import current_reply
    from tests.workflow_helpers import to_drafting, write_reply

    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice, body=body)
    client.force_login(alice)
    return assignment, current_reply(assignment)


def _fields(reply, body):
    return {
        "version": reply.version,
        "addressed_to": "lead",
        "body": body,
        "category_mark": "A",
        "disclosure": "public",
        "contact_name": "陈承办",
        "contact_phone": "0574-63000000",
        "cc_text": "",
    }


def test_the_draft_page_lists_the_places(client, proposal, cora, alice, bureau_a):
    from django.urls import reverse

    assignment, _ = _draft_page(
        client, proposal, cora, alice, bureau_a, "您的建议已收悉,谢谢!\nGDP增长3.5%,比例1:1。"
    )
    page = client.get(reverse("reply-edit", args=[assignment.pk])).content.decode()
    warning = page[page.index('id="punctuation-warning"') :]
    warning = warning[: warning.index("</section>")]
    assert "正文中有 3 处中文之间的半角标点" in warning
    assert "第1行第8字「的建议已收悉,谢谢!」（逗号）" in warning
    assert "第1行第11字" in warning and "（叹号）" in warning
    assert "第2行第10字「增长3.5%,比例1:1。」（逗号）" in warning
    assert 'name="to_full_width"' in page


def test_no_warning_when_only_digits_and_latin_have_half_width_marks(
    client, proposal, cora, alice, bureau_a
):
    from django.urls import reverse

    assignment, _ = _draft_page(
        client, proposal, cora, alice, bureau_a, "比例为1:1，时间10:30，GDP增长3.5%。"
    )
    page = client.get(reverse("reply-edit", args=[assignment.pk])).content.decode()
    assert 'id="punctuation-warning"' not in page


def test_converting_shows_the_result_for_review_and_saves_nothing(
    client, proposal, cora, alice, bureau_a
):
    from django.urls import reverse

    from replies.models import Reply

    typed = "您的建议(第110号)已收悉,谢谢!\n比例1:1,详见https://www.cixi.gov.cn?id=1"
    assignment, reply = _draft_page(client, proposal, cora, alice, bureau_a, "原来的正文。")
    url = reverse("reply-edit", args=[assignment.pk])
    before = Reply.objects.filter(pk=reply.pk).values().get()

    response = client.post(url, {**_fields(reply, typed), "to_full_width": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    converted = "您的建议（第110号）已收悉，谢谢！\n比例1:1，详见https://www.cixi.gov.cn?id=1"
    assert response.context["form"]["body"].value() == converted
    review = page[page.index('id="punctuation-review"') :]
    assert (
        "第1行：「您的建议(第110号)」→「您的建议（第110号）」"
        in review[: review.index("</section>")]
    )
    assert "已将 5 处半角标点转换为全角，尚未保存" in page
    assert 'id="punctuation-warning"' not in page  # nothing left to convert
    assert Reply.objects.filter(pk=reply.pk).values().get() == before  # nothing saved

    saved = client.post(url, _fields(reply, converted))
    assert saved.status_code == 302
    assert Reply.objects.get(pk=reply.pk).body.replace("\r\n", "\n") == converted


def test_the_draft_page_has_no_inline_script_or_style(client, proposal, cora, alice, bureau_a):
    import re

    from django.urls import reverse

    assignment, _ = _draft_page(client, proposal, cora, alice, bureau_a, "您的建议已收悉,谢谢!")
    page = client.get(reverse("reply-edit", args=[assignment.pk])).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all("src=" in tag for tag in scripts)
    assert "js/punctuation.js" in page and "data-punctuation-stale hidden" in page
    assert "<style" not in page and " style=" not in page and "onclick" not in page
