"""Celery tasks: thin wrappers around proposals services."""

import logging

from celery import shared_task

from .reminders import reminders_send

log = logging.getLogger(__name__)


@shared_task
def send_reminders():
    return reminders_send()


@shared_task(acks_late=True)
def run_import(job_id: int):
    from .imports.jobs import import_job_fail, import_job_run

    try:
        job = import_job_run(job_id)
    except Exception as error:  # the transaction was rolled back: nothing imported, and the page says so
        log.exception("import job %s failed", job_id)
        import_job_fail(job_id, f"{type(error).__name__}: {error}")
        return "failed"
    return job.state if job else "skipped"
