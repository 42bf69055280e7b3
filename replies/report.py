"""The annual handling report (「关于市十八届人大一次会议代表建议办理情况的报告」): a draft written
from the statistics, for the congress office to edit and print.

Every number comes from ``stats.stats_compute`` (the numbers of the /stats/ page, read by their
column names) or, for the lists, from the same conditions the statistics count by
(``proposals.filters``), so the report and the statistics page never disagree. The draft is plain
text: paragraphs, headings 一、（一）1., and the per-bureau table as lines of cells separated by
「|」; ``report_document`` turns the (edited) text into the letter and its PDF.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from accounts.models import Organization
from proposals.filters import rehandled
from proposals.models import Assignment, Proposal, Session
from proposals.numerals import chinese_date

from .letter import LetterData
from .letter.notice import TableBlock, blocks_from_text, table_lines
from .stats import Rate, Row, Stats, Table, stats_compute

BUREAU_HEADER = ("承办单位", "主办", "协办", "已答复", "按期答复率", "逾期未办", "满意率", "重新办理", "已办结")


@dataclass(frozen=True)
class Figures:
    """The report's numbers: proposals, except ``lead``/``assisting`` (assignments)."""

    received: int
    assigned: int
    bureaus: int
    lead: int
    assisting: int
    replied: int
    on_time: int
    on_time_rate: Rate
    overdue: int
    consulted: int
    confirmed: int
    satisfied: int
    basically: int
    dissatisfied: int
    rated: int
    satisfaction_rate: Rate
    rehandled: int
    closed: int


@dataclass
class ReportDraft:
    session: Session
    today: datetime.date
    figures: Figures
    bureau_table: TableBlock
    overdue: list[str] = field(default_factory=list)
    rehandled: list[str] = field(default_factory=list)
    title: str = ""
    salutation: str = ""
    body: str = ""
    signing_bureau: str = ""


def _cell(table: Table, row: Row, label: str):
    return row.cells[table.columns.index(label)]


def _figures(stats: Stats, session: Session) -> Figures:
    total, delegations = stats.delegations.total, stats.delegations

    def number(label):
        return _cell(delegations, total, label).value

    bureaus = stats.bureaus
    lead = sum(_cell(bureaus, r, "主办").value for r in bureaus.rows)
    assisting = sum(_cell(bureaus, r, "协办").value for r in bureaus.rows)
    assigned = Proposal.objects.filter(
        Exists(Assignment.objects.active().filter(proposal=OuterRef("pk"))), session=session
    ).count()
    return Figures(
        received=number("收到建议"), assigned=assigned, bureaus=len(bureaus.rows), lead=lead,
        assisting=assisting, replied=number("已答复"), on_time=number("按期答复"),
        on_time_rate=_cell(delegations, total, "按期答复率"), overdue=number("逾期未办"),
        consulted=number("有沟通记录"), confirmed=number("代表已确认沟通"), satisfied=number("满意"),
        basically=number("基本满意"), dissatisfied=number("不满意"), rated=number("已测评"),
        satisfaction_rate=_cell(delegations, total, "满意率"), rehandled=number("重新办理"),
        closed=number("已办结"),
    )


def _bureau_table(stats: Stats) -> TableBlock:
    t = stats.bureaus
    rows = []
    for r in t.rows:
        overdue = _cell(t, r, "逾期未答复（主办）").value + _cell(t, r, "逾期未送协办意见").value
        rows.append((
            r.label, str(_cell(t, r, "主办").value), str(_cell(t, r, "协办").value),
            str(_cell(t, r, "已答复").value), _cell(t, r, "按期答复率").percent, str(overdue),
            _cell(t, r, "满意率").percent, str(_cell(t, r, "重新办理").value), str(_cell(t, r, "已办结").value),
        ))
    return TableBlock(BUREAU_HEADER, tuple(rows), wide=0)


def _overdue_lines(session: Session, today) -> list[str]:
    """One line per proposal with work overdue now, naming each bureau late with it."""
    by_proposal: dict[int, list[Assignment]] = {}
    overdue = (
        Assignment.objects.overdue(today).filter(proposal__session=session)
        .select_related("proposal__lead_deputy", "bureau").order_by("proposal__number", "-role", "id")
    )
    for a in overdue:
        by_proposal.setdefault(a.proposal_id, []).append(a)
    lines = []
    for n, assignments in enumerate(by_proposal.values(), start=1):
        p = assignments[0].proposal
        late = "；".join(
            f"{a.bureau.short_name}{a.get_role_display()}，期限{chinese_date(a.due_on)}，已逾期{a.overdue_days}天"
            for a in assignments
        )
        lines.append(f"{n}.{p.label}《{p.title}》（领衔代表：{p.lead_deputy.name}；{late}）")
    return lines


def _rehandled_lines(session: Session) -> list[str]:
    ids = Assignment.objects.active().filter(rehandled()).values("proposal_id")
    proposals = (
        Proposal.objects.filter(session=session, pk__in=ids).select_related("lead_deputy").order_by("number")
    )
    lines = []
    for n, p in enumerate(proposals, start=1):
        leads = p.assignments.active().filter(role=Assignment.Role.LEAD).select_related("bureau")
        lines.append(
            f"{n}.{p.label}《{p.title}》（领衔代表：{p.lead_deputy.name}；"
            f"主办单位：{'、'.join(a.bureau.short_name for a in leads)}；目前{p.get_state_display()}）"
        )
    return lines


def _rate(rate: Rate) -> str:
    return rate.percent if rate.whole else "—"


def _body(draft: ReportDraft) -> str:
    f, s, today = draft.figures, draft.session, chinese_date(draft.today)
    noun = f"{s.member_title}{s.item_noun}"
    replied_share = Rate(f.replied, f.received)
    basics = [
        f"{s.name}共收到{noun}{f.received}件，已交办{f.assigned}件，由{f.bureaus}个承办单位办理"
        f"（主办{f.lead}件次，协办{f.assisting}件次）。",
        f"截至{today}，已答复{f.replied}件，占收到{noun}的{_rate(replied_share)}；"
        f"其中按期答复{f.on_time}件，按期答复率{_rate(f.on_time_rate)}（按期答复件数占已答复件数的比例）。"
        f"目前尚有{f.overdue}件逾期未办。",
        f"承办单位与代表沟通的{noun}{f.consulted}件，其中经代表确认{f.confirmed}件。",
        f"代表对{f.rated}件{noun}的办理结果进行了测评：满意{f.satisfied}件，基本满意{f.basically}件，"
        f"不满意{f.dissatisfied}件，满意率{_rate(f.satisfaction_rate)}（满意和基本满意件数占已测评件数的比例）。"
        f"因代表不满意重新办理{f.rehandled}件。已办结{f.closed}件。",
    ]
    lines = ["一、基本情况", *basics, "二、各承办单位办理情况",
             f"各承办单位办理{noun}的情况如下表（主办、协办为件次，其余为件数或比例）。",
             *table_lines(draft.bureau_table),
             "三、逾期未办和重新办理的" + noun,
             f"（一）逾期未办的{noun}（{len(draft.overdue)}件）", *(draft.overdue or ["无。"]),
             f"（二）重新办理的{noun}（{len(draft.rehandled)}件）", *(draft.rehandled or ["无。"]),
             "四、下一步工作"]
    steps = []
    if f.overdue:
        steps.append(f"对逾期未办的{f.overdue}件{noun}，将会同市政府办公室逐件督办，督促承办单位抓紧办理、尽快答复代表")
    if f.rehandled:
        steps.append(f"对重新办理的{f.rehandled}件{noun}，督促承办单位加强与代表的沟通，认真研究代表意见，切实提高办理质量")
    steps.append("对已答复但尚未落实的事项，跟踪办理进度，推动代表建议从“答复满意”向“落实满意”转变")
    lines.append("；".join(steps) + "。")
    return "\n".join(lines)


def congress_office_name() -> str:
    office = Organization.objects.filter(kind=Organization.Kind.CONGRESS_OFFICE).order_by("pk").first()
    return office.name if office else ""


def report_draft(session: Session, today: datetime.date | None = None) -> ReportDraft:
    """The draft report of ``session`` as of ``today``: its numbers, lists and text."""
    today = today or timezone.localdate()
    with translation.override("zh-hans"):  # a document: Chinese whatever the interface language
        stats = stats_compute(session=session, today=today)
        draft = ReportDraft(
            session=session, today=today, figures=_figures(stats, session), bureau_table=_bureau_table(stats),
            overdue=_overdue_lines(session, today), rehandled=_rehandled_lines(session),
        )
    draft.title = f"关于{session.name}{session.member_title}{session.item_noun}办理情况的报告"
    draft.salutation = "市人大常委会："
    draft.signing_bureau = congress_office_name()
    draft.body = _body(draft)
    return draft


def report_document(*, title: str, salutation: str, body: str, signing_bureau: str, date) -> tuple:
    """The (edited) report as a letter and its blocks, for the PDF."""
    letter = LetterData(
        kind="opinion", title=title.strip(), salutation=salutation.strip(), body="",
        signing_bureau=signing_bureau.strip(), date=date,
    )
    return letter, blocks_from_text(body)


def report_text(*, title: str, salutation: str, body: str, signing_bureau: str, date) -> str:
    """The (edited) report as plain text, as a clerk pastes it into a word processor."""
    closing = [signing_bureau.strip(), chinese_date(date) if date else ""]
    lines = [line.strip() for line in body.strip().splitlines()]
    parts = [title.strip(), "", salutation.strip(), *lines, "", *closing]
    return "\n".join(parts).strip() + "\n"
