"""A confirmed import runs as a job on a worker, so a file of thousands of rows neither holds a
web request nor times out; the clerk watches its progress and reads the outcome on its page.

The rows are written in one transaction, so its progress is invisible to other connections: the
worker counts the rows it has registered in the cache instead. A job whose worker died leaves
nothing half-written (the transaction is rolled back) and is reported as not imported.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportJob, Session
from . import uploads
from .kinds import KINDS


def _progress_key(job_id: int) -> str:
    return f"{settings.LIMITS_KEY_PREFIX}:import-progress:{job_id}"


def import_job_start(*, by, kind, session: Session | None, token: str, file_name: str, total: int) -> ImportJob:
    """Queue the import of a previewed file (``token`` names it); the worker starts after commit."""
    from ..tasks import run_import

    job = ImportJob.objects.create(
        kind=kind.slug, session=session, requested_by=by, token=token, file_name=file_name[:255], total=total
    )
    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def _claim(job_id: int) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id, state=ImportJob.State.QUEUED).first()
        if job is None:
            return None  # a duplicate delivery, or already run
        job.state, job.started_at = ImportJob.State.RUNNING, timezone.now()
        job.save(update_fields=["state", "started_at"])
    return job


def import_job_run(job_id: int) -> ImportJob | None:
    """Run a queued job: check the file again and import all of it, or nothing."""
    job = _claim(job_id)
    if job is None:
        return None
    path = uploads.staged_path(job.token)
    outcome = {"finished_at": timezone.now()}
    if path is None:
        outcome.update(state=ImportJob.State.FAILED, error=_("上传的文件已过期或已被删除，没有导入任何内容。请重新上传。"))
    else:
        key = _progress_key(job.pk)

        def progress(done, total):
            if done % 25 == 0 or done == total:
                cache.set(key, done, timeout=3600)

        try:
            result = KINDS[job.kind].run(by=job.requested_by, session=job.session, source=path, progress=progress)
        finally:
            uploads.upload_discard(job.token)
            cache.delete(key)
        outcome.update(
            state=ImportJob.State.DONE if result.ok else ImportJob.State.FAILED,
            created=result.created,
            skipped=len(result.skipped),
            problems=[[p.row, p.column, p.message] for p in result.problems],
            finished_at=timezone.now(),
        )
    ImportJob.objects.filter(pk=job.pk).update(**outcome)
    job.refresh_from_db()
    return job


def import_job_fail(job_id: int, error: str) -> None:
    """An unexpected error in the worker: the transaction was rolled back, nothing is imported."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    uploads.upload_discard(job.token)
    ImportJob.objects.filter(pk=job_id, state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]).update(
        state=ImportJob.State.FAILED, finished_at=timezone.now(),
        error=_("导入出错，没有导入任何内容（%(error)s）。请重新上传。") % {"error": error[:300]},
    )


def import_job_status(job: ImportJob) -> dict:
    """What the job page shows: state, rows done of the total, and the percentage."""
    state, label = job.state, job.get_state_display()
    done = job.created if job.is_finished else (cache.get(_progress_key(job.pk)) or 0)
    if job.state == ImportJob.State.RUNNING and job.started_at and timezone.now() - job.started_at > datetime.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + 60
    ):
        state, label = ImportJob.State.FAILED, _("已中断，没有导入任何内容，请重新上传")  # the worker died
    percent = 100 if state == ImportJob.State.DONE else (round(100 * done / job.total) if job.total else 0)
    return {"state": state, "label": label, "done": done, "total": job.total, "percent": min(percent, 100)}
