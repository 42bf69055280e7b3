"""Batch assignment (批量交办) from the proposal list: all or nothing, and exactly what assigning the
proposals one by one would have done (assignments, due dates, timeline, notifications)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from proposals import workflow as intake
from proposals.batch import BatchRefused, proposals_assign_batch
from proposals.errors import WorkflowError
from proposals.models import Assignment, Event, Proposal
from proposals.states import ProposalState
from replies.models import AssignmentNotice, DocumentCounter
from replies.notices import batch_assign
from tests.factories import ProposalFactory, SessionFactory


@pytest.fixture
def session(db):
    return SessionFactory(term=18, number=1)


@pytest.fixture
def received(session, dora, otto):
    """Proposals 1-3 waiting to be assigned."""
    return [
        ProposalFactory(session=session, number=n, lead_deputy=deputy, title=f"关于第{n}件事的建议")
        for n, deputy in ((1, dora), (2, otto), (3, dora))
    ]


def assignment_facts(proposal):
    return sorted(
        (a.bureau.short_name, a.role, a.handling, a.state, a.due_on, a.due_basis, a.assigned_by_id)
        for a in proposal.assignments.select_related("bureau")
    )


def event_facts(proposal):
    return [
        (e.action, e.from_state, e.to_state, e.note, e.actor_id)
        for e in proposal.events.order_by("created_at", "id")
    ]


def notification_facts(proposal):
    """Who was told what about the proposal, its number taken out of the title."""
    label = f"第{proposal.number}号"
    return sorted(
        (n.user.username, n.kind, n.title.replace(label, "第N号"))
        for n in Notification.objects.filter(url=reverse("proposal-detail", args=[proposal.pk]))
    )


def test_batch_does_what_one_by_one_does(
    received, session, cora, alice, lily, bob, bureau_a, bureau_b, dora, otto, django_capture_on_commit_callbacks
):
    singles = [
        ProposalFactory(session=session, number=10 + p.number, lead_deputy=p.lead_deputy, title=p.title)
        for p in received
    ]
    with django_capture_on_commit_callbacks(execute=True):
        batch_assign(proposals=received, lead=bureau_a, assistants=[bureau_b], by=cora)
    with django_capture_on_commit_callbacks(execute=True):
        for p in singles:
            intake.proposal_assign(proposal=p, leads=[bureau_a], assistants=[bureau_b], by=cora)

    for batched, single in zip(received, singles, strict=True):
        batched.refresh_from_db()
        single.refresh_from_db()
        assert batched.state == single.state == ProposalState.ASSIGNED
        assert assignment_facts(batched) == assignment_facts(single)
        assert len(assignment_facts(batched)) == 2
        assert event_facts(batched) == event_facts(single)
        assert [e[0] for e in event_facts(batched)] == ["assign"]
        assert notification_facts(batched) == notification_facts(single)
        # the staff and leaders of both bureaus hear of it, the assigner does not
        assert {u for u, *_ in notification_facts(batched)} == {"alice", "lily", "bob"}
    # every assignment of the batch carries the same moment
    assert Assignment.objects.filter(proposal__in=received).values("assigned_at").distinct().count() == 1


def test_one_proposal_that_cannot_be_assigned_stops_the_whole_batch(received, cora, bureau_a, bureau_b):
    first, second, third = received
    intake.proposal_assign(proposal=second, leads=[bureau_b], by=cora)
    events_before = Event.objects.count()
    with pytest.raises(BatchRefused) as refused:
        batch_assign(proposals=received, lead=bureau_a, by=cora)
    assert [r.proposal.pk for r in refused.value.refusals] == [second.pk]
    assert "已交办" in refused.value.refusals[0].reason
    assert "未交办任何建议" in str(refused.value)
    for p in (first, third):
        p.refresh_from_db()
        assert p.state == ProposalState.RECEIVED
        assert not p.assignments.exists()
    assert Event.objects.count() == events_before
    assert not AssignmentNotice.objects.exists()
    assert not DocumentCounter.objects.filter(last__gt=0).exists()  # no notice number used up


def test_a_refused_step_inside_the_batch_undoes_the_proposals_before_it(received, cora, bureau_a, monkeypatch):
    """A failure after some proposals were assigned (here: the third) rolls back the first two."""
    real = intake.proposal_assign
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["proposal"].pk)
        if len(calls) == 3:
            raise WorkflowError("模拟失败")
        return real(**kwargs)

    monkeypatch.setattr("proposals.batch.proposal_assign", failing)
    with pytest.raises(WorkflowError):
        batch_assign(proposals=received, lead=bureau_a, by=cora)
    assert len(calls) == 3
    assert not Assignment.objects.filter(proposal__in=received).exists()
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in received]).values_list("state", flat=True)) == {"received"}


@pytest.mark.parametrize("who", ["alice", "lily", "sam", "dora", "stranger"])
def test_only_the_congress_office_assigns_in_batch(everyone, received, bureau_a, who):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        batch_assign(proposals=received, lead=bureau_a, by=everyone[who])
    assert not Assignment.objects.exists()


def test_bad_choices_are_refused_before_anything(received, cora, bureau_a):
    with pytest.raises(WorkflowError, match="既主办又协办"):
        batch_assign(proposals=received, lead=bureau_a, assistants=[bureau_a], by=cora)
    with pytest.raises(WorkflowError, match="至少选择一件"):
        batch_assign(proposals=[], lead=bureau_a, by=cora)
    assert not Assignment.objects.exists()


# --- due dates: by the session's rules, or set by the congress office --------------------------

ASSIGNED_AT = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))


def test_due_dates_default_to_the_rules(received, cora, bureau_a, bureau_b):
    done = proposals_assign_batch(
        proposals=received, lead=bureau_a, assistants=[bureau_b], by=cora, assigned_at=ASSIGNED_AT
    )
    lead = next(a for a in done.assignments if a.is_lead)
    assisting = next(a for a in done.assignments if not a.is_lead)
    assert lead.due_on == datetime.date(2026, 6, 2)  # 3 months after 2026-03-02, a Tuesday
    assert assisting.due_on == datetime.date(2026, 4, 2)
    assert lead.due_basis.startswith("答复期限：自2026年3月2日交办起3个月")


def test_due_dates_set_by_the_congress_office(received, cora, bureau_a, bureau_b):
    done = proposals_assign_batch(
        proposals=received, lead=bureau_a, assistants=[bureau_b], by=cora, assigned_at=ASSIGNED_AT,
        reply_due_on=datetime.date(2026, 5, 29), opinion_due_on=datetime.date(2026, 4, 10),
    )
    leads = [a for a in done.assignments if a.is_lead]
    assert {a.due_on for a in leads} == {datetime.date(2026, 5, 29)}
    assert leads[0].due_basis == "答复期限：代表工委交办时指定为2026年5月29日（按规定为2026年6月2日）"
    assert {a.due_on for a in done.assignments if not a.is_lead} == {datetime.date(2026, 4, 10)}


@pytest.mark.parametrize(
    "reply_due_on, opinion_due_on, message",
    [
        (datetime.date(2026, 5, 1), None, "不是工作日"),  # 劳动节
        (datetime.date(2026, 3, 1), None, "须晚于交办日期"),
        (datetime.date(2026, 9, 30), None, "不能超过交办后6个月"),
        (datetime.date(2026, 4, 3), datetime.date(2026, 4, 10), "不能晚于主办单位"),
    ],
)
def test_a_bad_due_date_refuses_the_batch(received, cora, bureau_a, bureau_b, reply_due_on, opinion_due_on, message):
    with pytest.raises(WorkflowError, match=message):
        proposals_assign_batch(
            proposals=received, lead=bureau_a, assistants=[bureau_b], by=cora, assigned_at=ASSIGNED_AT,
            reply_due_on=reply_due_on, opinion_due_on=opinion_due_on,
        )
    assert not Assignment.objects.exists()


# --- the pages: the list's checkboxes and the batch form, without JavaScript --------------------


def test_the_list_offers_checkboxes_to_the_congress_office_only(client, received, cora, alice, bureau_a):
    client.force_login(cora)
    page = client.get(reverse("proposal-list")).content.decode()
    assert f'action="{reverse("batch-assign")}"' in page
    assert page.count('name="proposal"') == 3
    assert "批量交办" in page
    intake.proposal_assign(proposal=received[0], leads=[bureau_a], by=cora)
    client.force_login(alice)
    page = client.get(reverse("proposal-list")).content.decode()
    assert 'name="proposal"' not in page and "批量交办" not in page


def test_batch_form_assigns_and_shows_the_notices(client, received, cora, bureau_a, bureau_b):
    client.force_login(cora)
    ids = [p.pk for p in received]
    page = client.get(reverse("batch-assign"), {"proposal": ids})
    assert page.status_code == 200
    assert "可以交办" in page.content.decode()
    response = client.post(
        reverse("batch-assign"), {"proposal": ids, "lead": bureau_a.pk, "assistants": [bureau_b.pk]}
    )
    batch_page = client.get(response["Location"]).content.decode()
    assert response.status_code == 302
    assert "已批量交办3件建议，生成交办通知2份" in batch_page
    assert Assignment.objects.filter(proposal__in=received).count() == 6
    notices = AssignmentNotice.objects.all()
    assert {n.bureau for n in notices} == {bureau_a, bureau_b}
    for notice in notices:
        assert reverse("notice-pdf", args=[notice.pk]) in batch_page


def test_batch_form_lists_what_cannot_be_assigned_and_assigns_nothing(client, received, cora, bureau_a, bureau_b):
    intake.proposal_assign(proposal=received[1], leads=[bureau_b], by=cora)
    client.force_login(cora)
    ids = [p.pk for p in received]
    response = client.post(reverse("batch-assign"), {"proposal": ids, "lead": bureau_a.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "以下1件建议不能交办，本次未交办任何建议" in page
    assert re.search(r"第2号.*?已交办的建议请通过调整交办变更承办单位", page, re.S)
    assert not Assignment.objects.filter(bureau=bureau_a).exists()
    rest = f'{reverse("batch-assign")}?proposal={received[0].pk}&amp;proposal={received[2].pk}'
    assert rest in page  # the way on: the same selection without the proposal refused


def test_all_proposals_the_filters_find_can_be_taken_at_once(client, received, session, cora, bureau_a, bureau_b):
    intake.proposal_assign(proposal=received[1], leads=[bureau_b], by=cora)
    ProposalFactory(session=SessionFactory(term=17, number=3), number=1)  # another session: not in the filter
    client.force_login(cora)
    listing = client.get(reverse("proposal-list"), {"session": session.pk, "state": "received"}).content.decode()
    assert "批量交办筛选出的全部 2 件" in listing
    page = client.get(reverse("batch-assign"), {"matching": "1", "session": session.pk, "state": "received"})
    chosen = [row["proposal"] for row in page.context["rows"]]
    assert chosen == [received[0], received[2]]
    assert not page.context["refused"]


def test_batch_form_needs_a_selection(client, cora):
    client.force_login(cora)
    response = client.get(reverse("batch-assign"))
    assert response.status_code == 302 and response["Location"] == reverse("proposal-list")


@pytest.mark.parametrize("who", ["alice", "sam", "dora", "stranger"])
def test_batch_form_refused_to_others(client, everyone, received, bureau_a, who):
    client.force_login(everyone[who])
    ids = [p.pk for p in received]
    assert client.get(reverse("batch-assign"), {"proposal": ids}).status_code == 403
    assert client.post(reverse("batch-assign"), {"proposal": ids, "lead": bureau_a.pk}).status_code == 403
    assert not Assignment.objects.exists()
