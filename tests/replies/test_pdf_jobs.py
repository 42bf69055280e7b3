"""Signing queues the official letter; a real Celery worker renders it once."""

import datetime
import hashlib
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from proposals.models import Event
from replies import pdf, workflow
from replies.models import LetterPdf
from tests.conftest import wait_for

from .pdf_helpers import signed_reply


def job_state(job_id):
    return LetterPdf.objects.get(pk=job_id).state


@pytest.mark.worker
def test_a_worker_renders_a_signed_reply_end_to_end(celery_worker_factory, media_root, proposal, cora, alice, lily, bureau_a):
    celery_worker_factory()
    reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    job = reply.pdfs.get()
    wait_for(lambda: job_state(job.pk) == "done", timeout=90)
    job.refresh_from_db()
    content = pdf.file_of(job).read_bytes()
    assert content.startswith(b"%PDF") and job.size == len(content)
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.page_count >= 1 and job.attempts == 1


@pytest.mark.worker
def test_a_job_whose_worker_died_mid_render_is_taken_over_and_yields_one_file(celery_worker_factory, media_root, proposal, cora, alice, lily, bureau_a):
    with mock.patch("replies.pdf._send"):  # signed while no worker listens
        reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    job = reply.pdfs.get()
    # A worker claims the job and dies before it writes anything (as under SIGKILL).
    assert pdf.pdf_claim(job.pk)
    folder = media_root / "letters" / f"reply-{reply.pk}"
    assert job_state(job.pk) == "rendering" and not folder.exists()
    # While its lease holds, nobody else takes it: a duplicate delivery does nothing.
    assert pdf.pdf_render(job.pk) is None and pdf.pdf_sweep(older_than_seconds=0) == 0
    # The lease runs out; the sweep sends the job again and a live worker finishes it.
    LetterPdf.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    celery_worker_factory()
    assert pdf.pdf_sweep(older_than_seconds=0) == 1
    wait_for(lambda: job_state(job.pk) == "done", timeout=90)
    job.refresh_from_db()
    assert job.attempts == 2
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"generation-{job.generation}.pdf"]  # one file, no temp leftovers


@pytest.mark.worker
def test_signing_succeeds_when_the_broker_is_down_and_the_sweep_sends_it_later(celery_worker_factory, media_root, proposal, cora, alice, lily, bureau_a):
    from replies.tasks import render_reply_pdf

    with mock.patch.object(render_reply_pdf, "delay", side_effect=OperationalError("broker down")):
        reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    assert reply.document_number and reply.assignment.state == "signed"
    job = reply.pdfs.get()
    assert job.state == "queued"
    celery_worker_factory()
    assert pdf.pdf_sweep(older_than_seconds=0) == 1
    wait_for(lambda: job_state(job.pk) == "done", timeout=90)


def test_running_a_job_twice_renders_once_and_a_rerender_gives_the_same_hash(db, media_root, proposal, cora, alice, lily, bureau_a, admin_user):
    reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    job = reply.pdfs.get()
    assert pdf.pdf_render(job.pk).state == "done"
    assert pdf.pdf_render(job.pk) is None  # a duplicate delivery finds it done
    again = workflow.reply_pdf_rerender(reply=reply, by=admin_user)
    assert pdf.pdf_render(again.pk).sha256 == LetterPdf.objects.get(pk=job.pk).sha256
    assert again.generation == 2
    assert Event.objects.filter(action="pdf_rerender", actor=admin_user).exists()


def test_expected_failures_fail_at_once_and_admins_see_why(db, client, media_root, proposal, cora, alice, lily, bureau_a, admin_user):
    from replies.tasks import render_reply_pdf

    reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    job = reply.pdfs.get()
    with mock.patch("replies.pdf.missing_roles", return_value=["fang"]):
        render_reply_pdf.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.state == "failed" and "缺少中文字体" in job.error and job.attempts == 1
    client.force_login(admin_user)
    assert "缺少中文字体" in client.get(f"/replies/{reply.pk}/").content.decode()
    client.force_login(alice)
    page = client.get(f"/replies/{reply.pk}/").content.decode()
    assert "生成失败" in page and "缺少中文字体" not in page


def test_unexpected_failures_retry_with_backoff(db, media_root, proposal, cora, alice, lily, bureau_a):
    from replies.tasks import render_reply_pdf

    reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    job = reply.pdfs.get()
    with mock.patch("replies.pdf.render_letter_pdf", side_effect=RuntimeError("disk full")), \
         mock.patch.object(render_reply_pdf, "retry", side_effect=RuntimeError("retry scheduled")) as retry:
        with pytest.raises(RuntimeError, match="retry scheduled"):
            render_reply_pdf.apply(args=[job.pk], throw=True)
    assert retry.call_args.kwargs["countdown"] == 2
    job.refresh_from_db()
    assert job.state == "queued" and "disk full" in job.error  # back in the queue for the retry


def test_a_render_that_loses_the_database_is_retried_by_celery(db, media_root, proposal, cora, alice, lily, bureau_a):
    """The database goes away mid-render and is still away when the task reports the failure:
    Celery retries the task (it does not wait for the sweep), and the retry renders the PDF."""
    from django.db import OperationalError

    from replies import pdf
    from replies.tasks import render_reply_pdf

    reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    job = reply.pdfs.get()
    real_claim, calls = pdf.pdf_claim, []

    def claim_once_broken(job_id):
        calls.append(job_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(job_id)

    with mock.patch("replies.pdf.pdf_claim", side_effect=claim_once_broken), \
         mock.patch("replies.pdf.pdf_release", side_effect=OperationalError("connection refused")):
        result = render_reply_pdf.apply(args=[job.pk], throw=False)
    assert result.successful() and result.result == "done"
    assert len(calls) == 2
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 1
    assert pdf.file_of(job).read_bytes().startswith(b"%PDF")


def test_database_errors_back_off_longer_than_other_errors(db, media_root, proposal, cora, alice, lily, bureau_a):
    from django.db import OperationalError

    from replies.tasks import render_reply_pdf

    reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    job = reply.pdfs.get()
    with mock.patch("replies.pdf.pdf_claim", side_effect=OperationalError("the database system is shutting down")), \
         mock.patch.object(render_reply_pdf, "retry", side_effect=RuntimeError("retry scheduled")) as retry:
        with pytest.raises(RuntimeError, match="retry scheduled"):
            render_reply_pdf.apply(args=[job.pk], throw=True)
    assert retry.call_args.kwargs["countdown"] == 10
