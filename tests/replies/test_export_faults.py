"""Exports survive a dead worker: progress counts each reply once, a stalled export is sent
again by the sweep or fails with a clear message and a retry button; stale temp files go."""

import datetime
import os
import time
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from replies import exports
from replies.models import ExportJob

from .pdf_helpers import another_proposal, signed_reply


def make_job(settings, media_root, proposal, cora, alice, lily, bureau_a, dora, count=4):
    settings.EXPORT_CHUNK_SIZE = 2
    with mock.patch("replies.pdf._send"):
        signed_reply(proposal, cora, alice, lily, bureau_a)
        for number in range(111, 110 + count):
            signed_reply(another_proposal(proposal.session, dora, number), cora, alice, lily, bureau_a)
    with mock.patch("replies.exports._dispatch"):
        job = exports.export_start(by=cora, session=proposal.session)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING)
    return ExportJob.objects.get(pk=job.pk)


def test_a_chunk_run_twice_counts_its_replies_once(settings, media_root, letters_rendered_once, proposal, cora, alice, lily, bureau_a, dora):
    job = make_job(settings, media_root, proposal, cora, alice, lily, bureau_a, dora)
    with mock.patch("replies.tasks.export_assemble.delay"):
        exports.export_render_chunk(job.pk, 0)
        exports.export_render_chunk(job.pk, 0)  # redelivered after its worker was killed
    job.refresh_from_db()
    assert (job.rendered, job.total, job.chunks_done, job.done_chunks) == (2, 4, 1, [0])


def test_the_sweep_sends_a_stalled_exports_missing_chunks_again(settings, media_root, letters_rendered_once, proposal, cora, alice, lily, bureau_a, dora, django_capture_on_commit_callbacks):
    job = make_job(settings, media_root, proposal, cora, alice, lily, bureau_a, dora)
    with mock.patch("replies.tasks.export_assemble.delay"):
        exports.export_render_chunk(job.pk, 0)  # then the worker dies holding chunk 1
    later = timezone.now() + datetime.timedelta(seconds=settings.PDF_LEASE_SECONDS + 1)
    with mock.patch("replies.tasks.export_render_chunk.delay") as send:
        assert exports.export_sweep(now=later) == 1
    assert send.call_args.args == (job.pk, 1)
    with mock.patch("replies.tasks.export_render_chunk.delay") as send:  # a live export is left alone
        assert exports.export_sweep() == 0
    with mock.patch("replies.tasks.export_assemble.delay") as assemble, django_capture_on_commit_callbacks(execute=True):
        exports.export_render_chunk(job.pk, 1)
    job.refresh_from_db()
    assert job.chunks_done == 2 and job.rendered == 4
    assert assemble.call_args.args == (job.pk,)  # the last chunk queues the ZIP


def test_an_export_that_keeps_stalling_fails_clearly_and_can_be_retried(client, settings, media_root, proposal, cora, alice, lily, bureau_a, dora):
    job = make_job(settings, media_root, proposal, cora, alice, lily, bureau_a, dora)
    with mock.patch("replies.tasks.export_render_chunk.delay"):
        for step in range(exports.MAX_REDISPATCHES + 1):
            later = timezone.now() + datetime.timedelta(seconds=(step + 1) * (settings.PDF_LEASE_SECONDS + 1))
            exports.export_sweep(now=later)
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED and "多次中断" in job.error
    client.force_login(cora)
    page = client.get(reverse("export-detail", args=[job.pk])).content.decode()
    assert "多次中断" in page and "重新导出" in page
    with mock.patch("replies.exports._dispatch"):
        response = client.post(reverse("export-retry", args=[job.pk]))
    new = ExportJob.objects.exclude(pk=job.pk).get()
    assert response.url == reverse("export-detail", args=[new.pk]) and new.total == job.total


def test_stale_temp_files_are_swept(db, settings, media_root):
    folder = media_root / "exports"
    folder.mkdir(parents=True)
    stale, fresh, kept = folder / ".tmp-abc.zip", folder / ".tmp-new.zip", folder / "export-1.zip"
    for path in (stale, fresh, kept):
        path.write_bytes(b"x")
    hour_ago = time.time() - exports.TEMP_MAX_AGE_SECONDS - 10
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(kept, (hour_ago, hour_ago))
    exports.export_sweep()
    assert not stale.exists() and fresh.exists() and kept.exists()
