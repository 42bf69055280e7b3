"""In a real browser: bureau staff drafts a reply, the leader signs it, the deputy reads it."""

import os

import pytest

from tests.workflow_helpers import to_drafting

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's Chromium is missing: run `make test` (it installs chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def log_in(browser, live_server, username, viewport=(1366, 768)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.dialogs = []  # irreversible steps ask first: record the question and say yes

    def answer(dialog):
        page.dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_staff_drafts_leader_signs_deputy_reads(browser, live_server, proposal, cora, alice, lily, dora, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    detail = f"{live_server.url}/proposals/{proposal.pk}/"

    staff = log_in(browser, live_server, "alice")
    assert "待我办理" in staff.content() and proposal.title in staff.content()
    staff.goto(detail)
    staff.click("text=起草答复")
    staff.fill("#id_body", "一、总体情况\n罗冲代表的建议已收悉，我局高度重视。\n（一）强平台搭建。我们将继续推进。")
    staff.select_option("#id_category_mark", "A")
    staff.fill("#id_contact_phone", "0574-63000000")
    staff.click("button[name=save]")
    assert "答复稿已保存" in staff.content()
    staff.goto(detail)
    staff.click("button[data-action=submit]")
    assert "已送签发" in staff.content()
    assert "待签发" in staff.content()
    staff.close()

    leader = log_in(browser, live_server, "lily")
    leader.goto(detail)
    leader.click("button[data-action=sign]")
    assert leader.dialogs == ["签发后答复即编号定稿，不能再修改。确定签发吗？"]
    assert "已签发" in leader.content()
    reply = assignment.replies.get()
    assert reply.signer == lily and reply.document_number
    assert reply.document_number in leader.content()
    leader.close()

    staff = log_in(browser, live_server, "alice")
    staff.goto(detail)
    staff.click("button[data-action=send]")
    assert "已发送答复" in staff.content()
    staff.close()

    deputy = log_in(browser, live_server, "dora", viewport=(390, 844))  # on a phone
    deputy.goto(f"{live_server.url}/my/proposals/")
    text = deputy.content()
    assert proposal.title in text
    assert "罗冲代表的建议已收悉" in text and reply.document_number in text
    assert "罗冲代表：" in text
    deputy.close()


def test_a_deputy_cannot_see_a_draft_reply(browser, live_server, proposal, cora, alice, dora, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    reply_body = "尚未签发的草稿内容"
    from tests.workflow_helpers import write_reply

    write_reply(assignment, alice, body=reply_body)
    deputy = log_in(browser, live_server, "dora")
    deputy.goto(f"{live_server.url}/my/proposals/")
    assert reply_body not in deputy.content()
    response = deputy.goto(f"{live_server.url}/replies/{reply.pk}/")
    assert response.status == 404


def test_a_deputy_on_a_phone_rates_dissatisfied_and_the_bureau_sees_the_re_handling(browser, live_server, proposal, cora, alice, lily, dora, bureau_a):
    from replies import workflow
    from tests.workflow_helpers import write_reply

    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice, body="一、总体情况\n您的建议已收悉。")
    workflow.reply_submit(assignment=assignment, by=alice)
    workflow.reply_sign(assignment=assignment, by=lily)
    workflow.reply_send(assignment=assignment, by=alice)

    deputy = log_in(browser, live_server, "dora", viewport=(390, 844))
    deputy.goto(f"{live_server.url}/my/proposals/")
    deputy.click("text=请测评")
    deputy.check("input[name=work][value=satisfied]")
    deputy.check("input[name=result][value=dissatisfied]")
    deputy.click("button:has-text('提交测评')")  # no comment yet: refused, nothing saved
    assert "选择「不满意」时请写明意见" in deputy.content()
    deputy.goto(f"{live_server.url}/my/proposals/{proposal.pk}/")
    deputy.check("input[name=work][value=satisfied]")
    deputy.check("input[name=result][value=dissatisfied]")
    deputy.fill("textarea[name=comment]", "答复没有说明补助资金何时到位。")
    deputy.click("button:has-text('提交测评')")
    assert "承办单位将重新办理" in deputy.content()
    assert "重新办理中" in deputy.content()
    width = deputy.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    deputy.close()

    staff = log_in(browser, live_server, "alice")
    staff.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert "重新办理" in staff.content() and "答复没有说明补助资金何时到位" in staff.content()
    staff.click("text=起草答复")
    assert "代表不满意的意见（重新办理）" in staff.content()
    assert "答复没有说明补助资金何时到位" in staff.content()
    staff.close()
