"""Reminders (催办): automatic ones once a day from the due dates, never twice; an office's own
催办 with a note, shown on the bureau's home page until the bureau acts."""

import datetime

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from proposals import supervision
from proposals.models import Assignment, Event, Reminder
from proposals.reminders import reminders_send
from proposals.tasks import send_reminders
from replies import workflow
from tests.workflow_helpers import to_drafting, write_reply

TODAY = datetime.date(2026, 3, 10)


def due_in(assignment, days):
    Assignment.objects.filter(pk=assignment.pk).update(due_on=TODAY + datetime.timedelta(days=days))


@override_settings(REMIND_DAYS_BEFORE=7, REMIND_OVERDUE_EVERY_DAYS=7)
def test_automatic_reminders_come_once_on_their_days(proposal, cora, alice, bureau_a, django_capture_on_commit_callbacks):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    for days, kind in ((7, "before"), (0, "due_today"), (-7, "overdue"), (-14, "overdue"), (3, None), (-3, None)):
        due_in(assignment, days)
        Reminder.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            sent = reminders_send(TODAY)
            again = reminders_send(TODAY)  # beat ran twice
        assert (sent, again) == ((1, 0) if kind else (0, 0)), days
        assert list(Reminder.objects.values_list("kind", flat=True)) == ([kind] if kind else [])
    assert Event.objects.filter(action="remind").count() == 4
    assert Notification.objects.filter(user=alice, kind="remind").count() >= 1


def test_finished_work_gets_no_reminder(proposal, cora, alice, lily, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice)
    workflow.reply_submit(assignment=assignment, by=alice)
    workflow.reply_sign(assignment=assignment, by=lily)
    workflow.reply_send(assignment=assignment, by=alice)
    due_in(assignment, -7)
    assert reminders_send(TODAY) == 0


def test_the_daily_task_sends_them(proposal, cora, alice, bureau_a, settings):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=timezone.localdate())
    assert send_reminders.apply().get() == 1
    assert send_reminders.apply().get() == 0


def test_an_office_urges_a_bureau_until_it_acts(client, proposal, sam, cora, alice, lily, bureau_a, dora):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    client.force_login(sam)
    client.post(reverse("assignment-transition", args=[assignment.pk, "remind"]), {"note": "请于本周五前报送答复稿。"})
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.sent_by, reminder.note) == ("manual", sam, "请于本周五前报送答复稿。")
    client.force_login(alice)
    assert "请于本周五前报送答复稿" in client.get(reverse("home")).content.decode()
    client.force_login(dora.user)
    assert "请于本周五前报送答复稿" not in client.get(reverse("my-proposal", args=[proposal.pk])).content.decode()
    write_reply(assignment, alice)
    workflow.reply_submit(assignment=Assignment.objects.get(pk=assignment.pk), by=alice)  # the bureau acts
    client.force_login(alice)
    assert "请于本周五前报送答复稿" not in client.get(reverse("home")).content.decode()
    client.force_login(lily)
    assert "催办" in client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()  # on the timeline


def test_bureaus_and_deputies_cannot_urge(proposal, cora, alice, bureau_a, dora):
    import pytest
    from django.core.exceptions import PermissionDenied

    assignment = to_drafting(proposal, cora, alice, bureau_a)
    for who in (alice, dora.user):
        with pytest.raises(PermissionDenied):
            supervision.assignment_remind(assignment=assignment, by=who, note="快点")
    assert not Reminder.objects.exists()
