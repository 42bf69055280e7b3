"""Notifications (站内通知): making them, reading them, and sending them out by e-mail and SMS.

Who is told of what is decided above this layer (``replies.notify`` maps timeline events to
recipients); this module only knows users and messages.

A notification is made once per user and key (``event:123``), so a repeated signal makes nothing
new. Once its transaction commits a Celery task sends it out (``accounts.tasks``), and the task
claims the notification with a conditional update on ``emailed_at`` before sending anything, so a
retried or twice-delivered task sends it once. ``emailed_at`` therefore means "sent out of the
app" (by e-mail, and by SMS for the kinds that use it). A task that dies between the claim and the
send loses that message rather than sending it twice.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Func, IntegerField, OuterRef, Subquery, Value
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Notification, User
from .sms import sms_send

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """Nothing was sent and the claim was given back: the task may try again."""


# --- making -----------------------------------------------------------------------------------


def notification_create(
    *, user: User, key: str, kind: str, title: str, body: str = "", url: str = "", sms: bool = False
) -> Notification:
    """The user's notification for ``key``, made if it is new; a new one is sent out (by e-mail,
    and by SMS when ``sms``) after the current transaction commits."""
    notification, created = Notification.objects.get_or_create(
        user=user,
        key=key,
        defaults={"kind": kind, "title": title[:200], "body": body, "url": url[:300]},
    )
    if created and channels_for(user, sms=sms):
        transaction.on_commit(lambda: _queue(notification.pk, sms))
    return notification


def _queue(notification_id: int, sms: bool) -> None:
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id, sms)
    except Exception:  # broker down (or, run in-process, the send failed): the inbox still has it
        log.warning("could not send notification %s out", notification_id, exc_info=True)


# --- sending out ------------------------------------------------------------------------------


def notification_deliver(notification_id: int, *, sms: bool = False) -> str:
    """Send the notification out once: by e-mail if the user has an address and wants e-mail,
    by SMS if ``sms`` and the user has a mobile number. Returns what happened.

    Raises ``DeliveryFailed`` (claim released, safe to retry) when nothing could be sent; a
    failure after one channel went out is logged and not retried, so that channel is not repeated.
    """
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return "missing"
    channels = channels_for(notification.user, sms=sms)
    if not channels:
        return "nothing to send"
    claimed_at = timezone.now()
    if not Notification.objects.filter(pk=notification.pk, emailed_at=None).update(emailed_at=claimed_at):
        return "already sent"
    for done, channel in enumerate(channels):
        try:
            channel(notification)
        except Exception as error:
            if done:
                log.exception("notification %s: %s failed after another channel sent it",
                              notification.pk, channel.__name__)
                return "partly sent"
            Notification.objects.filter(pk=notification.pk, emailed_at=claimed_at).update(emailed_at=None)
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    return "sent"


def channels_for(user: User, *, sms: bool) -> list:
    """How the user is reached outside the app: e-mail if they have an address and want it,
    SMS (for the kinds that use it) if they have a mobile number."""
    channels = []
    if user.is_active and user.email and user.notify_by_email:
        channels.append(notification_email)
    if user.is_active and sms and user.mobile:
        channels.append(notification_sms)
    return channels


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def notification_email(notification: Notification) -> None:
    """Send one notification by e-mail (no claim: ``notification_deliver`` claims)."""
    user = notification.user
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/notification_email.txt",
            {
                "user": user,
                "notification": notification,
                "link": absolute_url(notification.url) if notification.url else "",
                "settings_link": absolute_url(reverse("notification-settings")),
            },
        )
    subject = " ".join(notification.title.split())  # a header: never a line break
    EmailMessage(subject=subject, body=body, to=[user.email]).send()


def notification_sms(notification: Notification) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        text = f"【{_('建议办理')}】{notification.title}"
    if notification.url:
        text += f" {absolute_url(notification.url)}"
    sms_send(notification.user.mobile, text)


# --- the inbox --------------------------------------------------------------------------------


def notifications_of(user: User):
    """The user's own notifications, newest first: the only notifications anyone reads."""
    return Notification.objects.filter(user=user)


def notification_get_own(user: User, pk: int) -> Notification:
    """One of the user's notifications; anyone else's is a 404."""
    return get_object_or_404(notifications_of(user), pk=pk)


def notifications_unread_count(user: User) -> int:
    """The header's count: read with the request's user (``accounts.backends``), else counted."""
    counted = getattr(user, "unread_notification_count", None)
    if counted is not None:
        return counted
    return notifications_of(user).filter(read_at=None).count()


def with_unread_count(users):
    """Users with ``unread_notification_count``: a count per user as a scalar subquery of the
    users' query (``SELECT COUNT(*) … WHERE user_id = …``, no grouping)."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at=None)
        .order_by()
        .annotate(n=Func(Value(1), function="COUNT"))
        .values("n")
    )
    return users.annotate(unread_notification_count=Subquery(unread, output_field=IntegerField()))


def notification_mark_read(*, user: User, pk: int) -> Notification:
    notification = notification_get_own(user, pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return notifications_of(user).filter(read_at=None).update(read_at=timezone.now())


def notification_preferences_set(*, user: User, notify_by_email: bool) -> User:
    user.notify_by_email = notify_by_email
    user.save(update_fields=["notify_by_email"])
    return user
