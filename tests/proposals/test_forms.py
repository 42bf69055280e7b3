"""Bad input through the pages: a clear error in Chinese, nothing saved."""

import pytest
from django.urls import reverse

from proposals import workflow as intake
from proposals.errors import WorkflowError
from proposals.models import Event, Proposal
from replies import workflow
from replies.drafts import BODY_MAX_LENGTH, reply_save_draft
from replies.models import CoHandlingOpinion, Reply
from tests.workflow_helpers import assign, to_drafting


def _register_data(proposal, **overrides):
    data = {
        "session": proposal.session.pk, "number": proposal.number, "title": "新建议",
        "lead_deputy": proposal.lead_deputy.pk, "timing": "during_session", "category": "economy",
        "received_on": "2022-01-12", "reasons": "事由", "suggestions": "建议",
    }
    data.update(overrides)
    return data


def test_duplicate_number_in_a_session_is_refused(client, cora, proposal):
    client.force_login(cora)
    count = Proposal.objects.count()
    response = client.post(reverse("proposal-register"), _register_data(proposal))
    assert response.status_code == 200
    assert "本次会议已有同一编号的建议" in response.content.decode()
    assert Proposal.objects.count() == count


def test_over_long_title_is_refused(client, cora, proposal):
    client.force_login(cora)
    response = client.post(reverse("proposal-register"), _register_data(proposal, number=5, title="长" * 201))
    assert response.status_code == 200
    assert "确保该变量包含不超过 200 字符" in response.content.decode()
    assert not Proposal.objects.filter(number=5).exists()


def test_registering_works_and_is_logged(client, cora, proposal):
    client.force_login(cora)
    response = client.post(reverse("proposal-register"), _register_data(proposal, number=6, title="关于新事项的建议"))
    created = Proposal.objects.get(number=6)
    assert response.status_code == 302 and response.url == reverse("proposal-detail", args=[created.pk])
    assert created.state == "received" and created.events.get().action == "register"


def test_assigning_the_same_bureau_twice_is_refused(client, cora, proposal, bureau_a):
    client.force_login(cora)
    response = client.post(reverse("proposal-assign", args=[proposal.pk]), {"leads": [bureau_a.pk], "assistants": [bureau_a.pk]})
    assert "同一单位不能既主办又协办" in response.content.decode()
    assert not proposal.assignments.exists()


def test_second_save_of_the_same_draft_is_refused_with_who_changed_it(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    url = reverse("reply-edit", args=[assignment.pk])
    base = {"category_mark": "A", "disclosure": "public", "contact_name": "陈承办", "contact_phone": "1", "cc_text": "市人大代表工委", "version": reply.version}
    client.force_login(lily)
    assert client.post(url, {**base, "body": "龚激红的修改"}).status_code == 302
    client.force_login(alice)
    response = client.post(url, {**base, "body": "陈承办的修改"})
    page = response.content.decode()
    assert "龚激红 已于" in page and "您的修改未保存" in page
    assert "陈承办的修改" in page  # the user's own text is kept in the form
    assert Reply.objects.get(pk=reply.pk).body == "龚激红的修改"


def test_category_mark_outside_the_sessions_set_is_refused(client, proposal, cora, alice, bureau_a):
    proposal.session.category_marks = "ABC"
    proposal.session.save()
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    client.force_login(alice)
    response = client.post(reverse("reply-edit", args=[assignment.pk]), {
        "body": "正文", "category_mark": "D", "disclosure": "public", "contact_name": "陈",
        "contact_phone": "1", "cc_text": "", "version": reply.version,
    })
    assert response.status_code == 200 and "D" not in Reply.objects.get(pk=reply.pk).category_mark


def test_over_long_note_is_refused(client, proposal, cora, alice, bureau_a):
    (assignment,) = intake.proposal_assign(proposal=proposal, leads=[bureau_a], by=cora)
    client.force_login(alice)
    events = Event.objects.count()
    response = client.post(reverse("assignment-transition", args=[assignment.pk, "request_reassignment"]), {"note": "长" * 2001}, follow=True)
    assert "说明过长" in response.content.decode()
    assert Event.objects.count() == events


def _reply_post(reply, body):
    return {
        "body": body, "category_mark": "A", "disclosure": "public", "contact_name": "陈承办",
        "contact_phone": "1", "cc_text": "市人大代表工委", "version": reply.version,
    }


@pytest.mark.parametrize("length,saved", [(BODY_MAX_LENGTH, True), (65000, False)])
def test_a_reply_body_over_the_limit_is_refused(client, proposal, cora, alice, bureau_a, length, saved):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    client.force_login(alice)
    response = client.post(reverse("reply-edit", args=[assignment.pk]), _reply_post(reply, "字" * length))
    stored = Reply.objects.get(pk=reply.pk)
    if saved:
        assert response.status_code == 302 and len(stored.body) == length
    else:
        assert response.status_code == 200 and "60000" in response.content.decode()
        assert (stored.body, stored.version) == ("", reply.version)  # nothing saved


def test_an_opinion_body_over_the_limit_is_refused(client, proposal, cora, bob, bureau_a, bureau_b):
    _lead, assisting = assign(proposal, cora, bureau_a, [bureau_b])
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = CoHandlingOpinion.objects.get(assignment=assisting)
    client.force_login(bob)
    response = client.post(reverse("opinion-edit", args=[assisting.pk]), {
        "title": opinion.title, "body": "字" * 65000, "contact_name": "周", "contact_phone": "1",
        "version": opinion.version,
    })
    assert response.status_code == 200 and "60000" in response.content.decode()
    assert CoHandlingOpinion.objects.get(pk=opinion.pk).body == ""


def test_the_draft_service_refuses_an_over_long_body_too(proposal, cora, alice, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    with pytest.raises(WorkflowError, match="不能超过 60000 字"):
        reply_save_draft(
            reply=reply, by=alice, version=reply.version, body="字" * 60001, category_mark="A",
            disclosure="public", contact_name="陈", contact_phone="1", cc=[],
        )
    assert Reply.objects.get(pk=reply.pk).version == reply.version


def test_the_assign_page_shows_the_rules_dates_and_takes_the_offices_own(client, cora, proposal, bureau_a, bureau_b):
    import datetime

    from django.utils import timezone

    from proposals.calendar import WorkingCalendar
    from proposals.deadlines import reply_deadline
    from proposals.models import CalendarYear

    client.force_login(cora)
    page = client.get(reverse("proposal-assign", args=[proposal.pk])).content.decode()
    today = timezone.localdate()
    assert "不填则按规定：" + reply_deadline(proposal.session, today).basis in page
    due = today + datetime.timedelta(days=45)  # after the opinion default (1 month)
    CalendarYear.objects.get_or_create(year=due.year)  # whatever year the suite runs in
    due = WorkingCalendar().next_workday(due)
    response = client.post(reverse("proposal-assign", args=[proposal.pk]), {
        "leads": [bureau_a.pk], "assistants": [bureau_b.pk], "reply_due_on": due.isoformat(),
    })
    assert response.status_code == 302, response.content.decode()[-3000:]
    lead = proposal.assignments.get(role="lead")
    assert lead.due_on == due and "代表工委交办时指定为" in lead.due_basis


def test_a_due_date_on_a_day_off_is_refused_and_nothing_assigned(client, cora, proposal, bureau_a):
    import datetime

    from django.utils import timezone

    from proposals.models import CalendarDay, CalendarYear

    holiday = timezone.localdate() + datetime.timedelta(days=20)
    CalendarYear.objects.get_or_create(year=holiday.year)
    CalendarDay.objects.update_or_create(day=holiday, defaults={"is_workday": False, "name": "地方假日"})
    client.force_login(cora)
    response = client.post(reverse("proposal-assign", args=[proposal.pk]), {
        "leads": [bureau_a.pk], "reply_due_on": holiday.isoformat(),
    })
    assert "不是工作日" in response.content.decode()
    assert not proposal.assignments.exists()
