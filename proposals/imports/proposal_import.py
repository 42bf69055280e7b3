"""A session's proposals from Excel: every row checked, then all registered or none.

Each row is registered by ``workflow.proposal_register``, the service the form uses, so the
timeline and the notifications are the same as for a proposal typed in; all rows run in one
transaction. A row whose number the session already has with the same content is skipped, so
importing a file again adds nothing; the same number with other content is a problem.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.roles import roles_of

from .. import workflow
from ..errors import WorkflowError
from ..models import Proposal, Session
from .directory import Directory
from .table import (
    Column,
    ImportResult,
    Planned,
    Problem,
    RowCheck,
    duplicates_mark,
    problems_sort,
    same_text,
    squeeze,
    table_read,
)

EXAMPLE_TITLE = "关于加快老旧小区加装电梯的建议（示例行，导入前请删除）"
CO_SIGNER_SEPARATORS = re.compile(r"[、，,；;]+")
TITLE_MAX = Proposal._meta.get_field("title").max_length

def _chinese(label) -> str:
    """A choice's label as the file writes it, whatever language is active at import time."""
    with translation.override("zh-hans"):
        return str(label)


COLUMNS = [
    Column("编号", example=1, help="本次会议内的建议编号，整数，不能重复"),
    Column("标题", example=EXAMPLE_TITLE, help=f"不超过{TITLE_MAX}字"),
    Column("领衔代表", example="张伟", help="代表姓名；同名代表请注明代表团，如「张伟（白沙路街道）」"),
    Column("附议代表", required=False, example="李娜、王强", help="可空；多人用「、」「，」或「,」分隔"),
    Column("提出时间", example=_chinese(Proposal.Timing.DURING_SESSION.label), help="会议期间 或 闭会期间"),
    Column("类别", example=_chinese(Proposal.Category.URBAN.label),
           help="、".join(_chinese(label) for _v, label in Proposal.Category.choices)),
    Column("事由", example="一、基本情况。……\n二、存在问题。……", help="必填"),
    Column("建议", example="一、……\n二、……", help="必填"),
    Column("收到日期", example=datetime.date(2026, 3, 2), help="Excel 日期，或 yyyy-mm-dd（如 2026-03-02）"),
]
# How a difference with the proposal already registered is named to the clerk.
COMPARED = [
    ("标题", lambda p, f: same_text(p.title, f["title"])),
    ("领衔代表", lambda p, f: p.lead_deputy_id == f["lead_deputy"].pk),
    ("附议代表", lambda p, f: {d.pk for d in p.co_signers.all()} == {d.pk for d in f["co_signers"]}),
    ("提出时间", lambda p, f: p.timing == f["timing"]),
    ("类别", lambda p, f: p.category == f["category"]),
    ("事由", lambda p, f: same_text(p.reasons, f["reasons"])),
    ("建议", lambda p, f: same_text(p.suggestions, f["suggestions"])),
    ("收到日期", lambda p, f: p.received_on == f["received_on"]),
]


def _co_signers(check: RowCheck, directory: Directory, lead) -> list:
    found, seen = [], set()
    for piece in CO_SIGNER_SEPARATORS.split(check.text("附议代表")):
        piece = squeeze(piece)
        if not piece:
            continue
        deputy, why = directory.deputy(piece)
        if deputy is None:
            check.error("附议代表", why)
        elif lead is not None and deputy.pk == lead.pk:
            check.error("附议代表", _("「%(name)s」是领衔代表，不必再列为附议代表。") % {"name": piece})
        elif deputy.pk in seen:
            check.error("附议代表", _("「%(name)s」重复列出。") % {"name": piece})
        else:
            seen.add(deputy.pk)
            found.append(deputy)
    return found


def _row_fields(check: RowCheck, directory: Directory) -> tuple[int | None, dict | None]:
    """The row's number (for the duplicate check, even when other cells are bad) and its
    fields for ``proposal_register`` when every cell is good."""
    number = check.whole_number("编号")
    title = check.text("标题", max_length=TITLE_MAX)
    if title == EXAMPLE_TITLE:
        check.error("标题", _("这是模板的示例行，请删除后再导入。"))
    lead = None
    lead_text = check.text("领衔代表")
    if lead_text:
        lead, why = directory.deputy(lead_text)
        if lead is None:
            check.error("领衔代表", why)
    fields = {
        "number": number,
        "title": title,
        "lead_deputy": lead,
        "co_signers": _co_signers(check, directory, lead),
        "timing": check.choice("提出时间", Proposal.Timing.choices),
        "category": check.choice("类别", Proposal.Category.choices),
        "reasons": check.text("事由"),
        "suggestions": check.text("建议"),
        "received_on": check.date("收到日期"),
    }
    return number, fields if check.ok else None


def proposals_check(*, session: Session, source) -> ImportResult:
    """Read and check a file for ``session`` without writing anything."""
    result = ImportResult()
    records, result.problems = table_read(source, COLUMNS)
    if result.problems:
        return result
    directory = Directory()
    numbers = []
    for record in records:
        number, fields = _row_fields(RowCheck(record, COLUMNS, result.problems), directory)
        numbers.append((record.row, number))
        if fields is not None:
            result.planned.append(Planned(record.row, fields))
    duplicates_mark(numbers, "编号", result.problems, _("编号与第%(row)s行重复。"))
    existing = {
        p.number: p
        for p in Proposal.objects.filter(session=session, number__in=[n for _r, n in numbers if n])
        .prefetch_related("co_signers")
    }
    new = []
    for item in result.planned:
        proposal = existing.get(item.fields["number"])
        if proposal is None:
            new.append(item)
            continue
        differences = [name for name, same in COMPARED if not same(proposal, item.fields)]
        if not differences:
            result.skipped.append(item.row)
            continue
        result.problems.append(Problem(item.row, "编号", _(
            "%(session)s已有第%(number)s号%(noun)s，内容与本行不同（%(fields)s）；已登记的建议请在系统中修改，不要重复导入。"
        ) % {
            "session": session.name, "number": proposal.number, "noun": session.item_noun,
            "fields": "、".join(differences),
        }))
    result.planned = new
    problems_sort(result.problems, COLUMNS)
    return result


def proposals_import(*, by, session: Session, source, dry_run: bool = False, progress=None) -> ImportResult:
    """Check the file and, when every row is good, register the new rows in one transaction.

    Nothing is written when any row has a problem, when ``dry_run``, or when a registration
    fails half-way (a number taken meanwhile): its reason is added to the problems.
    ``progress(done, total)`` is called as rows are registered (inside the transaction).
    """
    if not roles_of(by).manages_proposals:
        raise PermissionDenied(_("只有人大代表工委可以导入建议。"))
    result = proposals_check(session=session, source=source)
    if not result.ok or dry_run or not result.planned:
        return result
    item = None
    try:
        with transaction.atomic():
            for done, item in enumerate(result.planned, 1):
                workflow.proposal_register(by=by, session=session, **item.fields)
                if progress:
                    progress(done, len(result.planned))
    except WorkflowError as error:
        result.problems.append(Problem(item.row, "", str(error)))
    except ValidationError as error:
        result.problems.append(Problem(item.row, "", "；".join(error.messages)))
    else:
        result.created = len(result.planned)
    return result
