"""Deputies' evaluations (满意度测评) of sent replies, and the re-handling a 不满意 opens.

Only the deputy themself rates online; the congress office may record a rating received on
paper, with the scan; bureau users never rate. A rating is never changed: a correction by the
congress office is a new row naming the one it corrects, with a reason.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Deputy
from accounts.roles import roles_of
from proposals.errors import WorkflowError
from proposals.events import event_record
from proposals.models import Assignment, Event, Proposal, Session, co_signed_ids
from proposals.states import AssignmentState

from .models import Evaluation, Reply, Satisfaction
from .selectors import is_current_reply
from .workflow import reply_rehandle

SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {b"%PDF": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG": "png"}


def raters(proposal: Proposal) -> list[Deputy]:
    """Who rates the replies: the lead deputy, and the co-signers too if the session says so."""
    people = [proposal.lead_deputy]
    if proposal.session.raters == Session.Raters.ALL:
        people += list(proposal.co_signers.all())  # by name (``Deputy.Meta``); prefetched on lists
    return people


def rates(proposal: Proposal, deputy: Deputy) -> bool:
    """Whether ``deputy`` is one of ``raters(proposal)``, from the proposals they co-signed (read
    once per request) rather than from every co-signer of the proposal."""
    if proposal.lead_deputy_id == deputy.pk:
        return True
    return proposal.session.raters == Session.Raters.ALL and proposal.pk in co_signed_ids(deputy.pk)


def rating_closes_on(reply: Reply) -> datetime.date | None:
    if reply.sent_at is None:
        return None
    session = reply.assignment.proposal.session
    return timezone.localdate(reply.sent_at) + datetime.timedelta(days=session.rating_window_days)


def rating_problem(reply: Reply, deputy: Deputy, today: datetime.date | None = None) -> str:
    """Why ``deputy`` may not rate ``reply`` now, or "" if they may.

    A page asking this for many replies prefetches what it reads (``replies.deputies``): the
    assignment's ``newest_round`` and the deputy's own ratings of the reply as ``mine``; without
    them each answer costs its own queries. Whether the deputy rates at all comes from the
    proposals they co-signed (``rates``), read once per request."""
    today = today or timezone.localdate()
    proposal = reply.assignment.proposal
    if not rates(proposal, deputy):
        return _("本次会议的答复由领衔代表测评。")
    if not reply.is_sent:
        return _("答复送达后才能测评。")
    if not is_current_reply(reply) or reply.assignment.state != AssignmentState.REPLIED:
        return _("这份答复已由新的答复取代，请对最新答复测评。")
    if today > rating_closes_on(reply):
        return _("测评期限已于%(day)s截止。") % {"day": rating_closes_on(reply).strftime("%Y-%m-%d")}
    mine = getattr(reply, "mine", None)
    if mine or (mine is None and Evaluation.objects.filter(reply=reply, deputy=deputy).exists()):
        return _("您已测评过这份答复。")
    return ""


def replies_awaiting_rating(deputy: Deputy):
    """The sent replies this deputy may still rate (for 「请测评」 on their page)."""
    candidates = (
        Reply.objects.sent()
        .filter(assignment__state=AssignmentState.REPLIED, assignment__role=Assignment.Role.LEAD)
        .filter(assignment__proposal__in=Proposal.objects.filter(lead_deputy=deputy)
                | Proposal.objects.filter(co_signers=deputy, session__raters=Session.Raters.ALL))
        .exclude(evaluations__deputy=deputy)
        .select_related("assignment__proposal__session", "assignment__proposal__lead_deputy", "bureau")
    )
    return [r for r in candidates if not rating_problem(r, deputy)]


def _clean(work: str, result: str, comment: str) -> str:
    valid = set(Satisfaction.values)
    if work not in valid or result not in valid:
        raise WorkflowError(_("请分别选择对办理工作和办理结果的评价。"))
    comment = (comment or "").strip()
    if Satisfaction.DISSATISFIED in (work, result) and not comment:
        raise WorkflowError(_("选择「不满意」时请写明意见，承办单位将据此重新办理。"))
    return comment


def _locked_reply(reply: Reply) -> Reply:
    Assignment.objects.select_for_update().get(pk=reply.assignment_id)
    return Reply.objects.select_related("assignment__proposal__session", "assignment__bureau").get(pk=reply.pk)


def _record(*, reply, deputy, by, work, result, comment, source, scan=None, corrects=None, reason=""):
    evaluation = Evaluation(
        reply=reply, deputy=deputy, work=work, result=result, comment=comment, source=source,
        recorded_by=by, corrects=corrects, correction_reason=reason,
    )
    if scan is not None:
        evaluation.scan.save(f"reply-{reply.pk}-{deputy.pk}.{_scan_type(scan)}", scan, save=False)
    evaluation.save()
    action = Event.Action.CORRECT_RATING if corrects else Event.Action.RATE
    labels = dict(Satisfaction.choices)
    note = _("办理工作：%(work)s；办理结果：%(result)s") % {"work": labels[work], "result": labels[result]}
    if comment:
        note += "。" + comment
    event_record(proposal=reply.assignment.proposal, assignment=reply.assignment, by=by, action=action, note=note)
    if evaluation.is_dissatisfied and reply.assignment.state == AssignmentState.REPLIED:
        reply_rehandle(assignment=reply.assignment, by=by, note=comment)
    return evaluation


def _scan_type(scan) -> str:
    if scan.size > SCAN_MAX_BYTES:
        raise WorkflowError(_("扫描件不能超过 10 MB。"))
    scan.seek(0)
    head = scan.read(4)
    scan.seek(0)
    for magic, ext in SCAN_TYPES.items():
        if head.startswith(magic):
            return ext
    raise WorkflowError(_("扫描件须为 PDF、JPG 或 PNG 文件。"))


def evaluation_submit(*, reply: Reply, by, work: str, result: str, comment: str = "") -> Evaluation:
    """The deputy rates a sent reply themself; 不满意 on either axis opens re-handling."""
    deputy = Deputy.objects.filter(user=by).first() if by.is_authenticated else None
    if deputy is None:
        raise PermissionDenied(_("只有代表本人可以测评。"))
    return _first_rating(
        reply=reply, deputy=deputy, by=by, work=work, result=result, comment=comment,
        source=Evaluation.Source.ONLINE,
    )


def _first_rating(*, reply, deputy, by, work, result, comment, source, scan=None) -> Evaluation:
    """A deputy's first rating of a reply, if the rules allow it now."""
    comment = _clean(work, result, comment)
    with transaction.atomic():
        reply = _locked_reply(reply)
        problem = rating_problem(reply, deputy)
        if problem:
            raise WorkflowError(problem)
        return _record(
            reply=reply, deputy=deputy, by=by, work=work, result=result, comment=comment,
            source=source, scan=scan,
        )


def evaluation_record_paper(
    *, reply: Reply, deputy: Deputy, by, work: str, result: str, comment: str = "", scan
) -> Evaluation:
    """The congress office records a rating the deputy gave on paper, with the scanned form."""
    if not roles_of(by).manages_proposals:
        raise PermissionDenied(_("只有人大代表工委可以录入纸质测评。"))
    if scan is None:
        raise WorkflowError(_("请上传代表签字的测评表扫描件。"))
    return _first_rating(
        reply=reply, deputy=deputy, by=by, work=work, result=result, comment=comment,
        source=Evaluation.Source.PAPER, scan=scan,
    )


def evaluation_correct(
    *, evaluation: Evaluation, by, work: str, result: str, comment: str = "", reason: str
) -> Evaluation:
    """A correction by the congress office: a new record with a reason; the history stays."""
    if not roles_of(by).manages_proposals:
        raise PermissionDenied(_("只有人大代表工委可以更正测评。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("更正测评须写明原因。"))
    comment = _clean(work, result, comment)
    with transaction.atomic():
        reply = _locked_reply(evaluation.reply)
        latest = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if Evaluation.objects.filter(corrects=latest).exists():
            raise WorkflowError(_("这条测评已被更正过，请更正最新的记录。"))
        return _record(
            reply=reply, deputy=latest.deputy, by=by, work=work, result=result, comment=comment,
            source=latest.source, corrects=latest, reason=reason,
        )
