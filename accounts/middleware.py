import datetime
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import audit
from .twofactor import has_device, two_factor_required


class DefaultLanguageMiddleware:
    """Chinese unless the user picked another language with the switcher (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; on government
    machines that is often English while every user reads Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PrivateCacheMiddleware:
    """Pages, PDFs and ZIPs for a signed-in user are never stored by a browser or a proxy.

    Responses that chose their own caching (the public replies) are left alone, before the user
    is even looked at, so those pages never touch the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _sessionless(request) -> bool:
    return request.path.startswith(settings.SESSIONLESS_PATHS)


class SessionLimitMiddleware:
    """A session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
    login in any case; the user is logged out on the server and told why."""

    STARTED, SEEN = "_jianyi_started", "_jianyi_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _sessionless(request) or not request.user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        session = request.session
        started = session.setdefault(self.STARTED, now)
        seen = session.get(self.SEEN, now)
        if now - seen > settings.SESSION_IDLE_MINUTES * 60:
            return self._end(request, _("您已 %(n)s 分钟没有操作，请重新登录。") % {"n": settings.SESSION_IDLE_MINUTES})
        if now - started > settings.SESSION_MAX_HOURS * 3600:
            return self._end(request, _("登录已超过 %(n)s 小时，请重新登录。") % {"n": settings.SESSION_MAX_HOURS})
        if now - seen > 30 or self.SEEN not in session:  # write at most twice a minute
            session[self.SEEN] = now
        return self.get_response(request)

    def _end(self, request, message):
        logout(request)
        messages.info(request, message)
        return redirect(f"{reverse('login')}?next={request.get_full_path()}")


class PasswordChangeRequiredMiddleware:
    """An account whose password an administrator set, or whose password is older than
    PASSWORD_MAX_AGE_DAYS (when set), may only change its password until it does."""

    ALLOWED = ("password-change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if not _sessionless(request) else None
        if user is not None and user.is_authenticated and self._must_change(user):
            match = getattr(request, "resolver_match", None)
            path_ok = request.path.startswith(tuple(reverse(name) for name in self.ALLOWED))
            if not path_ok and not (match and match.url_name in self.ALLOWED):
                return redirect("password-change")
        return self.get_response(request)

    @staticmethod
    def _must_change(user) -> bool:
        if user.must_change_password:
            return True
        days = settings.PASSWORD_MAX_AGE_DAYS
        if days and user.password_changed_at:
            return timezone.now() - user.password_changed_at > datetime.timedelta(days=days)
        return False


class PermissionsPolicyMiddleware:
    """No camera, microphone, location, payment or USB for any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AuditMiddleware:
    """Every PermissionDenied a view raises (answered with 403) is an audit record, and records
    written while a request runs but without it (signing, release, the admin's changes) carry
    its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.request_context(request):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            reason = str(exception)
            audit.audit_record(
                action=audit.Action.ACCESS_DENIED,
                request=request,
                outcome=audit.Outcome.REFUSED,
                detail=f"{request.method} {request.path}" + (f": {reason}" if reason else ""),
            )
        return None  # Django answers it with the 403 page as before


class TwoFactorRequiredMiddleware:
    """With JIANYI_REQUIRE_2FA on, a leader or admin who has not given a code this session may
    only enrol or give one (or log out)."""

    ALLOWED = ("two-factor-setup", "two-factor-qr", "two-factor-verify", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _sessionless(request) and two_factor_required(request.user) and not request.user.is_verified():
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed:
                target = "two-factor-verify" if has_device(request.user) else "two-factor-setup"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
