"""The timeline: every event's action is one of Event.Action, labelled in the reader's language,
and the set of actions a deputy may read leaves out the exchanges between staff and leaders."""

from django.urls import reverse

from proposals.models import Audience, Event
from replies import workflow
from tests.workflow_helpers import to_in_review

A = Event.Action


def test_a_whole_handling_writes_only_known_actions(proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    workflow.reply_return(assignment=assignment, by=lily, note="第二部分内容偏少，请补充。")
    workflow.reply_submit(assignment=assignment, by=alice)
    workflow.reply_sign(assignment=assignment, by=lily)
    workflow.reply_send(assignment=assignment, by=alice)
    actions = list(proposal.events.values_list("action", flat=True))
    assert actions == [A.ASSIGN, A.ACCEPT, A.SUBMIT, A.RETURN, A.SUBMIT, A.SIGN, A.SEND]
    assert set(actions) <= set(A.values)

    for_deputies = list(Event.objects.filter(proposal=proposal).for_deputies().values_list("action", flat=True))
    assert for_deputies == [A.ASSIGN, A.SEND]
    assert not {A.SUBMIT, A.RETURN, A.SIGN, A.ACCEPT} & Event.Action.for_audience(Audience.DEPUTIES)


def test_the_timeline_shows_each_action_by_its_label(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    workflow.reply_return(assignment=assignment, by=lily, note="请补充数据。")
    client.force_login(cora)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    for label in ("交办", "接收交办", "送签发", "退回修改"):
        assert f"<strong>{label}</strong>" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert "<strong>Return for revision</strong>" in page


def test_the_page_builds_each_action_form_from_the_registry(client, proposal, cora, alice, lily, bureau_a):
    to_in_review(proposal, cora, alice, bureau_a)
    client.force_login(lily)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    # 退回修改 needs a reason; 签发 takes none.
    return_form = page[page.index("/do/return/"): page.index('data-action="return"')]
    sign_form = page[page.index("/do/sign/"): page.index('data-action="sign"')]
    assert "<textarea" in return_form and " required" in return_form and "退回理由" in return_form
    assert "<textarea" not in sign_form
