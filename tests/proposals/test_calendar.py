"""The working-day calendar on real holiday weeks, and due dates that move off days off."""

import datetime

import pytest
from django.core.management import call_command

from proposals import workflow as intake
from proposals.calendar import CalendarUnknown, WorkingCalendar
from proposals.deadlines import months_after, release_deadline
from proposals.models import CalendarDay, CalendarYear

D = datetime.date


@pytest.fixture
def days(db):
    return WorkingCalendar()


@pytest.mark.parametrize("day,works", [
    # Spring Festival 2025: 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked (调休).
    (D(2025, 1, 27), True), (D(2025, 1, 28), False), (D(2025, 2, 4), False), (D(2025, 2, 5), True),
    (D(2025, 1, 26), True), (D(2025, 2, 8), True), (D(2025, 2, 9), False),
    # National Day 2025: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct worked.
    (D(2025, 9, 28), True), (D(2025, 10, 1), False), (D(2025, 10, 8), False), (D(2025, 10, 9), True),
    (D(2025, 10, 11), True), (D(2025, 10, 12), False),
    # Spring Festival 2026: 15–23 Feb off; Saturdays 14 and 28 Feb worked.
    (D(2026, 2, 13), True), (D(2026, 2, 14), True), (D(2026, 2, 16), False), (D(2026, 2, 23), False),
    (D(2026, 2, 24), True), (D(2026, 2, 28), True),
    # National Day 2026: 1–7 Oct off; Sunday 20 Sep and Saturday 10 Oct worked.
    (D(2026, 9, 20), True), (D(2026, 10, 1), False), (D(2026, 10, 7), False), (D(2026, 10, 8), True),
    (D(2026, 10, 10), True),
    # An ordinary week.
    (D(2026, 3, 6), True), (D(2026, 3, 7), False), (D(2026, 3, 8), False),
])
def test_real_holiday_weeks(days, day, works):
    assert days.is_workday(day) is works


def test_working_days_skip_the_holiday_and_count_the_swapped_saturday(days):
    # Sent Thursday 25 Sep 2026: 20 working days skip National Day week, count Sat 10 Oct.
    assert days.add_working_days(D(2026, 9, 24), 1) == D(2026, 9, 28)  # Friday 25 Sep is 中秋节
    assert days.add_working_days(D(2026, 9, 29), 2) == D(2026, 10, 8)
    assert days.add_working_days(D(2026, 10, 8), 2) == D(2026, 10, 10)


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day_and_says_so(db):
    deadline = months_after(D(2026, 7, 1), 3, "答复期限")  # 1 October 2026: National Day
    assert deadline.due_on == D(2026, 10, 8)
    assert deadline.basis == "答复期限：自2026年7月1日交办起3个月，2026年10月1日遇国庆节假期，顺延至2026年10月8日"
    plain = months_after(D(2026, 3, 2), 3, "答复期限")
    assert (plain.due_on, plain.basis) == (D(2026, 6, 2), "答复期限：自2026年3月2日交办起3个月")


def test_assigning_before_national_day_gives_the_shifted_due_date(proposal, cora, bureau_a):
    assigned = datetime.datetime(2026, 7, 1, 10, tzinfo=datetime.UTC)
    (lead,) = intake.proposal_assign(proposal=proposal, leads=[bureau_a], by=cora, assigned_at=assigned)
    assert lead.due_on == D(2026, 10, 8) and "顺延至2026年10月8日" in lead.due_basis


def test_release_is_due_in_working_days(proposal):
    deadline = release_deadline(proposal.session, D(2026, 9, 25))
    assert deadline.due_on == D(2026, 10, 29)  # 20 working days: National Day week out, Sat 10 Oct in
    assert deadline.basis == "公开期限：自2026年9月25日答复送达起20个工作日"


def test_a_year_without_data_says_so_instead_of_guessing(days):
    with pytest.raises(CalendarUnknown):
        days.is_workday(D(2031, 5, 1))
    deadline = months_after(D(2031, 1, 31), 3, "答复期限")
    assert "2031年节假日安排尚未录入" in deadline.basis


def test_an_office_adds_a_local_change_and_a_new_year(days):
    CalendarDay.objects.create(day=D(2026, 3, 6), is_workday=False, name="地方调休")
    assert WorkingCalendar().is_workday(D(2026, 3, 6)) is False
    CalendarYear.objects.create(year=2031, source="国办发明电〔2030〕7号")
    assert WorkingCalendar().is_workday(D(2031, 5, 1)) is True  # known year, no exception entered


def test_loading_from_the_package_keeps_what_was_entered_by_hand(db):
    CalendarDay.objects.filter(day=D(2026, 10, 1)).update(name="国庆节（本地名称）")
    before = CalendarDay.objects.count()
    call_command("calendar_load", "--year", "2026", stdout=__import__("io").StringIO())
    assert CalendarDay.objects.count() == before
    assert CalendarDay.objects.get(day=D(2026, 10, 1)).name == "国庆节（本地名称）"
