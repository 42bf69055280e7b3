"""Official-letter PDFs of signed replies: queueing, claiming, rendering, storing.

Signing queues a ``LetterPdf`` job inside the signing transaction and sends the task only after
commit. A worker claims the job with a conditional update (state queued, or rendering with an
expired lease, as left by a killed worker), renders, writes the file atomically under a path keyed
by reply and generation, and records its SHA-256, page count and size. If the broker is down the
job stays queued and the periodic sweep sends it again.
"""

import dataclasses
import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from .files import media_path, write_atomically
from .letter import CcRecipient, LetterData, RenderedPdf, missing_roles, render_letter_pdf
from .models import CoHandlingOpinion, LetterPdf, Reply

log = logging.getLogger(__name__)

DISCLOSURE_NOTES = {
    Reply.Disclosure.PUBLIC: "此件主动公开",
    Reply.Disclosure.ON_REQUEST: "此件依申请公开",
    Reply.Disclosure.NOT_PUBLIC: "此件不予公开",
}


class ExpectedRenderError(Exception):
    """A failure retrying cannot fix (e.g. no CJK font for a role): the job fails at once."""


# --- what the letter says ---------------------------------------------------------------------


def reply_letter(reply: Reply) -> LetterData:
    """The letter of a reply: as fixed at signing, or for a draft from its current fields."""
    if reply.letter:
        return letter_from_snapshot(reply.letter)
    return live_reply_letter(reply)


def live_reply_letter(reply: Reply) -> LetterData:
    """The letter from the reply's fields and what they point at (header, body, closing, note, cc)."""
    bureau = reply.bureau
    return LetterData(
        kind="reply",
        title=reply.title,
        salutation=reply.salutation,
        body=reply.body,
        signing_bureau=bureau.name,
        date=reply.signed_on,
        category_mark=reply.category_mark,
        authority_mark=f"{bureau.name}文件" if reply.document_number else "",
        document_number=reply.document_number,
        signer=reply.signer.display_name if reply.signer else "",
        contact_name=reply.contact_name,
        contact_phone=reply.contact_phone,
        disclosure_note=DISCLOSURE_NOTES.get(reply.disclosure, ""),
        cc=tuple(CcRecipient(c.name, c.is_person) for c in reply.cc.all()),
    )


def letter_snapshot(letter: LetterData) -> dict:
    """The letter as JSON, to be stored with the signed reply."""
    data = dataclasses.asdict(letter)
    data["date"] = letter.date.isoformat() if letter.date else None
    return data


def letter_from_snapshot(data: dict) -> LetterData:
    fields = dict(data)
    fields["date"] = datetime.date.fromisoformat(fields["date"]) if fields.get("date") else None
    fields["cc"] = cc_from_snapshot(fields.get("cc", ()))
    return LetterData(**fields)


def cc_from_snapshot(recipients) -> tuple[CcRecipient, ...]:
    """A snapshot's cc line (``letter["cc"]``) as the letter prints it."""
    return tuple(CcRecipient(**recipient) for recipient in recipients)


# An opinion goes to the lead bureau and is never released by the app (only replies are): a
# numbered one says so in its note, as a reply does (GB/T 9704 7.3.6). The model has no field
# to choose otherwise yet.
OPINION_DISCLOSURE = Reply.Disclosure.NOT_PUBLIC


def opinion_letter(opinion: CoHandlingOpinion) -> LetterData:
    """The letter of an opinion; one with its own document number is a full official document:
    the bureau's authority mark, the number and signer under it, and its disclosure note."""
    bureau = opinion.assignment.bureau
    numbered = bool(opinion.document_number)
    return LetterData(
        kind="opinion",
        title=opinion.title,
        salutation=opinion.salutation,
        body=opinion.body,
        signing_bureau=bureau.name,
        date=opinion.signed_on,
        authority_mark=f"{bureau.name}文件" if numbered else "",
        document_number=opinion.document_number,
        signer=opinion.signer.display_name if numbered and opinion.signer else "",
        contact_name=opinion.contact_name,
        contact_phone=opinion.contact_phone,
        disclosure_note=DISCLOSURE_NOTES[OPINION_DISCLOSURE] if numbered else "",
    )


def letter_filename(reply: Reply) -> str:
    """慈经信建〔2022〕3号 对市十八届人大一次会议第110号建议的答复.pdf"""
    name = f"{reply.document_number} {reply.title}" if reply.document_number else reply.title
    if reply.round > 1:
        name += f"（第{reply.round}轮）"
    return f"{name}.pdf"


# --- queueing ---------------------------------------------------------------------------------


def pdf_queue(*, reply: Reply, by=None, send: bool = True) -> LetterPdf:
    """Create the next generation's job now; send the task once the transaction commits
    (``send=False``: the caller renders it itself)."""
    if not reply.is_signed:
        raise ValueError("only signed replies have official PDFs")
    # Two requests at once (a double-clicked re-render) queue one after the other, never
    # colliding on the generation number.
    Reply.objects.select_for_update().filter(pk=reply.pk).exists()
    generation = (reply.pdfs.aggregate(n=Max("generation"))["n"] or 0) + 1
    job = LetterPdf.objects.create(reply=reply, generation=generation, requested_by=by)
    if send:
        transaction.on_commit(lambda: _send(job.pk))
    return job


def _send(job_id: int) -> None:
    from .tasks import render_reply_pdf

    try:
        render_reply_pdf.delay(job_id)
    except Exception:  # broker down: the sweep sends it again later
        log.warning("could not queue PDF job %s; the sweep will retry", job_id, exc_info=True)


def current_pdf(reply: Reply) -> LetterPdf | None:
    """The newest generation; the file to download is the newest that is done."""
    return reply.pdfs.order_by("-generation").first()


def downloadable_pdf(reply: Reply) -> LetterPdf | None:
    return reply.pdfs.filter(state=LetterPdf.State.DONE).order_by("-generation").first()


# --- rendering --------------------------------------------------------------------------------


def lease_seconds() -> int:
    return settings.PDF_LEASE_SECONDS


def pdf_claim(job_id: int) -> bool:
    """Take the job if nobody holds it. Returns False if another worker has it or it is done."""
    now = timezone.now()
    claimable = Q(state=LetterPdf.State.QUEUED) | Q(
        state=LetterPdf.State.RENDERING, lease_expires_at__lt=now
    )
    return bool(
        LetterPdf.objects.filter(claimable, pk=job_id).update(
            state=LetterPdf.State.RENDERING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + datetime.timedelta(seconds=lease_seconds()),
        )
    )


def render_reply(reply: Reply) -> RenderedPdf:
    missing = missing_roles()
    if missing:
        raise ExpectedRenderError(f"缺少中文字体：{'、'.join(missing)}")
    return render_letter_pdf(reply_letter(reply))


def pdf_render(job_id: int) -> LetterPdf | None:
    """Render a claimed job. Returns None if the job could not be claimed."""
    if not pdf_claim(job_id):
        return None
    job = LetterPdf.objects.select_related("reply__bureau", "reply__signer").get(pk=job_id)
    reply = Reply.objects.select_related(
        "assignment__proposal__session", "assignment__proposal__lead_deputy", "bureau", "signer"
    ).get(pk=job.reply_id)
    rendered = render_reply(reply)
    relative = f"letters/reply-{reply.pk}/generation-{job.generation}.pdf"
    write_atomically(relative, rendered.content)
    LetterPdf.objects.filter(pk=job.pk).update(
        state=LetterPdf.State.DONE,
        file_path=relative,
        sha256=rendered.sha256,
        page_count=rendered.page_count,
        size=rendered.size,
        error="",
        lease_expires_at=None,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def pdf_release(job_id: int, error: str, *, final: bool) -> None:
    """After a failed attempt: back to the queue for a retry, or failed for good."""
    LetterPdf.objects.filter(pk=job_id, state=LetterPdf.State.RENDERING).update(
        state=LetterPdf.State.FAILED if final else LetterPdf.State.QUEUED,
        error=error[:2000],
        lease_expires_at=None,
        finished_at=timezone.now() if final else None,
    )


def pdf_sweep(*, older_than_seconds: int = 60) -> int:
    """Send again the jobs that are still queued (the broker was down when they were made) and
    those whose worker died while rendering (lease expired). Returns how many were sent."""
    now = timezone.now()
    stale = LetterPdf.objects.filter(
        Q(state=LetterPdf.State.QUEUED, created_at__lt=now - datetime.timedelta(seconds=older_than_seconds))
        | Q(state=LetterPdf.State.RENDERING, lease_expires_at__lt=now)
    ).values_list("pk", flat=True)
    count = 0
    for job_id in stale:
        _send(job_id)
        count += 1
    return count


def file_of(job: LetterPdf) -> Path:
    return media_path(job.file_path)
