"""Celery tasks: thin wrappers around replies.pdf and replies.exports."""

import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.db import DatabaseError

from . import exports, pdf

log = logging.getLogger(__name__)

MAX_RETRIES = 5


def _backoff(task, error) -> int:
    """Seconds before the next try: 2, 4, 8 … s; 10, 20, 40 … s while the database is away
    (a restart takes a while), so the retries outlast an outage of a few minutes."""
    base = 10 if isinstance(error, DatabaseError) else 2
    return base * 2 ** task.request.retries


@worker_process_init.connect
def load_letter_tools(**_kwargs):
    """Each worker process reads the letter fonts and loads the title segmenter as it starts
    (about a second), so the first letter it renders does not wait for them."""
    from .letter import fonts, words

    try:
        fonts.font_stylesheet()
        words.tokenizer()
    except Exception:  # the first render loads them instead
        log.warning("could not load the letter fonts at worker start", exc_info=True)


# Celery's Django fix-up closes broken database connections before and after every task, so each
# retry starts on a fresh connection.


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def render_reply_pdf(self, job_id: int):
    try:
        job = pdf.pdf_render(job_id)
    except pdf.ExpectedRenderError as error:
        pdf.pdf_release(job_id, str(error), final=True)
        return "failed"
    except Exception as error:  # unexpected, or the database is gone: retry with backoff
        final = self.request.retries >= MAX_RETRIES
        try:
            pdf.pdf_release(job_id, f"{type(error).__name__}: {error}", final=final)
        except DatabaseError:  # the job stays as it was; this retry (or else the sweep) takes it again
            log.warning("PDF job %s: database unavailable, retrying", job_id)
        if final:
            raise
        raise self.retry(exc=error, countdown=_backoff(self, error)) from error
    return "done" if job else "skipped"


@shared_task
def sweep_pdf_jobs():
    return pdf.pdf_sweep()


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def export_render_chunk(self, export_id: int, index: int):
    try:
        exports.export_render_chunk(export_id, index)
    except DatabaseError as error:  # the sweep re-sends the chunk if every retry fails
        raise self.retry(exc=error, countdown=_backoff(self, error)) from error


@shared_task
def sweep_exports():
    return exports.export_sweep()


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def export_assemble(self, export_id: int):
    try:
        exports.export_assemble(export_id)
    except DatabaseError as error:
        raise self.retry(exc=error, countdown=_backoff(self, error)) from error


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def refresh_stats(self, key: str, lock: str | None = None):
    """Count one statistics snapshot again (``key``: a session's pk or "all"), then free the
    page's ``lock`` (the cache key that stops a second request while this one is queued)."""
    from . import stats_snapshots

    try:
        session = stats_snapshots.session_of(key)
        if session is not None or key == stats_snapshots.StatsSnapshot.ALL:
            stats_snapshots.refresh(session)
    except DatabaseError as error:
        raise self.retry(exc=error, countdown=_backoff(self, error)) from error
    finally:
        stats_snapshots.release(key, lock)  # a page may ask again (a retry is already on its way)
    return key


@shared_task
def refresh_stale_stats():
    from . import stats_snapshots

    return stats_snapshots.refresh_stale()
