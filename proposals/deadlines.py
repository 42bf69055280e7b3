"""Due dates, and how each was computed, on the official working-day calendar.

A rule counts calendar months (reply 3, opinion 1, re-handling 1) or working days (public
release 20); a due date that falls on a day off moves to the next working day. Callers only see
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


def months_after(start: datetime.date, months: int, what: str, start_word: str = "交办") -> Deadline:
    due = add_months(start, months)
    basis = f"{what}：自{chinese_date(start)}{start_word}起{months}个月"
    days = WorkingCalendar()
    try:
        working = days.next_workday(due)
    except CalendarUnknown as missing:
        return Deadline(due, basis + _unknown(missing.year))
    if working != due:
        holiday = days.name_of(due)
        reason = f"{holiday}假期" if holiday else "休息日"
        basis += f"，{chinese_date(due)}遇{reason}，顺延至{chinese_date(working)}"
    return Deadline(working, basis)


def working_days_after(start: datetime.date, days: int, what: str, start_word: str) -> Deadline:
    basis = f"{what}：自{chinese_date(start)}{start_word}起{days}个工作日"
    try:
        return Deadline(WorkingCalendar().add_working_days(start, days), basis)
    except CalendarUnknown as missing:
        day, left = start, days
        while left:
            day += datetime.timedelta(days=1)
            left -= day.weekday() < 5
        return Deadline(day, basis + _unknown(missing.year))


def reply_deadline(session, assigned_on: datetime.date) -> Deadline:
    return months_after(assigned_on, session.reply_due_months, "答复期限")


def opinion_deadline(session, assigned_on: datetime.date) -> Deadline:
    return months_after(assigned_on, session.opinion_due_months, "协办意见期限")


def rehandling_deadline(session, opened_on: datetime.date) -> Deadline:
    return months_after(opened_on, session.rehandling_due_months, "重新办理期限", start_word="测评")


def release_deadline(session, sent_on: datetime.date) -> Deadline:
    return working_days_after(sent_on, session.release_due_working_days, "公开期限", "答复送达")


def recess_assignment_deadline(received_on: datetime.date) -> Deadline:
    """A recess proposal (闭会期间) is assigned within N working days of its receipt."""
    from django.conf import settings

    return working_days_after(received_on, settings.RECESS_ASSIGN_WORKING_DAYS, "交办期限", "收到")
