"""`load_demo` turns the five published seed documents into records, byte for byte."""

from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from proposals.models import Assignment, Proposal
from replies.demo import documents as docs
from replies.demo import history, loader
from replies.models import CoHandlingOpinion, Evaluation, Reply

REPO_SEEDS = docs.SEED_DIR
SHARED_SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SEEDS = SHARED_SEEDS if SHARED_SEEDS.is_dir() else REPO_SEEDS


@pytest.fixture
def seeds(monkeypatch):
    """The seed documents as documents.py parses them, read from ../shared/seeds when it is there
    (the ground truth), else from the repo copies."""
    monkeypatch.setattr(docs, "SEED_DIR", SEEDS)
    return SimpleNamespace(
        letter=docs.seed_letter.__wrapped__,  # uncached, so it really reads SEEDS
        proposal=lambda: docs.seed_proposal.__wrapped__(docs.PROPOSAL_176),
        raw=lambda name: (SEEDS / name).read_text(encoding="utf-8"),
    )


@pytest.fixture
def demo(db, monkeypatch):
    """The seed documents' demo, without the generated session (tests/replies/test_demo_history.py)."""
    monkeypatch.setattr(loader, "history_load", lambda _loader: None)
    call_command("load_demo", stdout=StringIO())


def proposal_no(number, term, session):
    return Proposal.objects.get(number=number, session__term=term, session__number=session)


def reply_to(number, term, session, round=1):
    return Reply.objects.get(
        assignment__proposal=proposal_no(number, term, session), assignment__role="lead", round=round
    )


def cc_line(reply):
    """The cc list as printed: bodies separated by 「，」, consecutive people by 「、」."""
    text = ""
    previous = None
    for entry in reply.cc.order_by("position"):
        if previous is not None:
            text += "、" if previous.is_person and entry.is_person else "，"
        text += entry.name
        previous = entry
    return text


def test_repo_seed_copies_are_byte_identical_to_shared_seeds():
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"{SHARED_SEEDS} is not there to compare with")
    shared = sorted(p.name for p in SHARED_SEEDS.glob("*.txt"))
    assert shared == sorted(p.name for p in REPO_SEEDS.glob("*.txt"))
    assert len(shared) == 5
    for name in shared:
        assert (REPO_SEEDS / name).read_bytes() == (SHARED_SEEDS / name).read_bytes(), name


def test_proposal_176_text(demo, seeds):
    proposal = proposal_no(176, 17, 3)
    seed = seeds.proposal()
    assert proposal.reasons == seed.reasons
    assert proposal.suggestions == seed.suggestions
    raw = seeds.raw(docs.PROPOSAL_176)
    assert proposal.reasons in raw and proposal.suggestions in raw
    assert proposal.reasons.startswith("近年来，在国家政策推动")
    assert proposal.suggestions.startswith("（一）建立健全智能制造发展机制")
    assert "二、建议" not in proposal.reasons
    assert (proposal.lead_deputy.name, proposal.title) == ("傅磊", "关于推进智能制造产业发展的建议")
    assert sorted(proposal.co_signers.values_list("name", flat=True)) == sorted(["潘省办", "胡国锋"])


def test_reply_176(demo, seeds):
    reply = reply_to(176, 17, 3)
    seed = seeds.letter(docs.REPLY_176)
    assert reply.body == seed.body
    assert reply.body in seeds.raw(docs.REPLY_176)
    assert reply.body.endswith("希望在今后继续多提宝贵意见。")
    assert "抄" not in reply.body[-200:] and "2018年6月20日" not in reply.body
    assert (reply.title, reply.salutation) == (seed.title, seed.salutation) == (
        "对市十七届人大三次会议第176号建议的答复", "傅磊代表：",
    )
    assert reply.is_signed and reply.signed_on.isoformat() == "2018-06-20"
    assert reply.bureau.name == seed.bureau == "慈溪市经济和信息化局"
    assert [(c.name, c.is_person) for c in reply.cc.order_by("position")] == [
        ("市人大代表工委", False),
        ("市政府办公室", False),
        ("市科技局", False),
        ("白沙路街道人大工作委员会", False),
        ("潘省办", True),
        ("胡国锋", True),
    ]
    assert cc_line(reply) == "市人大代表工委，市政府办公室，市科技局，白沙路街道人大工作委员会，潘省办、胡国锋"
    assert reply.is_sent  # then rated 不满意: see test_the_demo_shows_every_state_of_the_loop


def test_reply_110(demo, seeds):
    reply = reply_to(110, 18, 1)
    seed = seeds.letter(docs.REPLY_110)
    assert reply.body == seed.body
    assert reply.body in seeds.raw(docs.REPLY_110)
    assert reply.body.endswith("多提宝贵意见和建议。")
    assert reply.document_number == seed.document_number == "慈经信建〔2022〕3号"
    assert (reply.document_year, reply.document_seq) == (2022, 3)
    assert reply.signer.full_name == seed.signer == "龚激红"
    assert reply.category_mark == seed.category_mark == "A"
    assert (reply.title, reply.salutation) == (seed.title, seed.salutation) == (
        "对市十八届人大一次会议第110号建议的答复", "罗冲代表：",
    )
    assert reply.assignment.proposal.lead_deputy.name == "罗冲"


def test_reply_366(demo, seeds):
    reply = reply_to(366, 18, 2)
    seed = seeds.letter(docs.REPLY_366)
    assert reply.body == seed.body
    assert reply.body in seeds.raw(docs.REPLY_366)
    assert reply.body.startswith("\u3000\u3000您在市第十八届人大第二次会议闭会期间")
    assert reply.signed_on.isoformat() == "2023-09-12"
    assert [(c.name, c.is_person) for c in reply.cc.order_by("position")] == [
        (name, False)
        for name in [
            "市人大代表工委", "市政府办公室", "市税务局", "市人力社保局", "市教育局",
            "市自然资源规划局", "市委人才办", "匡堰镇人大主席团",
        ]
    ]
    proposal = reply.assignment.proposal
    assert proposal.timing == Proposal.Timing.RECESS
    assert (proposal.lead_deputy.name, proposal.lead_deputy.delegation.cc_label) == ("岑国建", "匡堰镇人大主席团")
    assert (reply.title, reply.salutation) == (seed.title, seed.salutation)


def test_opinion_239(demo, seeds):
    opinion = CoHandlingOpinion.objects.get(assignment__proposal=proposal_no(239, 17, 1))
    seed = seeds.letter(docs.OPINION_239)
    assert opinion.assignment.bureau.short_name == "市科技局"
    assert opinion.assignment.role == Assignment.Role.ASSISTING
    assert opinion.title == seed.title == "关于慈溪市人大十七届第一次会议第239号建议的协办意见"
    assert opinion.body == seed.body
    assert opinion.body in seeds.raw(docs.OPINION_239)
    assert opinion.body.endswith("关心和支持科技工作的谢意!")
    assert opinion.is_sent and opinion.assignment.state == "opinion_sent"
    assert opinion.salutation == seed.salutation == "市经信局："
    lead = opinion.assignment.proposal.assignments.get(role=Assignment.Role.LEAD)
    assert (lead.bureau.short_name, lead.state) == ("市经信局", "drafting")


def _all_rows():
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def history_snapshot():
    """The generated session as loaded, without database ids."""
    return [
        (
            p.number, p.title, p.state, p.category, p.lead_deputy.name, p.received_on, p.created_at,
            sorted(p.co_signers.values_list("name", flat=True)),
            list(p.assignments.order_by("id").values_list(
                "bureau__short_name", "role", "state", "assigned_at", "due_on", "due_basis", "finished_on", "late_days")),
            list(Reply.objects.filter(assignment__proposal=p).order_by("id").values_list(
                "round", "document_number", "signed_on", "signed_at", "sent_at", "released_at", "body", "category_mark")),
            list(p.events.order_by("created_at", "id").values_list("action", "actor__username", "note", "created_at")),
            list(Evaluation.objects.filter(reply__assignment__proposal=p).order_by("id").values_list(
                "deputy__name", "work", "result", "source", "comment", "created_at")),
        )
        for p in Proposal.objects.filter(session__term=18, session__number=4).order_by("number")
    ]


def test_loading_twice_changes_nothing_and_every_load_writes_the_same(db):
    with transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        first = history_snapshot()
        transaction.set_rollback(True)
    assert not Proposal.objects.exists()
    call_command("load_demo", stdout=StringIO())
    assert history_snapshot() == first
    assert [row[:2] for row in first] == [(p.number, p.title) for p in history.plan()]
    before = _all_rows()
    # 176, 366, 110 sent; 176's re-handling round; the drafts of 239 and of 18-5 No.12.
    seeds = Proposal.objects.exclude(session__term=18, session__number=4)
    assert seeds.count() == 6 and Reply.objects.filter(assignment__proposal__in=seeds).count() == 6
    assert len(before["proposals.Proposal"]) == 6 + len(history.plan())
    out = StringIO()
    call_command("load_demo", stdout=out)
    after = _all_rows()
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert after == before
    assert "nothing changed" in out.getvalue()


def test_the_demo_shows_every_state_of_the_loop(demo):
    from proposals.models import Consultation, Event
    from replies.models import Evaluation

    r110, r366, r176 = reply_to(110, 18, 1), reply_to(366, 18, 2), reply_to(176, 17, 3)
    # 110: returned once with a note, then signed, sent, rated 满意 by 罗冲, released.
    returned = Event.objects.get(assignment=r110.assignment, action="return")
    assert "第二部分内容偏少" in returned.note and returned.actor.username == "jxj_leader"
    assert Evaluation.objects.get(reply=r110).get_work_display() == "满意"
    # 110 and 366 are on /public/; 176 is 依申请公开 and is not.
    assert set(Reply.objects.released()) == {r110, r366}
    assert r176.disclosure == Reply.Disclosure.ON_REQUEST and not r176.is_released
    # 176: 傅磊 rated it 不满意, so 市经信局 is handling it again in a second round.
    assert Evaluation.objects.get(reply=r176).result == "dissatisfied"
    second = reply_to(176, 17, 3, round=2)
    assert second.rehandling and not second.is_signed and "具体措施" in second.round_reason
    assert second.assignment.state == "drafting"
    # 239: a consultation waits for 胡国锋 to confirm it.
    consultation = Consultation.objects.get(assignment__proposal=proposal_no(239, 17, 1))
    assert consultation.deputy_answer == "" and consultation.assignment.proposal.lead_deputy.name == "胡国锋"
    # The history is dated as the documents are: nothing happens before the reply was sent.
    assert Event.objects.get(assignment=r110.assignment, action="rate").created_at.date() > r110.signed_on


def test_the_demo_shows_deadlines_at_work(demo):
    from proposals.models import Reminder

    # Assigned on 1 July 2026: three months end on National Day, moved to 8 October, then extended.
    lead = Assignment.objects.get(proposal=proposal_no(12, 18, 5))
    assert "2026年10月1日遇国庆节假期，顺延至2026年10月8日" in lead.due_basis
    assert "延期至2026年12月18日" in lead.due_basis and str(lead.due_on) == "2026-12-18"
    reminder = Reminder.objects.get(assignment=lead)
    assert (reminder.kind, reminder.sent_by.username) == ("manual", "dubanyuan")
    # 366 was sent two days after its due date: marked for good, dated as the documents are.
    late = reply_to(366, 18, 2).assignment
    assert (late.late_days, str(late.finished_on)) == (2, "2023-09-14")
    assert reply_to(110, 18, 1).assignment.late_days == 0
