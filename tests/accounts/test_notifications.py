"""Notifications: who is told of each step (and who is not), once, in the inbox, by e-mail and by
SMS; the inbox pages show and mark only one's own."""

import os
import re
import subprocess
import sys
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Membership, Notification
from accounts.sms import SmsBackend, masked
from accounts.tasks import deliver_notification
from config.celery import app as celery_app
from proposals import workflow as intake
from proposals.events import event_record
from proposals.models import Event
from proposals.signals import event_committed
from replies import workflow
from replies.drafts import opinion_save_draft
from replies.models import CoHandlingOpinion
from replies.notify import RULES, notify_on_event
from tests.conftest import wait_for
from tests.factories import DeputyFactory, OrganizationFactory, UserFactory, member
from tests.workflow_helpers import assign, to_drafting, to_in_review, write_reply

A = Event.Action
BUREAU_PEOPLE = {"alice", "lily", "bob", "ben"}


class RecordingSms(SmsBackend):
    sent: list[tuple[str, str]] = []

    def send(self, mobile, text):
        self.sent.append((mobile, text))


@pytest.fixture(autouse=True)
def eager(request):
    """Tasks run in-process here, as they do without REDIS_URL; the worker test uses a worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = f"{__name__}.RecordingSms"
    RecordingSms.sent = []
    return RecordingSms.sent


@pytest.fixture
def people(everyone):
    """Everyone, with an e-mail address."""
    for name, user in everyone.items():
        user.email = f"{name}@example.com"
        user.save(update_fields=["email"])
    return everyone


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the services do after commit (the event signal, then the e-mail task)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def told(event) -> dict[str, Notification]:
    """Who got a notification of this event, by username."""
    return {n.user.username: n for n in Notification.objects.filter(key=f"event:{event.pk}").select_related("user")}


def last(action) -> Event:
    return Event.objects.filter(action=action).latest("id")


def mailed_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def send_opinion(assisting, bob, ben):
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = CoHandlingOpinion.objects.get(assignment=assisting)
    opinion_save_draft(opinion=opinion, by=bob, version=opinion.version, title=opinion.title,
                       body="我局支持企业数字化改造。", contact_name="周协办", contact_phone="1")
    workflow.opinion_send(assignment=assisting, by=ben)


def test_every_rule_is_for_an_action_and_the_kinds_are_the_specified_ones():
    assert set(RULES) == {
        A.ASSIGN, A.REASSIGN, A.SEND_OPINION, A.SUBMIT, A.RETURN, A.SEND, A.RATE, A.REHANDLE,
        A.CONSULTATION, A.REMIND,
    }


# --- who is told ------------------------------------------------------------------------------


def test_assignment_tells_the_staff_and_leaders_of_every_assigned_bureau(people, proposal, bureau_a, bureau_b, on_commit):
    with on_commit():
        assign(proposal, people["cora"], bureau_a, [bureau_b])

    got = told(last(A.ASSIGN))
    assert set(got) == BUREAU_PEOPLE  # not cora (who assigned), sam, the deputies or the stranger
    assert got["alice"].title == "第110号建议已交办给市经信局"
    assert got["bob"].title == "第110号建议已交办给市科技局"
    assert "承办方式：协办" in got["ben"].body and proposal.title in got["ben"].body
    assert got["lily"].url == reverse("proposal-detail", args=[proposal.pk])
    assert got["alice"].kind == "assign" and got["alice"].read_at is None
    assert mailed_to() == sorted(f"{n}@example.com" for n in BUREAU_PEOPLE)


def test_reassignment_tells_only_the_bureau_it_now_goes_to(people, proposal, bureau_a, on_commit):
    bureau_c = OrganizationFactory(name="慈溪市教育局", short_name="市教育局", document_prefix="慈教建")
    carol = member(UserFactory(username="carol"), bureau_c, Membership.Role.BUREAU_STAFF)
    chris = member(UserFactory(username="chris"), bureau_c, Membership.Role.BUREAU_LEADER)
    (lead,) = assign(proposal, people["cora"], bureau_a)
    with on_commit():
        intake.assignment_request_reassignment(assignment=lead, by=people["alice"], reason="不属于我局职责。")
        intake.assignment_approve_reassignment(assignment=lead, by=people["cora"], new_bureau=bureau_c)

    got = told(last(A.REASSIGN))
    assert set(got) == {carol.username, chris.username}
    assert got["carol"].title == "第110号建议已交办给市教育局"
    assert "由市经信局调整为市教育局" in got["carol"].body
    assert not told(last(A.REQUEST_REASSIGNMENT))  # a request is not a notification


def test_an_opinion_tells_the_lead_bureau_not_the_assistant(people, proposal, bureau_a, bureau_b, on_commit):
    _lead, assisting = assign(proposal, people["cora"], bureau_a, [bureau_b])
    with on_commit():
        send_opinion(assisting, people["bob"], people["ben"])

    got = told(last(A.SEND_OPINION))
    assert set(got) == {"alice", "lily"}
    assert got["alice"].title == "收到市科技局的协办意见：第110号建议"


def test_a_draft_sent_for_signing_tells_the_bureaus_leaders_only(people, proposal, bureau_a, on_commit):
    with on_commit():
        to_in_review(proposal, people["cora"], people["alice"], bureau_a)

    got = told(last(A.SUBMIT))
    assert set(got) == {"lily"}
    assert got["lily"].title == "答复稿待签发：第110号建议"
    assert "陈承办送签发" in got["lily"].body


def test_a_leader_who_sends_for_signing_is_not_told_but_the_other_leader_is(people, proposal, bureau_a, on_commit):
    second = member(UserFactory(username="lena"), bureau_a, Membership.Role.BUREAU_LEADER)
    assignment = to_drafting(proposal, people["cora"], people["alice"], bureau_a)
    write_reply(assignment, people["lily"])
    with on_commit():
        workflow.reply_submit(assignment=assignment, by=people["lily"])

    assert set(told(last(A.SUBMIT))) == {second.username}


def test_a_returned_draft_tells_the_lead_staff_with_the_note_and_never_the_assisting_bureau(people, proposal, bureau_a, bureau_b, on_commit):
    lead, assisting = assign(proposal, people["cora"], bureau_a, [bureau_b])
    send_opinion(assisting, people["bob"], people["ben"])
    workflow.assignment_accept(assignment=lead, by=people["alice"])
    write_reply(lead, people["alice"])
    workflow.reply_submit(assignment=lead, by=people["alice"])
    with on_commit():
        workflow.reply_return(assignment=lead, by=people["lily"], note="请补充近三年的扶持资金数据。")

    got = told(last(A.RETURN))
    assert set(got) == {"alice"}  # not lily (who returned it), not bob or ben, not the deputies
    assert got["alice"].title == "答复稿被退回：第110号建议"
    assert "请补充近三年的扶持资金数据。" in got["alice"].body and "龚激红" in got["alice"].body


def test_deputies_hear_of_the_reply_when_it_is_sent_not_when_it_is_signed(people, proposal, bureau_a, sms, on_commit):
    no_login = DeputyFactory(name="无账号代表")
    proposal.co_signers.add(no_login)
    people["dora"].mobile = "13800001111"
    people["dora"].save()
    assignment = to_in_review(proposal, people["cora"], people["alice"], bureau_a)
    with on_commit():
        workflow.reply_sign(assignment=assignment, by=people["lily"])
    assert not told(last(A.SIGN))
    assert not Notification.objects.filter(user__in=[people["dora"], people["carl"]]).exists()

    with on_commit():
        workflow.reply_send(assignment=assignment, by=people["alice"])

    got = told(last(A.SEND))
    assert set(got) == {"dora", "carl"}  # lead deputy and co-signer; not otto, not the bureau
    assert got["dora"].title == "市经信局已答复第110号建议"
    assert got["carl"].url == reverse("my-proposals")
    assert "dora@example.com" in mailed_to() and "carl@example.com" in mailed_to()
    # A short message too, to those with a mobile number (carl has none).
    assert [(mobile, text.split(" ")[0]) for mobile, text in sms] == [
        ("13800001111", "【建议办理】市经信局已答复第110号建议")
    ]
    assert sms[0][1].endswith(reverse("my-proposals"))


def test_a_consultation_asks_the_lead_deputy_to_confirm(people, proposal, bureau_a, sms, on_commit):
    people["dora"].mobile = "13800001111"
    people["dora"].save()
    people["carl"].mobile = "13900002222"
    people["carl"].save()
    assignment = to_drafting(proposal, people["cora"], people["alice"], bureau_a)
    with on_commit():
        intake.consultation_record(
            assignment=assignment, by=people["alice"], held_on=timezone.localdate(), form="phone",
            participants="陈承办、罗冲代表", summary="了解代表诉求。",
        )

    got = told(last(A.CONSULTATION))
    assert set(got) == {"dora"}  # the lead deputy only: not the co-signer, not lily
    assert got["dora"].title == "请确认沟通情况：第110号建议"
    assert "市经信局" in got["dora"].body and "陈承办、罗冲代表" in got["dora"].body
    assert [mobile for mobile, _text in sms] == ["13800001111"]


@pytest.mark.parametrize("action,title", [(A.RATE, "代表已测评：第110号建议"), (A.REHANDLE, "需重新办理：第110号建议")])
def test_a_rating_or_rehandling_tells_the_rated_bureau(people, proposal, bureau_a, bureau_b, on_commit, action, title):
    lead, _assisting = assign(proposal, people["cora"], bureau_a, [bureau_b])
    with on_commit(), transaction.atomic():
        event = event_record(proposal=proposal, assignment=lead, by=people["dora"], action=action, note="办理结果：不满意。")

    got = told(event)
    assert set(got) == {"alice", "lily"}  # not the assisting bureau, not dora who rated
    assert got["alice"].title == title and got["alice"].body == "办理结果：不满意。"


def test_steps_without_a_rule_notify_nobody_and_bureau_kinds_never_go_by_sms(people, proposal, bureau_a, sms, on_commit):
    people["alice"].mobile = "13700003333"
    people["alice"].save()
    with on_commit():
        to_drafting(proposal, people["cora"], people["alice"], bureau_a)

    assert set(told(last(A.ASSIGN))) == {"alice", "lily"}
    assert not told(last(A.ACCEPT))
    assert sms == []


# --- once -------------------------------------------------------------------------------------


def test_the_same_event_delivered_twice_makes_one_notification_and_one_mail(people, proposal, bureau_a, on_commit):
    with on_commit():
        to_in_review(proposal, people["cora"], people["alice"], bureau_a)
    event = last(A.SUBMIT)
    mail.outbox.clear()

    with on_commit():
        event_committed.send(sender=Event, event=event)
        notify_on_event(sender=Event, event=event)

    assert Notification.objects.filter(key=f"event:{event.pk}").count() == 1
    assert mail.outbox == []
    notification = Notification.objects.get(key=f"event:{event.pk}")
    assert notification.emailed_at is not None
    assert deliver_notification.apply(args=[notification.pk]).get() == "already sent"
    assert mail.outbox == []


def test_the_email_says_what_happened_and_links_to_the_proposal(people, proposal, bureau_a, on_commit, settings):
    settings.SITE_URL = "https://jianyi.example.gov.cn"
    with on_commit():
        to_in_review(proposal, people["cora"], people["alice"], bureau_a)
    (message,) = [m for m in mail.outbox if m.to == ["lily@example.com"] and "待签发" in m.subject]
    assert message.subject == "答复稿待签发：第110号建议"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "龚激红：" in message.body
    assert f"https://jianyi.example.gov.cn/proposals/{proposal.pk}/" in message.body
    assert "https://jianyi.example.gov.cn/notifications/settings/" in message.body


def test_with_email_off_or_no_address_the_inbox_has_it_and_no_mail_goes(people, proposal, bureau_a, on_commit):
    people["alice"].notify_by_email = False
    people["alice"].save()
    people["lily"].email = ""
    people["lily"].save()
    with on_commit():
        assign(proposal, people["cora"], bureau_a)

    assert set(told(last(A.ASSIGN))) == {"alice", "lily"}
    assert mail.outbox == []
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 0


def test_a_failed_send_gives_the_claim_back_and_the_retry_sends_once(people, proposal, bureau_a, on_commit):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")), on_commit():
        # The work is done even though no mail could go; the inbox has the notification.
        assign(proposal, people["cora"], bureau_a)
    notification = Notification.objects.get(user=people["alice"])
    assert notification.emailed_at is None and mail.outbox == []

    assert deliver_notification.apply(args=[notification.pk]).get() == "sent"
    assert deliver_notification.apply(args=[notification.pk]).get() == "already sent"
    assert mailed_to() == ["alice@example.com"]


def test_a_failed_sms_after_the_mail_went_is_not_retried(people, proposal, sms):
    people["dora"].mobile = "13800001111"
    people["dora"].save()
    notification = notifications.notification_create(user=people["dora"], key="test:1", kind="send", title="标题")
    with mock.patch.object(RecordingSms, "send", side_effect=OSError("provider down")):
        assert notifications.notification_deliver(notification.pk, sms=True) == "partly sent"
    assert notifications.notification_deliver(notification.pk, sms=True) == "already sent"
    assert mailed_to() == ["dora@example.com"]


def test_the_logging_sms_backend_only_logs_a_masked_number(settings, caplog):
    settings.SMS_BACKEND = "accounts.sms.LoggingSmsBackend"
    with caplog.at_level("INFO", logger="accounts.sms"):
        from accounts.sms import sms_send

        sms_send("13800001111", "【建议办理】测试")
    assert "138****1111" in caplog.text and "13800001111" not in caplog.text
    assert masked("123") == "***"


# --- settings ---------------------------------------------------------------------------------


def settings_with(**environ):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_EMAIL", "JIANYI_S"))}
    code = "import config.settings as s; print(s.EMAIL_BACKEND, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.SMS_BACKEND, s.SITE_URL)"
    return subprocess.run([sys.executable, "-c", code], env={**env, **environ}, capture_output=True, text=True)


def test_mail_settings_come_from_the_environment_with_safe_defaults():
    assert settings_with().stdout.split() == [
        "django.core.mail.backends.console.EmailBackend", "25", "False",
        "accounts.sms.LoggingSmsBackend", "http://127.0.0.1:8000",
    ]
    configured = settings_with(
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", DJANGO_EMAIL_PORT="587",
        DJANGO_EMAIL_USE_TLS="true", JIANYI_SITE_URL="https://jianyi.example.gov.cn/",
    )
    assert configured.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend", "587", "True",
        "accounts.sms.LoggingSmsBackend", "https://jianyi.example.gov.cn",
    ]


@pytest.mark.parametrize("name,value", [
    ("DJANGO_EMAIL_PORT", "smtp"), ("DJANGO_EMAIL_USE_TLS", "maybe"), ("JIANYI_SITE_URL", "jianyi.example"),
])
def test_a_malformed_mail_setting_stops_start_up(name, value):
    result = settings_with(**{name: value})
    assert result.returncode != 0 and name in result.stderr


def test_a_wrong_sms_backend_says_which_setting(settings):
    from django.core.exceptions import ImproperlyConfigured

    from accounts.sms import sms_backend

    settings.SMS_BACKEND = "accounts.models.User"
    with pytest.raises(ImproperlyConfigured, match="JIANYI_SMS_BACKEND"):
        sms_backend()


# --- the header and the inbox pages -----------------------------------------------------------


def make(user, n):
    """n new notifications for the user, titled 通知0, 通知1, … (oldest first)."""
    start = Notification.objects.filter(user=user).count()
    return [
        notifications.notification_create(user=user, key=f"test:{i}", kind="test", title=f"通知{i}", url="/")
        for i in range(start, start + n)
    ]


def test_the_header_shows_the_unread_count_read_with_the_user(client, alice, bob):
    make(alice, 3)
    notifications.notification_mark_read(user=alice, pk=make(alice, 1)[0].pk)
    make(bob, 5)
    client.force_login(alice)

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()

    assert re.search(r'通知 <span class="count red">3</span></a>', page)
    (counted,) = [q["sql"] for q in queries if "accounts_notification" in q["sql"]]
    assert counted.startswith('SELECT "accounts_user"."id"')  # no query of its own

    notifications.notification_mark_read(user=alice, pk=Notification.objects.filter(user=alice, read_at=None)[0].pk)
    make(alice, 2)
    assert re.search(r'通知 <span class="count red">4</span></a>', client.get("/").content.decode())
    notifications.notifications_mark_all_read(user=alice)
    assert 'class="count red"' not in client.get("/").content.decode()


def test_no_count_when_nothing_is_unread_and_none_for_visitors(client, alice):
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert reverse("notification-list") in page and 'class="count red"' not in page
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("login"))
    assert not [q for q in queries if "accounts_notification" in q["sql"]]


def test_the_inbox_lists_only_my_own_newest_first_unread_highlighted_in_pages(client, alice, bob):
    mine = make(alice, 23)
    notifications.notification_mark_read(user=alice, pk=mine[0].pk)
    make(bob, 1)
    Notification.objects.filter(user=bob).update(title="别人的通知")
    client.force_login(alice)

    first = client.get(reverse("notification-list")).content.decode()
    second = client.get(reverse("notification-list") + "?page=2").content.decode()

    assert "别人的通知" not in first + second
    assert first.index("通知22") < first.index("通知21")  # newest first
    assert first.count('class="notification unread"') == 20 and "1 / 2" in first
    assert second.count('class="notification ') == 3
    assert f'id="notification-{mine[0].pk}"' in second and 'class="notification read"' in second


def test_marking_one_read_is_post_only_and_goes_to_its_page(client, alice, proposal):
    url = reverse("proposal-detail", args=[proposal.pk])
    (notification,) = make(alice, 1)
    Notification.objects.filter(pk=notification.pk).update(url=url)
    client.force_login(alice)
    read = reverse("notification-read", args=[notification.pk])

    assert client.get(read).status_code == 405
    assert Notification.objects.get(pk=notification.pk).read_at is None
    response = client.post(read)
    assert response.status_code == 302 and response.url == url
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_a_notification_with_an_outside_url_goes_back_to_the_inbox(client, alice):
    (notification,) = make(alice, 1)
    Notification.objects.filter(pk=notification.pk).update(url="https://evil.example.com/")
    client.force_login(alice)
    response = client.post(reverse("notification-read", args=[notification.pk]))
    assert response.url == reverse("notification-list")


def test_someone_elses_notification_is_a_404_and_stays_unread(client, alice, bob):
    (theirs,) = make(bob, 1)
    client.force_login(alice)
    assert client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_marks_only_mine(client, alice, bob):
    make(alice, 3)
    make(bob, 2)
    client.force_login(alice)
    assert client.get(reverse("notification-read-all")).status_code == 405
    response = client.post(reverse("notification-read-all"), follow=True)
    assert "已将 3 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(user=alice, read_at=None).exists()
    assert Notification.objects.filter(user=bob, read_at=None).count() == 2


def test_each_user_can_turn_email_off(client, alice):
    client.force_login(alice)
    page = client.get(reverse("notification-settings")).content.decode()
    assert re.search(r'name="notify_by_email"[^>]* checked', page)

    response = client.post(reverse("notification-settings"), {})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.notify_by_email is False

    client.post(reverse("notification-settings"), {"notify_by_email": "on"})
    alice.refresh_from_db()
    assert alice.notify_by_email is True


@pytest.mark.parametrize("name", ["notification-list", "notification-read-all", "notification-settings"])
def test_the_pages_need_a_login(client, db, name):
    response = client.post(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_marking_read_needs_a_login(client, alice):
    (notification,) = make(alice, 1)
    response = client.post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Notification.objects.get(pk=notification.pk).read_at is None


# --- a real worker ----------------------------------------------------------------------------


def mails_to(folder, address) -> int:
    if not folder.exists():
        return 0
    return sum(f.read_text().count(f"\nTo: {address}\n") for f in folder.iterdir())


@pytest.mark.worker
def test_a_worker_mails_each_notification_once_however_often_the_task_comes(celery_worker_factory, tmp_path, proposal, cora, alice, lily, bureau_a):
    folder = tmp_path / "mail"
    saved = {k: os.environ.get(k) for k in ("DJANGO_EMAIL_BACKEND", "DJANGO_EMAIL_FILE_PATH")}
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    os.environ["DJANGO_EMAIL_FILE_PATH"] = str(folder)
    try:
        worker = celery_worker_factory()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    for user in (alice, lily):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])

    assign(proposal, cora, bureau_a)  # commits: the event's notifications go to the worker

    wait_for(lambda: mails_to(folder, "alice@example.com") and mails_to(folder, "lily@example.com"), timeout=60)
    notification = Notification.objects.get(user=alice)
    assert notification.emailed_at is not None
    # Delivered again (as after a lost acknowledgement) and retried: nothing more goes out.
    deliver_notification.delay(notification.pk)
    deliver_notification.delay(notification.pk)
    wait_for(lambda: worker.log_path.read_text().count("'already sent'") == 2, timeout=60)
    assert mails_to(folder, "alice@example.com") == 1 and mails_to(folder, "lily@example.com") == 1
    assert mail.outbox == []  # the test process sent nothing itself
