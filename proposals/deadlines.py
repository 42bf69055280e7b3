"""Due dates, and how each was computed, on the official working-day calendar.

Each session says, per rule, whether it counts calendar months (reply 3, opinion 1,
re-handling 1), calendar days (reassignment window 10) or working days (public release 20, recess
assignment 5); a due date that falls on a day off moves to the next working day. Callers only see
``Deadline(due_on, basis)``: the basis says how the date came about, e.g.
「答复期限：自2026年3月2日交办起3个月，遇节假日顺延至2026年6月3日」.
"""

import calendar
import datetime
from dataclasses import dataclass

from .calendar import CalendarUnknown, WorkingCalendar
from .numerals import chinese_date


@dataclass(frozen=True)
class Deadline:
    due_on: datetime.date
    basis: str


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _unknown(year: int) -> str:
    return f"（{year}年节假日安排尚未录入，未计节假日，请核对）"


def _rolled(due: datetime.date, basis: str, workdays: WorkingCalendar | None = None) -> Deadline:
    days = workdays or WorkingCalendar()
    try:
        working = days.next_workday(due)
    except CalendarUnknown as missing:
        return Deadline(due, basis + _unknown(missing.year))
    if working != due:
        holiday = days.name_of(due)
        reason = f"{holiday}假期" if holiday else "休息日"
        basis += f"，{chinese_date(due)}遇{reason}，顺延至{chinese_date(working)}"
    return Deadline(working, basis)


def months_after(
    start: datetime.date, months: int, what: str, start_word: str = "交办", workdays: WorkingCalendar | None = None
) -> Deadline:
    return _rolled(
        add_months(start, months), f"{what}：自{chinese_date(start)}{start_word}起{months}个月", workdays
    )


def working_days_after(
    start: datetime.date, days: int, what: str, start_word: str, workdays: WorkingCalendar | None = None
) -> Deadline:
    basis = f"{what}：自{chinese_date(start)}{start_word}起{days}个工作日"
    try:
        return Deadline((workdays or WorkingCalendar()).add_working_days(start, days), basis)
    except CalendarUnknown as missing:
        day, left = start, days
        while left:
            day += datetime.timedelta(days=1)
            left -= day.weekday() < 5
        return Deadline(day, basis + _unknown(missing.year))


def days_after(
    start: datetime.date, days: int, what: str, start_word: str, workdays: WorkingCalendar | None = None
) -> Deadline:
    """Calendar days; a due date on a day off moves to the next working day."""
    due = start + datetime.timedelta(days=days)
    basis = f"{what}：自{chinese_date(start)}{start_word}起{days}日"
    return _rolled(due, basis, workdays)


# By ``DueUnit`` value.
_COUNTS = {"months": months_after, "days": days_after, "working_days": working_days_after}


def latest_due_date(assigned_on: datetime.date) -> datetime.date:
    """The latest an assignment may be due, extensions included (6 months after assignment)."""
    from django.conf import settings

    return add_months(assigned_on, settings.EXTENSION_MAX_MONTHS)


def rule_deadline(session, name: str, start: datetime.date, workdays: WorkingCalendar | None = None) -> Deadline:
    """The due date of one of the session's rules (``Session.RULES``), in the unit it counts.
    A page computing many passes one ``workdays`` calendar: each year is read once."""
    rule = session.rule(name)
    return _COUNTS[rule.unit](start, rule.amount, rule.what, rule.counted_from, workdays)


def reply_deadline(session, assigned_on: datetime.date) -> Deadline:
    return rule_deadline(session, "reply", assigned_on)


def opinion_deadline(session, assigned_on: datetime.date) -> Deadline:
    return rule_deadline(session, "opinion", assigned_on)


def rehandling_deadline(session, opened_on: datetime.date) -> Deadline:
    return rule_deadline(session, "rehandling", opened_on)


def release_deadline(session, sent_on: datetime.date) -> Deadline:
    return rule_deadline(session, "release", sent_on)


def reassignment_deadline(session, assigned_on: datetime.date) -> Deadline:
    """The last day a bureau may ask for reassignment."""
    return rule_deadline(session, "reassignment_window", assigned_on)


def recess_assignment_deadline(
    session, received_on: datetime.date, workdays: WorkingCalendar | None = None
) -> Deadline:
    """A recess proposal (闭会期间) is assigned within the session's rule (5 working days) of its receipt."""
    return rule_deadline(session, "recess_assignment", received_on, workdays)
