"""Celery tasks: thin wrappers around replies.pdf and replies.exports."""

import logging

from celery import shared_task

from . import exports, pdf

log = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def render_reply_pdf(self, job_id: int):
    try:
        job = pdf.pdf_render(job_id)
    except pdf.ExpectedRenderError as error:
        pdf.pdf_release(job_id, str(error), final=True)
        return "failed"
    except Exception as error:  # unexpected: retry with exponential backoff (2, 4, 8, … s)
        final = self.request.retries >= MAX_RETRIES
        pdf.pdf_release(job_id, f"{type(error).__name__}: {error}", final=final)
        if final:
            raise
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    return "done" if job else "skipped"


@shared_task
def sweep_pdf_jobs():
    return pdf.pdf_sweep()


@shared_task(acks_late=True)
def export_render_chunk(export_id: int, index: int):
    exports.export_render_chunk(export_id, index)


@shared_task
def sweep_exports():
    return exports.export_sweep()


@shared_task(acks_late=True)
def export_assemble(export_id: int):
    exports.export_assemble(export_id)
