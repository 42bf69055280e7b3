"""Bulk export: a ZIP of signed replies' PDFs with index.xlsx, built by real workers with progress."""

import io
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from replies import exports
from replies.models import ExportJob
from tests.conftest import wait_for

from .pdf_helpers import another_proposal, signed_reply


@pytest.fixture
def unrendered_replies(media_root, proposal, cora, alice, lily, bob, ben, dora, bureau_a, bureau_b):
    """Five signed replies of 市经信局 and one of 市科技局, none rendered yet."""
    with mock.patch("replies.pdf._send"):
        replies = [signed_reply(proposal, cora, alice, lily, bureau_a)]
        for number in (111, 112, 113, 114):
            replies.append(signed_reply(another_proposal(proposal.session, dora, number), cora, alice, lily, bureau_a))
        replies.append(signed_reply(another_proposal(proposal.session, dora, 115), cora, bob, ben, bureau_b))
    return replies


def read_zip(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    book = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    return archive, rows


@pytest.mark.worker
def test_export_through_the_page_with_progress_and_download(client, settings, celery_worker_factory, unrendered_replies, cora, bureau_a, proposal):
    settings.EXPORT_CHUNK_SIZE = 2
    celery_worker_factory(concurrency=2)
    client.force_login(cora)
    response = client.post(reverse("export-new"), {"session": proposal.session.pk, "bureau": bureau_a.pk})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("export-detail", args=[job.pk])
    assert job.total == 5 and job.chunks_total == 3  # the 市科技局 reply is filtered out

    seen = []

    def finished():
        status = client.get(reverse("export-status", args=[job.pk])).json()
        seen.append(status["percent"])
        return status["state"] == "done" and status

    status = wait_for(finished, timeout=180, interval=0.2)
    assert seen == sorted(seen) and seen[-1] == 100  # never went backwards
    job.refresh_from_db()
    assert (job.rendered, job.chunks_done, job.chunks_total) == (5, 3, 3)  # every chunk was recorded
    download = client.get(status["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive, rows = read_zip(b"".join(download.streaming_content))
    pdfs = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert len(pdfs) == 5 and all(archive.read(n).startswith(b"%PDF") for n in pdfs)
    assert rows[0] == ("编号", "标题", "领衔代表", "主办单位", "发文字号", "类别标记", "签发日期", "轮次", "文件名")
    assert [r[0] for r in rows[1:]] == [110, 111, 112, 113, 114]
    first = unrendered_replies[0]
    assert rows[1][4] == first.document_number and rows[1][3] == "慈溪市经济和信息化局" and rows[1][8] in pdfs
    assert rows[1][8] == f"{first.document_number} 对市十八届人大一次会议第110号建议的答复.pdf"


def test_progress_counts_the_replies_each_chunk_finished(client, settings, unrendered_replies, cora, proposal, django_capture_on_commit_callbacks):
    """Workers run the chunks; here they are run one by one and the status read after each."""
    settings.EXPORT_CHUNK_SIZE = 2
    with mock.patch("replies.exports._dispatch"):
        job = exports.export_start(by=cora, session=proposal.session)
    client.force_login(cora)

    def status():
        return client.get(reverse("export-status", args=[job.pk])).json()

    assert (status()["percent"], status()["rendered"], status()["total"]) == (0, 0, 6)
    percents, assembled = [], []
    with mock.patch("replies.tasks.export_assemble.delay") as assemble:
        for index in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                exports.export_render_chunk(job.pk, index)
            percents.append(status()["percent"])
            assembled.append(assemble.call_count)
    assert percents == [32, 63, 95]  # rendering is 95 %, writing the ZIP the rest
    assert assembled == [0, 0, 1] and assemble.call_args.args == (job.pk,)  # the last chunk queues the ZIP
    assert status()["download"] is None
    exports.export_assemble(job.pk)
    done = status()
    assert (done["state"], done["percent"]) == ("done", 100) and done["download"]


def test_only_offices_start_exports_and_only_their_owner_sees_them(client, everyone, unrendered_replies, proposal):
    client.force_login(everyone["alice"])
    assert client.get(reverse("export-new")).status_code == 403
    assert client.post(reverse("export-new"), {"session": proposal.session.pk}).status_code == 403
    client.force_login(everyone["cora"])
    with mock.patch("replies.exports._dispatch"):
        client.post(reverse("export-new"), {"session": proposal.session.pk})
    job = ExportJob.objects.get()
    client.force_login(everyone["sam"])
    assert client.get(reverse("export-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 404


def test_an_export_is_gone_once_its_requester_loses_the_role(client, everyone, unrendered_replies, proposal):
    cora = everyone["cora"]
    client.force_login(cora)
    with mock.patch("replies.exports._dispatch"):
        client.post(reverse("export-new"), {"session": proposal.session.pk})
    job = ExportJob.objects.get()
    assert client.get(reverse("export-detail", args=[job.pk])).status_code == 200
    cora.memberships.all().delete()
    client.force_login(User.objects.get(pk=cora.pk))  # a fresh request computes roles anew
    for name in ("export-detail", "export-status", "export-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_export_needs_a_session(client, everyone):
    client.force_login(everyone["cora"])
    response = client.post(reverse("export-new"), {})
    assert "请选择会议" in response.content.decode() and not ExportJob.objects.exists()


def test_export_replies_command(tmp_path, unrendered_replies):
    out = tmp_path / "18-1.zip"
    call_command("export_replies", "--session", "18-1", "--out", str(out), stdout=io.StringIO())
    archive, rows = read_zip(out.read_bytes())
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 6
    assert len(rows) == 7


def test_export_replies_command_rejects_a_bad_session(tmp_path, unrendered_replies):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="must look like 18-1"):
        call_command("export_replies", "--session", "eighteen", "--out", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="no session 9-9"):
        call_command("export_replies", "--session", "9-9", "--out", str(tmp_path / "x.zip"))
