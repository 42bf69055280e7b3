"""Language: Chinese by default (whatever the browser asks for), English once the user picks it.

The English catalogue is locale/en/LC_MESSAGES/django.po; `make test` compiles it first
(Makefile target `messages`), and the fixture below compiles it if the .mo is missing or stale.
"""

import ast
import contextlib
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from proposals.models import Session
from replies.letter.notice import TableBlock
from replies.notices import batch_assign, notice_document
from tests.factories import ProposalFactory, SessionFactory

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


def po_entries(text: str) -> list[dict]:
    """The entries of a .po file: msgid (with msgctxt and msgid_plural), every msgstr, flags.
    Obsolete entries (``#~``) are left out; the header (empty msgid) is the first entry."""
    entries, entry, field = [], None, None
    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry and entry["msgid"] is not None:
                entries.append(entry)
            entry = field = None
            continue
        if line.startswith("#~"):
            continue
        entry = entry or {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, _space, quoted = line.partition(" ")
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            field = int(plural_form[1]) if plural_form else 0 if keyword == "msgstr" else keyword
            if isinstance(field, int):
                entry["msgstr"][field] = ast.literal_eval(quoted)
            else:
                assert field in ("msgctxt", "msgid", "msgid_plural"), line
                entry[field] = ast.literal_eval(quoted)
    return entries


def incomplete(entries: list[dict]) -> list[str]:
    """The msgids with an empty msgstr (any plural form), or marked fuzzy."""
    return [
        e["msgid"] for e in entries[1:]
        if "fuzzy" in e["flags"] or not e["msgstr"] or not all(e["msgstr"].values())
        or (e["msgid_plural"] is not None and len(e["msgstr"]) < 2)
    ]


def test_the_completeness_check_finds_empty_fuzzy_and_half_translated_entries():
    sample = "\n".join([
        'msgid ""', 'msgstr ""', '"Language: en\\n"', "",
        'msgid "已交办"', 'msgstr "Assigned"', "",
        'msgid "未导入"', 'msgstr ""', "",
        "#, fuzzy, python-format", 'msgid "共 %(n)s 份"', 'msgstr "%(n)s proposals"', "",
        'msgid ""', '"很长的"', '"一句话"', 'msgstr ""', '"A long "', '"sentence"', "",
        'msgid "一件"', 'msgid_plural "多件"', 'msgstr[0] "one"', 'msgstr[1] ""', "",
        '#~ msgid "旧的"', '#~ msgstr ""',
    ])

    entries = po_entries(sample)

    assert [e["msgid"] for e in entries] == ["", "已交办", "未导入", "共 %(n)s 份", "很长的一句话", "一件"]
    assert entries[4]["msgstr"] == {0: "A long sentence"}
    assert incomplete(entries) == ["未导入", "共 %(n)s 份", "一件"]


def test_every_message_in_the_catalogue_is_translated():
    entries = po_entries(PO.read_text(encoding="utf-8"))

    assert len(entries) > 800  # the whole catalogue was read, not just its header
    assert not incomplete(entries), incomplete(entries)


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    placeholder = re.compile(r"%(?:\([^)]+\))?[sd]|%%")
    broken = []
    for e in po_entries(PO.read_text(encoding="utf-8"))[1:]:
        wanted = sorted(placeholder.findall(e["msgid"]))
        broken += [
            (e["msgid"], text) for text in e["msgstr"].values()
            if "python-format" in e["flags"] and sorted(placeholder.findall(text)) != wanted
        ]
    assert not broken, broken


def test_the_new_pages_are_english_for_an_english_reader(client, cora, proposal):
    client.force_login(cora)
    choose(client, "en")

    listing = client.get("/proposals/").content.decode()
    upload = client.get("/imports/proposals/").content.decode()
    batch = client.get("/proposals/batch-assign/", {"proposal": proposal.pk}).content.decode()

    for text in ("Import proposals from Excel", "Import deputies' roster", "Batch assignment", "Export to Excel"):
        assert text in listing.replace("&#x27;", "'"), text
    for chinese in ("从 Excel 导入建议", "批量交办", "全选本页"):
        assert chinese not in listing
    assert "Download template" in upload and "Upload and preview" in upload and "下载模板" not in upload
    assert "Due dates (by the rules, if assigned today)" in batch and "Lead bureau" in batch
    assert "能否交办" not in batch


def test_a_deadline_rule_reads_as_english_with_a_space_and_as_chinese_without(db):
    session = SessionFactory(reply_due=3, reply_due_unit="months", release_due=20, release_due_unit="working_days")

    with translation.override("en"):
        assert [str(session.reply_rule), str(session.rule("release"))] == ["3 months", "20 working days"]
    with translation.override("zh-hans"):
        assert [str(session.reply_rule), str(session.rule("release"))] == ["3个月", "20个工作日"]


def test_an_assignment_notice_issued_from_the_english_interface_is_chinese(cora, bureau_a, bureau_b, dora):
    """What a letter prints is fixed in Chinese whatever language the congress officer reads."""
    session = SessionFactory(term=18, number=1, body=Session.Body.PEOPLES_CONGRESS)
    proposals = [ProposalFactory(session=session, number=n, lead_deputy=dora) for n in (3, 4)]

    with translation.override("en"):
        batch = batch_assign(proposals=proposals, lead=bureau_a, assistants=[bureau_b], by=cora)

    for notice in batch.notices.all():
        letter, blocks = notice_document(notice)
        cells = [c for b in blocks if isinstance(b, TableBlock) for c in (*b.header, *sum(b.rows, ()))]
        printed = "\n".join([letter.title, letter.salutation, *(b for b in blocks if isinstance(b, str)), *cells])
        assert "个月内" in printed and ("主办" in printed or "协办" in printed), printed
        for english in ("Lead", "Assisting", "month", "day"):
            assert english not in printed, english
