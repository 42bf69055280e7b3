"""Limits on expensive requests (PDF renders, export jobs): per user, one at a time and a few a
minute, so one person cannot keep the web workers busy while others wait for their downloads.

Counted in the cache (Redis when REDIS_URL is set, so every web process shares the counts).
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _


def _prefix(name: str, user) -> str:
    return f"{settings.LIMITS_KEY_PREFIX}:{name}:{user.pk}"


def over_limit(request, name: str, *, per_minute: int):
    """Count one ``name`` request of this user; past ``per_minute`` a minute, the 429 page."""
    key = f"{_prefix(name, request.user)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=90)
    if cache.incr(key) > per_minute:
        return _refused(request, _("操作过于频繁，请一分钟后再试。"))
    return None


def limited(name: str, *, per_minute: int):
    """Decorate a view that renders on request: a signed-in user gets at most ``per_minute`` a
    minute, and one at a time."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return view(request, *args, **kwargs)
            refused = over_limit(request, name, per_minute=per_minute)
            if refused:
                return refused
            busy = f"{_prefix(name, request.user)}:busy"
            if not cache.add(busy, 1, timeout=settings.LIMITS_BUSY_SECONDS):
                return _refused(request, _("您的上一个请求还在处理中，请稍候。"))
            try:
                return view(request, *args, **kwargs)
            finally:
                cache.delete(busy)

        return wrapper

    return decorate


def _refused(request, message):
    return render(request, "429.html", {"message": message}, status=429)
