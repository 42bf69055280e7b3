"""In a real browser, with a real worker: the export page's bar moves and the link appears."""

import os
from unittest import mock

import pytest

from tests.replies.pdf_helpers import another_proposal, signed_reply

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

from .test_reply_flow import browser, log_in  # noqa: E402,F401 - the shared browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_export_progress_bar_moves_and_offers_the_zip(browser, live_server, settings, celery_worker_factory, media_root, proposal, cora, alice, lily, dora, bureau_a):  # noqa: F811
    settings.EXPORT_CHUNK_SIZE = 1
    with mock.patch("replies.pdf._send"):  # left unrendered: the export renders them
        signed_reply(proposal, cora, alice, lily, bureau_a)
        for number in range(111, 117):
            signed_reply(another_proposal(proposal.session, dora, number), cora, alice, lily, bureau_a)
    celery_worker_factory()

    page = log_in(browser, live_server, "cora")
    page.goto(f"{live_server.url}/proposals/")
    page.click("text=导出已签发答复 PDF")
    page.select_option("#id_session", str(proposal.session.pk))
    page.click("button.primary:has-text('开始导出')")
    page.wait_for_url("**/exports/*/")
    values = set()
    for _ in range(600):
        values.add(int(page.eval_on_selector("progress", "el => el.value")))
        if page.is_visible("[data-download]"):
            break
        page.wait_for_timeout(100)
    assert page.is_visible("[data-download]"), "no download link appeared"
    assert 100 in values and any(0 < v < 100 for v in values), values
    with page.expect_download() as download_info:
        page.click("[data-download]")
    assert download_info.value.suggested_filename.endswith("（7件）.zip")
