"""Short messages (短信). A provider plugs in as a backend named by the ``JIANYI_SMS_BACKEND``
setting (a dotted path to a subclass of ``SmsBackend``); the default only logs.

A backend's ``send`` raises when the provider refuses or cannot be reached, so the caller can
try again later; it returns quietly once the provider has taken the message.
"""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsBackend:
    def send(self, mobile: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Sends nothing: writes the message to the log (development, and until a provider is set)."""

    def send(self, mobile: str, text: str) -> None:
        log.info("SMS to %s: %s", masked(mobile), text)


def masked(mobile: str) -> str:
    """138****5678: enough to tell numbers apart in a log, not enough to call."""
    return mobile[:3] + "*" * max(len(mobile) - 7, 0) + mobile[-4:] if len(mobile) > 7 else "*" * len(mobile)


def sms_backend() -> SmsBackend:
    path = settings.SMS_BACKEND
    try:
        backend = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"JIANYI_SMS_BACKEND: cannot import {path!r}") from exc
    if not (isinstance(backend, type) and issubclass(backend, SmsBackend)):
        raise ImproperlyConfigured(f"JIANYI_SMS_BACKEND: {path!r} is not an accounts.sms.SmsBackend")
    return backend()


def sms_send(mobile: str, text: str) -> None:
    sms_backend().send(mobile, text)
