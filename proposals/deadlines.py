"""Due dates, and how each was computed.

Today a due date is the assignment day plus a number of calendar months (domain.md). The
working-day calendar (holidays and swapped working weekends) will plug in here; callers only
ever see ``Deadline(due_on, basis)``, so that change stays in this module.
"""

import calendar
import datetime
from dataclasses import dataclass

from .numerals import chinese_date


@dataclass(frozen=True)
class Deadline:
    due_on: datetime.date
    basis: str


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(start: datetime.date, months: int, what: str, start_word: str = "交办日") -> Deadline:
    due = add_months(start, months)
    return Deadline(due, f"{what}：自{start_word}{chinese_date(start)}起{months}个月")


def reply_deadline(session, assigned_on: datetime.date) -> Deadline:
    return months_after(assigned_on, session.reply_due_months, "答复期限")


def opinion_deadline(session, assigned_on: datetime.date) -> Deadline:
    return months_after(assigned_on, session.opinion_due_months, "协办意见期限")


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """``days`` working days after ``start``, skipping Saturdays and Sundays.

    Public holidays and swapped working weekends (调休) are not known yet: the working-day
    calendar will replace this, and callers only see the date.
    """
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def release_deadline(session, sent_on: datetime.date) -> Deadline:
    days = session.release_due_working_days
    due = add_working_days(sent_on, days)
    return Deadline(due, f"公开期限：自答复送达日{chinese_date(sent_on)}起{days}个工作日")


def rehandling_deadline(session, opened_on: datetime.date) -> Deadline:
    return months_after(opened_on, session.rehandling_due_months, "重新办理期限", start_word="测评日")
