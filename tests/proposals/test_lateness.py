"""Lateness is kept: a reply sent after its due date says 「逾期N天答复」 for good; open work shows
the days overdue or the days left."""

import datetime

from django.urls import reverse
from django.utils import timezone

from proposals.models import Assignment, Event
from replies import workflow
from tests.workflow_helpers import to_in_review


def test_a_late_reply_is_marked_for_good(client, cora, alice, lily, proposal, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    today = timezone.localdate()
    Assignment.objects.filter(pk=assignment.pk).update(due_on=today - datetime.timedelta(days=9))
    client.force_login(cora)
    page = client.get(reverse("proposal-list")).content.decode()
    assert "已逾期9天" in page
    workflow.reply_sign(assignment=assignment, by=lily)
    workflow.reply_send(assignment=Assignment.objects.get(pk=assignment.pk), by=alice)
    assignment.refresh_from_db()
    assert (assignment.finished_on, assignment.late_days) == (today, 9)
    assert Event.objects.get(assignment=assignment, action="send").note.startswith("逾期9天；抄送：")
    for url in (reverse("proposal-list"), reverse("proposal-detail", args=[proposal.pk])):
        assert "逾期9天答复" in client.get(url).content.decode()


def test_an_on_time_reply_carries_no_mark_and_open_work_shows_days_left(client, cora, alice, lily, proposal, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    client.force_login(cora)
    left = (assignment.due_on - timezone.localdate()).days
    assert f"剩{left}天" in client.get(reverse("proposal-list")).content.decode()
    workflow.reply_sign(assignment=assignment, by=lily)
    workflow.reply_send(assignment=Assignment.objects.get(pk=assignment.pk), by=alice)
    assignment.refresh_from_db()
    assert assignment.late_days == 0 and assignment.finished_on == timezone.localdate()
    table = client.get(reverse("proposal-list")).content.decode().split("<tbody>")[1]
    assert "逾期" not in table and "剩" not in table
