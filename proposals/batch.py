"""Batch assignment (批量交办): several received proposals to one lead bureau and any assisting
bureaus in one step.

All or nothing: every selected proposal is checked first and, if any cannot be assigned, none is
and the refusal lists each with its reason. Otherwise each proposal goes through
``workflow.proposal_assign`` inside one transaction, so timeline events, notifications and due
dates are exactly those of assigning them one by one. The 交办通知 each bureau receives are
made by ``replies.notices.batch_assign``, which runs this service in its own transaction.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.roles import roles_of

from .errors import WorkflowError
from .models import Assignment, Proposal
from .workflow import assign_refusal, proposal_assign

MAX_BATCH = 500  # a session brings 200-600 proposals; more in one step is a mistake


@dataclass(frozen=True)
class Refusal:
    proposal: Proposal
    reason: str


class BatchRefused(WorkflowError):
    """Some selected proposals cannot be assigned: nothing was assigned."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(
            _("以下%(n)s件建议不能交办，本次未交办任何建议：") % {"n": len(refusals)}
        )
        self.refusals = refusals


@dataclass(frozen=True)
class AssignedBatch:
    proposals: list[Proposal]
    assignments: list[Assignment]
    assigned_at: datetime.datetime
    by: object


def batch_refusals(proposals: Iterable[Proposal]) -> list[Refusal]:
    """The proposals of a selection that cannot be assigned now, with the reason for each."""
    return [Refusal(p, reason) for p in proposals if (reason := assign_refusal(p))]


def proposals_assign_batch(
    *,
    proposals: Iterable[Proposal],
    lead: Organization,
    assistants: Iterable[Organization] = (),
    by,
    reply_due_on: datetime.date | None = None,
    opinion_due_on: datetime.date | None = None,
    assigned_at: datetime.datetime | None = None,
) -> AssignedBatch:
    """Assign every proposal to ``lead`` (and ``assistants``), all at the same moment."""
    if not roles_of(by).manages_proposals:
        raise PermissionDenied(_("只有人大代表工委可以交办建议。"))
    ids = list(dict.fromkeys(p.pk for p in proposals))
    if not ids:
        raise WorkflowError(_("请至少选择一件建议。"))
    if len(ids) > MAX_BATCH:
        raise WorkflowError(_("一次最多批量交办%(n)s件建议。") % {"n": MAX_BATCH})
    if lead is None:
        raise WorkflowError(_("请选择主办单位。"))
    assistants = list(dict.fromkeys(assistants))
    assigned_at = assigned_at or timezone.now()
    with transaction.atomic():
        # Locked in one order (by id) so two batches that share proposals never deadlock.
        locked = list(
            Proposal.objects.select_for_update(of=("self",))
            .select_related("session", "lead_deputy")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise WorkflowError(_("所选建议有的已不存在，请刷新后重试。"))
        if refusals := batch_refusals(locked):
            raise BatchRefused(refusals)
        ordered = sorted(locked, key=lambda p: (p.session.term, p.session.number, p.number))
        assignments = []
        for proposal in ordered:
            assignments += proposal_assign(
                proposal=proposal, leads=[lead], assistants=assistants, by=by, assigned_at=assigned_at,
                reply_due_on=reply_due_on, opinion_due_on=opinion_due_on,
            )
    return AssignedBatch(proposals=ordered, assignments=assignments, assigned_at=assigned_at, by=by)
