"""The generated demo session (市十八届人大四次会议): enough proposals for the statistics, a
history whose dates, lateness and states agree, and the same data on every load."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from proposals.models import Assignment, Consultation, Event, Proposal, Reminder, Session
from proposals.states import OPEN_ASSIGNMENT_STATES
from replies.demo import history
from replies.models import Evaluation, Reply
from replies.stats import stats_compute


def load():
    call_command("load_demo", stdout=StringIO())
    return Session.objects.get(term=18, number=4)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for this module's tests, and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


@pytest.fixture
def session(loaded, db):
    return loaded


def expected_bureau_rows(session, today):
    """Each bureau's numbers counted here, one assignment at a time, straight from the rows."""
    rows = {}
    for a in (
        Assignment.objects.filter(proposal__session=session).exclude(state="withdrawn")
        .select_related("bureau", "proposal")
    ):
        row = rows.setdefault(a.bureau.short_name, dict.fromkeys(
            ["lead", "assisting", "replied", "on_time", "overdue_lead", "overdue_assisting", "consulted",
             "confirmed", "satisfied", "basically", "dissatisfied", "rated", "rehandled", "closed"], 0))
        lead = a.role == Assignment.Role.LEAD
        overdue = a.state in OPEN_ASSIGNMENT_STATES and a.due_on < today
        results = set(Evaluation.objects.filter(reply__assignment=a).values_list("result", flat=True))
        answers = list(Consultation.objects.filter(assignment=a).values_list("deputy_answer", flat=True))
        row["lead" if lead else "assisting"] += 1
        row["overdue_lead" if lead else "overdue_assisting"] += overdue
        row["consulted"] += bool(answers)
        row["confirmed"] += "confirmed" in answers
        if lead:
            row["replied"] += a.finished_on is not None
            row["on_time"] += a.finished_on is not None and a.late_days == 0
            for result in ("satisfied", "basically", "dissatisfied"):
                row[result] += result in results
            row["rated"] += bool(results)
            row["rehandled"] += Reply.objects.filter(assignment=a, rehandling=True).exists()
            row["closed"] += a.proposal.state == "closed"
    return rows


COLUMNS = {  # the column of the statistics' bureau table that holds each count
    "lead": 0, "assisting": 1, "replied": 2, "on_time": 3, "overdue_lead": 5, "overdue_assisting": 6,
    "consulted": 7, "confirmed": 8, "satisfied": 9, "basically": 10, "dissatisfied": 11, "rated": 12,
    "rehandled": 14, "closed": 15,
}


def test_the_statistics_of_the_session_are_the_counts_of_its_records(session):
    today = timezone.localdate()
    stats = stats_compute(session=session, today=today)
    expected = expected_bureau_rows(session, today)
    shown = {r.label: {k: r.cells[i].value for k, i in COLUMNS.items()} for r in stats.bureaus.rows}
    assert shown == expected
    assert len(shown) >= 10

    # Several bureaus replied, on time and late; the ratings are mostly 满意, not only that.
    assert sum(1 for r in shown.values() if r["replied"] and r["on_time"]) >= 8
    assert any(r["on_time"] < r["replied"] for r in shown.values())
    total = stats.delegations.total.cells
    received, replied, on_time, overdue = (total[i].value for i in (0, 1, 2, 4))
    satisfied, basically, dissatisfied, rated, rehandled, closed = (total[i].value for i in (7, 8, 9, 10, 12, 13))
    proposals = Proposal.objects.filter(session=session)
    assert received == proposals.count() == len(history.plan()) >= 60
    assert replied == proposals.filter(
        assignments__role="lead", assignments__finished_on__isnull=False).distinct().count()
    assert received * 0.8 < replied < received and 0.6 * replied < on_time < replied
    assert 0 < overdue <= 8 and 0 < closed < received / 4
    assert satisfied > basically > dissatisfied > 0 and rehandled == dissatisfied
    assert rated == proposals.filter(assignments__replies__evaluations__isnull=False).distinct().count()
    assert total[5].value > total[6].value > 0  # consultations held, some confirmed by the deputy
    assert len(stats.categories.rows) >= 6
    assert len(stats.months.rows) >= 5
    assert len(stats.chart_data()["onTime"]["names"]) >= 10


def test_the_history_is_dated_consistently(session):
    today = timezone.localdate()
    events = Event.objects.filter(proposal__session=session)
    first, last = (timezone.localdate(e.created_at) for e in (events.earliest("created_at"), events.latest("created_at")))
    assert first == session.ends_on and last < today
    for proposal in Proposal.objects.filter(session=session):
        timeline = list(proposal.events.order_by("created_at", "id").values_list("id", flat=True))
        assert timeline == sorted(timeline), proposal.number  # the steps in the order they were taken
        assert timezone.localdate(proposal.events.get(action="register").created_at) == proposal.received_on
    for a in Assignment.objects.filter(proposal__session=session):
        assert a.events.filter(action="accept").exists() or a.state == "assigned"
        assigned = Event.objects.get(proposal=a.proposal, action="assign").created_at
        assert a.assigned_at == assigned and a.due_on > timezone.localdate(assigned)
    for reminder in Reminder.objects.filter(assignment__proposal__session=session):
        assert reminder.sent_on > reminder.due_on == reminder.assignment.due_on  # urged when overdue
        assert reminder.sent_by.username == "dubanyuan"
    for a in Assignment.objects.filter(proposal__session=session, finished_on__isnull=False):
        sent = Event.objects.filter(assignment=a, action__in=["send", "send_opinion"]).latest("created_at")
        assert timezone.localdate(sent.created_at) == a.finished_on
        assert sent.note.startswith(f"逾期{a.late_days}天") == (a.late_days > 0), sent.note
        if a.state in ("replied", "opinion_sent") or a.proposal.state == "closed":
            assert a.late_days == max(0, (a.finished_on - a.due_on).days)
    for reply in Reply.objects.filter(assignment__proposal__session=session, sent_at__isnull=False):
        sent_on = timezone.localdate(reply.sent_at)
        assert reply.signed_on <= sent_on < today
        assert reply.document_year == reply.signed_on.year
        for evaluation in reply.evaluations.all():
            assert sent_on < timezone.localdate(evaluation.created_at) <= sent_on + datetime.timedelta(days=30)
    # A 不满意 gave a re-handling due one month after the rating, on its day.
    for reply in Reply.objects.filter(assignment__proposal__session=session, rehandling=True).select_related("assignment"):
        rehandle = Event.objects.filter(assignment=reply.assignment, action="rehandle").get()
        basis = reply.assignment.due_basis
        assert f"{timezone.localdate(rehandle.created_at):%Y年%-m月%-d日}" in basis, basis


def test_the_plan_is_fixed_by_its_seed():
    """Loading is tested to write the same history every time in test_demo.py."""
    assert history.plan() == history.plan()
    numbers = [p.number for p in history.plan()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len({p.title for p in history.plan()}) == len(numbers)
