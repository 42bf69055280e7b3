"""Every workflow transition, through the real services: who may, from where, and what it leaves.

Each refusal is checked twice: the right exception, and nothing changed (assignment states,
proposal state, events, replies, cc lists, opinions, document counters, consultations).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from proposals import supervision
from proposals import workflow as intake
from proposals.deadlines import reassignment_deadline, reply_deadline
from proposals.errors import WorkflowError
from proposals.models import Assignment, Consultation, DueUnit, Event, Proposal
from proposals.numerals import chinese_date
from proposals.states import AssignmentState as S
from proposals.states import ProposalState as P
from proposals.transitions import TRANSITIONS, available_transitions
from replies import workflow
from replies.drafts import opinion_save_draft
from replies.models import CoHandlingOpinion, DocumentCounter, Reply, ReplyCc
from replies.selectors import current_reply
from tests.factories import OrganizationFactory, ProposalFactory
from tests.workflow_helpers import write_reply

LEAD, ASSISTING = Assignment.Role.LEAD, Assignment.Role.ASSISTING
PEOPLE = ["cora", "sam", "alice", "lily", "bob", "ben", "dora", "carl", "otto", "stranger", "admin", "anonymous"]

NOTES = {
    "request_reassignment": "该建议主要涉及科技创新，不属于我局职责。",
    "approve_reassignment": "同意调整至市教育局办理。",
    "refuse_reassignment": "该建议主要涉及工业经济，仍由贵局办理。",
    "return": "请补充2023年的数据后再送签。",
    "new_round": "代表对答复不满意，重新办理。",
    "rehandle": "答复没有回应第二条建议，不满意。",
    "request_extension": "涉及跨部门协调，需延期一个月。",
    "remind": "请于本周内报送答复稿。",
    "grant_extension": "同意延期。",
    "refuse_extension": "理由不充分，请按期答复。",
    "reopen_opinion": "请就代表新提的问题重新研究。",
}


# --- the cast and the stage ---------------------------------------------------------------------


@pytest.fixture
def bureau_c(db):
    return OrganizationFactory(name="慈溪市教育局", short_name="市教育局", document_prefix="慈教建")


@pytest.fixture
def ctx(everyone, proposal, bureau_a, bureau_b, bureau_c):
    return SimpleNamespace(
        people={**everyone, "anonymous": AnonymousUser()},
        proposal=proposal,
        bureau_a=bureau_a,
        bureau_b=bureau_b,
        bureau_c=bureau_c,
        **everyone,
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def write_opinion(assignment, by, body="经研究，我局意见如下：一是加强科技项目支持。"):
    opinion = CoHandlingOpinion.objects.get(assignment=assignment)
    return opinion_save_draft(
        opinion=opinion, by=by, version=opinion.version, title=opinion.title, body=body,
        contact_name="周协办", contact_phone="0574-63100000",
    )


def at_state(ctx, state, role=LEAD):
    """The proposal's lead (bureau A) or assisting (bureau B) assignment, brought to ``state``
    through the real services. Lead drafts are written, so the next step would succeed."""
    assistants = [ctx.bureau_b] if role == ASSISTING else []
    created = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=assistants, by=ctx.cora
    )
    assignment = created[1] if role == ASSISTING else created[0]
    staff, leader = (ctx.bob, ctx.ben) if role == ASSISTING else (ctx.alice, ctx.lily)
    steps = []
    if state in (S.REASSIGNMENT_REQUESTED, S.WITHDRAWN):
        steps.append(lambda a: intake.assignment_request_reassignment(assignment=a, by=staff, reason="不属于我局职责。"))
        if state == S.WITHDRAWN:
            steps.append(lambda a: intake.assignment_approve_reassignment(assignment=a, by=ctx.cora, new_bureau=ctx.bureau_c))
    elif state != S.ASSIGNED:
        steps.append(lambda a: workflow.assignment_accept(assignment=a, by=staff))
        if role == ASSISTING:
            steps.append(lambda a: write_opinion(a, staff))
            if state == S.OPINION_SENT:
                steps.append(lambda a: workflow.opinion_send(assignment=a, by=leader))
            elif state != S.DRAFTING:
                raise AssertionError(f"an assisting assignment never reaches {state}")
        else:
            steps.append(lambda a: write_reply(a, staff))
            order = [S.DRAFTING, S.IN_REVIEW, S.SIGNED, S.REPLIED]
            if state not in order:
                raise AssertionError(f"a lead assignment never reaches {state}")
            more = [
                lambda a: workflow.reply_submit(assignment=a, by=staff),
                lambda a: workflow.reply_sign(assignment=a, by=leader),
                lambda a: workflow.reply_send(assignment=a, by=staff),
            ]
            steps += more[: order.index(state)]
    for step in steps:
        step(assignment)
    assignment = fresh(assignment)
    assert assignment.state == state
    return assignment


def lead_rehandling(ctx):
    """Bring the proposal's lead assignment (bureau A) through a sent reply into re-handling."""
    lead = Assignment.objects.get(proposal=ctx.proposal, bureau=ctx.bureau_a)
    workflow.assignment_accept(assignment=lead, by=ctx.alice)
    write_reply(lead, ctx.alice)
    workflow.reply_submit(assignment=lead, by=ctx.alice)
    workflow.reply_sign(assignment=lead, by=ctx.lily)
    workflow.reply_send(assignment=lead, by=ctx.alice)
    workflow.reply_rehandle(assignment=lead, by=ctx.cora, note="不满意。")
    return lead


def extended(assignment):
    """The date the extension tests ask for: 30 days after the assignment's due date."""
    return assignment.due_on + datetime.timedelta(days=30)


def prepare(ctx, name, assignment):
    """Bring about the condition a transition needs beyond its state."""
    if name == "reopen_opinion":
        lead_rehandling(ctx)
    if name in ("grant_extension", "refuse_extension"):
        supervision.assignment_request_extension(
            assignment=assignment, by=ctx.alice, reason=NOTES["request_extension"], new_date=extended(assignment)
        )
    return fresh(assignment)


def act(name, assignment, user, ctx, note=None):
    """Run a registry entry the way the transition view does."""
    note = NOTES.get(name, "") if note is None else note
    return TRANSITIONS[name].run(
        assignment=assignment, by=user, note=note, new_bureau=ctx.bureau_c, new_date=extended(assignment)
    )


def snapshot(proposal=None):
    """Everything a refused action must leave as it was."""
    p = {} if proposal is None else {"assignment__proposal": proposal}
    return {
        "proposals": list(Proposal.objects.order_by("pk").values("pk", "state", "number", "title")),
        "assignments": list(
            Assignment.objects.order_by("pk").values(
                "pk", "proposal_id", "bureau_id", "role", "state", "due_on", "reassignment_reason"
            )
        ),
        "events": list(Event.objects.order_by("pk").values_list("pk", flat=True)),
        "replies": list(Reply.objects.filter(**p).order_by("pk").values()),
        "cc": list(ReplyCc.objects.order_by("pk").values("reply_id", "position", "name", "is_person")),
        "opinions": list(CoHandlingOpinion.objects.filter(**p).order_by("pk").values()),
        "counters": list(DocumentCounter.objects.order_by("pk").values()),
        "consultations": Consultation.objects.count(),
    }


def new_events(before):
    return list(Event.objects.exclude(pk__in=before["events"]).order_by("pk"))


# Who may do what, on the proposal's lead assignment (bureau A) or assisting one (bureau B).
ALLOWED = {
    "accept": {"alice", "lily"},
    "request_reassignment": {"alice", "lily"},
    "approve_reassignment": {"cora", "admin"},
    "refuse_reassignment": {"cora", "admin"},
    "submit": {"alice", "lily"},
    "return": {"lily"},
    "sign": {"lily"},
    "send": {"alice", "lily"},
    "new_round": {"lily"},
    "send_opinion": {"ben"},
    # Opened by a deputy's 不满意 (the rating service) or the congress office's record of one.
    "rehandle": {"dora", "carl", "cora", "admin"},
    "reopen_opinion": {"cora", "admin"},
    "request_extension": {"alice", "lily"},
    "grant_extension": {"cora", "admin"},
    "refuse_extension": {"cora", "admin"},
    "remind": {"cora", "sam", "admin"},
}
ROLE_OF = {"send_opinion": ASSISTING, "reopen_opinion": ASSISTING}
START = {  # where each transition is tried for the permission tests
    "accept": S.ASSIGNED,
    "request_reassignment": S.ASSIGNED,
    "approve_reassignment": S.REASSIGNMENT_REQUESTED,
    "refuse_reassignment": S.REASSIGNMENT_REQUESTED,
    "submit": S.DRAFTING,
    "return": S.IN_REVIEW,
    "sign": S.IN_REVIEW,
    "send": S.SIGNED,
    "new_round": S.REPLIED,
    "send_opinion": S.DRAFTING,
    "rehandle": S.REPLIED,
    "reopen_opinion": S.OPINION_SENT,
    "request_extension": S.DRAFTING,
    "grant_extension": S.DRAFTING,
    "refuse_extension": S.DRAFTING,
    "remind": S.DRAFTING,
}
LEAD_STATES = [S.ASSIGNED, S.REASSIGNMENT_REQUESTED, S.DRAFTING, S.IN_REVIEW, S.SIGNED, S.REPLIED, S.WITHDRAWN]
ASSISTING_STATES = [S.ASSIGNED, S.REASSIGNMENT_REQUESTED, S.DRAFTING, S.OPINION_SENT, S.WITHDRAWN]


def test_the_table_is_what_these_tests_cover():
    assert set(TRANSITIONS) == set(ALLOWED) == set(START)
    for name, start in START.items():
        assert start in TRANSITIONS[name].from_states


# --- allowed --------------------------------------------------------------------------------------

ALLOWED_CASES = [
    # name, who, role, from, expected proposal state afterwards
    ("accept", "alice", LEAD, S.ASSIGNED, P.DRAFTING),
    ("accept", "lily", LEAD, S.ASSIGNED, P.DRAFTING),
    ("accept", "bob", ASSISTING, S.ASSIGNED, P.ASSIGNED),
    ("accept", "ben", ASSISTING, S.ASSIGNED, P.ASSIGNED),
    ("request_reassignment", "alice", LEAD, S.ASSIGNED, P.ASSIGNED),
    ("request_reassignment", "lily", LEAD, S.ASSIGNED, P.ASSIGNED),
    ("request_reassignment", "bob", ASSISTING, S.ASSIGNED, P.ASSIGNED),
    ("approve_reassignment", "cora", LEAD, S.REASSIGNMENT_REQUESTED, P.ASSIGNED),
    ("approve_reassignment", "admin", LEAD, S.REASSIGNMENT_REQUESTED, P.ASSIGNED),
    ("approve_reassignment", "cora", ASSISTING, S.REASSIGNMENT_REQUESTED, P.ASSIGNED),
    ("refuse_reassignment", "cora", LEAD, S.REASSIGNMENT_REQUESTED, P.ASSIGNED),
    ("refuse_reassignment", "admin", ASSISTING, S.REASSIGNMENT_REQUESTED, P.ASSIGNED),
    ("submit", "alice", LEAD, S.DRAFTING, P.IN_REVIEW),
    ("submit", "lily", LEAD, S.DRAFTING, P.IN_REVIEW),
    ("return", "lily", LEAD, S.IN_REVIEW, P.DRAFTING),
    ("sign", "lily", LEAD, S.IN_REVIEW, P.SIGNED),
    ("send", "alice", LEAD, S.SIGNED, P.REPLIED),
    ("send", "lily", LEAD, S.SIGNED, P.REPLIED),
    ("new_round", "lily", LEAD, S.SIGNED, P.DRAFTING),
    ("new_round", "lily", LEAD, S.REPLIED, P.DRAFTING),
    ("send_opinion", "ben", ASSISTING, S.DRAFTING, P.ASSIGNED),
    ("rehandle", "dora", LEAD, S.REPLIED, P.DRAFTING),
    ("rehandle", "cora", LEAD, S.REPLIED, P.DRAFTING),
    ("reopen_opinion", "cora", ASSISTING, S.OPINION_SENT, P.DRAFTING),
    ("request_extension", "alice", LEAD, S.DRAFTING, P.DRAFTING),
    ("grant_extension", "cora", LEAD, S.DRAFTING, P.DRAFTING),
    ("refuse_extension", "admin", LEAD, S.DRAFTING, P.DRAFTING),
    ("remind", "sam", LEAD, S.DRAFTING, P.DRAFTING),
]


@pytest.mark.parametrize("name,who,role,start,proposal_state", ALLOWED_CASES)
def test_allowed_transition(ctx, name, who, role, start, proposal_state):
    assignment = at_state(ctx, start, role)
    assignment = prepare(ctx, name, assignment)
    user = ctx.people[who]
    transition = TRANSITIONS[name]
    offered = name in [t.name for t in available_transitions(user, assignment)]
    assert offered is transition.offered  # re-handling is opened by a rating, never a button
    before = snapshot()

    act(name, assignment, user, ctx)

    after = fresh(assignment)
    assert after.state == (transition.to_state or start)
    assert fresh(ctx.proposal).state == proposal_state
    events = new_events(before)
    event = events[0]
    assert (event.action, event.actor, event.assignment_id, event.proposal_id) == (
        name, user, assignment.pk, ctx.proposal.pk,
    )
    assert (event.from_state, event.to_state) == (start, transition.to_state or start)

    reply = current_reply(after)
    expected_note = NOTES.get(name, "")
    if name == "sign":
        expected_note = f"慈经信建〔{timezone.localdate().year}〕1号"
        assert (reply.document_number, reply.signer, reply.is_signed) == (expected_note, user, True)
    elif name == "send":
        expected_note = "抄送：" + "，".join(reply.cc.values_list("name", flat=True))
        assert "市人大代表工委" in expected_note and "潘省办" in expected_note
    elif name == "new_round":
        assert [r.round for r in after.replies.all()] == [1, 2]
        assert after.replies.get(round=1).is_signed and not reply.is_signed
    elif name == "accept" and role == LEAD:
        assert reply.round == 1 and not reply.is_signed
    elif name == "accept":
        assert CoHandlingOpinion.objects.get(assignment=after).title.endswith("第110号建议的协办意见")
    elif name == "request_reassignment":
        assert after.reassignment_reason == NOTES[name]
    elif name == "send_opinion":
        assert CoHandlingOpinion.objects.get(assignment=after).is_sent
    elif name == "rehandle":
        assert (reply.round, reply.rehandling, reply.round_reason, reply.is_signed) == (2, True, NOTES[name], False)
        assert after.due_basis.startswith("重新办理期限：自")
    elif name == "reopen_opinion":
        assert [(o.round, o.is_sent) for o in after.opinions.order_by("round")] == [(1, True), (2, False)]
    elif name == "request_extension":
        assert (after.extension_until, after.extension_reason) == (extended(assignment), NOTES[name])
        expected_note = f"申请延期至{chinese_date(extended(assignment))}：{NOTES[name]}"
    elif name == "grant_extension":
        assert (after.due_on, after.extension_until) == (extended(assignment), None)
        assert "经代表工委同意" in after.due_basis
        expected_note = f"延期至{chinese_date(extended(assignment))}。{NOTES[name]}"
    elif name == "refuse_extension":
        assert (after.due_on, after.extension_until) == (assignment.due_on, None)
    assert event.note == expected_note

    if name == "approve_reassignment":
        (reassign,) = events[1:]
        replacement = Assignment.objects.get(proposal=ctx.proposal, bureau=ctx.bureau_c)
        assert (replacement.state, replacement.role) == (S.ASSIGNED, role)
        old = "市科技局" if role == ASSISTING else "市经信局"
        assert (reassign.action, reassign.assignment, reassign.note) == (
            "reassign", replacement, f"由{old}调整为市教育局",
        )
    else:
        assert len(events) == 1


# --- refused: wrong person --------------------------------------------------------------------------


def check_refusals(attempts, exception):
    """Run each (label, action) in turn; each must raise ``exception`` and change nothing.
    Collects every failure so one run names all the people or states that got through."""
    failures = []
    for label, action in attempts:
        before = snapshot()
        try:
            action()
        except exception:
            pass
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(f"{label}: {type(exc).__name__} instead of {exception.__name__}: {exc}")
        else:
            failures.append(f"{label}: was not refused")
        if snapshot() != before:
            failures.append(f"{label}: data changed")
            break  # later attempts would start from a different state
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(ALLOWED))
def test_refused_for_every_wrong_person(ctx, name):
    assignment = prepare(ctx, name, at_state(ctx, START[name], ROLE_OF.get(name, LEAD)))
    wrong = [who for who in PEOPLE if who not in ALLOWED[name]]
    for who in wrong:
        offered = [t.name for t in available_transitions(ctx.people[who], assignment)]
        assert name not in offered, f"{who} is offered {name}"
    check_refusals(
        [(who, lambda who=who: act(name, assignment, ctx.people[who], ctx)) for who in wrong],
        PermissionDenied,
    )


# Lead-only steps on an assisting assignment and the opinion step on a lead one, by people who
# do work for that bureau: refused as not theirs to take, whatever the state.
def test_refused_for_the_wrong_kind_of_assignment(ctx):
    lead, assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=ctx.cora
    )
    workflow.assignment_accept(assignment=lead, by=ctx.alice)
    workflow.assignment_accept(assignment=assisting, by=ctx.bob)
    write_reply(lead, ctx.alice)
    write_opinion(assisting, ctx.bob)
    cases = [
        ("submit", assisting, "bob"),
        ("submit", assisting, "ben"),
        ("return", assisting, "ben"),
        ("sign", assisting, "ben"),
        ("send", assisting, "ben"),
        ("new_round", assisting, "ben"),
        ("send_opinion", lead, "lily"),
    ]
    check_refusals(
        [
            (f"{name} by {who}", lambda n=name, a=a, who=who: act(n, fresh(a), ctx.people[who], ctx))
            for name, a, who in cases
        ],
        PermissionDenied,
    )


def test_a_bureau_cannot_act_on_another_bureaus_assignment(ctx):
    """bob (市科技局) forges an accept of 市经信局's assignment: refused, nothing happens."""
    (assignment,) = intake.proposal_assign(proposal=ctx.proposal, leads=[ctx.bureau_a], by=ctx.cora)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        workflow.assignment_accept(assignment=assignment, by=ctx.bob)
    assert snapshot() == before
    assert fresh(assignment).state == S.ASSIGNED
    assert not Reply.objects.exists()


# --- refused: wrong moment -------------------------------------------------------------------------

RIGHT_PERSON = {  # (transition, role of the assignment) -> who would be allowed
    "accept": {LEAD: "alice", ASSISTING: "bob"},
    "request_reassignment": {LEAD: "alice", ASSISTING: "bob"},
    "approve_reassignment": {LEAD: "cora", ASSISTING: "cora"},
    "refuse_reassignment": {LEAD: "cora", ASSISTING: "cora"},
    "submit": {LEAD: "alice"},
    "return": {LEAD: "lily"},
    "sign": {LEAD: "lily"},
    "send": {LEAD: "alice"},
    "new_round": {LEAD: "lily"},
    "send_opinion": {ASSISTING: "ben"},
    "rehandle": {LEAD: "dora"},
    "reopen_opinion": {ASSISTING: "cora"},
    "request_extension": {LEAD: "alice", ASSISTING: "bob"},
    "grant_extension": {LEAD: "cora", ASSISTING: "cora"},
    "refuse_extension": {LEAD: "cora", ASSISTING: "cora"},
    "remind": {LEAD: "sam", ASSISTING: "sam"},
}
STATES = [(s, LEAD) for s in LEAD_STATES] + [(s, ASSISTING) for s in ASSISTING_STATES]


@pytest.mark.parametrize("state,role", STATES)
def test_refused_from_every_wrong_state(ctx, state, role):
    """At each state an assignment can be in, every transition that does not start there is
    refused for the person who could otherwise take it."""
    assignment = at_state(ctx, state, role)
    wrong = [
        name for name, t in TRANSITIONS.items()
        if state not in t.from_states and role in RIGHT_PERSON[name]
    ]
    assert wrong
    for name in wrong:
        user = ctx.people[RIGHT_PERSON[name][role]]
        assert name not in [t.name for t in available_transitions(user, assignment)]

    def attempt(name):
        try:
            act(name, fresh(assignment), ctx.people[RIGHT_PERSON[name][role]], ctx)
        except WorkflowError as exc:
            assert str(TRANSITIONS[name].label) in str(exc), f"unclear message: {exc}"
            raise

    check_refusals([(name, lambda n=name: attempt(n)) for name in wrong], WorkflowError)


def test_every_transition_is_refused_from_some_state():
    covered = {
        name for name, t in TRANSITIONS.items()
        for state, role in STATES if state not in t.from_states and role in RIGHT_PERSON[name]
    }
    assert covered == set(TRANSITIONS)


@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if t.note_required])
def test_a_note_is_required(ctx, name):
    assignment = prepare(ctx, name, at_state(ctx, START[name], ROLE_OF.get(name, LEAD)))
    user = ctx.people[RIGHT_PERSON[name][ROLE_OF.get(name, LEAD)]]
    before = snapshot()
    with pytest.raises(WorkflowError, match="需要填写说明"):
        act(name, assignment, user, ctx, note="  \n ")
    assert snapshot() == before


# --- submitting while assisting bureaus still owe their opinions -------------------------------------


def test_lead_cannot_submit_while_an_opinion_is_not_yet_due(ctx):
    lead, assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=ctx.cora
    )
    workflow.assignment_accept(assignment=lead, by=ctx.alice)
    workflow.assignment_accept(assignment=assisting, by=ctx.bob)
    write_reply(lead, ctx.alice)
    before = snapshot()
    for note in ("", "等不及了"):
        with pytest.raises(WorkflowError, match="尚未收到市科技局的协办意见"):
            workflow.reply_submit(assignment=lead, by=ctx.alice, note=note)
    assert snapshot() == before

    # Once the opinion is sent, the lead may submit, without a note.
    write_opinion(assisting, ctx.bob)
    workflow.opinion_send(assignment=assisting, by=ctx.ben)
    workflow.reply_submit(assignment=lead, by=ctx.alice)
    assert fresh(lead).state == S.IN_REVIEW
    assert fresh(ctx.proposal).state == P.IN_REVIEW


def test_an_unaccepted_assistant_also_blocks_submitting(ctx):
    lead, assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=ctx.cora
    )
    workflow.assignment_accept(assignment=lead, by=ctx.alice)
    write_reply(lead, ctx.alice)
    with pytest.raises(WorkflowError, match="市科技局"):
        workflow.reply_submit(assignment=lead, by=ctx.alice)
    assert fresh(lead).state == S.DRAFTING


def test_lead_may_submit_past_an_overdue_opinion_only_with_a_note(ctx):
    lead, assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=ctx.cora
    )
    workflow.assignment_accept(assignment=lead, by=ctx.alice)
    workflow.assignment_accept(assignment=assisting, by=ctx.bob)
    write_reply(lead, ctx.alice)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Assignment.objects.filter(pk=assisting.pk).update(due_on=yesterday)

    before = snapshot()
    with pytest.raises(WorkflowError, match="市科技局的协办意见已逾期未送达"):
        workflow.reply_submit(assignment=lead, by=ctx.alice, note="   ")
    assert snapshot() == before

    note = "市科技局协办意见逾期未送达，经电话催办未果，先行答复。"
    workflow.reply_submit(assignment=lead, by=ctx.alice, note=note)
    assert fresh(lead).state == S.IN_REVIEW
    event = Event.objects.filter(assignment=lead).latest("pk")
    assert (event.action, event.note, event.actor) == ("submit", note, ctx.alice)
    assert fresh(assisting).state == S.DRAFTING  # the assistant may still send it late


# --- reassignment -------------------------------------------------------------------------------------


def _assigned_days_ago(ctx, days):
    (assignment,) = intake.proposal_assign(proposal=ctx.proposal, leads=[ctx.bureau_a], by=ctx.cora)
    Assignment.objects.filter(pk=assignment.pk).update(
        assigned_at=F("assigned_at") - datetime.timedelta(days=days)
    )
    return fresh(assignment)


def _window_end(ctx, assignment):
    return reassignment_deadline(ctx.proposal.session, timezone.localdate(assignment.assigned_at)).due_on


def _assigned_before_window(ctx, days_after_window_end):
    """An assignment whose reassignment window (rolled to a working day) ended that many days ago."""
    days = 1
    while True:  # assigned ``days`` ago, its window ends exactly days_after_window_end days ago
        assigned_on = timezone.localdate() - datetime.timedelta(days=days)
        end = reassignment_deadline(ctx.proposal.session, assigned_on).due_on
        if (timezone.localdate() - end).days == days_after_window_end:
            return _assigned_days_ago(ctx, days)
        days += 1


def test_reassignment_request_outside_the_window_is_refused(ctx):
    assignment = _assigned_before_window(ctx, 1)
    before = snapshot()
    with pytest.raises(WorkflowError, match="交办后10日内"):
        intake.assignment_request_reassignment(assignment=assignment, by=ctx.alice, reason="不属于我局职责。")
    assert snapshot() == before
    assert fresh(assignment).reassignment_reason == ""


def test_reassignment_request_on_the_last_day_of_the_window_is_allowed(ctx):
    assignment = _assigned_before_window(ctx, 0)
    assert _window_end(ctx, assignment) == timezone.localdate()
    intake.assignment_request_reassignment(assignment=assignment, by=ctx.alice, reason="不属于我局职责。")
    assert fresh(assignment).state == S.REASSIGNMENT_REQUESTED


def test_reassignment_window_is_a_session_rule_in_working_days(ctx):
    session = ctx.proposal.session
    session.reassignment_window, session.reassignment_window_unit = 3, DueUnit.WORKING_DAYS
    session.save()
    assignment = _assigned_before_window(ctx, 1)
    assigned_on = timezone.localdate(assignment.assigned_at)
    end = reassignment_deadline(session, assigned_on)
    assert end.basis.startswith(f"调整交办申请期限：自{chinese_date(assigned_on)}交办起3个工作日")
    assert (end.due_on - assigned_on).days >= 3
    with pytest.raises(WorkflowError, match="交办后3个工作日内"):
        intake.assignment_request_reassignment(assignment=fresh(assignment), by=ctx.alice, reason="不属于我局职责。")
    assert fresh(assignment).state == S.ASSIGNED


def test_approved_reassignment_moves_the_proposal_to_the_new_bureau(ctx):
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    (old,) = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], by=ctx.cora, assigned_at=eight_days_ago
    )
    assert ctx.proposal in Proposal.objects.visible_to(ctx.alice)
    assert ctx.proposal not in Proposal.objects.visible_to(ctx.bob)
    intake.assignment_request_reassignment(assignment=old, by=ctx.alice, reason="不属于我局职责。")

    replacement = intake.assignment_approve_reassignment(
        assignment=old, by=ctx.cora, new_bureau=ctx.bureau_b, note="同意。"
    )

    old = fresh(old)
    today = timezone.localdate()
    assert old.state == S.WITHDRAWN
    assert (replacement.bureau, replacement.role, replacement.state) == (ctx.bureau_b, LEAD, S.ASSIGNED)
    assert timezone.localdate(replacement.assigned_at) == today
    assert replacement.due_on == reply_deadline(ctx.proposal.session, today).due_on != old.due_on
    assert replacement.due_basis == reply_deadline(ctx.proposal.session, today).basis
    assert fresh(ctx.proposal).state == P.ASSIGNED
    assert list(ctx.proposal.assignments.active()) == [replacement]
    # The old bureau loses access; the new one gains it.
    assert ctx.proposal not in Proposal.objects.visible_to(ctx.alice)
    assert ctx.proposal not in Proposal.objects.visible_to(ctx.lily)
    assert ctx.proposal in Proposal.objects.visible_to(ctx.bob)
    assert ctx.proposal in Proposal.objects.visible_to(ctx.ben)
    # And may no longer act on it.
    with pytest.raises(WorkflowError):
        workflow.assignment_accept(assignment=old, by=ctx.alice)
    workflow.assignment_accept(assignment=replacement, by=ctx.bob)
    assert fresh(ctx.proposal).state == P.DRAFTING


@pytest.mark.parametrize("target", ["same", "already_assisting", "delegation"])
def test_reassignment_to_an_impossible_bureau_is_refused(ctx, target):
    lead, _assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=ctx.cora
    )
    intake.assignment_request_reassignment(assignment=lead, by=ctx.alice, reason="不属于我局职责。")
    new_bureau = {
        "same": ctx.bureau_a,
        "already_assisting": ctx.bureau_b,
        "delegation": ctx.dora.deputy.delegation,
    }[target]
    before = snapshot()
    with pytest.raises(WorkflowError):
        intake.assignment_approve_reassignment(assignment=lead, by=ctx.cora, new_bureau=new_bureau)
    assert snapshot() == before


def test_refused_reassignment_returns_the_assignment_to_the_bureau(ctx):
    (assignment,) = intake.proposal_assign(proposal=ctx.proposal, leads=[ctx.bureau_a], by=ctx.cora)
    intake.assignment_request_reassignment(assignment=assignment, by=ctx.alice, reason="不属于我局职责。")
    intake.assignment_refuse_reassignment(assignment=assignment, by=ctx.cora, note="仍由贵局办理。")
    assert fresh(assignment).state == S.ASSIGNED
    assert ctx.proposal in Proposal.objects.visible_to(ctx.alice)
    workflow.assignment_accept(assignment=assignment, by=ctx.alice)
    assert fresh(ctx.proposal).state == P.DRAFTING


# --- split handling -------------------------------------------------------------------------------------


def test_split_handling_keeps_the_proposal_at_the_least_advanced_lead(ctx):
    a, b = intake.proposal_assign(proposal=ctx.proposal, leads=[ctx.bureau_a, ctx.bureau_b], by=ctx.cora)
    assert {a.handling, b.handling} == {Assignment.Handling.SPLIT}
    assert {a.role, b.role} == {LEAD}

    def state():
        return fresh(ctx.proposal).state

    assert state() == P.ASSIGNED
    workflow.assignment_accept(assignment=a, by=ctx.alice)
    assert state() == P.ASSIGNED
    workflow.assignment_accept(assignment=b, by=ctx.bob)
    assert state() == P.DRAFTING
    write_reply(a, ctx.alice)
    workflow.reply_submit(assignment=a, by=ctx.alice)
    workflow.reply_sign(assignment=a, by=ctx.lily)
    workflow.reply_send(assignment=a, by=ctx.alice)
    assert fresh(a).state == S.REPLIED
    assert state() == P.DRAFTING
    with pytest.raises(WorkflowError):
        intake.proposal_close(proposal=ctx.proposal, by=ctx.cora)
    write_reply(b, ctx.bob)
    workflow.reply_submit(assignment=b, by=ctx.bob)
    assert state() == P.IN_REVIEW
    reply_b = workflow.reply_sign(assignment=b, by=ctx.ben)
    assert reply_b.document_number.startswith("慈科建〔")
    assert state() == P.SIGNED
    workflow.reply_send(assignment=b, by=ctx.bob)
    assert state() == P.REPLIED
    intake.proposal_close(proposal=ctx.proposal, by=ctx.cora, note="两个主办单位均已答复。")
    assert state() == P.CLOSED


def test_split_handling_takes_no_assistants(ctx, bureau_c):
    before = snapshot()
    with pytest.raises(WorkflowError, match="分办"):
        intake.proposal_assign(
            proposal=ctx.proposal, leads=[ctx.bureau_a, ctx.bureau_b], assistants=[bureau_c], by=ctx.cora
        )
    assert snapshot() == before


# --- register, assign, close, consultations ------------------------------------------------------------


@pytest.mark.parametrize("who", ["cora", "admin"])
def test_register_writes_the_proposal_and_an_event(ctx, who):
    user = ctx.people[who]
    proposal = intake.proposal_register(
        by=user, session=ctx.proposal.session, number=111, title=" 关于加快数字经济建设的建议 ",
        reasons="事由", suggestions="建议", lead_deputy=ctx.otto.deputy,
        co_signers=[ctx.otto.deputy, ctx.carl.deputy],
    )
    proposal = fresh(proposal)
    assert (proposal.state, proposal.registered_by, proposal.title) == (P.RECEIVED, user, "关于加快数字经济建设的建议")
    assert list(proposal.co_signers.all()) == [ctx.carl.deputy]  # the lead is not their own co-signer
    (event,) = proposal.events.all()
    assert (event.action, event.actor, event.from_state, event.to_state) == ("register", user, "", P.RECEIVED)


def test_register_refused_for_everyone_but_the_congress_office(ctx):
    check_refusals(
        [
            (who, lambda who=who: intake.proposal_register(
                by=ctx.people[who], session=ctx.proposal.session, number=111,
                title="关于加快数字经济建设的建议", reasons="事由", suggestions="建议",
                lead_deputy=ctx.otto.deputy,
            ))
            for who in PEOPLE if who not in ("cora", "admin")
        ],
        PermissionDenied,
    )


@pytest.mark.parametrize("who", ["cora", "admin"])
def test_assign_creates_lead_and_assisting_assignments(ctx, who):
    user = ctx.people[who]
    before = snapshot()
    lead, assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=user
    )
    assert (lead.bureau, lead.role, lead.state, lead.handling) == (ctx.bureau_a, LEAD, S.ASSIGNED, "joint")
    assert (assisting.bureau, assisting.role, assisting.state) == (ctx.bureau_b, ASSISTING, S.ASSIGNED)
    assert lead.assigned_by == assisting.assigned_by == user
    assert fresh(ctx.proposal).state == P.ASSIGNED
    (event,) = new_events(before)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "assign", user, P.RECEIVED, P.ASSIGNED, "市经信局（主办）、市科技局（协办）",
    )


def test_assign_refused_for_everyone_but_the_congress_office(ctx):
    check_refusals(
        [
            (who, lambda who=who: intake.proposal_assign(
                proposal=ctx.proposal, leads=[ctx.bureau_a], by=ctx.people[who]
            ))
            for who in PEOPLE if who not in ("cora", "admin")
        ],
        PermissionDenied,
    )


def _proposal_at(ctx, state):
    """The proposal brought to a proposal state through its lead assignment."""
    if state == P.RECEIVED:
        return ctx.proposal
    lead_state = {P.CLOSED: S.REPLIED}.get(state, state)
    at_state(ctx, lead_state)
    if state == P.CLOSED:
        intake.proposal_close(proposal=ctx.proposal, by=ctx.cora, note="代表满意。")
    proposal = fresh(ctx.proposal)
    assert proposal.state == state
    return proposal


@pytest.mark.parametrize("state", [s for s in P.values if s != P.RECEIVED])
def test_assign_refused_once_assigned(ctx, state):
    proposal = _proposal_at(ctx, state)
    before = snapshot()
    with pytest.raises(WorkflowError, match="调整交办"):
        intake.proposal_assign(proposal=proposal, leads=[ctx.bureau_c], by=ctx.cora)
    assert snapshot() == before


@pytest.mark.parametrize(
    "leads,assistants,message",
    [
        ([], ["b"], "至少选择一个主办单位"),
        (["a"], ["a", "b"], "既主办又协办"),
        (["a"], ["b", "delegation"], "不是承办单位"),
        (["delegation"], [], "不是承办单位"),
    ],
)
def test_assign_refuses_bad_choices(ctx, leads, assistants, message):
    orgs = {"a": ctx.bureau_a, "b": ctx.bureau_b, "delegation": ctx.dora.deputy.delegation}
    before = snapshot()
    with pytest.raises(WorkflowError, match=message):
        intake.proposal_assign(
            proposal=ctx.proposal, leads=[orgs[x] for x in leads], assistants=[orgs[x] for x in assistants], by=ctx.cora
        )
    assert snapshot() == before
    assert fresh(ctx.proposal).state == P.RECEIVED


@pytest.mark.parametrize("who", ["cora", "admin"])
def test_close_a_replied_proposal(ctx, who):
    proposal = _proposal_at(ctx, P.REPLIED)
    before = snapshot()
    closed = intake.proposal_close(proposal=proposal, by=ctx.people[who], note=" 代表满意。 ")
    assert closed.state == fresh(proposal).state == P.CLOSED
    (event,) = new_events(before)
    assert (event.action, event.actor, event.from_state, event.to_state, event.note) == (
        "close", ctx.people[who], P.REPLIED, P.CLOSED, "代表满意。",
    )


def test_close_refused_for_everyone_but_the_congress_office(ctx):
    proposal = _proposal_at(ctx, P.REPLIED)
    check_refusals(
        [
            (who, lambda who=who: intake.proposal_close(proposal=proposal, by=ctx.people[who]))
            for who in PEOPLE if who not in ("cora", "admin")
        ],
        PermissionDenied,
    )


@pytest.mark.parametrize("state", [s for s in P.values if s != P.REPLIED])
def test_close_only_from_replied(ctx, state):
    proposal = _proposal_at(ctx, state)
    before = snapshot()
    with pytest.raises(WorkflowError, match="答复送达后才能办结"):
        intake.proposal_close(proposal=proposal, by=ctx.cora)
    assert snapshot() == before


CONSULT = dict(form="phone", participants=" 陈承办、罗冲代表 ", summary=" 办前沟通：了解代表诉求。 ")


@pytest.mark.parametrize(
    "who,role,state",
    [
        ("alice", LEAD, S.ASSIGNED),
        ("lily", LEAD, S.DRAFTING),
        ("alice", LEAD, S.REPLIED),
        ("bob", ASSISTING, S.DRAFTING),
        ("ben", ASSISTING, S.OPINION_SENT),
    ],
)
def test_consultation_recorded_by_the_bureau(ctx, who, role, state):
    assignment = at_state(ctx, state, role)
    user = ctx.people[who]
    held_on = timezone.localdate() - datetime.timedelta(days=1)
    before = snapshot()
    consultation = intake.consultation_record(assignment=assignment, by=user, held_on=held_on, **CONSULT)
    consultation = fresh(consultation)
    assert (consultation.assignment, consultation.recorded_by, consultation.participants, consultation.summary) == (
        assignment, user, "陈承办、罗冲代表", "办前沟通：了解代表诉求。",
    )
    assert fresh(assignment).state == state  # logging a contact is not a transition
    (event,) = new_events(before)
    assert (event.action, event.actor, event.assignment) == ("consultation", user, assignment)
    assert event.note == f"{chinese_date(held_on)} 电话：陈承办、罗冲代表"


def test_consultation_refused_for_everyone_outside_the_bureau(ctx):
    assignment = at_state(ctx, S.DRAFTING)
    check_refusals(
        [
            (who, lambda who=who: intake.consultation_record(
                assignment=assignment, by=ctx.people[who], held_on=timezone.localdate(), **CONSULT
            ))
            for who in PEOPLE if who not in ("alice", "lily")
        ],
        PermissionDenied,
    )


def test_consultation_refused_on_a_withdrawn_assignment(ctx):
    assignment = at_state(ctx, S.WITHDRAWN)
    before = snapshot()
    with pytest.raises(WorkflowError, match="已撤回"):
        intake.consultation_record(assignment=assignment, by=ctx.alice, held_on=timezone.localdate(), **CONSULT)
    assert snapshot() == before


def test_consultation_cannot_be_dated_in_the_future(ctx):
    assignment = at_state(ctx, S.DRAFTING)
    before = snapshot()
    with pytest.raises(ValidationError):
        intake.consultation_record(
            assignment=assignment, by=ctx.alice,
            held_on=timezone.localdate() + datetime.timedelta(days=1), **CONSULT
        )
    assert snapshot() == before


# --- due dates ----------------------------------------------------------------------------------------


def test_due_dates_follow_the_session_settings(ctx):
    jan31 = timezone.make_aware(datetime.datetime(2024, 1, 31, 10, 0))
    lead, assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=ctx.cora, assigned_at=jan31
    )
    assert lead.due_on == datetime.date(2024, 4, 30)  # 3 months; no April 31st
    assert lead.due_basis == "答复期限：自2024年1月31日交办起3个月"
    assert assisting.due_on == datetime.date(2024, 2, 29)  # 1 month, leap year
    assert assisting.due_basis == "协办意见期限：自2024年1月31日交办起1个月"

    session = ctx.proposal.session
    session.reply_due = 2
    session.save()
    other = ProposalFactory(session=session, number=111, lead_deputy=ctx.otto.deputy)
    (lead2,) = intake.proposal_assign(proposal=other, leads=[ctx.bureau_a], by=ctx.cora, assigned_at=jan31)
    assert lead2.due_on == datetime.date(2024, 4, 1)  # 2 months is Sunday 31 March: the next working day
    assert lead2.due_basis == "答复期限：自2024年1月31日交办起2个月，2024年3月31日遇休息日，顺延至2024年4月1日"
    assert fresh(lead).due_on == datetime.date(2024, 4, 30)  # existing assignments keep theirs


def test_due_date_counts_from_the_local_day_of_assignment(ctx):
    # 2024-03-31 20:00 UTC is already April 1st in Asia/Shanghai.
    assigned_at = datetime.datetime(2024, 3, 31, 20, 0, tzinfo=datetime.UTC)
    (lead,) = intake.proposal_assign(proposal=ctx.proposal, leads=[ctx.bureau_a], by=ctx.cora, assigned_at=assigned_at)
    assert lead.due_on == datetime.date(2024, 7, 1)
    assert "2024年4月1日" in lead.due_basis


def test_overdue_assignments(ctx):
    lead, assisting = intake.proposal_assign(
        proposal=ctx.proposal, leads=[ctx.bureau_a], assistants=[ctx.bureau_b], by=ctx.cora
    )
    today = timezone.localdate()
    assert not Assignment.objects.overdue().exists()
    Assignment.objects.filter(pk=assisting.pk).update(due_on=today - datetime.timedelta(days=1))
    assert list(Assignment.objects.overdue()) == [assisting]
    assert fresh(assisting).is_overdue() and not fresh(lead).is_overdue()
    # An opinion that was sent is no longer overdue.
    workflow.assignment_accept(assignment=assisting, by=ctx.bob)
    write_opinion(assisting, ctx.bob)
    workflow.opinion_send(assignment=assisting, by=ctx.ben)
    assert not Assignment.objects.overdue().exists()

