"""Bulk export: one ZIP with every matching signed reply's PDF and an index.xlsx.

The job is split into chunks of replies; each chunk is a task that renders the PDFs its replies
still lack, so two workers finish about twice as fast as one. The chunk that finishes last (seen
under a row lock) queues the task that writes the ZIP. Progress is the count of replies done.
"""

import datetime
import io
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.spreadsheets import append_rows
from proposals.filters import ProposalFilter
from proposals.models import Proposal, Session

from . import pdf
from .files import atomic_file, media_path
from .models import ExportJob, LetterPdf, Reply

INDEX_COLUMNS = ["编号", "标题", "领衔代表", "主办单位", "发文字号", "类别标记", "签发日期", "轮次", "文件名"]


def matching_replies(*, user, session: Session, query: str):
    """Signed replies in the session whose proposals pass the list's filters, as ``user`` sees them."""
    proposals = Proposal.objects.visible_to(user).filter(session=session) if user else Proposal.objects.filter(session=session)
    params = QueryDict(query or "", mutable=True)
    params.pop("session", None)
    params.pop("page", None)
    proposals = ProposalFilter(params, queryset=proposals, user=user).qs
    replies = Reply.objects.visible_to(user) if user else Reply.objects.all()
    return (
        replies.signed()
        .filter(assignment__proposal__in=proposals)
        .order_by("assignment__proposal__number", "assignment_id", "round")
    )


DUPLICATE_SECONDS = 30


def export_start(*, by, session: Session, query: str = "") -> ExportJob:
    """Queue an export. The same request again while the first is still queued or running (a
    double-submitted form) gets that first job, not a second one."""
    recent = timezone.now() - datetime.timedelta(seconds=DUPLICATE_SECONDS)
    same = ExportJob.objects.filter(
        requested_by=by, session=session, query=query[:1000], created_at__gte=recent,
        state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING],
    ).first()
    if same:
        return same
    ids = list(matching_replies(user=by, session=session, query=query).values_list("pk", flat=True))
    size = settings.EXPORT_CHUNK_SIZE
    count = -(-len(ids) // size)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=by, session=session, query=query[:1000], reply_ids=ids, total=len(ids),
            chunks_total=count, chunk_size=size, heartbeat_at=timezone.now(),
        )
        transaction.on_commit(lambda: _dispatch(job.pk, list(range(count))))
    return job


def chunk_ids(job: ExportJob, index: int) -> list[int]:
    return job.reply_ids[index * job.chunk_size : (index + 1) * job.chunk_size]


def _dispatch(export_id: int, indexes: list[int]) -> None:
    from .tasks import export_assemble, export_render_chunk

    ExportJob.objects.filter(pk=export_id).update(state=ExportJob.State.RUNNING)
    if not indexes:
        export_assemble.delay(export_id)
    for index in indexes:
        export_render_chunk.delay(export_id, index)


def _ensure_pdf(reply: Reply, *, wait_seconds: float = 120) -> None:
    """Make sure the reply has a rendered PDF, rendering it here if nobody else is."""
    if pdf.downloadable_pdf(reply):
        return
    job = reply.pdfs.exclude(state=LetterPdf.State.FAILED).order_by("-generation").first()
    if job is None:
        with transaction.atomic():
            job = pdf.pdf_queue(reply=reply, send=False)
    if pdf.pdf_render(job.pk) is not None:
        return
    # Another worker holds it: wait for it rather than render the same letter twice.
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state == LetterPdf.State.DONE:
            return
        if job.state == LetterPdf.State.FAILED:
            raise RuntimeError(job.error)
        if pdf.pdf_render(job.pk) is not None:  # its lease ran out
            return
        time.sleep(0.2)
    raise TimeoutError(_("等待答复 %(id)s 的 PDF 超时") % {"id": reply.pk})


def _progress(job_id: int, reply_ids: list[int]) -> None:
    """Record how many of the job's replies have a PDF now: each counts once, however often a
    chunk is run again, and the time shows the sweep that a worker is alive."""
    done = LetterPdf.objects.filter(reply_id__in=reply_ids, state=LetterPdf.State.DONE).values("reply").distinct()
    ExportJob.objects.filter(pk=job_id).update(rendered=done.count(), heartbeat_at=timezone.now())


def export_render_chunk(export_id: int, index: int) -> None:
    job = ExportJob.objects.get(pk=export_id)
    if job.state in (ExportJob.State.DONE, ExportJob.State.FAILED) or index in job.done_chunks:
        return  # a duplicate delivery, or a chunk the sweep sent again that had finished
    replies = Reply.objects.filter(pk__in=chunk_ids(job, index)).select_related("bureau", "signer")
    try:
        for reply in replies:
            _ensure_pdf(reply)
            _progress(export_id, job.reply_ids)
    except DatabaseError:
        raise  # the database is gone: the task retries the chunk (and the sweep, if that fails)
    except Exception as error:
        ExportJob.objects.filter(pk=export_id).update(
            state=ExportJob.State.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
    _chunk_finished(export_id, index)


def _chunk_finished(export_id: int, index: int) -> None:
    from .tasks import export_assemble

    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=export_id)
        if index in job.done_chunks:
            return
        job.done_chunks = sorted([*job.done_chunks, index])
        job.chunks_done = len(job.done_chunks)
        job.save(update_fields=["done_chunks", "chunks_done"])
        if job.chunks_done == job.chunks_total and job.state != ExportJob.State.FAILED:
            transaction.on_commit(lambda: export_assemble.delay(export_id))


MAX_REDISPATCHES = 3
TEMP_MAX_AGE_SECONDS = 3600


def export_sweep(*, now=None) -> int:
    """Send again the chunks of exports whose workers went quiet for longer than the lease
    (a worker died: its message would otherwise wait for the broker's hour-long visibility
    timeout), fail an export that keeps stalling, and remove half-written temp files. Returns
    how many chunks were sent again."""
    from .tasks import export_assemble, export_render_chunk

    now = now or timezone.now()
    quiet = now - datetime.timedelta(seconds=settings.PDF_LEASE_SECONDS)
    sent = 0
    for job in ExportJob.objects.filter(state=ExportJob.State.RUNNING, heartbeat_at__lt=quiet):
        missing = [i for i in range(job.chunks_total) if i not in job.done_chunks]
        if job.redispatches >= MAX_REDISPATCHES:
            ExportJob.objects.filter(pk=job.pk).update(
                state=ExportJob.State.FAILED, finished_at=now,
                error=_("导出中断：处理导出的后台进程多次中断，请重试。"),
            )
            continue
        ExportJob.objects.filter(pk=job.pk).update(redispatches=F("redispatches") + 1, heartbeat_at=now)
        for index in missing:
            export_render_chunk.delay(job.pk, index)
            sent += 1
        if not missing:  # every chunk was done but the ZIP never came
            export_assemble.delay(job.pk)
    _sweep_temp_files(now)
    return sent


def _sweep_temp_files(now) -> None:
    for folder in ("exports", "letters"):
        root = media_path(folder)
        if not root.exists():
            continue
        for temp in root.rglob(".tmp-*"):
            if now.timestamp() - temp.stat().st_mtime > TEMP_MAX_AGE_SECONDS:
                temp.unlink(missing_ok=True)


def export_retry(*, job: ExportJob, by) -> ExportJob:
    """A failed export, asked for again with the same session and filters."""
    return export_start(by=by, session=job.session, query=job.query)


def _index_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "答复目录"
    append_rows(sheet, [INDEX_COLUMNS, *rows])
    for i, width in enumerate([8, 48, 10, 18, 22, 8, 12, 6, 60], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 2
    while candidate in used:
        candidate = f"{stem}（{n}）{dot}{ext}"
        n += 1
    used.add(candidate)
    return candidate


def export_assemble(export_id: int) -> ExportJob:
    job = ExportJob.objects.get(pk=export_id)
    if job.state in (ExportJob.State.DONE, ExportJob.State.FAILED):
        return job
    replies = Reply.objects.filter(pk__in=job.reply_ids).select_related(
        "assignment__proposal__session", "assignment__proposal__lead_deputy", "bureau"
    ).order_by("assignment__proposal__number", "assignment_id", "round")
    relative = f"exports/export-{job.pk}.zip"
    rows, used = [], set()
    try:
        with atomic_file(relative) as temp, zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_STORED) as archive:
            for reply in replies:
                stored = pdf.downloadable_pdf(reply)
                if stored is None:
                    raise RuntimeError(_("答复 %(n)s 没有已生成的 PDF") % {"n": reply.document_number})
                name = _unique(pdf.letter_filename(reply), used)
                archive.write(pdf.file_of(stored), name)
                proposal = reply.assignment.proposal
                rows.append([
                    proposal.number, proposal.title, proposal.lead_deputy.name, reply.bureau.name,
                    reply.document_number, reply.category_mark, reply.signed_on, reply.round, name,
                ])
            archive.writestr("index.xlsx", _index_xlsx(rows))
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
        raise
    target = media_path(relative)
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.DONE, file_path=relative, size=target.stat().st_size,
        rendered=job.total, finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def export_run_here(*, by, session: Session, query: str = "", progress=None) -> ExportJob:
    """The same export, built in this process (the shell command)."""
    ids = list(matching_replies(user=by, session=session, query=query).values_list("pk", flat=True))
    job = ExportJob.objects.create(
        requested_by=by, session=session, query=query, reply_ids=ids, total=len(ids),
        chunks_total=1, state=ExportJob.State.RUNNING,
    )
    for done, reply in enumerate(Reply.objects.filter(pk__in=ids), start=1):
        _ensure_pdf(reply)
        if progress:
            progress(done, len(ids))
    ExportJob.objects.filter(pk=job.pk).update(rendered=len(ids), chunks_done=1, done_chunks=[0])
    return export_assemble(job.pk)


def export_path(job: ExportJob) -> Path:
    return media_path(job.file_path)
