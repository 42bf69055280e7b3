"""Each session says whether a rule counts months, calendar days or working days, and every
due date explains itself in that unit."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from proposals import workflow as intake
from proposals.deadlines import recess_assignment_deadline, reply_deadline
from proposals.models import DueUnit, Proposal

D = datetime.date


def test_reply_due_in_calendar_days_moves_off_a_holiday(proposal):
    session = proposal.session
    session.reply_due, session.reply_due_unit = 30, DueUnit.DAYS
    session.save()
    deadline = reply_deadline(session, D(2026, 9, 1))  # 30 days: Thursday 1 October, National Day
    assert deadline.due_on == D(2026, 10, 8)
    assert deadline.basis == "答复期限：自2026年9月1日交办起30日，2026年10月1日遇国庆节假期，顺延至2026年10月8日"


def test_reply_due_in_working_days_skips_the_spring_festival(proposal):
    session = proposal.session
    session.reply_due, session.reply_due_unit = 5, DueUnit.WORKING_DAYS
    session.save()
    deadline = reply_deadline(session, D(2026, 2, 12))  # Fri 13, Sat 14 (调休), then 24–26 Feb
    assert deadline.due_on == D(2026, 2, 26)
    assert deadline.basis == "答复期限：自2026年2月12日交办起5个工作日"


def test_assigning_uses_the_sessions_unit(proposal, cora, bureau_a):
    session = proposal.session
    session.reply_due, session.reply_due_unit = 60, DueUnit.DAYS
    session.save()
    assigned = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
    (lead,) = intake.proposal_assign(proposal=proposal, leads=[bureau_a], by=cora, assigned_at=assigned)
    assert lead.due_on == D(2026, 5, 6)  # 60 days is Friday 1 May (Labour Day 1–5 May): next working day
    assert lead.due_basis.startswith("答复期限：自2026年3月2日交办起60日，2026年5月1日遇劳动节假期")


def test_recess_assignment_period_is_a_session_rule(proposal):
    session = proposal.session
    assert str(session.rule("recess_assignment")) == "5个工作日"
    session.recess_assignment_due, session.recess_assignment_due_unit = 3, DueUnit.DAYS
    deadline = recess_assignment_deadline(session, D(2026, 9, 28))  # 1 Oct is a holiday
    assert deadline.due_on == D(2026, 10, 8)
    assert deadline.basis.startswith("交办期限：自2026年9月28日收到起3日")


def test_a_rule_longer_than_its_unit_allows_is_refused_in_chinese(proposal):
    session = proposal.session
    session.reply_due, session.reply_due_unit = 13, DueUnit.MONTHS
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert refused.value.message_dict["reply_due"] == ["按个月计时最多为 12。"]
    session.reply_due_unit = DueUnit.DAYS
    session.full_clean()


def test_admin_edits_a_rule_and_its_unit(admin_client, proposal):
    session = proposal.session
    page = admin_client.get(f"/admin/proposals/session/{session.pk}/change/")
    assert page.status_code == 200
    assert 'name="release_due_unit"' in page.content.decode() and "个工作日" in page.content.decode()
    assert Proposal.objects.filter(session=session).exists()
