"""In a real browser: the export page's bar follows the job and the link appears when the ZIP exists.

The job is driven from the test (each chunk run here as a worker would run it), so what the page
must show at each step is known; the real-worker export is tested in tests/replies/test_exports.py.
"""

import os
from unittest import mock

import pytest

from replies import exports
from replies.models import ExportJob
from tests.replies.pdf_helpers import another_proposal, signed_reply

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

from .test_reply_flow import browser, log_in  # noqa: E402,F401 - the shared browser fixture

pytestmark = [pytest.mark.browser]


def progress(page, value, timeout_ms=15000):
    """Wait until the bar shows ``value`` (read from the page, not evaluated in it: the
    Content-Security-Policy forbids evaluating strings as script)."""
    for _ in range(timeout_ms // 100):
        if float(page.get_attribute("progress", "value") or 0) == value:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the bar never showed {value}")


def test_export_progress_bar_follows_the_job_and_offers_the_zip(browser, live_server, settings, media_root, proposal, cora, alice, lily, dora, bureau_a):  # noqa: F811
    settings.EXPORT_CHUNK_SIZE = 1
    with mock.patch("replies.pdf._send"):  # left unrendered: the export renders them
        signed_reply(proposal, cora, alice, lily, bureau_a)
        for number in (111, 112):
            signed_reply(another_proposal(proposal.session, dora, number), cora, alice, lily, bureau_a)

    page = log_in(browser, live_server, "cora")
    page.goto(f"{live_server.url}/proposals/")
    page.click("text=导出已签发答复 PDF")
    page.select_option("#id_session", str(proposal.session.pk))
    with mock.patch("replies.exports._dispatch"):  # no worker: the test runs the chunks
        page.click("button.primary:has-text('开始导出')")
        page.wait_for_url("**/exports/*/")
    job = ExportJob.objects.get()
    assert page.is_hidden("[data-download]")

    with mock.patch("replies.tasks.export_assemble.delay"):
        exports.export_render_chunk(job.pk, 0)
        progress(page, 32)  # one of three replies rendered
        assert page.inner_text("[data-field=rendered]") == "1" and page.is_hidden("[data-download]")
        for index in (1, 2):
            exports.export_render_chunk(job.pk, index)
        progress(page, 95)
        assert page.is_hidden("[data-download]")  # rendered, but the ZIP is not written yet
    exports.export_assemble(job.pk)
    progress(page, 100)
    page.wait_for_selector("[data-download]", state="visible")
    with page.expect_download() as download_info:
        page.click("[data-download]")
    assert download_info.value.suggested_filename.endswith("（3件）.zip")
