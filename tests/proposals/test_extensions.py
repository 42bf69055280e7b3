"""Extensions (延期申请): the bureau asks with a reason and a date, the congress office grants
(at most 6 months from assignment in total) or refuses; all on the timeline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import supervision
from proposals.deadlines import add_months
from proposals.errors import WorkflowError
from proposals.models import Assignment, Event
from tests.workflow_helpers import to_drafting


@pytest.fixture
def drafting(proposal, cora, alice, bureau_a):
    return to_drafting(proposal, cora, alice, bureau_a)


def test_a_bureau_asks_and_the_congress_office_grants_on_the_pages(client, drafting, alice, cora, proposal, dora):
    wanted = drafting.due_on + datetime.timedelta(days=20)
    client.force_login(alice)
    url = reverse("assignment-transition", args=[drafting.pk, "request_extension"])
    client.post(url, {"note": "需会同市财政局测算资金。", "new_date": wanted.isoformat()})
    drafting.refresh_from_db()
    assert drafting.extension_until == wanted
    client.force_login(cora)
    home = client.get(reverse("home")).content.decode()
    assert "延期申请" in home and "需会同市财政局测算资金" in home
    client.post(reverse("assignment-transition", args=[drafting.pk, "grant_extension"]), {"note": ""})
    drafting.refresh_from_db()
    assert (drafting.due_on, drafting.extension_until) == (wanted, None)
    assert "经代表工委同意" in drafting.due_basis
    actions = list(Event.objects.filter(assignment=drafting).values_list("action", flat=True))
    assert actions[-2:] == ["request_extension", "grant_extension"]
    client.force_login(dora.user)
    timeline = client.get(reverse("my-proposal", args=[proposal.pk])).content.decode()
    assert "同意延期" in timeline and "申请延期" not in timeline  # the bureau's request is its own business


def test_no_extension_beyond_six_months_from_assignment(drafting, alice):
    # The day of assignment in China (UTC+8): after 16:00 UTC it is already the next day there.
    latest = add_months(timezone.localdate(drafting.assigned_at), 6)
    with pytest.raises(WorkflowError, match="不能超过交办后6个月"):
        supervision.assignment_request_extension(assignment=drafting, by=alice, reason="原因", new_date=latest + datetime.timedelta(days=1))
    with pytest.raises(WorkflowError, match="须晚于现在的期限"):
        supervision.assignment_request_extension(assignment=drafting, by=alice, reason="原因", new_date=drafting.due_on)
    assert Assignment.objects.get(pk=drafting.pk).extension_until is None


def test_the_office_may_grant_a_different_date_and_refuses_with_a_reason(drafting, alice, cora):
    supervision.assignment_request_extension(assignment=drafting, by=alice, reason="原因", new_date=drafting.due_on + datetime.timedelta(days=40))
    granted = supervision.assignment_grant_extension(assignment=drafting, by=cora, new_date=drafting.due_on + datetime.timedelta(days=15))
    assert granted.due_on == drafting.due_on + datetime.timedelta(days=15)
    supervision.assignment_request_extension(assignment=granted, by=alice, reason="再次", new_date=granted.due_on + datetime.timedelta(days=10))
    with pytest.raises(WorkflowError, match="需要填写说明"):
        supervision.assignment_refuse_extension(assignment=granted, by=cora, note=" ")
    refused = supervision.assignment_refuse_extension(assignment=granted, by=cora, note="请按期答复。")
    assert (refused.due_on, refused.extension_until) == (granted.due_on, None)


def test_one_request_at_a_time(drafting, alice):
    supervision.assignment_request_extension(assignment=drafting, by=alice, reason="原因", new_date=drafting.due_on + datetime.timedelta(days=5))
    with pytest.raises(WorkflowError, match="不能执行「申请延期」"):
        supervision.assignment_request_extension(assignment=drafting, by=alice, reason="原因", new_date=drafting.due_on + datetime.timedelta(days=6))
