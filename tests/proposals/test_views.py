"""Every page and action × every role → the status a user would get.

404 for anyone outside a proposal's access rule (never reveal it exists), 403 for someone who
may see it but not do this, 200/302 for the right people.
"""

import pytest
from django.urls import reverse

from proposals import workflow as intake
from proposals.models import Assignment, Event, Proposal
from proposals.transitions import TRANSITIONS
from replies import workflow
from replies.models import Reply
from tests.workflow_helpers import write_reply

PEOPLE = ["cora", "sam", "alice", "lily", "bob", "ben", "dora", "carl", "otto", "stranger", "admin"]


@pytest.fixture
def scenario(everyone, proposal, cora, alice, bob, bureau_a, bureau_b):
    """Proposal 110: lead 市经信局 drafting, assisting 市科技局 drafting its opinion."""
    lead, assisting = intake.proposal_assign(proposal=proposal, leads=[bureau_a], assistants=[bureau_b], by=cora)
    workflow.assignment_accept(assignment=lead, by=alice)
    workflow.assignment_accept(assignment=assisting, by=bob)
    return {"proposal": proposal, "lead": lead, "assisting": assisting, **everyone}


def status(client, user, method, url, data=None):
    client.force_login(user)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code


def url_for(page, s):
    p, lead, assisting = s["proposal"], s["lead"], s["assisting"]
    return {
        "home": reverse("home"),
        "list": reverse("proposal-list"),
        "detail": reverse("proposal-detail", args=[p.pk]),
        "register": reverse("proposal-register"),
        "assign": reverse("proposal-assign", args=[p.pk]),
        "reply_edit": reverse("reply-edit", args=[lead.pk]),
        "opinion_edit": reverse("opinion-edit", args=[assisting.pk]),
        "consultation": reverse("consultation-new", args=[lead.pk]),
        "draft_reply": reverse("reply-detail", args=[lead.replies.get().pk]),
        "my_proposals": reverse("my-proposals"),
        "my_proposal": reverse("my-proposal", args=[p.pk]),
    }[page]


# page: expected status per person (anything not listed: 200)
PAGES = {
    "home": {},
    "list": {"dora": 302, "carl": 302, "otto": 302},  # deputies go to their own list
    "detail": {"otto": 404, "stranger": 404, "dora": 302, "carl": 302},  # deputies go to their own view
    "register": {p: 403 for p in PEOPLE if p not in ("cora", "admin")},
    "assign": {"sam": 403, "alice": 403, "lily": 403, "bob": 403, "ben": 403, "dora": 403, "carl": 403, "otto": 404, "stranger": 404},
    "reply_edit": {"cora": 403, "sam": 403, "bob": 403, "ben": 403, "dora": 403, "carl": 403, "admin": 403, "otto": 404, "stranger": 404},
    "opinion_edit": {"cora": 403, "sam": 403, "alice": 403, "lily": 403, "dora": 403, "carl": 403, "admin": 403, "otto": 404, "stranger": 404},
    "consultation": {"cora": 403, "sam": 403, "bob": 403, "ben": 403, "dora": 403, "carl": 403, "admin": 403, "otto": 404, "stranger": 404},
    # a draft is the bureaus' and the offices' business; deputies and assisting bureaus see it once signed
    "draft_reply": {"bob": 404, "ben": 404, "dora": 404, "carl": 404, "otto": 404, "stranger": 404},
    "my_proposals": {p: 403 for p in PEOPLE if p not in ("dora", "carl", "otto")},
    "my_proposal": {**{p: 403 for p in PEOPLE if p not in ("dora", "carl", "otto")}, "otto": 404},
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("person", PEOPLE)
def test_page_permissions(client, scenario, page, person):
    expected = PAGES[page].get(person, 200)
    assert status(client, scenario[person], "get", url_for(page, scenario)) == expected


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, scenario, page):
    response = client.get(url_for(page, scenario))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# Who may take each action on the scenario's assignments (the lead's for every action but the
# opinion's): they get 302 (done, or refused for the wrong moment with a message); anyone else
# who can see the proposal gets 403, and those who cannot see it get 404.
MAY_ACT = {
    "accept": {"alice", "lily"},
    "submit": {"alice", "lily"},
    "sign": {"lily"},
    "return": {"lily"},
    "send": {"alice", "lily"},
    "new_round": {"lily"},
    "request_reassignment": {"alice", "lily"},
    "approve_reassignment": {"cora", "admin"},
    "refuse_reassignment": {"cora", "admin"},
    "send_opinion": {"ben"},
    "reopen_opinion": {"cora", "admin"},  # refused for the moment (no re-handling yet): 302
    "request_extension": {"alice", "lily"},
    "grant_extension": {"cora", "admin"},  # refused for the moment (nothing asked): 302
    "refuse_extension": {"cora", "admin"},
    "remind": {"cora", "sam", "admin"},
}
NOT_OFFERED = {"rehandle"}  # opened by a deputy's rating: no page may post it (404)
CANNOT_SEE = {"otto", "stranger"}


def test_the_table_names_every_registered_action():
    assert set(MAY_ACT) | NOT_OFFERED == set(TRANSITIONS)


@pytest.mark.parametrize("action", sorted(MAY_ACT) + sorted(NOT_OFFERED))
@pytest.mark.parametrize("person", PEOPLE)
def test_transition_permissions(client, scenario, action, person):
    on_opinion = action in ("send_opinion", "reopen_opinion")
    assignment = scenario["assisting"] if on_opinion else scenario["lead"]
    if action in NOT_OFFERED or person in CANNOT_SEE:
        expected = 404
    else:
        expected = 302 if person in MAY_ACT[action] else 403
    events = Event.objects.count()
    url = reverse("assignment-transition", args=[assignment.pk, action])
    assert status(client, scenario[person], "post", url, {"note": "理由"}) == expected
    if expected != 302:
        assert Event.objects.count() == events  # nothing recorded on refusal


def test_transitions_refuse_get(client, scenario):
    client.force_login(scenario["alice"])
    url = reverse("assignment-transition", args=[scenario["lead"].pk, "submit"])
    assert client.get(url).status_code == 405
    assert Assignment.objects.get(pk=scenario["lead"].pk).state == "drafting"


def test_unknown_action_is_404(client, scenario):
    client.force_login(scenario["alice"])
    assert client.post(reverse("assignment-transition", args=[scenario["lead"].pk, "delete"])).status_code == 404


def test_wrong_state_transition_shows_message_and_changes_nothing(client, scenario):
    client.force_login(scenario["lily"])
    events = Event.objects.count()
    response = client.post(reverse("assignment-transition", args=[scenario["lead"].pk, "sign"]), follow=True)
    assert "当前状态为「办理中」，不能执行「签发」" in response.content.decode()
    assert Assignment.objects.get(pk=scenario["lead"].pk).state == "drafting"
    assert Event.objects.count() == events
    assert not Reply.objects.filter(signed_at__isnull=False).exists()


def test_forged_post_for_another_bureaus_assignment(client, scenario, bureau_a, cora, otto):
    """bob's bureau assists on 110; a proposal assigned only to 市经信局 is invisible to him."""
    other = Proposal.objects.create(
        session=scenario["proposal"].session, number=999, title="另一件建议", lead_deputy=otto.__class__.objects.get(user=scenario["otto"]),
        category="other", received_on=scenario["proposal"].received_on,
    )
    (assignment,) = intake.proposal_assign(proposal=other, leads=[bureau_a], by=cora)
    client.force_login(scenario["bob"])
    assert client.post(reverse("assignment-transition", args=[assignment.pk, "accept"])).status_code == 404
    # On the shared proposal he can see 市经信局's assignment but not act on it.
    assert client.post(reverse("assignment-transition", args=[scenario["lead"].pk, "submit"])).status_code == 403
    assignment.refresh_from_db()
    assert assignment.state == "assigned"


def test_submit_and_sign_through_the_pages(client, scenario):
    lead = scenario["lead"]
    write_reply(lead, scenario["alice"])
    # the assisting opinion is not yet due and not sent: submitting is refused with the reason
    client.force_login(scenario["alice"])
    response = client.post(reverse("assignment-transition", args=[lead.pk, "submit"]), follow=True)
    assert "尚未收到市科技局的协办意见" in response.content.decode()
    opinion = scenario["assisting"].opinions.get()
    from replies.drafts import opinion_save_draft

    opinion_save_draft(opinion=opinion, by=scenario["bob"], version=opinion.version, title=opinion.title,
                       body="协办意见正文。", contact_name="周协办", contact_phone="1")
    client.force_login(scenario["ben"])
    client.post(reverse("assignment-transition", args=[scenario["assisting"].pk, "send_opinion"]))
    client.force_login(scenario["alice"])
    client.post(reverse("assignment-transition", args=[lead.pk, "submit"]))
    client.force_login(scenario["lily"])
    response = client.post(reverse("assignment-transition", args=[lead.pk, "sign"]), follow=True)
    reply = lead.replies.get()
    assert reply.document_number.startswith("慈经信建〔") and reply.signer == scenario["lily"]
    assert reply.document_number in response.content.decode()


def test_overdue_filter_and_marks(client, scenario):
    Assignment.objects.filter(pk=scenario["lead"].pk).update(due_on="2020-01-01")
    client.force_login(scenario["sam"])
    page = client.get(reverse("proposal-list") + "?overdue=true").content.decode()
    assert scenario["proposal"].title in page and "已逾期" in page
    page = client.get(reverse("proposal-list") + "?overdue=false").content.decode()
    assert scenario["proposal"].title not in page
    home = client.get(reverse("home")).content.decode()
    assert "2020-01-01" in home


def test_filter_choices_are_scoped(client, scenario, bureau_a, cora):
    """A bureau's filter offers only bureaus on proposals it can see; others stay hidden."""
    from tests.factories import OrganizationFactory

    hidden = OrganizationFactory(name="慈溪市隐藏局", short_name="市隐藏局")
    client.force_login(scenario["bob"])
    page = client.get(reverse("proposal-list")).content.decode()
    assert "市经信局" in page and "市隐藏局" not in page
    client.force_login(scenario["cora"])
    assert hidden.short_name in client.get(reverse("proposal-list")).content.decode()


def test_keyword_search_and_pagination(client, scenario, cora, dora):
    from tests.factories import ProposalFactory

    for n in range(30):
        ProposalFactory(session=scenario["proposal"].session, number=200 + n, title=f"关于路灯改造第{n}段的建议", lead_deputy=dora)
    client.force_login(cora)
    first = client.get(reverse("proposal-list") + "?q=路灯").content.decode()
    assert "共 30 件" in first and "1 / 2" in first
    second = client.get(reverse("proposal-list") + "?q=路灯&page=2").content.decode()
    assert "2 / 2" in second
    assert "全员要素" not in first


def test_the_timeline_shows_each_step_in_china_time_with_its_bureau_actor_and_escaped_note(client, scenario):
    """The proposal page's timeline (written out in Python): when (local time), what, the
    bureau's short name, who, and the note as text."""
    import datetime

    from django.utils import timezone

    from proposals.events import event_record

    p, lead, cora, alice = scenario["proposal"], scenario["lead"], scenario["cora"], scenario["alice"]
    step = event_record(proposal=p, action=Event.Action.REMIND, by=cora, assignment=lead, note="请<b>尽快</b>办理 & 答复")
    at = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)  # 07:30 on 2 March in China
    Event.objects.filter(pk=step.pk).update(created_at=at)
    Event.objects.filter(proposal=p, action=Event.Action.ASSIGN).update(actor=None)

    client.force_login(alice)
    page = client.get(reverse("proposal-detail", args=[p.pk])).content.decode()
    timeline = page[page.index('<ol class="timeline">'):]

    assert (
        f"<li><time>2026-03-02 07:30</time> <strong>{Event.Action.REMIND.label}</strong> · "
        f"{lead.bureau.short_name} · {cora.display_name}<div class=\"sub\">请&lt;b&gt;尽快&lt;/b&gt;办理 &amp; 答复</div></li>"
    ) in timeline
    assigned = Event.objects.filter(proposal=p, action=Event.Action.ASSIGN).order_by("id")[0]
    bureau = f" · {assigned.assignment.bureau.short_name}" if assigned.assignment_id else ""
    when = timezone.localtime(assigned.created_at)
    note = f"<div class=\"sub\">{assigned.note}</div>" if assigned.note else ""
    assert f"<li><time>{when:%Y-%m-%d %H:%M}</time> <strong>{Event.Action.ASSIGN.label}</strong>{bureau}{note}</li>" in timeline
    assert "<b>尽快</b>" not in page


def test_proposal_links_written_in_python_follow_the_script_prefix():
    """``proposal_url`` (home panels, list rows) is the URL ``{% url %}`` gives, under any
    prefix the site is mounted at."""
    from django.urls import get_script_prefix, set_script_prefix

    from proposals.templatetags.proposal_rows import proposal_url

    before = get_script_prefix()
    try:
        for prefix in ("/", "/jianyi/"):
            set_script_prefix(prefix)
            assert proposal_url(176) == reverse("proposal-detail", args=[176]) == f"{prefix}proposals/176/"
    finally:
        set_script_prefix(before)
