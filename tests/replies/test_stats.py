"""Statistics (统计) for the offices: per bureau and delegation, by category, satisfaction and month.

A small world is built through the real services; the expected numbers are counted here in plain
Python over the objects, and every number on the page links to a list of exactly that many.
"""

import datetime
import io
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from proposals import workflow as intake
from proposals.models import Assignment, Consultation, Proposal
from proposals.states import OPEN_ASSIGNMENT_STATES
from replies import rating, workflow
from replies.drafts import opinion_save_draft
from replies.models import Evaluation, Reply
from replies.selectors import current_opinion
from replies.stats import stats_compute
from tests.factories import (
    OrganizationFactory,
    ProposalFactory,
    SessionFactory,
    UserFactory,
    member,
)
from tests.workflow_helpers import to_in_review, write_reply

ROOT = Path(__file__).resolve().parents[2]
BUREAU_COLUMNS = [
    "lead", "assisting", "replied", "on_time", "on_time_rate", "overdue_lead", "overdue_assisting",
    "consulted", "confirmed", "satisfied", "basically", "dissatisfied", "rated", "satisfaction_rate",
    "rehandled", "closed",
]
PROPOSAL_COLUMNS = [
    "received", "replied", "on_time", "on_time_rate", "overdue", "consulted", "confirmed",
    "satisfied", "basically", "dissatisfied", "rated", "satisfaction_rate", "rehandled", "closed",
]


def send(assignment, staff, leader, *, late_by=0):
    """Sign and send the lead's reply (``late_by`` days after its due date)."""
    if late_by:
        Assignment.objects.filter(pk=assignment.pk).update(
            due_on=timezone.localdate() - datetime.timedelta(days=late_by)
        )
    workflow.reply_sign(assignment=Assignment.objects.get(pk=assignment.pk), by=leader)
    workflow.reply_send(assignment=Assignment.objects.get(pk=assignment.pk), by=staff)
    return Reply.objects.get(assignment=assignment, sent_at__isnull=False)


def consult(assignment, staff):
    return intake.consultation_record(
        assignment=assignment, by=staff, held_on=timezone.localdate(), form="phone",
        participants="承办员与代表", summary="电话沟通办理思路",
    )


@pytest.fixture
def world(cora, alice, lily, bob, ben, bureau_a, bureau_b, dora, otto, carl):
    """Session 18-1 (the newest) and 17-3:

    p1 dora: 经信局 leads (on time, 满意, consultation confirmed, closed), 科技局 assists (open)
    p2 dora: 经信局 leads (3 days late, 不满意 → re-handling)
    p3 otto: 科技局 leads (on time, 基本满意)
    p4 otto, 城乡建设: 住建局 leads, overdue and open; 经信局 assists
    p5 dora, 城乡建设: received, not assigned
    p6 otto: 经信局 leads, drafting (a consultation not yet confirmed)
    p7 otto, session 17-3: 科技局 leads, on time
    """
    bureau_c = OrganizationFactory(name="慈溪市住房和城乡建设局", short_name="市住建局", document_prefix="慈住建")
    member(UserFactory(username="cara", full_name="住建承办"), bureau_c, Membership.Role.BUREAU_STAFF)
    session = SessionFactory(term=18, number=1, starts_on=datetime.date(2022, 1, 10),
                             ends_on=datetime.date(2022, 1, 13))
    older = SessionFactory(term=17, number=3, starts_on=datetime.date(2021, 1, 10),
                           ends_on=datetime.date(2021, 1, 13))
    make = lambda n, deputy, **kw: ProposalFactory(session=kw.pop("s", session), number=n, lead_deputy=deputy, **kw)  # noqa: E731
    p1, p2, p3 = make(1, dora), make(2, dora), make(3, otto)
    p4 = make(4, otto, category=Proposal.Category.URBAN)
    make(5, dora, category=Proposal.Category.URBAN)  # p5: received, not assigned
    p6, p7 = make(6, otto), make(7, otto, s=older)
    p1.co_signers.add(carl)

    # p1: joint handling, on time, consulted and confirmed, 满意, closed
    intake.proposal_assign(proposal=p1, leads=[bureau_a], assistants=[bureau_b], by=cora)
    a1 = Assignment.objects.get(proposal=p1, bureau=bureau_a)
    assisting = Assignment.objects.get(proposal=p1, bureau=bureau_b)
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = current_opinion(assisting)
    opinion_save_draft(opinion=opinion, by=bob, version=opinion.version, title=opinion.title,
                       body="协办意见正文。", contact_name="周协办", contact_phone="0574-63100000")
    workflow.opinion_send(assignment=Assignment.objects.get(pk=assisting.pk), by=ben)
    workflow.assignment_accept(assignment=a1, by=alice)
    consultation = consult(Assignment.objects.get(pk=a1.pk), alice)
    intake.consultation_answer(consultation=consultation, by=dora.user, answer=Consultation.Answer.CONFIRMED)
    write_reply(Assignment.objects.get(pk=a1.pk), alice)
    workflow.reply_submit(assignment=Assignment.objects.get(pk=a1.pk), by=alice)
    r1 = send(a1, alice, lily)
    rating.evaluation_submit(reply=r1, by=dora.user, work="satisfied", result="satisfied")
    intake.proposal_close(proposal=p1, by=cora, note="代表满意")

    # p2: late, 不满意 → re-handling
    r2 = send(to_in_review(p2, cora, alice, bureau_a), alice, lily, late_by=3)
    rating.evaluation_submit(reply=r2, by=dora.user, work="basically", result="dissatisfied", comment="未解决")

    # p3: on time, 基本满意
    r3 = send(to_in_review(p3, cora, bob, bureau_b), bob, ben)
    rating.evaluation_submit(reply=r3, by=otto.user, work="satisfied", result="basically")

    # p4: overdue open lead, assisting 经信局 not yet due
    intake.proposal_assign(proposal=p4, leads=[bureau_c], assistants=[bureau_a], by=cora)
    Assignment.objects.filter(proposal=p4, bureau=bureau_c).update(
        due_on=timezone.localdate() - datetime.timedelta(days=5)
    )

    # p6: drafting, a consultation the deputy has not answered
    (a6,) = intake.proposal_assign(proposal=p6, leads=[bureau_a], by=cora)
    workflow.assignment_accept(assignment=a6, by=alice)
    consult(Assignment.objects.get(pk=a6.pk), alice)

    # p7: the older session
    send(to_in_review(p7, cora, bob, bureau_b), bob, ben)
    return {"session": session, "older": older, "bureaus": [bureau_a, bureau_b, bureau_c]}


# --- the expected numbers, counted in Python over the objects -----------------------------------


def _ratings(assignment):
    return {
        e.result
        for e in Evaluation.objects.filter(reply__assignment=assignment)
        if not Evaluation.objects.filter(corrects=e).exists()
    }


def _facts(assignment, today):
    ratings = _ratings(assignment) if assignment.role == "lead" else set()
    lead = assignment.role == "lead"
    replied = lead and assignment.finished_on is not None
    consultations = list(assignment.consultations.all())
    return {
        "lead": lead,
        "assisting": not lead,
        "replied": replied,
        "on_time": replied and assignment.late_days == 0,
        "overdue": assignment.state in OPEN_ASSIGNMENT_STATES and assignment.due_on < today,
        "consulted": bool(consultations),
        "confirmed": any(c.deputy_answer == "confirmed" for c in consultations),
        "satisfied": "satisfied" in ratings,
        "basically": "basically" in ratings,
        "dissatisfied": "dissatisfied" in ratings,
        "rated": bool(ratings),
        "rehandled": lead and assignment.replies.filter(rehandling=True).exists(),
        "closed": lead and assignment.proposal.state == "closed",
    }


def _rate(part, whole):
    return None if not whole else part / whole


def expected_by_bureau(session):
    today = timezone.localdate()
    table = {}
    for a in Assignment.objects.exclude(state="withdrawn").filter(proposal__session=session):
        f = _facts(a, today)
        row = table.setdefault(a.bureau.short_name, Counter())
        for key in ("lead", "assisting", "replied", "on_time", "consulted", "confirmed", "satisfied",
                    "basically", "dissatisfied", "rated", "rehandled", "closed"):
            row[key] += f[key]
        row["overdue_lead"] += f["overdue"] and f["lead"]
        row["overdue_assisting"] += f["overdue"] and f["assisting"]
    for row in table.values():
        row["on_time_rate"] = _rate(row["on_time"], row["replied"])
        row["satisfaction_rate"] = _rate(row["satisfied"] + row["basically"], row["rated"])
    return {name: [row[c] for c in BUREAU_COLUMNS] for name, row in table.items()}


def expected_by_delegation(proposals):
    today = timezone.localdate()
    table = {}
    for p in proposals:
        facts = [_facts(a, today) for a in p.assignments.exclude(state="withdrawn")]
        row = table.setdefault(p.lead_deputy.delegation.short_name, Counter())
        row["received"] += 1
        for key in ("replied", "on_time", "overdue", "consulted", "confirmed", "satisfied", "basically",
                    "dissatisfied", "rated", "rehandled"):
            row[key] += any(f[key] for f in facts)
        row["closed"] += p.state == "closed"
    for row in table.values():
        row["on_time_rate"] = _rate(row["on_time"], row["replied"])
        row["satisfaction_rate"] = _rate(row["satisfied"] + row["basically"], row["rated"])
    return {name: [row[c] for c in PROPOSAL_COLUMNS] for name, row in table.items()}


def values(row):
    return [cell.value for cell in row.cells]


# --- the service -------------------------------------------------------------------------------


def test_the_numbers_per_bureau_and_delegation_match_the_world(world, dora, otto):
    session = world["session"]
    stats = stats_compute(session=session)
    by_bureau = {row.label: values(row) for row in stats.bureaus.rows}
    assert by_bureau == expected_by_bureau(session)
    # and by hand, so the counting above is checked too
    assert by_bureau["市经信局"] == [3, 1, 2, 1, 0.5, 0, 0, 2, 1, 1, 0, 1, 2, 0.5, 1, 1]
    assert by_bureau["市科技局"][:5] == [1, 1, 1, 1, 1.0]
    assert by_bureau["市住建局"][:7] == [1, 0, 0, 0, None, 1, 0]

    proposals = Proposal.objects.filter(session=session)
    by_delegation = {row.label: values(row) for row in stats.delegations.rows}
    assert by_delegation == expected_by_delegation(proposals)
    assert by_delegation[dora.delegation.short_name][:4] == [3, 2, 1, 0.5]
    columns = list(zip(*expected_by_delegation(proposals).values(), strict=True))
    total = values(stats.delegations.total)
    for name, column, got in zip(PROPOSAL_COLUMNS, columns, total, strict=True):
        if not name.endswith("_rate"):
            assert got == sum(column), name  # a proposal has one lead deputy: rows add up
    assert values(stats.delegations.total)[:5] == [6, 3, 2, 2 / 3, 1]

    assert {r.label: values(r) for r in stats.categories.rows} == {"工业经济": [4], "城乡建设": [2]}
    assert [values(r)[0] for r in stats.satisfaction.rows] == [1, 1, 1]
    assert stats.satisfaction.total.cells[1].value == 2 / 3
    today = timezone.localdate()
    assert {r.label: values(r) for r in stats.months.rows} == {f"{today:%Y-%m}": [3]}


def test_all_sessions_add_the_older_session(world):
    stats = stats_compute(session=None)
    assert values(stats.delegations.total)[:3] == [7, 4, 3]
    assert {r.label: values(r)[:3] for r in stats.bureaus.rows}["市科技局"] == [2, 1, 2]
    assert sum(values(r)[0] for r in stats.months.rows) == 4


def test_a_constant_number_of_queries(world, bureau_a, cora):
    session = world["session"]
    with CaptureQueriesContext(connection) as few:
        stats_compute(session=session)
    for n in range(3):  # more bureaus and delegations: the same queries
        extra = OrganizationFactory()
        p = ProposalFactory(session=session, number=100 + n)
        intake.proposal_assign(proposal=p, leads=[extra], assistants=[bureau_a], by=cora)
    with CaptureQueriesContext(connection) as more:
        stats = stats_compute(session=session)
    assert len(stats.bureaus.rows) == 6
    assert len(few) == len(more) == 7  # assignments (a cursor), consultations, ratings, re-handlings, proposals, categories, months


# --- the page ----------------------------------------------------------------------------------


LINK = re.compile(r'<a class="stat" href="([^"]+)">(\d+)</a>')


def test_every_number_links_to_a_list_of_that_many(client, world, sam):
    client.force_login(sam)
    for query in ("", f"?session={world['older'].pk}", "?session=all"):
        page = client.get(reverse("stats") + query)
        assert page.status_code == 200
        links = LINK.findall(page.content.decode())
        assert len(links) > (60 if not query else 20)
        for href, number in links:
            listed = client.get(unescape(href)).content.decode()
            total = re.search(r"共 (\d+) 件", listed)
            assert total and total[1] == number, f"{href}: page says {number}, list {total and total[1]}"


def test_the_page_defaults_to_the_newest_session_and_carries_chart_data(client, world, cora):
    client.force_login(cora)
    html = client.get(reverse("stats")).content.decode()
    assert world["session"].name in html
    assert f'<option value="{world["session"].pk}" selected>' in html
    assert '<script id="stats-data" type="application/json">' in html
    assert "vendor/echarts/5.6.0/echarts.min.js" in html and "js/stats.js" in html
    assert html.count("<table") == 5 and html.count('class="chart"') == 4
    data = re.search(r'<script id="stats-data" type="application/json">(.*?)</script>', html, re.S)[1]
    import json

    data = json.loads(data)
    assert data["onTime"]["names"] == ["市科技局", "市经信局"] and data["onTime"]["rates"] == [100.0, 50.0]
    assert [c["value"] for c in data["satisfaction"]] == [1, 1, 1]
    assert 'href="/stats/"' in html  # the nav link


@pytest.mark.parametrize("who", ["alice", "lily", "bob", "dora", "stranger"])
def test_others_are_refused(client, everyone, who):
    client.force_login(everyone[who])
    assert client.get(reverse("stats")).status_code == 403
    assert client.get(reverse("stats-export")).status_code == 403
    assert 'href="/stats/"' not in client.get(reverse("notification-list")).content.decode()


def test_anonymous_is_sent_to_login(client, db):
    for url in (reverse("stats"), reverse("stats-export")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["cora", "sam", "admin"])
def test_the_offices_and_admins_see_it(client, everyone, who):
    client.force_login(everyone[who])
    assert client.get(reverse("stats")).status_code == 200


def test_the_excel_file(client, world, cora):
    from openpyxl import load_workbook

    client.force_login(cora)
    response = client.get(reverse("stats-export") + f"?session={world['session'].pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["承办单位", "代表团", "建议类别", "满意度（办理结果）", "月度进度"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    bureaus = book["承办单位"]
    header = [c.value for c in bureaus[1]]
    assert header[:6] == ["承办单位", "主办", "协办", "已答复", "按期答复", "按期答复率"]
    rows = {r[0].value: r for r in bureaus.iter_rows(min_row=2)}
    a = rows["市经信局"]
    assert [c.value for c in a[1:5]] == [3, 1, 2, 1] and all(isinstance(c.value, int) for c in a[1:5])
    assert a[5].value == 0.5 and a[5].number_format == "0.0%"
    assert rows["市住建局"][5].value is None  # nothing replied: no rate
    delegations = book["代表团"]
    last = [c.value for c in delegations[delegations.max_row]]
    assert last[:4] == ["合计", 6, 3, 2]
    categories = {r[0].value: r[1].value for r in book["建议类别"].iter_rows(min_row=2)}
    assert categories == {"工业经济": 4, "城乡建设": 2}


def test_the_stats_template_has_no_inline_script():
    for path in (ROOT / "templates" / "stats").glob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html), path
    assert "json_script" in (ROOT / "templates" / "stats" / "index.html").read_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_charts_draw_under_the_content_security_policy(live_server, world, sam):
    """In Chromium: every chart draws a canvas, and nothing is refused by the CSP."""
    import os

    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.skip("Debian's Chromium is missing: run `make test` (it installs chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        missing = []
        page.on("response", lambda r: r.status == 404 and missing.append(r.url))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "sam")
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.click("nav >> text=统计")
        page.wait_for_url(f"{live_server.url}/stats/")
        for chart in ("on-time", "categories", "satisfaction", "months"):
            page.wait_for_selector(f"#chart-{chart} canvas", timeout=10000)
        assert page.is_visible("#table-bureaus")
        browser.close()
    assert all(url.endswith("/favicon.ico") for url in missing), missing  # the browser's own ask
    assert [p for p in problems if "status of 404" not in p] == []  # no CSP refusal, no JS error
