"""The one registry of what can be imported: its columns, template, checks, service and how the
preview shows a row. The upload pages and the management commands read it."""

import dataclasses
import datetime
import io
from collections.abc import Callable

from django.utils import translation
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from accounts.spreadsheets import append_rows

from . import deputy_import, proposal_import
from .directory import delegation_label
from .table import Column, ImportResult


@dataclasses.dataclass(frozen=True)
class ImportKind:
    slug: str
    title: str
    noun: str  # what one row is: 件建议, 名代表
    columns: list[Column]
    needs_session: bool
    check: Callable[..., ImportResult]  # (*, session, source)
    run: Callable[..., ImportResult]  # (*, by, session, source, dry_run, progress)
    preview: Callable[[dict], list]  # a planned row's fields as the preview table shows them
    template_name: str


def _proposal_preview(fields: dict) -> list:
    return [
        fields["number"], fields["title"], fields["lead_deputy"].name,
        "、".join(d.name for d in fields["co_signers"]),
        dict(proposal_import.Proposal.Timing.choices)[fields["timing"]],
        dict(proposal_import.Proposal.Category.choices)[fields["category"]],
        fields["received_on"].isoformat(),
    ]


def _deputy_preview(fields: dict) -> list:
    return [
        fields["name"], delegation_label(fields["delegation"]), fields["phone"], fields["address"],
        fields["username"] or "—",
    ]


PROPOSALS = ImportKind(
    slug="proposals",
    title="导入建议",
    noun="件建议",
    columns=proposal_import.COLUMNS,
    needs_session=True,
    check=lambda *, session, source: proposal_import.proposals_check(session=session, source=source),
    run=proposal_import.proposals_import,
    preview=_proposal_preview,
    template_name="建议导入模板.xlsx",
)
DEPUTIES = ImportKind(
    slug="deputies",
    title="导入代表名册",
    noun="名代表",
    columns=deputy_import.COLUMNS,
    needs_session=False,
    check=lambda *, session, source: deputy_import.deputies_check(source=source),
    run=lambda *, by, session, source, dry_run=False, progress=None: deputy_import.deputies_import(
        by=by, source=source, dry_run=dry_run, progress=progress
    ),
    preview=_deputy_preview,
    template_name="代表名册导入模板.xlsx",
)
KINDS = {kind.slug: kind for kind in (PROPOSALS, DEPUTIES)}
PREVIEW_HEADERS = {
    "proposals": ["编号", "标题", "领衔代表", "附议代表", "提出时间", "类别", "收到日期"],
    "deputies": ["姓名", "代表团", "联系电话", "联系地址", "登录名"],
}


def template_xlsx(kind: ImportKind) -> bytes:
    """The header row and one example row (to be deleted), with a sheet explaining each column."""
    book = Workbook()
    sheet = book.active
    sheet.title = kind.title.removeprefix("导入")
    with translation.override("zh-hans"):
        append_rows(sheet, [[c.name for c in kind.columns], [c.example for c in kind.columns]])
        notes = book.create_sheet("填写说明")
        append_rows(notes, [
            ["列名", "是否必填", "说明"],
            *([c.name, "必填" if c.required else "可选", c.help] for c in kind.columns),
            [],
            ["", "", "第一张工作表的第一行为列名，列的顺序不限，其他列会被忽略。"],
            ["", "", "第2行是示例，导入前请删除。任何一行有误时不会导入任何内容，并列出所有问题。"],
        ])
    for index, column in enumerate(kind.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if column.name in ("标题", "事由", "建议") else 16
        if isinstance(column.example, datetime.date):
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["C"].width = 80
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
