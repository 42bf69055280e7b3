"""Reminders (催办): automatic ones from the due dates, and those an office sends.

``reminders_send(today)`` runs once a day (celery beat). Each automatic reminder is one row per
assignment, kind and day (a unique constraint), so running twice, or a retried task, sends
nothing twice; each new row writes one ``remind`` event, which notifications turn into messages
to the bureau's staff and leaders.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .events import event_record
from .models import Assignment, Event, Reminder
from .numerals import chinese_date


def _kind_for(assignment: Assignment, today: datetime.date) -> str | None:
    days_left = (assignment.due_on - today).days
    if days_left == settings.REMIND_DAYS_BEFORE:
        return Reminder.Kind.BEFORE
    if days_left == 0:
        return Reminder.Kind.DUE_TODAY
    every = settings.REMIND_OVERDUE_EVERY_DAYS
    if days_left < 0 and every and (-days_left) % every == 0:
        return Reminder.Kind.OVERDUE
    return None


def _text(kind: str, assignment: Assignment, today: datetime.date) -> str:
    due = chinese_date(assignment.due_on)
    if kind == Reminder.Kind.BEFORE:
        return _("办理期限为%(due)s，还有%(n)s天。") % {"due": due, "n": (assignment.due_on - today).days}
    if kind == Reminder.Kind.DUE_TODAY:
        return _("今天（%(due)s）是办理期限。") % {"due": due}
    return _("办理期限%(due)s已过，已逾期%(n)s天，请抓紧办理。") % {"due": due, "n": (today - assignment.due_on).days}


def reminders_send(today: datetime.date | None = None) -> int:
    """Send today's automatic reminders; returns how many were new."""
    today = today or timezone.localdate()
    sent = 0
    candidates = Assignment.objects.open().select_related("proposal", "bureau")
    for assignment in candidates.iterator():
        kind = _kind_for(assignment, today)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    assignment=assignment, kind=kind, sent_on=today, due_on=assignment.due_on,
                    note=_text(kind, assignment, today),
                )
                event_record(
                    proposal=assignment.proposal, assignment=assignment, by=None,
                    action=Event.Action.REMIND, note=_text(kind, assignment, today),
                )
        except IntegrityError:  # already sent today (beat ran twice, or the task was retried)
            continue
        sent += 1
    return sent


def reminders_clear(assignment: Assignment) -> None:
    """The bureau acted on the assignment: its reminders leave its home page."""
    Reminder.objects.filter(assignment=assignment, cleared_at__isnull=True).update(cleared_at=timezone.now())
