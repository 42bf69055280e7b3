"""Letters rendered on request run in a child process with a time limit: a slow preview is
stopped with a clear message, and it never holds up other people's renders or downloads."""

import threading

import pytest
from django.urls import reverse

from replies import preview
from replies.letter import LetterData, render
from replies.models import Reply
from tests.workflow_helpers import to_drafting, write_reply

LONG_BODY = "\n".join(["我局高度重视，认真研究了代表提出的建议，现将办理情况答复如下。" * 8] * 120)


def _letter(body=LONG_BODY):
    return LetterData(kind="reply", title="对市十八届人大一次会议第110号建议的答复", salutation="王代表：",
                      body=body, signing_bureau="慈溪市经济和信息化局")


def test_a_preview_past_the_time_limit_is_stopped_with_a_message(client, settings, proposal, cora, alice, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice, body=LONG_BODY)
    before = Reply.objects.get(assignment=assignment).body
    client.force_login(alice)
    settings.PREVIEW_SECONDS = 0.05
    response = client.get(reverse("reply-preview", args=[assignment.pk]))
    assert response.status_code == 503
    assert "排版超过 0.05 秒仍未完成，已停止" in response.content.decode()
    assert Reply.objects.get(assignment=assignment).body == before

    settings.PREVIEW_SECONDS = 60  # the slot was freed: the next preview renders
    response = client.get(reverse("reply-preview", args=[assignment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_preview_gives_the_same_pdf_as_rendering_in_process():
    letter = _letter("我局高度重视，现将办理情况答复如下。")
    assert preview.render_on_request(letter, draft=True).sha256 == render.render_letter_pdf(letter, draft=True).sha256


def test_a_long_preview_does_not_hold_the_render_lock_of_the_web_process():
    started = threading.Event()
    results = []

    def slow_preview():
        started.set()
        results.append(preview.render_on_request(_letter(), draft=True, seconds=60))

    thread = threading.Thread(target=slow_preview)
    thread.start()
    started.wait(5)
    try:
        # Another user's opinion render in this process takes the lock at once.
        assert render._render_lock.acquire(timeout=0.5)
        render._render_lock.release()
    finally:
        thread.join(60)
    assert results and results[0].page_count > 5


def test_a_render_error_in_the_child_is_raised_in_the_parent(monkeypatch):
    def broken(letter, draft):
        raise ValueError("font missing")

    monkeypatch.setattr(render, "render_letter_pdf", broken)
    with pytest.raises(preview.PreviewFailed, match="ValueError: font missing"):
        preview.render_on_request(_letter("短文。"), draft=True)
