"""The official working-day calendar: public holidays and the weekend days worked instead (调休).

Kept as data (``CalendarDay`` rows for every day that breaks the Monday-to-Friday rule, and a
``CalendarYear`` for every year whose arrangement is known), seeded from the ``chinesecalendar``
package (``manage.py calendar_load``) and editable in the admin, so an office can add a local
change or a year the package does not know yet. For a year with no data the calendar says so
(``CalendarUnknown``) instead of guessing.
"""

import datetime

from .models import CalendarDay, CalendarYear


class CalendarUnknown(Exception):
    """The year's holiday arrangement has not been entered."""

    def __init__(self, year: int):
        super().__init__(year)
        self.year = year


class WorkingCalendar:
    """Answers for one computation or one page: reads each year's exceptions (and holiday
    names) once, so many due dates computed with the same calendar cost a query or two per
    year, not per date."""

    def __init__(self):
        # Per year: {day: (is_workday, name)} for the days that break the weekday rule, or None
        # for a year whose arrangement has not been entered.
        self._years: dict[int, dict[datetime.date, tuple[bool, str]] | None] = {}

    def _exceptions(self, year: int) -> dict[datetime.date, tuple[bool, str]]:
        if year not in self._years:
            known = CalendarYear.objects.filter(year=year).exists()
            self._years[year] = (
                {
                    day: (is_workday, name)
                    for day, is_workday, name in CalendarDay.objects.filter(day__year=year).values_list(
                        "day", "is_workday", "name"
                    )
                }
                if known
                else None
            )
        if self._years[year] is None:
            raise CalendarUnknown(year)
        return self._years[year]

    def is_workday(self, day: datetime.date) -> bool:
        exception = self._exceptions(day.year).get(day)
        return exception[0] if exception else day.weekday() < 5

    def next_workday(self, day: datetime.date) -> datetime.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += datetime.timedelta(days=1)
        return day

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        day = start
        while days > 0:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                days -= 1
        return day

    def name_of(self, day: datetime.date) -> str:
        if self._years.get(day.year) is not None:  # already read with its year
            exception = self._years[day.year].get(day)
            return exception[1] if exception else ""
        return CalendarDay.objects.filter(day=day).values_list("name", flat=True).first() or ""


def calendar_load(years=None) -> dict[int, int]:
    """Copy the package's holidays and 调休 working days for ``years`` (default: every year it
    knows) into the calendar. Days already entered by hand are kept. Returns days added per year."""
    import chinese_calendar

    known = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    added = {}
    for year in sorted(set(years or known)):
        if year not in known:
            raise CalendarUnknown(year)
        rows = [
            CalendarDay(day=day, is_workday=False, name=_chinese(name))
            for day, name in chinese_calendar.holidays.items()
            if day.year == year
        ] + [
            CalendarDay(day=day, is_workday=True, name=f"{_chinese(name)}调休上班")
            for day, name in chinese_calendar.workdays.items()
            if day.year == year and day.weekday() >= 5
        ]
        existing = set(CalendarDay.objects.filter(day__year=year).values_list("day", flat=True))
        new = [r for r in rows if r.day not in existing]
        CalendarDay.objects.bulk_create(new)
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinesecalendar"})
        added[year] = len(new)
    return added


_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _chinese(name) -> str:
    return _NAMES.get(str(name), str(name))
