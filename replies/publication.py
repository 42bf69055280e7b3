"""Public release (主动公开) of sent replies: which contact details come out of the public text,
the congress office's release service, the public letter, and the reads behind the public pages.

The public text is the reply's body with every removal replaced by ``PLACEHOLDER``: the contact
note (联系人/联系电话), phone and mobile numbers, ID numbers, e-mail addresses, the reply's own
contact name and phone wherever they occur, and any text the releaser marks. The releaser sees
exactly these removals (``reply_redaction``) before confirming; the service computes them again
from the locked row, so what is stored is what was shown.
"""

import dataclasses
import functools
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditRecord
from accounts.roles import roles_of
from proposals.errors import WorkflowError
from proposals.events import event_record
from proposals.models import Event
from proposals.numerals import chinese_date

from .letter import LetterData, RenderedPdf, render_letter_pdf
from .models import Reply
from .pdf import reply_letter

# What the public reads where something was removed. Stored in the public text itself, so it is
# the document's language (Chinese), not the interface's.
PLACEHOLDER = "（已删除）"


class Removal(models.TextChoices):
    """Why a piece of text is removed, as the releaser's preview labels it."""

    CONTACT_NOTE = "contact_note", gettext_lazy("联系人信息")
    PHONE = "phone", gettext_lazy("电话号码")
    MOBILE = "mobile", gettext_lazy("手机号码")
    ID_NUMBER = "id_number", gettext_lazy("身份证号码")
    EMAIL = "email", gettext_lazy("电子邮箱")
    CONTACT = "contact", gettext_lazy("联系人或联系电话")
    MARKED = "marked", gettext_lazy("另行标记")


# --- finding contact details ------------------------------------------------------------------

# Full-width digits, letters and punctuation as ASCII, one character for one, so the patterns
# below stay ASCII and a match's position is the same in the original text.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20, 0x2014: 0x2D, 0x2013: 0x2D}

_NUM_BEFORE = r"(?<![0-9])"
_NUM_AFTER = r"(?![0-9])"
# 13500000000元 is money and 23456789次 a count, not phones.
_NOT_AMOUNT = r"(?!\s*(?:元|万|亿|%|次|个|人|户|件|台|家|吨|亩|平方))"
_SEP = r"[ \u00a0-]"  # what people put between groups of digits
_LOCAL = rf"[2-9][0-9]{{2,3}}{_SEP}?[0-9]{{4}}"  # a local number: 7 or 8 digits
_AREA = rf"(?:\({_SEP}*0[0-9]{{2,3}}{_SEP}*\)|0[0-9]{{2,3}})"  # 0574, (0574)
_EXTENSION = rf"(?:{_SEP}?(?:转|分机|-){_SEP}?[0-9]{{1,6}})?"
_PHONE_WORDS = r"(?:电话|热线|座机|传真|手机|拨打|致电|来电|联系方式|tel|phone)"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"

# (why, pattern); a pattern with a group named "x" removes only that group.
PATTERNS: list[tuple[Removal, re.Pattern]] = [
    # （联系人：陈承办；联系电话：0574-63000000） anywhere, and a line that starts like it.
    (Removal.CONTACT_NOTE, re.compile(r"\(\s*(?:联系人|联系电话|联系方式)\s*:[^()\n]*\)")),
    (
        Removal.CONTACT_NOTE,
        re.compile(
            r"^[ \t]*(?P<x>\(?\s*(?:附注\s*:?\s*)?(?:联系人|联系电话|联系方式)\s*:[^\n]*?)[ \t\r]*$",
            re.MULTILINE,
        ),
    ),
    (
        Removal.EMAIL,
        re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    ),
    # 18 digits (the last may be X) or the old 15, with a plausible birth date inside.
    (
        Removal.ID_NUMBER,
        re.compile(
            rf"(?<![0-9A-Za-z])[1-9][0-9]{{5}}{_SEP}?(?:18|19|20)[0-9]{{2}}{_DATE}{_SEP}?[0-9]{{3}}[0-9Xx]"
            r"(?![0-9A-Za-z])"
        ),
    ),
    (
        Removal.ID_NUMBER,
        re.compile(rf"(?<![0-9A-Za-z])[1-9][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}}(?![0-9A-Za-z])"),
    ),
    # 13812345678, 138 1234 5678, 138-1234-5678, +86 138…, (+86)138…
    (
        Removal.MOBILE,
        re.compile(
            rf"{_NUM_BEFORE}(?:(?:\+|00)86{_SEP}?|\(\+?86\){_SEP}?)?1[3-9][0-9](?:{_SEP}?[0-9]){{8}}"
            rf"{_NUM_AFTER}{_NOT_AMOUNT}"
        ),
    ),
    # 0574-63000000, 0574－6300 0000, (0574)63000000, 0574 63000000 转 8001
    (Removal.PHONE, re.compile(rf"{_NUM_BEFORE}{_AREA}{_SEP}*{_LOCAL}{_EXTENSION}{_NUM_AFTER}")),
    # A bare local number only where the text says it is one: 电话：63000000、63000001
    (
        Removal.PHONE,
        re.compile(
            rf"{_PHONE_WORDS}[^0-9\n。;,]{{0,6}}?"
            rf"(?P<x>{_NUM_BEFORE}{_LOCAL}(?:{_SEP}*[、,/或和]{_SEP}*{_LOCAL})*){_NUM_AFTER}{_NOT_AMOUNT}",
            re.IGNORECASE,
        ),
    ),
]


@dataclasses.dataclass(frozen=True)
class Cut:
    """One stretch of the original text that the public text leaves out."""

    start: int
    end: int
    text: str
    reasons: tuple[Removal, ...]

    @property
    def label(self) -> str:
        """What the preview calls it: the first of its reasons in ``Removal``'s order (a note
        line that holds a phone number is a note line)."""
        return str(min(self.reasons, key=list(Removal).index).label)


@dataclasses.dataclass(frozen=True)
class Segment:
    """A piece of the preview: kept text, or a cut (``cut`` set)."""

    text: str
    cut: Cut | None = None


def marked_lines(text: str) -> tuple[str, ...]:
    """The releaser's extra removals: one a line, stripped, blank lines and repeats dropped."""
    lines = (line.strip(" \t\r\u3000") for line in (text or "").split("\n"))
    return tuple(dict.fromkeys(line for line in lines if line))


def find_cuts(
    text: str, *, contact_name: str = "", contact_phone: str = "", marked: Iterable[str] = ()
) -> list[Cut]:
    """Every stretch of ``text`` to remove, in order; overlapping or touching stretches are one."""
    normal = text.translate(_HALF_WIDTH)
    found: list[tuple[int, int, Removal]] = []
    for reason, pattern in PATTERNS:
        for match in pattern.finditer(normal):
            group = "x" if "x" in pattern.groupindex else 0
            found.append((match.start(group), match.end(group), reason))

    def exact(needle: str, reason: Removal, haystack: str) -> None:
        if not needle:
            return
        start = haystack.find(needle)
        while start != -1:
            found.append((start, start + len(needle), reason))
            start = haystack.find(needle, start + len(needle))

    for value in (contact_name.strip(), contact_phone.strip()):
        if len(value) >= 2:  # a one-character name would cut that character everywhere
            exact(value.translate(_HALF_WIDTH), Removal.CONTACT, normal)
    for line in marked:
        exact(line, Removal.MARKED, text)

    cuts: list[Cut] = []
    for start, end, reason in sorted(found):
        if start >= end:
            continue
        if cuts and start <= cuts[-1].end:
            last = cuts[-1]
            end = max(end, last.end)
            reasons = last.reasons if reason in last.reasons else (*last.reasons, reason)
            cuts[-1] = Cut(last.start, end, text[last.start : end], reasons)
        else:
            cuts.append(Cut(start, end, text[start:end], (reason,)))
    return cuts


def redact(text: str, cuts: list[Cut]) -> str:
    return "".join(s.text if s.cut is None else PLACEHOLDER for s in segments(text, cuts))


def segments(text: str, cuts: list[Cut]) -> list[Segment]:
    result, position = [], 0
    for cut in cuts:
        if cut.start > position:
            result.append(Segment(text[position : cut.start]))
        result.append(Segment(cut.text, cut))
        position = cut.end
    if position < len(text):
        result.append(Segment(text[position:]))
    return result


@dataclasses.dataclass(frozen=True)
class Redaction:
    """What releasing a reply would publish: the cuts, the public text, and any marked text
    that does not occur in the body (the release is refused while there is one)."""

    cuts: tuple[Cut, ...]
    segments: tuple[Segment, ...]
    public_body: str
    missing: tuple[str, ...]


def reply_redaction(reply: Reply, marked: Iterable[str] = ()) -> Redaction:
    body = reply.body
    marked = tuple(marked)
    missing = tuple(line for line in marked if line not in body)
    cuts = find_cuts(
        body,
        contact_name=reply.contact_name,
        contact_phone=reply.contact_phone,
        marked=[line for line in marked if line not in missing],
    )
    return Redaction(tuple(cuts), tuple(segments(body, cuts)), redact(body, cuts), missing)


def missing_message(missing: Iterable[str]) -> str:
    return _("以下文字在答复正文中找不到：%(items)s。") % {
        "items": "、".join(f"「{line}」" for line in missing)
    }


# --- the release ------------------------------------------------------------------------------


def release_refusal(reply: Reply) -> str:
    """Why the reply cannot be released now ("" when it can)."""
    if reply.is_released:
        released_on = timezone.localdate(reply.released_at)
        return _("此答复已于%(date)s公开，不能重复公开。") % {"date": chinese_date(released_on)}
    if reply.disclosure != Reply.Disclosure.PUBLIC:
        return _("此答复的公开属性为「%(disclosure)s」，只有「主动公开」的答复可以公开。") % {
            "disclosure": reply.get_disclosure_display()
        }
    if not reply.is_sent:
        return _("答复尚未送达代表，不能公开。")
    return ""


def reply_release(*, reply: Reply, by, extra_removals: Iterable[str] = ()) -> Reply:
    """Release a sent 主动公开 reply (congress office only): store the public text with contact
    details and ``extra_removals`` (exact strings of the body) replaced, and write the event."""
    if isinstance(extra_removals, str):  # a string would be read as one removal per character
        raise TypeError("extra_removals is a list of strings, not a string")
    if not roles_of(by).manages_proposals:
        raise PermissionDenied(_("只有人大代表工委可以公开答复。"))
    with transaction.atomic():
        locked = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("assignment__proposal")
            .get(pk=reply.pk)
        )
        refusal = release_refusal(locked)
        if refusal:
            raise WorkflowError(refusal)
        redaction = reply_redaction(locked, marked_lines("\n".join(extra_removals)))
        if redaction.missing:
            raise WorkflowError(missing_message(redaction.missing))
        # Sealed after signing: releasing is not an edit of the letter.
        Reply.objects.filter(pk=locked.pk).update(
            released_at=timezone.now(), released_by=by, public_body=redaction.public_body
        )
        count = len(redaction.cuts)
        # The note never names what was removed: deputies and the public read this event.
        note = (
            _("公开文本删除联系方式等 %(n)s 处。") % {"n": count}
            if count
            else _("公开文本与答复正文相同。")
        )
        event_record(
            proposal=locked.assignment.proposal,
            assignment=locked.assignment,
            by=by,
            action=Event.Action.RELEASE,
            note=note,
        )
        audit_record(action=AuditRecord.Action.RELEASE, user=by, obj=locked, detail=note)
    locked.refresh_from_db()
    return locked


# --- the public letter ------------------------------------------------------------------------


def public_letter(reply: Reply) -> LetterData:
    """The official letter as released: the public text and no contact note line."""
    if not reply.is_released:
        raise ValueError("only released replies have a public letter")
    return dataclasses.replace(
        reply_letter(reply), body=reply.public_body, contact_name="", contact_phone=""
    )


@functools.lru_cache(maxsize=32)
def _render(letter: LetterData) -> RenderedPdf:
    # A letter is a pure function of its (frozen, hashable) data, and released text never
    # changes: repeated downloads of a popular reply render once per process.
    return render_letter_pdf(letter)


def public_pdf(reply: Reply) -> RenderedPdf:
    return _render(public_letter(reply))


# --- reads ------------------------------------------------------------------------------------

_PUBLIC_RELATED = (
    "assignment__proposal__session",
    "assignment__proposal__lead_deputy",
    "bureau",
)


def public_replies():
    """What the public pages list: released replies, newest release first. The original body
    is never loaded, so no template can show it by mistake."""
    return (
        Reply.objects.released()
        .select_related(*_PUBLIC_RELATED)
        .defer("body", "contact_name", "contact_phone")
        .order_by("-released_at", "-pk")
    )


def public_reply_get(pk) -> Reply:
    """A released reply with what its page and PDF need, or 404."""
    return get_object_or_404(
        Reply.objects.released().select_related(*_PUBLIC_RELATED, "signer").prefetch_related("cc"),
        pk=pk,
    )


def release_queue(user):
    """Sent 主动公开 replies awaiting release, the earliest due first."""
    return (
        Reply.objects.visible_to(user)
        .sent()
        .filter(disclosure=Reply.Disclosure.PUBLIC, released_at__isnull=True)
        .select_related(*_PUBLIC_RELATED)
        .defer("body", "public_body")
        .order_by("release_due_on", "sent_at", "pk")
    )
