"""Supervision: a bureau's extension requests (延期申请) and the offices' reminders (催办).

Services in the same shape as ``proposals.workflow``: one transaction, the rows locked, one
``Event``, ``WorkflowError`` or ``PermissionDenied`` with nothing changed.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .deadlines import latest_due_date
from .errors import WorkflowError
from .models import Assignment, Event, Reminder
from .numerals import chinese_date
from .states import AssignmentState
from .transitions import Note, Transition, manages, works_on

S = AssignmentState
A = Event.Action


def _extension_pending(assignment: Assignment) -> bool:
    return assignment.extension_until is not None


def _no_extension_pending(assignment: Assignment) -> bool:
    return assignment.extension_until is None


OPEN = frozenset({S.ASSIGNED, S.REASSIGNMENT_REQUESTED, S.DRAFTING, S.IN_REVIEW})
REQUEST_EXTENSION = Transition(
    A.REQUEST_EXTENSION, OPEN, None, works_on, condition=_no_extension_pending,
    note=Note.REQUIRED, note_hint=gettext_lazy("延期理由（必填）"), note_arg="reason",
    asks_for_date=True, date_label=gettext_lazy("申请延期至"), date_required=True,
)
GRANT_EXTENSION = Transition(
    A.GRANT_EXTENSION, OPEN, None, manages, condition=_extension_pending,
    note=Note.OPTIONAL, note_hint=gettext_lazy("说明（可选）"),
    asks_for_date=True, date_label=gettext_lazy("延期至（不填则按申请）"),
)
REMIND = Transition(
    A.REMIND, frozenset({S.ASSIGNED, S.REASSIGNMENT_REQUESTED, S.DRAFTING, S.IN_REVIEW}), None,
    lambda roles, _a: roles.sees_everything, note=Note.REQUIRED,
    note_hint=gettext_lazy("催办说明（必填），例如请于本周内报送答复稿"),
)
REFUSE_EXTENSION = Transition(
    A.REFUSE_EXTENSION, OPEN, None, manages, condition=_extension_pending,
    note=Note.REQUIRED, note_hint=gettext_lazy("不同意的理由（必填）"), danger=True,
)


# --- extensions (延期申请) -------------------------------------------------------------------------


def _latest_due(assignment: Assignment) -> datetime.date:
    return latest_due_date(timezone.localdate(assignment.assigned_at))


def _check_extension_date(assignment: Assignment, new_date) -> None:
    if new_date is None:
        raise WorkflowError(_("请填写延期后的日期。"))
    if new_date <= assignment.due_on:
        raise WorkflowError(
            _("延期后的日期须晚于现在的期限%(due)s。") % {"due": chinese_date(assignment.due_on)}
        )
    latest = _latest_due(assignment)
    if new_date > latest:
        raise WorkflowError(
            _("延期后总期限不能超过交办后%(n)s个月（最迟%(day)s）。")
            % {"n": settings.EXTENSION_MAX_MONTHS, "day": chinese_date(latest)}
        )


@REQUEST_EXTENSION.implemented_by
def assignment_request_extension(*, assignment: Assignment, by, reason: str, new_date) -> Assignment:
    """The bureau asks for more time, with a reason and the date it needs."""
    with transaction.atomic():
        assignment, reason = REQUEST_EXTENSION.begin(assignment, by, reason)
        _check_extension_date(assignment, new_date)
        assignment.extension_until, assignment.extension_reason = new_date, reason
        REQUEST_EXTENSION.move(
            assignment, by=by, note=_("申请延期至%(day)s：%(reason)s") % {"day": chinese_date(new_date), "reason": reason},
            fields=["extension_until", "extension_reason"],
        )
    return assignment


@GRANT_EXTENSION.implemented_by
def assignment_grant_extension(*, assignment: Assignment, by, new_date=None, note: str = "") -> Assignment:
    """The congress office grants the extension, to the date asked for or another one."""
    with transaction.atomic():
        assignment, note = GRANT_EXTENSION.begin(assignment, by, note)
        new_date = new_date or assignment.extension_until
        _check_extension_date(assignment, new_date)
        old = assignment.due_on
        assignment.due_on = new_date
        assignment.due_basis = _("%(basis)s；经代表工委同意，由%(old)s延期至%(new)s") % {
            "basis": assignment.due_basis, "old": chinese_date(old), "new": chinese_date(new_date),
        }
        assignment.extension_until, assignment.extension_reason = None, ""
        text = _("延期至%(day)s") % {"day": chinese_date(new_date)}
        GRANT_EXTENSION.move(
            assignment, by=by, note=f"{text}。{note}" if note else text,
            fields=["due_on", "due_basis", "extension_until", "extension_reason"],
        )
    return assignment


@REFUSE_EXTENSION.implemented_by
def assignment_refuse_extension(*, assignment: Assignment, by, note: str) -> Assignment:
    with transaction.atomic():
        assignment, note = REFUSE_EXTENSION.begin(assignment, by, note)
        assignment.extension_until, assignment.extension_reason = None, ""
        REFUSE_EXTENSION.move(assignment, by=by, note=note, fields=["extension_until", "extension_reason"])
    return assignment


# --- reminders (催办) by the offices ----------------------------------------------------------------


@REMIND.implemented_by
def assignment_remind(*, assignment: Assignment, by, note: str) -> Assignment:
    """The congress or government office urges the bureau; the bureau sees it until it acts."""
    with transaction.atomic():
        assignment, note = REMIND.begin(assignment, by, note)
        Reminder.objects.create(
            assignment=assignment, kind=Reminder.Kind.MANUAL, sent_on=timezone.localdate(),
            due_on=assignment.due_on, note=note, sent_by=by,
        )
        REMIND.move(assignment, by=by, note=note)
    return assignment
