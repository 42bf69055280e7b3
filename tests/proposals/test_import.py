"""Importing a session's proposals from Excel: the checks, all or nothing, re-import, the
command, the upload with preview and confirmation, who may, and the upload's hardening."""

import datetime
import io
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import AuditRecord, Organization
from accounts.spreadsheet_reader import SpreadsheetError, sheet_read
from proposals.imports.proposal_import import EXAMPLE_TITLE, proposals_import
from proposals.imports.sessions import session_find
from proposals.models import Event, ImportJob, Proposal, Session

from ..factories import DeputyFactory, OrganizationFactory, ProposalFactory, SessionFactory
from .xlsx import PROPOSAL_HEADER, read_back, upload, with_part_replaced, xlsx

JAN5 = datetime.date(2026, 1, 5)


@pytest.fixture
def session(db):
    return SessionFactory(term=18, number=2, starts_on=datetime.date(2026, 1, 6), ends_on=datetime.date(2026, 1, 9))


@pytest.fixture
def namesakes(db):
    """Two deputies called 张伟, in 白沙路街道 and in 匡堰镇."""
    found = []
    for name, short in (("白沙路街道代表团", "白沙路街道"), ("匡堰镇代表团", "匡堰镇")):
        delegation = OrganizationFactory(kind=Organization.Kind.DELEGATION, name=name, short_name=short, document_prefix="")
        found.append(DeputyFactory(name="张伟", delegation=delegation))
    return found


def good_rows():
    return [
        PROPOSAL_HEADER,
        [1, "关于推进工业园区有机更新的建议", "罗冲", "潘省办、岑国建", "会议期间", "工业经济", "事由一", "建议一", JAN5],
        [2, "关于加强农村饮用水安全的建议", "岑国建", "", "闭会期间", "农业农村", "事由二", "建议二", "2026-02-03"],
        [3, "关于白沙路街道停车难的建议", "张伟（白沙路街道）", "罗冲，潘省办", "会议期间", "城乡建设", "事由三", "建议三", JAN5],
    ]


def test_a_good_file_registers_every_row_through_the_registration_service(cora, dora, carl, otto, namesakes, session):
    result = proposals_import(by=cora, session=session, source=xlsx(*good_rows()))

    assert result.ok and result.created == 3
    first, second, third = Proposal.objects.filter(session=session).order_by("number")
    assert (first.title, first.lead_deputy, set(first.co_signers.all())) == (
        "关于推进工业园区有机更新的建议", dora, {carl, otto})
    assert (first.timing, first.category, first.received_on) == ("during_session", "economy", JAN5)
    assert (second.timing, second.received_on, second.co_signers.count()) == ("recess", datetime.date(2026, 2, 3), 0)
    assert third.lead_deputy == namesakes[0] and set(third.co_signers.all()) == {dora, carl}
    assert all(p.registered_by == cora and p.state == "received" for p in (first, second, third))
    # The same timeline as a proposal typed into the form: one 登记 event each.
    assert list(Event.objects.filter(proposal__session=session).values_list("action", flat=True)) == ["register"] * 3


def test_columns_in_any_order_under_a_title_row_with_extra_columns_ignored(cora, dora, session):
    header = ["备注", "收到日期", "建议", "事由", "类别", "提出时间", "领衔代表", "标题", "编号"]
    row = ["随便写", "2026-01-05", "建议", "事由", "其他", "会议期间", "罗  冲", "关于某事的建议", "第7号"]
    result = proposals_import(by=cora, session=session, source=xlsx(["市十八届人大二次会议代表建议汇总表"], header, row))

    assert result.ok and result.created == 1
    proposal = Proposal.objects.get(session=session)
    assert (proposal.number, proposal.lead_deputy, proposal.category) == (7, dora, "other")


def test_a_file_full_of_bad_rows_imports_nothing_and_lists_every_problem(cora, dora, carl, otto, namesakes, session):
    ProposalFactory(session=session, number=9, title="已登记的建议", lead_deputy=dora)
    before = Proposal.objects.count()
    rows = [
        PROPOSAL_HEADER,
        [1, "这一行是好的", "罗冲", "", "会议期间", "工业经济", "事由", "建议", JAN5],        # row 2
        [2, "未知代表", "李四", "王五", "会议期间", "工业经济", "事由", "建议", JAN5],          # row 3
        [3, "同名代表", "张伟", "", "会议期间", "工业经济", "事由", "建议", JAN5],             # row 4
        [4, "类别和提出时间不对", "罗冲", "", "会中", "环保", "事由", "建议", JAN5],            # row 5
        [5, "日期不对", "罗冲", "", "会议期间", "其他", "事由", "建议", "2026-13-40"],         # row 6
        [6, "", "罗冲", "", "会议期间", "其他", "", "建议", "2999-01-01"],                    # row 7
        [1, "编号与第2行重复", "罗冲", "", "会议期间", "其他", "事由", "建议", JAN5],           # row 8
        [9, "与已登记的第9号不同", "罗冲", "", "会议期间", "其他", "事由", "建议", JAN5],        # row 9
        ["十", "x" * 201, "罗冲", "罗冲、潘省办、潘省办", "会议期间", "其他", "事由", "建议", JAN5],  # row 10
        [11, EXAMPLE_TITLE, "张伟（匡堰）", "张伟（不存在的镇）", "会议期间", "其他", "事由", "建议", JAN5],  # row 11
    ]
    result = proposals_import(by=cora, session=session, source=xlsx(*rows))

    assert not result.ok and result.created == 0
    assert Proposal.objects.count() == before
    where = {(p.row, p.column) for p in result.problems}
    assert where >= {
        (3, "领衔代表"), (3, "附议代表"), (4, "领衔代表"), (5, "提出时间"), (5, "类别"), (6, "收到日期"),
        (7, "标题"), (7, "事由"), (7, "收到日期"), (8, "编号"), (9, "编号"), (10, "编号"), (10, "标题"),
        (10, "附议代表"), (11, "标题"), (11, "附议代表"),
    }
    assert 2 not in {p.row for p in result.problems}  # the good row has no problem, and is not imported either
    text = "\n".join(str(p) for p in result.problems)
    assert "第3行「领衔代表」：系统中没有名为「李四」的代表" in text
    assert "有2位名为「张伟」的代表（白沙路街道、匡堰镇），请注明代表团，例如「张伟（白沙路街道）」" in text
    assert "编号与第2行重复" in text and "已有第9号建议，内容与本行不同（标题、类别、收到日期）" in text
    assert "「罗冲」是领衔代表" in text and "「潘省办」重复列出" in text and "不能超过200字" in text
    assert "这是模板的示例行" in text and "晚于今天" in text and "不能为空" in text
    assert [p.row for p in result.problems] == sorted(p.row for p in result.problems)  # read top to bottom


def test_a_missing_column_is_named(cora, session):
    result = proposals_import(by=cora, session=session, source=xlsx(PROPOSAL_HEADER[:5], [1, "标题", "罗冲", "", "会议期间"]))

    assert {p.column for p in result.problems} == {"类别", "事由", "建议", "收到日期"}
    assert all("表头缺少此列" in p.message for p in result.problems)


def test_importing_the_same_file_again_adds_nothing(cora, dora, carl, otto, namesakes, session):
    data = xlsx(*good_rows())
    proposals_import(by=cora, session=session, source=data)
    events = Event.objects.count()

    again = proposals_import(by=cora, session=session, source=data)

    assert again.ok and again.created == 0 and again.skipped == [2, 3, 4]
    assert Proposal.objects.filter(session=session).count() == 3 and Event.objects.count() == events


def test_a_half_done_import_leaves_nothing(cora, dora, carl, otto, namesakes, session):
    """A registration refused half-way (a number taken meanwhile) rolls every row back."""
    from proposals import workflow

    real, calls = workflow.proposal_register, []

    def register_then_refuse(**kwargs):
        calls.append(kwargs["number"])
        if len(calls) == 3:
            raise workflow.WorkflowError("编号已被占用，请刷新后重试。")
        return real(**kwargs)

    with mock.patch.object(workflow, "proposal_register", register_then_refuse):
        result = proposals_import(by=cora, session=session, source=xlsx(*good_rows()))

    assert result.created == 0 and [str(p) for p in result.problems] == ["第4行：编号已被占用，请刷新后重试。"]
    assert not Proposal.objects.filter(session=session).exists() and not Event.objects.exists()


def test_only_the_congress_office_imports(alice, dora, session):
    with pytest.raises(PermissionDenied, match="只有人大代表工委"):
        proposals_import(by=alice, session=session, source=xlsx(*good_rows()))
    assert not Proposal.objects.exists()


# --- the session a clerk types -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["18-2", "18/2", " 18 - 2 ", "十八届二次", "市十八届人大二次会议", "第十八届第二次会议"])
def test_sessions_are_found_as_clerks_write_them(session, typed):
    assert session_find(typed) == session


def test_a_session_of_both_bodies_needs_the_body(session):
    cppcc = SessionFactory(body=Session.Body.CPPCC, term=18, number=2)
    with pytest.raises(ValueError, match="--body"):
        session_find("18-2")
    assert session_find("18-2", "cppcc") == cppcc
    assert session_find("十八届政协二次") == cppcc
    with pytest.raises(ValueError, match="没有第18届第3次会议"):
        session_find("18-3")
    with pytest.raises(ValueError, match="无法识别"):
        session_find("明年那次")


# --- the command ---------------------------------------------------------------------------------


def _run(*argv):
    """The command as the shell runs it; returns its exit status."""
    from django.core.management import ManagementUtility

    with mock.patch("django.core.management.base.connections.close_all"), pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", *argv]).execute()
        raise SystemExit(0)
    return exit_.value.code


def test_the_command_imports_and_exits_non_zero_when_it_imports_nothing(tmp_path, cora, dora, carl, otto, namesakes, session):
    path = tmp_path / "建议.xlsx"
    path.write_bytes(xlsx(*good_rows()))

    assert _run("import_proposals", str(path), "--session", "18-2", "--by", "cora", "--dry-run") == 0
    assert not Proposal.objects.exists()
    assert _run("import_proposals", str(path), "--session", "十八届二次", "--by", "cora") == 0
    assert Proposal.objects.filter(session=session).count() == 3
    assert _run("import_proposals", str(path), "--session", "18-2", "--by", "cora") == 3  # nothing new

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(PROPOSAL_HEADER, [4, "标题", "无名氏", "", "会议期间", "其他", "事由", "建议", JAN5]))
    assert _run("import_proposals", str(bad), "--session", "18-2", "--by", "cora") == 1
    assert Proposal.objects.count() == 3


def test_the_command_prints_every_problem_and_refuses_a_user_who_may_not(tmp_path, cora, alice, session, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(PROPOSAL_HEADER, [4, "标题", "无名氏", "", "会中", "其他", "事由", "建议", JAN5]))
    with pytest.raises(CommandError) as error:
        call_command("import_proposals", str(bad), "--session", "18-2", "--by", "cora")
    assert error.value.returncode == 1
    printed = capsys.readouterr().err
    assert "第2行「领衔代表」：系统中没有名为「无名氏」的代表" in printed and "第2行「提出时间」" in printed

    with pytest.raises(CommandError, match="不是人大代表工委工作人员或管理员"):
        call_command("import_proposals", str(bad), "--session", "18-2", "--by", "alice")


# --- the upload, preview and confirmation ----------------------------------------------------------


def test_upload_previews_without_writing_then_confirm_imports(
    client, cora, dora, carl, otto, namesakes, session, django_capture_on_commit_callbacks, eager_tasks
):
    client.force_login(cora)
    assert client.get(reverse("import-upload", args=["proposals"])).status_code == 200

    preview = client.post(
        reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(xlsx(*good_rows()))}
    )

    assert preview.status_code == 200 and not Proposal.objects.exists()
    page = preview.content.decode()
    assert "将导入 3 件建议" in page and "关于白沙路街道停车难的建议" in page and "确认导入" in page
    token = preview.context["token"]

    with django_capture_on_commit_callbacks(execute=True):  # the worker's part, run here
        done = client.post(reverse("import-confirm", args=["proposals"]), {"token": token})

    job = ImportJob.objects.get()
    assert done.status_code == 302 and done.url == reverse("import-job", args=[job.pk])
    assert Proposal.objects.filter(session=session, registered_by=cora).count() == 3
    page = client.get(done.url).content.decode()
    assert "已导入 3 件建议，跳过已存在的 0 行" in page and f"?session={session.pk}" in page
    status = client.get(reverse("import-job-status", args=[job.pk])).json()
    assert status == {"state": "done", "label": "已完成", "done": 3, "total": 3, "percent": 100}
    record = AuditRecord.objects.get(action=AuditRecord.Action.IMPORT)
    assert record.username == "cora" and "3行待导入" in record.detail and record.object_type == "proposals.session"
    again = client.post(reverse("import-confirm", args=["proposals"]), {"token": token}, follow=True)
    assert "已失效或已完成" in again.content.decode() and Proposal.objects.count() == 3


def test_upload_with_bad_rows_lists_them_and_offers_no_confirmation(client, cora, dora, session):
    client.force_login(cora)
    data = xlsx(PROPOSAL_HEADER, [1, "标题", "无名氏", "", "会议期间", "其他", "事由", "建议", JAN5],
                [2, "标题", "罗冲", "", "会议期间", "火星", "事由", "建议", JAN5])

    page = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(data)})

    text = page.content.decode()
    assert "文件中有 2 处问题，未导入任何内容" in text and "无名氏" in text and "火星" in text
    assert "确认导入" not in text and page.context["token"] == "" and not Proposal.objects.exists()


def test_a_token_is_good_only_in_the_session_that_uploaded_it(client, cora, congress_office, dora, session):
    from accounts.models import Membership

    from ..factories import UserFactory, member

    client.force_login(cora)
    data = xlsx(PROPOSAL_HEADER, [1, "标题", "罗冲", "", "会议期间", "其他", "事由", "建议", JAN5])
    token = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(data)}).context["token"]
    other = member(UserFactory(username="cora2"), congress_office, Membership.Role.CONGRESS_OFFICER)
    client.force_login(other)

    client.post(reverse("import-confirm", args=["proposals"]), {"token": token})

    assert not Proposal.objects.exists()


def test_the_template_has_the_header_and_an_example_row_the_import_refuses(client, cora, session):
    client.force_login(cora)
    response = client.get(reverse("import-template", args=["proposals"]))

    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = read_back(response.content)
    assert [c.value for c in sheet[1]] == PROPOSAL_HEADER
    assert sheet["B2"].value == EXAMPLE_TITLE and sheet["I2"].is_date
    result = proposals_import(by=cora, session=session, source=response.content)
    assert "这是模板的示例行，请删除后再导入。" in [p.message for p in result.problems]


@pytest.mark.parametrize("who", ["sam", "alice", "lily", "dora", "stranger"])
def test_other_roles_are_refused_on_the_server(client, everyone, session, who):
    client.force_login(everyone[who])
    data = xlsx(*good_rows())
    for kind in ("proposals", "deputies"):
        assert client.get(reverse("import-upload", args=[kind])).status_code == 403
        assert client.post(reverse("import-upload", args=[kind]), {"session": session.pk, "file": upload(data)}).status_code == 403
        assert client.post(reverse("import-confirm", args=[kind]), {"token": "0" * 32}).status_code == 403
        assert client.get(reverse("import-template", args=[kind])).status_code == 403
    assert not Proposal.objects.exists()


def test_anonymous_users_are_sent_to_log_in_and_unknown_kinds_are_404(client, cora):
    assert client.get(reverse("import-upload", args=["proposals"])).status_code == 302
    client.force_login(cora)
    assert client.get(reverse("import-upload", args=["bureaus"])).status_code == 404


# --- hardening -----------------------------------------------------------------------------------

DOCTYPES = {
    "entity-bomb": b"""<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>""",
    "external-entity": b"""<!DOCTYPE x [<!ENTITY lol3 SYSTEM "file:///etc/passwd">]>""",
}


def _hostile(kind: str) -> bytes:
    """A workbook whose sheet expands an entity in its first cell."""
    sheet = (
        b'<?xml version="1.0"?>\n' + DOCTYPES[kind]
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    return with_part_replaced(xlsx(["编号"]), "xl/worksheets/sheet1.xml", sheet)


@pytest.mark.parametrize("kind", DOCTYPES)
def test_xml_entities_are_refused_not_parsed(kind):
    assert openpyxl.DEFUSEDXML is True  # openpyxl parses with defusedxml
    with mock.patch("xml.etree.ElementTree.XMLParser") as plain_parser:
        with pytest.raises(SpreadsheetError, match="不允许的 XML 实体或外部引用"):
            sheet_read(_hostile(kind))
    plain_parser.assert_not_called()


def test_the_reader_refuses_to_run_without_defusedxml(monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(ImproperlyConfigured):
        sheet_read(xlsx(["编号"]))


def test_an_entity_bomb_upload_gets_a_clear_chinese_error(client, cora, session):
    client.force_login(cora)
    page = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(_hostile("entity-bomb"))})
    assert "出于安全原因已拒绝读取" in page.content.decode() and not Proposal.objects.exists()


def _zip(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 .xls"),
        ("编号,标题\n1,关于\n".encode(), "不是 Excel 工作簿"),
        (_zip({"hello.txt": "hi"}), "不是 Excel 工作簿"),
        (b"PK\x03\x04broken", "文件已损坏"),
        (_zip({"[Content_Types].xml": "x", "xl/workbook.xml": "x", "xl/vbaProject.bin": "x"}), "含宏"),
    ],
    ids=["xls", "csv-renamed", "other-zip", "broken-zip", "macros"],
)
def test_files_that_are_not_plain_xlsx_are_refused(data, message):
    with pytest.raises(SpreadsheetError, match=message):
        sheet_read(data)


def test_a_zip_bomb_is_refused_by_its_unpacked_size(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    data = with_part_replaced(xlsx(["编号"]), "xl/filler.bin", b"\0" * (2 * 1024 * 1024))
    assert len(data) < 100 * 1024
    with pytest.raises(SpreadsheetError, match="解压后超过 1 MB"):
        sheet_read(data)


def test_row_column_and_cell_limits(settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELL_CHARS = 3, 4, 10
    assert len(sheet_read(xlsx(["a"], [1], [2], [3])).rows) == 4  # the header and three rows
    with pytest.raises(SpreadsheetError, match="数据超过 3 行"):
        sheet_read(xlsx(["a"], [1], [2], [3], [4]))
    with pytest.raises(SpreadsheetError, match="第2行超过 4 列"):
        sheet_read(xlsx(["a"], [1, 2, 3, 4, 5]))
    with pytest.raises(SpreadsheetError, match="第2行第B列的文字超过 10 字"):
        sheet_read(xlsx(["a"], ["ok", "x" * 11]))


def test_a_formula_cell_is_read_as_its_value_never_evaluated(cora, dora, session):
    rows = good_rows()[:2]
    rows[1][1] = '=HYPERLINK("http://evil.example/","点击")'
    data = xlsx(*rows)
    assert sheet_read(data).rows[1][1][1] is None  # no cached value: the formula's text is not taken


def test_an_upload_over_the_size_limit_is_dropped_while_it_arrives(client, cora, session, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 4 * 1024
    client.force_login(cora)
    big = xlsx(*good_rows(), *[[i, "标题" * 50, "罗冲", "", "会议期间", "其他", "事由" * 200, "建议", JAN5] for i in range(10, 60)])
    assert len(big) > 4 * 1024

    with mock.patch("proposals.imports.uploads.upload_stage") as stage:
        page = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(big)})

    assert page.status_code == 400 and "文件超过 4 KB" in page.content.decode()
    assert page.context["form"].errors["file"] == ["文件超过 4 KB，请分成几个文件导入。"]  # not "required"
    stage.assert_not_called()


def test_the_upload_handler_stops_storing_a_file_past_the_limit():
    from django.core.files.uploadhandler import SkipFile

    from proposals.imports.uploads import BoundedUploadHandler

    handler = BoundedUploadHandler(limit=10)
    handler.new_file("file", "a.xlsx", "application/octet-stream", 100)
    assert handler.receive_data_chunk(b"x" * 10, 0) == b"x" * 10
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x", 10)
    assert handler.too_large


def test_a_file_not_named_xlsx_is_refused(client, cora, session):
    client.force_login(cora)
    page = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(xlsx(*good_rows()), "建议.csv")})
    assert page.status_code == 400 and "请上传 .xlsx 格式" in page.content.decode()


def test_uploads_are_limited_per_user(client, cora, session, settings):
    client.force_login(cora)
    data = xlsx(PROPOSAL_HEADER)
    statuses = [
        client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(data)}).status_code
        for _ in range(settings.IMPORT_UPLOADS_PER_MINUTE + 1)
    ]
    assert statuses[:-1] == [200] * settings.IMPORT_UPLOADS_PER_MINUTE and statuses[-1] == 429


def test_a_file_changed_between_preview_and_run_imports_nothing_and_says_why(
    client, cora, dora, session, django_capture_on_commit_callbacks, eager_tasks
):
    client.force_login(cora)
    data = xlsx(PROPOSAL_HEADER, [1, "关于增设公交站点的建议", "罗冲", "", "会议期间", "其他", "事由", "建议", JAN5])
    token = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(data)}).context["token"]
    ProposalFactory(session=session, number=1, lead_deputy=dora, title="另一件建议")  # registered meanwhile by hand

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("import-confirm", args=["proposals"]), {"token": token})

    job = ImportJob.objects.get()
    assert job.state == "failed" and job.created == 0 and Proposal.objects.count() == 1
    page = client.get(done.url).content.decode()
    assert "未导入任何内容" in page and "第2行" in page and "已有第1号建议，内容与本行不同" in page


def test_a_job_is_shown_only_to_the_congress_office(client, cora, alice, dora, session, django_capture_on_commit_callbacks, eager_tasks):
    client.force_login(cora)
    data = xlsx(PROPOSAL_HEADER, [1, "关于增设公交站点的建议", "罗冲", "", "会议期间", "其他", "事由", "建议", JAN5])
    token = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(data)}).context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=["proposals"]), {"token": token})
    job = ImportJob.objects.get()
    client.force_login(alice)
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 404
    assert client.get(reverse("import-job-status", args=[job.pk])).status_code == 404


def test_progress_is_counted_while_the_rows_are_registered(cora, dora, session, monkeypatch):
    """The rows are written in one transaction; the job page reads the count the worker keeps."""
    from proposals.imports import jobs, uploads

    seen = []
    real_set = jobs.cache.set
    monkeypatch.setattr(jobs.cache, "set", lambda key, value, timeout=None: (seen.append(value), real_set(key, value, timeout)))
    rows = [[n, f"关于第{n}件事的建议", "罗冲", "", "会议期间", "其他", "事由", "建议", JAN5] for n in range(1, 61)]
    token = uploads.upload_stage(upload(xlsx(PROPOSAL_HEADER, *rows)))
    job = ImportJob.objects.create(kind="proposals", session=session, requested_by=cora, token=token, total=60)

    jobs.import_job_run(job.pk)

    job.refresh_from_db()
    assert seen == [25, 50, 60] and job.state == "done" and job.created == 60
    assert uploads.staged_path(token) is None  # the file is gone once imported


def test_the_template_names_choices_in_chinese_whatever_language_loaded_the_module():
    import importlib

    from django.utils import translation

    from proposals.imports import proposal_import

    with translation.override("en"):
        reloaded = importlib.reload(proposal_import)
    examples = {column.name: column.example for column in reloaded.COLUMNS}
    assert examples["提出时间"] == "会议期间" and examples["类别"] == "城乡建设"
