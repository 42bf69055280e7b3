"""Celery tasks: thin wrappers around accounts.notifications."""

from celery import shared_task

from . import notifications

MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver_notification(self, notification_id: int, sms: bool = False):
    """Send a notification out by e-mail (and SMS); a retry or a second delivery sends nothing
    more (the logic claims the notification first)."""
    try:
        return notifications.notification_deliver(notification_id, sms=sms)
    except notifications.DeliveryFailed as error:
        # Run in-process (no broker) there is no waiting between retries: give up at once.
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            raise
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
