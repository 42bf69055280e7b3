"""Language: Chinese by default (whatever the browser asks for), English once the user picks it.

The English catalogue is locale/en/LC_MESSAGES/django.po; `make test` compiles it first
(Makefile target `messages`), and the fixture below compiles it if the .mo is missing or stale.
"""

import contextlib
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import trans_real

PO = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

CHINESE_HOME = "我的工作"
ENGLISH_HOME = "My work"


@pytest.fixture(scope="session", autouse=True)
def english_catalogue():
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with contextlib.chdir(settings.BASE_DIR):
            call_command(
                "compilemessages", locale=["en"], ignore_patterns=[".venv", "var"], verbosity=0
            )
        # Django caches catalogues per process; drop any loaded before the .mo existed.
        trans_real._translations = {}
        trans_real._default = None
    assert MO.exists()


def choose(client, language, next_url="/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    return response


def test_home_is_chinese_by_default_even_for_an_english_browser(client, alice):
    client.force_login(alice)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    page = response.content.decode()
    assert CHINESE_HOME in page
    assert ENGLISH_HOME not in page
    assert '<html lang="zh-hans">' in page
    assert response.headers["Content-Language"] == "zh-hans"


def test_choosing_english_with_the_switcher_translates_the_page(client, alice):
    client.force_login(alice)

    response = choose(client, "en")
    assert response.url == "/"
    page = client.get("/").content.decode()

    assert ENGLISH_HOME in page
    assert CHINESE_HOME not in page
    assert '<html lang="en">' in page
    assert "My tasks" in page  # alice is bureau staff: her to-do list
    assert "Proposal list" in page
    assert "Log out" in page


def test_the_language_cookie_alone_selects_english(client, alice):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/")

    assert ENGLISH_HOME in response.content.decode()
    assert CHINESE_HOME not in response.content.decode()
    assert response.headers["Content-Language"] == "en"


def test_switching_back_to_chinese(client, alice):
    client.force_login(alice)
    choose(client, "en")
    choose(client, "zh-hans")

    page = client.get("/").content.decode()

    assert CHINESE_HOME in page
    assert ENGLISH_HOME not in page


def test_an_unknown_language_cookie_falls_back_to_chinese(client, alice):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    page = client.get("/").content.decode()

    assert CHINESE_HOME in page


def test_login_page_in_english(client, db):
    choose(client, "en", next_url="/accounts/login/")

    page = client.get("/accounts/login/").content.decode()

    assert "<h1>Log in</h1>" in page
    assert "Username" in page
    assert "Password" in page
    for chinese in ("登录", "用户名", "密码"):
        assert chinese not in page


def test_login_error_in_english(client, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "Incorrect username or password." in response.content.decode()


def test_login_page_is_chinese_by_default(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<h1>登录</h1>" in page
    assert "Log in" not in page


def test_every_message_in_the_catalogue_is_translated():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]  # skip the header
    # An empty msgstr not continued on the next line ("..." lines) is untranslated.
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""(?!\n")$', e, re.M)]
    fuzzy = [e for e in entries if re.search(r"^#,.*\bfuzzy\b", e, re.M)]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
