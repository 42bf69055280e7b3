"""Each list and detail page makes the same number of queries with 1 and with 50 objects: no
query per row (the benchmark, benchmarks/pages.py, measures their time at 100,000)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals import events, selectors
from proposals import workflow as intake
from proposals.models import Assignment, Event, Proposal, Session
from proposals.states import AssignmentState
from replies import rating
from replies import workflow as replies_workflow
from replies.models import CoHandlingOpinion, Evaluation, Reply
from tests.factories import OrganizationFactory, ProposalFactory
from tests.workflow_helpers import assign, write_reply

MAX_QUERIES = 15
SIZES = [1, 50]


def _proposals(n, cora, lead, assisting, first=1):
    """n assigned proposals (numbered from ``first``), each with a sent and released reply of
    the lead bureau."""
    now = timezone.now()
    found = []
    for number in range(first, first + n):
        proposal = ProposalFactory(number=number, title=f"关于第{number}项智能制造工作的建议")
        lead_assignment, _assisting = assign(proposal, cora, lead, [assisting])
        Reply.objects.create(
            assignment=lead_assignment,
            bureau=lead,
            signed_at=now,
            sent_at=now,
            released_at=now,
            disclosure=Reply.Disclosure.PUBLIC,
            body="正文",
            public_body="公开正文",
        )
        found.append(proposal)
    return found


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200, url
    return len(queries)


PAGES = [
    ("cora", "proposal-list", {}),
    ("cora", "proposal-list", {"page": 2}),
    ("cora", "proposal-list", {"q": "智能制造"}),
    ("cora", "proposal-list", {"rated": "false"}),
    ("alice", "proposal-list", {}),
    ("sam", "proposal-list", {"overdue": "false"}),
    ("cora", "home", {}),
    ("sam", "home", {}),
    ("alice", "home", {}),
]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize(("who", "name", "data"), PAGES)
def test_list_pages_make_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, everyone, bureau_a, bureau_b, n, who, name, data
):
    _proposals(n, everyone["cora"], bureau_a, bureau_b)
    client.force_login(everyone[who])
    client.get(reverse(name), data)  # the first request after a login also updates the session
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse(name), data).status_code == 200


@pytest.mark.parametrize(("who", "name", "data"), PAGES)
def test_list_pages_make_as_many_queries_for_50_as_for_1(
    client, everyone, bureau_a, bureau_b, who, name, data
):
    client.force_login(everyone[who])
    _proposals(1, everyone["cora"], bureau_a, bureau_b)
    client.get(reverse(name), data)
    one = _queries(client, reverse(name), data)
    _proposals(49, everyone["cora"], bureau_a, bureau_b, first=100)
    fifty = _queries(client, reverse(name), data)
    _proposals(10, everyone["cora"], bureau_a, bureau_b, first=200)
    # A home panel counts only once it is full (HOME_LIST_SIZE rows): one query more, then no more.
    assert fifty <= one + 1 and _queries(client, reverse(name), data) == fifty


@pytest.mark.parametrize("n", SIZES)
def test_the_public_page_makes_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, cora, bureau_a, bureau_b, n
):
    _proposals(n, cora, bureau_a, bureau_b)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("public-list"))
    assert f"共 {n} 件答复" in response.content.decode()


@pytest.mark.parametrize("n", [1, 5])
def test_the_proposal_page_makes_as_many_queries_for_many_opinions(
    client, django_assert_max_num_queries, cora, bureau_a, n
):
    """Each opinion's salutation names the lead bureau without a query of its own."""
    proposal = ProposalFactory(number=1)
    assisting = [
        OrganizationFactory(name=f"慈溪市第{i}局", short_name=f"第{i}局") for i in range(n)
    ]
    _lead, *helpers = assign(proposal, cora, bureau_a, assisting)
    for helper in helpers:
        CoHandlingOpinion.objects.create(
            assignment=helper,
            title="协办意见",
            body="意见",
            signed_on=datetime.date.today(),
            sent_at=timezone.now(),
        )
    client.force_login(cora)
    client.get(reverse("proposal-detail", args=[proposal.pk]))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("proposal-detail", args=[proposal.pk]))
    assert response.content.decode().count("市经信局：") == n
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("proposal-detail", args=[proposal.pk]))
    assert len(queries) == _detail_queries_with_one_opinion(client, cora, bureau_a)


def _detail_queries_with_one_opinion(client, cora, bureau_a):
    proposal = ProposalFactory(number=99)
    _lead, helper = assign(
        proposal, cora, bureau_a, [OrganizationFactory(name="慈溪市对照局", short_name="对照局")]
    )
    CoHandlingOpinion.objects.create(
        assignment=helper, title="协办意见", body="意见", sent_at=timezone.now()
    )
    return _queries(client, reverse("proposal-detail", args=[proposal.pk]))


@pytest.mark.parametrize("n", SIZES)
def test_the_admin_event_log_makes_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, admin_user, cora, bureau_a, bureau_b, n
):
    proposals = _proposals(n, cora, bureau_a, bureau_b)
    for proposal in proposals:  # an event with no actor: the changelist must still join, not ask
        events.event_record(proposal=proposal, action=Event.Action.REMIND, by=None)
    client.force_login(admin_user)
    client.get(reverse("admin:proposals_event_changelist"))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("admin:proposals_event_changelist"))
    assert response.status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert (
            client.get(
                reverse("admin:proposals_event_changelist"), {"action": "remind"}
            ).status_code
            == 200
        )


# --- the deputy's page, the congress office's home page, a busy proposal page ------------------


def _deputy_proposals(n, first, *, dora, carl, cora, alice, lead, assisting):
    """n proposals dora leads and carl co-signs (in a session where co-signers rate too), each
    with a consultation and a sent reply (as signed: with its letter); every other one rated."""
    now = timezone.now()
    for number in range(first, first + n):
        proposal = ProposalFactory(number=number, lead_deputy=dora)
        proposal.co_signers.add(carl)
        lead_assignment, _assisting = assign(proposal, cora, lead, [assisting])
        intake.consultation_record(
            assignment=lead_assignment, by=alice, held_on=proposal.received_on, form="phone",
            participants="罗冲代表", summary="办前沟通：了解代表诉求。",
        )
        reply = Reply.objects.create(
            assignment=lead_assignment, bureau=lead, signed_at=now, sent_at=now, body="正文",
            letter={"title": f"对第{number}号建议的答复", "salutation": "罗冲、潘省办代表："},
        )
        Assignment.objects.filter(pk=lead_assignment.pk).update(state=AssignmentState.REPLIED)
        if number % 2:
            Evaluation.objects.create(
                reply=reply, deputy=dora, work="satisfied", result="satisfied", recorded_by=dora.user
            )
    Session.objects.update(raters=Session.Raters.ALL)


def test_the_deputys_page_makes_as_many_queries_for_many_proposals(
    client, django_assert_max_num_queries, cora, alice, dora, carl, bureau_a, bureau_b
):
    """Each reply's 「请测评」 (is it the current round, was it rated, who rates) and each card's
    letter are read with the page's few queries, not one or three per reply."""
    people = {"dora": dora, "carl": carl, "cora": cora, "alice": alice, "lead": bureau_a, "assisting": bureau_b}
    _deputy_proposals(1, 1, **people)
    client.force_login(dora.user)
    client.get(reverse("my-proposals"))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("my-proposals"))
    assert response.content.decode().count("请测评") == 0  # the one proposal was rated
    one = _queries(client, reverse("my-proposals"))
    _deputy_proposals(9, 2, **people)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("my-proposals"))
    assert response.content.decode().count(">请测评<") == 5  # the unrated ones: 2, 4, 6, 8, 10
    assert _queries(client, reverse("my-proposals")) == one


def _recess_proposals(n, first):
    """n recess proposals waiting to be assigned, each received on another day from 11 September
    2026 (National Day week among their 5 working days for some)."""
    for number in range(first, first + n):
        ProposalFactory(
            number=number, timing=Proposal.Timing.RECESS,
            received_on=datetime.date(2026, 9, 10) + datetime.timedelta(days=number),
        )


def test_the_congress_offices_home_page_reads_the_calendar_once_for_many_recess_proposals(
    client, django_assert_max_num_queries, monkeypatch, cora
):
    monkeypatch.setattr(selectors, "HOME_LIST_SIZE", 25)  # panels of 25 rows, each with its day
    _recess_proposals(1, 1)
    client.force_login(cora)
    client.get(reverse("home"))
    one = _queries(client, reverse("home"))
    _recess_proposals(23, 2)  # 24: a panel short of full (a full one is also counted)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("home"))
    page = response.content.decode()
    assert page.count("前交办") == 24
    assert "应于 2026-10-10 前交办" in page  # received 28 September: 1–7 October off, Saturday 10th worked
    assert _queries(client, reverse("home")) == one


def _busy_proposal(n, *, proposal, cora, alice, lily, dora, bureau_a, bureau_b):
    """110 replied by 市经信局 (rated by dora, the rating corrected n times), n assisting bureaus
    with their opinions sent, n consultations and n reminders (with and without an actor)."""
    others = [OrganizationFactory(name=f"慈溪市第{i}协办局", short_name=f"第{i}协办局") for i in range(n - 1)]
    lead, *helpers = assign(proposal, cora, bureau_a, [bureau_b, *others])
    for helper in helpers:
        CoHandlingOpinion.objects.filter(assignment=helper).update(
            title="协办意见", body="意见", signed_on=datetime.date.today(), sent_at=timezone.now()
        )
        Assignment.objects.filter(pk=helper.pk).update(state=AssignmentState.OPINION_SENT)
    replies_workflow.assignment_accept(assignment=lead, by=alice)
    for i in range(n):
        intake.consultation_record(
            assignment=lead, by=alice, held_on=proposal.received_on, form="phone",
            participants="罗冲代表", summary=f"第{i + 1}次沟通",
        )
    write_reply(lead, alice)
    replies_workflow.reply_submit(assignment=lead, by=alice)
    reply = replies_workflow.reply_sign(assignment=lead, by=lily)
    replies_workflow.reply_send(assignment=lead, by=alice)
    rated = rating.evaluation_submit(reply=reply, by=dora.user, work="satisfied", result="satisfied")
    for i in range(n):
        rated = rating.evaluation_correct(
            evaluation=rated, by=cora, work="satisfied", result="basically", reason=f"第{i + 1}次更正"
        )
    for i in range(n):
        events.event_record(
            proposal=proposal, assignment=helpers[0], action=Event.Action.REMIND, by=cora if i % 2 else None
        )


@pytest.mark.parametrize("who", ["cora", "alice"])
def test_a_busy_proposal_page_makes_as_many_queries_for_many_assignments_ratings_and_events(
    client, django_assert_max_num_queries, everyone, proposal, dora, bureau_a, bureau_b, who
):
    """Corrected ratings, the re-opening of each sent opinion (offered only while the lead
    re-handles) and the timeline cost no query per row."""
    people = {k: everyone[k] for k in ("cora", "alice", "lily")}
    _busy_proposal(1, proposal=proposal, dora=dora, bureau_a=bureau_a, bureau_b=bureau_b, **people)
    quiet = ProposalFactory(session=proposal.session, number=111, lead_deputy=dora)
    _busy_proposal(5, proposal=quiet, dora=dora, bureau_a=bureau_a, bureau_b=bureau_b, **people)
    client.force_login(everyone[who])
    client.get(reverse("proposal-detail", args=[proposal.pk]))
    one = _queries(client, reverse("proposal-detail", args=[proposal.pk]))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("proposal-detail", args=[quiet.pk]))
    page = response.content.decode()
    assert page.count('class="superseded"') == 5 and page.count("第5次沟通") == 1
    assert _queries(client, reverse("proposal-detail", args=[quiet.pk])) == one


def test_the_home_page_counts_its_full_panels_in_one_query(
    client, django_assert_max_num_queries, monkeypatch, cora, bureau_a, bureau_b
):
    """Every panel of the congress office full (here 2 rows): their true counts cost one query."""
    monkeypatch.setattr(selectors, "HOME_LIST_SIZE", 2)
    today = timezone.localdate()
    _recess_proposals(3, 1)
    for number in (101, 102, 103):
        proposal = ProposalFactory(number=number)
        lead, assisting = assign(proposal, cora, bureau_a, [bureau_b])
        Assignment.objects.filter(pk=lead.pk).update(
            due_on=today - datetime.timedelta(days=3), extension_until=today + datetime.timedelta(days=30)
        )
        Assignment.objects.filter(pk=assisting.pk).update(
            due_on=today + datetime.timedelta(days=2), state=AssignmentState.REASSIGNMENT_REQUESTED
        )
        Proposal.objects.filter(pk=proposal.pk).update(state="replied")
    client.force_login(cora)
    client.get(reverse("home"))
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("home")).content.decode()
    for title in ("待交办", "调整交办申请", "延期申请", "已答复，待办结", "即将到期"):
        assert f'{title} <span class="count">3</span>' in page, title
    assert '已逾期 <span class="count red">3</span>' in page
