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


def months_after(start: datetime.date, months: int, what: str) -> Deadline:
    due = add_months(start, months)
    return Deadline(due, f"{what}：自交办日{chinese_date(start)}起{months}个月")


def reply_deadline(session, assigned_on: datetime.date) -> Deadline:
    return months_after(assigned_on, session.reply_due_months, "答复期限")


def opinion_deadline(session, assigned_on: datetime.date) -> Deadline:
    return months_after(assigned_on, session.opinion_due_months, "协办意见期限")
