"""The annual handling report: its numbers equal counts made here over the objects, its lists name
the overdue and re-handled proposals, and the edited text downloads as a PDF letter or plain text."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditRecord
from proposals.models import Assignment, Proposal
from proposals.numerals import chinese_date
from proposals.states import OPEN_ASSIGNMENT_STATES
from replies.models import Evaluation
from replies.report import report_draft, report_text
from tests.replies.test_notices import flat, pdf_tables, pdf_text
from tests.replies.test_stats import world  # noqa: F401 - the fixture: two sessions handled through the services


def expected_figures(session):
    """The report's numbers counted in plain Python over the session's proposals."""
    today = timezone.localdate()
    counts = dict.fromkeys(
        ["received", "assigned", "replied", "on_time", "overdue", "consulted", "confirmed", "satisfied",
         "basically", "dissatisfied", "rated", "rehandled", "closed"], 0
    )
    bureaus, lead, assisting = set(), 0, 0
    for p in Proposal.objects.filter(session=session):
        active = [a for a in p.assignments.all() if a.state != "withdrawn"]
        leads = [a for a in active if a.role == "lead"]
        results = {
            e.result for e in Evaluation.objects.filter(reply__assignment__in=leads)
            if not Evaluation.objects.filter(corrects=e).exists()
        }
        consultations = [c for a in active for c in a.consultations.all()]
        facts = {
            "received": True,
            "assigned": bool(active),
            "replied": any(a.finished_on for a in leads),
            "on_time": any(a.finished_on and a.late_days == 0 for a in leads),
            "overdue": any(a.state in OPEN_ASSIGNMENT_STATES and a.due_on < today for a in active),
            "consulted": bool(consultations),
            "confirmed": any(c.deputy_answer == "confirmed" for c in consultations),
            "satisfied": "satisfied" in results,
            "basically": "basically" in results,
            "dissatisfied": "dissatisfied" in results,
            "rated": bool(results),
            "rehandled": any(a.replies.filter(rehandling=True).exists() for a in leads),
            "closed": p.state == "closed",
        }
        for key, fact in facts.items():
            counts[key] += bool(fact)
        bureaus |= {a.bureau_id for a in active}
        lead += len(leads)
        assisting += len(active) - len(leads)
    return counts, len(bureaus), lead, assisting


def test_the_numbers_equal_counts_made_independently(world):  # noqa: F811
    session = world["session"]
    draft = report_draft(session)
    counts, bureaus, lead, assisting = expected_figures(session)
    f = draft.figures
    assert {key: getattr(f, key) for key in counts} == counts
    assert (f.bureaus, f.lead, f.assisting) == (bureaus, lead, assisting)
    assert f.on_time_rate.value == counts["on_time"] / counts["replied"]
    assert f.satisfaction_rate.value == (counts["satisfied"] + counts["basically"]) / counts["rated"]
    # and by hand, from the world's description
    assert counts == {
        "received": 6, "assigned": 5, "replied": 3, "on_time": 2, "overdue": 1, "consulted": 2, "confirmed": 1,
        "satisfied": 1, "basically": 1, "dissatisfied": 1, "rated": 3, "rehandled": 1, "closed": 1,
    }
    text = draft.body
    assert "市十八届人大一次会议共收到代表建议6件，已交办5件，由3个承办单位办理（主办5件次，协办2件次）" in text
    assert "按期答复2件，按期答复率66.7%" in text
    assert "目前尚有1件逾期未办" in text
    assert "满意1件，基本满意1件，不满意1件，满意率66.7%" in text
    assert "因代表不满意重新办理1件。已办结1件。" in text
    assert draft.title == "关于市十八届人大一次会议代表建议办理情况的报告"


def test_the_bureau_table_and_the_lists(world):  # noqa: F811
    session = world["session"]
    draft = report_draft(session)
    rows = {row[0]: row for row in draft.bureau_table.rows}
    assert rows["市经信局"] == ("市经信局", "3", "1", "2", "50.0%", "0", "50.0%", "1", "1")
    assert rows["市住建局"] == ("市住建局", "1", "0", "0", "—", "1", "—", "0", "0")
    assert set(rows) == {"市经信局", "市科技局", "市住建局"}
    # one line per overdue proposal, one per re-handled proposal: as many as the numbers say
    assert len(draft.overdue) == draft.figures.overdue == 1
    overdue = Assignment.objects.get(proposal__number=4, proposal__session=session, role="lead")
    assert draft.overdue[0].startswith(f"1.第4号《{overdue.proposal.title}》")
    assert f"市住建局主办，期限{chinese_date(overdue.due_on)}，已逾期5天" in draft.overdue[0]
    assert len(draft.rehandled) == draft.figures.rehandled == 1
    assert draft.rehandled[0].startswith("1.第2号《") and "主办单位：市经信局" in draft.rehandled[0]
    for line in draft.overdue + draft.rehandled:
        assert line in draft.body
    assert " | ".join(draft.bureau_table.header) in draft.body


def test_the_page_is_prefilled_and_linked_from_the_statistics(client, world, cora):  # noqa: F811
    session = world["session"]
    client.force_login(cora)
    stats = client.get(reverse("stats"), {"session": session.pk}).content.decode()
    assert f'{reverse("stats-report")}?session={session.pk}' in stats
    page = client.get(reverse("stats-report"), {"session": session.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["body"] == report_draft(session).body
    assert "共收到代表建议6件" in page.content.decode()


def _post(client, session, body, fmt):
    draft = report_draft(session)
    return client.post(reverse("stats-report-download"), {
        "session": session.pk, "title": draft.title, "salutation": "市人大常委会：", "body": body,
        "signing_bureau": "慈溪市人大常委会代表工作委员会", "date": "2026-12-01", "format": fmt,
    })


def test_the_edited_text_downloads_as_a_pdf_letter(client, world, sam):  # noqa: F811
    session = world["session"]
    draft = report_draft(session)
    edited = draft.body.replace("四、下一步工作", "四、下一步工作\n工委将于月底前逐件回访。")
    client.force_login(sam)
    response = _post(client, session, edited, "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    text = flat(pdf_text(content))
    assert "关于市十八届人大一次会议代表建议办理情况的报告" in text
    assert "市人大常委会：" in text
    assert "工委将于月底前逐件回访。" in text
    assert "2026年12月1日" in text
    assert flat(draft.overdue[0])[:20] in text
    (table,) = pdf_tables(content)
    assert table == [draft.bureau_table.header, *draft.bureau_table.rows]
    assert AuditRecord.objects.filter(action="report_download", username="sam", detail="pdf").count() == 1


def test_the_edited_text_downloads_as_plain_text(client, world, cora):  # noqa: F811
    session = world["session"]
    draft = report_draft(session)
    client.force_login(cora)
    response = _post(client, session, draft.body + "\n（此稿已由工委修改）", "txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text == report_text(
        title=draft.title, salutation="市人大常委会：", body=draft.body + "\n（此稿已由工委修改）",
        signing_bureau="慈溪市人大常委会代表工作委员会", date=timezone.datetime(2026, 12, 1).date(),
    )
    assert text.startswith(draft.title + "\n\n市人大常委会：\n一、基本情况\n")
    assert text.rstrip().endswith("（此稿已由工委修改）\n\n慈溪市人大常委会代表工作委员会\n2026年12月1日")


def test_an_undrawable_character_is_named_and_nothing_downloads(client, world, cora):  # noqa: F811
    client.force_login(cora)
    response = _post(client, world["session"], "一、基本情况\n办理情况良好\U0001f600。", "pdf")
    assert response.status_code == 400
    assert "无法打印" in response.content.decode() and "\U0001f600" in response.content.decode()


def test_an_empty_text_is_refused_in_chinese(client, world, cora):  # noqa: F811
    client.force_login(cora)
    response = _post(client, world["session"], "", "txt")
    assert response.status_code == 400
    assert re.search("这个字段是必填项|此字段为必填项|必填", response.content.decode())


@pytest.mark.parametrize("who, status", [("alice", 403), ("lily", 403), ("dora", 403), ("stranger", 403), ("sam", 200)])
def test_only_the_offices_make_the_report(client, everyone, world, who, status):  # noqa: F811
    client.force_login(everyone[who])
    session = world["session"]
    assert client.get(reverse("stats-report"), {"session": session.pk}).status_code == status
    response = _post(client, session, "一、基本情况\n正文。", "txt")
    assert response.status_code == status
