"""Two-factor login (TOTP, django-otp) for the people who sign official documents and for admins.

Off unless ``JIANYI_REQUIRE_2FA=true`` (docker-compose sets it; the demo works without). Then a
bureau leader or an admin enrols an authenticator app at first login, gives a code at every
login, and gives a fresh code again to sign (a code is accepted once: django-otp refuses a
replayed one).
"""

from django.conf import settings
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import roles_of


def two_factor_required(user) -> bool:
    if not settings.REQUIRE_2FA or not user.is_authenticated:
        return False
    roles = roles_of(user)
    return roles.is_admin or bool(roles.leader_bureau_ids)


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user) -> TOTPDevice:
    """The device being enrolled (unconfirmed), made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def code_ok(user, code: str):
    """The confirmed device that accepts ``code`` now, or None (a used code is refused)."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) != 6:
        return None
    return match_token(user, code)
