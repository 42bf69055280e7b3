"""Accounts that resist attack, headers a reviewer checks, error pages without internals."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.middleware import SessionLimitMiddleware
from accounts.models import User
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Jianyi-2026!x"


@pytest.fixture
def walter(db):
    user = UserFactory(username="walter", full_name="王五")
    user.set_password(GOOD)
    user.save()
    return user


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_account_even_against_the_right_password(client, walter):
    for _ in range(4):
        assert log_in(client, "walter", "wrong-password").status_code == 200
    assert log_in(client, "walter", "wrong-password").status_code == 429  # the fifth locks it
    response = log_in(client, "walter", GOOD)
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address too: the account itself is locked.
    assert log_in(Client(), "walter", GOOD, address="10.0.0.2").status_code == 429


def test_the_lock_message_does_not_tell_whether_the_account_exists(client, walter):
    pages = []
    for username in ("walter", "nobody-like-this"):
        c = Client()
        for _ in range(5):
            log_in(c, username, "wrong-password", address=f"10.1.0.{len(pages) + 1}")
        pages.append(log_in(c, username, "wrong-password", address=f"10.1.0.{len(pages) + 1}"))
    assert [p.status_code for p in pages] == [429, 429]
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"', "", html)  # noqa: E731
    assert strip(pages[0].content.decode()) == strip(pages[1].content.decode())


def test_an_address_is_locked_on_its_own(client, walter):
    for n in range(5):
        log_in(client, f"guess{n}", "wrong-password", address="10.9.9.9")
    assert log_in(client, "walter", GOOD, address="10.9.9.9").status_code == 429
    assert log_in(Client(), "walter", GOOD, address="10.9.9.8").status_code == 302


def test_an_admin_unlocks_by_removing_the_attempts(client, walter, admin_user):
    for _ in range(5):
        log_in(client, "walter", "wrong-password")
    assert log_in(client, "walter", GOOD).status_code == 429
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get("/admin/axes/accessattempt/").status_code == 200
    AccessAttempt.objects.all().delete()
    assert log_in(client, "walter", GOOD).status_code == 302


def _age_session(client, key, seconds):
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_a_session_ends_after_30_idle_minutes(client, walter):
    assert log_in(client, "walter", GOOD).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, SessionLimitMiddleware.SEEN, 31 * 60)
    response = client.get(reverse("home"), follow=True)
    assert "请重新登录" in response.content.decode() and response.redirect_chain[-1][0].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


def test_a_session_ends_after_12_hours_however_busy(client, walter):
    log_in(client, "walter", GOOD)
    client.get(reverse("home"))
    _age_session(client, SessionLimitMiddleware.STARTED, 12 * 3600 + 1)
    assert client.get(reverse("home")).status_code == 302


def test_logging_out_ends_the_session_on_the_server(client, walter):
    log_in(client, "walter", GOOD)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.parametrize("password", ["12345678", "password", "aaaaaaaa", "abcdefghijkl", "walter2026abc", "Password12"])
def test_weak_passwords_are_refused(walter, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=walter)


def test_a_strong_password_is_accepted(walter):
    validate_password("Qinghe#Road-88", user=walter)


def test_an_account_an_admin_created_must_set_its_own_password(client, admin_user):
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post("/admin/accounts/user/add/", {"username": "newclerk", "password1": "Initial-Pass-2026", "password2": "Initial-Pass-2026", "usable_password": "true", "notify_by_email": "on", "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    user = User.objects.get(username="newclerk")
    assert user.must_change_password
    assert log_in(client, "newclerk", "Initial-Pass-2026").status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("password-change")
    response = client.post(reverse("password-change"), {"old_password": "Initial-Pass-2026", "new_password1": "Mine-Own#2026", "new_password2": "Mine-Own#2026"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password


def test_password_age_is_a_setting_off_by_default(client, settings, walter):
    User.objects.filter(pk=walter.pk).update(password_changed_at="2020-01-01T00:00:00Z")
    client.force_login(walter)
    assert client.get(reverse("home")).status_code == 200
    settings.PASSWORD_MAX_AGE_DAYS = 90
    assert client.get(reverse("home")).url == reverse("password-change")


def test_headers_a_reviewer_checks(client, walter):
    client.force_login(walter)
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_no_template_has_inline_script_or_style():
    for path in (ROOT / "templates").rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), f"inline script in {path}"
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler in {path}"
        assert not re.search(r"<style|\sstyle=", html), f"inline style in {path}"


def test_the_deploy_check_passes_with_the_production_settings_of_docker_compose():
    app = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JIANYI_"))}
    for key, value in app.items():
        env[key] = re.sub(r"\$\{[^}]*:-([^}]*)\}", r"\1", str(value))  # ${X:-default} → default
    env["DJANGO_SECRET_KEY"] = "x" * 20 + "production-like-secret-key-for-the-check-" + "y" * 20
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]  # the compose host is not reachable here
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_error_pages_are_chinese_and_a_server_error_shows_its_id(client, settings, walter, monkeypatch):
    client.force_login(walter)
    page = client.get("/proposals/999999/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()

    import proposals.views

    def boom(user):
        raise RuntimeError("secret internals: table proposals_proposal")

    monkeypatch.setattr(proposals.views, "home_work", boom)
    crashing = Client(raise_request_exception=False)
    crashing.force_login(walter)
    response = crashing.get("/")
    html = response.content.decode()
    assert response.status_code == 500 and "系统出错" in html and "secret internals" not in html
    assert response["X-Request-ID"] in html


def test_a_database_outage_gets_a_clear_503_and_the_next_request_works(walter, monkeypatch):
    from django.db import OperationalError

    import proposals.views

    real = proposals.views.home_work

    def down(user):
        raise OperationalError("server closed the connection unexpectedly")

    client = Client(raise_request_exception=False)
    client.force_login(walter)
    monkeypatch.setattr(proposals.views, "home_work", down)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 503 and "数据库正在维护或暂时无法连接" in html
    assert response["Retry-After"] == "30" and "server closed" not in html
    monkeypatch.setattr(proposals.views, "home_work", real)
    assert client.get("/").status_code == 200
