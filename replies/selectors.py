"""Reads that depend on who is asking, beside the access rules (``Reply.objects.visible_to``,
``CoHandlingOpinion.objects.visible_to`` in models.py). Every view, download and export fetches
through these; anything outside the rule is a 404."""

from django.db.models.fields.json import KeyTransform
from django.shortcuts import get_object_or_404

from proposals.models import Assignment, Event, Proposal, mark_visible

from .models import CoHandlingOpinion, Evaluation, ExportJob, Reply, ReplyCc
from .pdf import cc_from_snapshot


def current_reply(assignment: Assignment) -> Reply | None:
    """The newest round: the one being drafted, or the last signed."""
    return assignment.replies.order_by("-round").first()


def is_current_reply(reply: Reply) -> bool:
    """Whether ``reply`` is its assignment's newest round: from ``assignment.newest_round`` when a
    list page annotated it (``replies.deputies``), else one query."""
    newest = getattr(reply.assignment, "newest_round", None)
    if newest is None:
        return current_reply(reply.assignment).pk == reply.pk
    return reply.round == newest


def current_opinion(assignment: Assignment) -> CoHandlingOpinion | None:
    return assignment.opinions.order_by("-round").first()


def reply_get_visible(user, pk, *, signed=False) -> Reply:
    replies = Reply.objects.visible_to(user).select_related(
        "assignment__proposal__session", "assignment__proposal__lead_deputy", "bureau", "signer"
    )
    return get_object_or_404(replies.signed() if signed else replies, pk=pk)


def opinion_get_visible(user, pk) -> CoHandlingOpinion:
    return get_object_or_404(
        CoHandlingOpinion.objects.visible_to(user).select_related(
            "assignment__proposal__session", "assignment__bureau", "signer"
        ),
        pk=pk,
    )


def export_get_for(user, pk) -> ExportJob:
    return get_object_or_404(ExportJob.objects.visible_to(user).select_related("session"), pk=pk)


def export_still_readable(user, job: ExportJob) -> bool:
    """A ZIP holds what its requester could read when it was made: at download the user must
    still be allowed every reply inside (roles and access change)."""
    ids = set(job.reply_ids)
    return Reply.objects.visible_to(user).signed().filter(pk__in=ids).count() == len(ids)


# What the proposal page shows of each document and of the people named on it: not the letters'
# texts and snapshots, nor every column of a user (compiled, sent and read on every view).
_PERSON = ("full_name", "username")  # ``User.display_name``
_REPLY_CARD = (
    "assignment_id", "bureau__short_name", "round", "round_reason", "rehandling", "signed_at", "sent_at",
    "document_number", "signed_on", "category_mark", "disclosure", *(f"signer__{f}" for f in _PERSON),
)
_RATING_SHOWN = (
    "reply_id", "deputy__name", "work", "result", "comment", "source", "scan", "created_at", "corrects_id",
    "correction_reason", *(f"recorded_by__{f}" for f in _PERSON),
)


def proposal_replies(user, proposal: Proposal) -> list[Reply]:
    """The replies shown on the proposal page, newest round first per assignment, each with its
    cc line's recipients (``cc_lines``) and the ratings the user may read (``ratings``), a
    rating marked ``superseded`` when a correction replaced it.

    A signed reply's recipients are those its letter printed (the snapshot's, read as part of
    the reply's row: they cannot change after signing); a draft's are its cc rows. Ratings are
    asked for only when a reply was sent: none exist before."""
    replies = [
        mark_visible(reply, user)  # read through the rule: their ratings need not ask it again
        for reply in Reply.objects.visible_to(user, proposal)
        .filter(assignment__proposal=proposal)
        .select_related("bureau", "signer")
        .only(*_REPLY_CARD)
        .annotate(printed_cc=KeyTransform("cc", "letter"))
        .order_by("assignment_id", "-round")
    ]
    drafts = [reply.pk for reply in replies if reply.printed_cc is None]
    cc = _by_reply(ReplyCc.objects.filter(reply_id__in=drafts).order_by("reply_id", "position")) if drafts else {}
    sent = [reply for reply in replies if reply.is_sent]
    ratings = {}
    if sent:
        ratings = _by_reply(
            Evaluation.objects.visible_to(user, proposal, sent)
            .filter(reply_id__in=[reply.pk for reply in sent])
            .select_related("deputy", "recorded_by")
            .only(*_RATING_SHOWN)
            .order_by("created_at", "id")
        )
    for reply in replies:
        if reply.printed_cc is None:
            reply.cc_lines = cc.get(reply.pk, [])
        else:
            reply.cc_lines = cc_from_snapshot(reply.printed_cc)
        reply.ratings = ratings.get(reply.pk, [])
        # A correction names the rating it replaces and has its reply and deputy
        # (``rating.rating_correct``): whoever reads one reads the other, among these rows.
        corrected = {rating.corrects_id for rating in reply.ratings}
        for rating in reply.ratings:
            rating.superseded = rating.pk in corrected
    return replies


def _by_reply(rows) -> dict[int, list]:
    found = {}
    for row in rows:
        found.setdefault(row.reply_id, []).append(row)
    return found


def proposal_opinions(user, proposal: Proposal, assignments) -> list[CoHandlingOpinion]:
    """The opinions shown on the proposal page. ``assignments``: the proposal's, with their
    bureaus, as the page shows them; each opinion's assignment and the lead bureau its
    salutation names (``lead_short_name``) come from them, not from joins."""
    by_id = {assignment.pk: assignment for assignment in assignments}
    if all(assignment.is_lead for assignment in by_id.values()):
        return []  # opinions are the assisting bureaus'
    leads = [assignment for assignment in by_id.values() if assignment.is_current_lead]
    lead_short_name = min(leads, key=lambda a: a.pk).bureau.short_name if leads else ""
    opinions = list(
        CoHandlingOpinion.objects.visible_to(user, proposal, assignments)
        .only("assignment_id", "body", "title", "signed_on", "sent_at")
        # The model's order ("assignment", "round") would join the proposal and its session to
        # sort by them; on one proposal's page the assignment's id is the same order.
        .order_by("assignment_id", "round")
    )
    for opinion in opinions:
        opinion.assignment = by_id[opinion.assignment_id]
        opinion.lead_short_name = lead_short_name
    return opinions


def last_return(assignment: Assignment) -> Event | None:
    """The leader's latest return of this draft, if it came after the draft was last submitted:
    the reason is shown on the draft itself, not only in the timeline."""
    latest = (
        Event.objects.filter(assignment=assignment, action__in=[Event.Action.SUBMIT, Event.Action.RETURN])
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return latest if latest and latest.action == Event.Action.RETURN else None
