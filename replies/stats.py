"""Statistics for supervision (统计): per bureau, per delegation, by category and by month.

Every number counts proposals, by the same conditions the proposal list filters by
(``proposals.filters``), and carries the list query that makes it up, so the page can link each
number to a list whose 「共 N 件」 is that number. A bureau has at most one active assignment per
proposal, so counting a bureau's assignments counts its proposals. The queries are aggregates: a
constant number, however many bureaus and delegations there are.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from proposals.filters import (
    RATING_CHOICES,
    consulted,
    delivered,
    delivered_on_time,
    overdue_now,
    rated,
    rehandled,
)
from proposals.models import Assignment, Proposal, Session
from proposals.states import ProposalState

LEAD, ASSISTING = Assignment.Role.LEAD, Assignment.Role.ASSISTING
SATISFIED, BASICALLY, DISSATISFIED = (value for value, _label in RATING_CHOICES)


@dataclass(frozen=True)
class Number:
    """A count of proposals and the proposal-list query that lists exactly them."""

    value: int
    query: tuple = ()

    @property
    def url(self) -> str:
        return f"{reverse('proposal-list')}?{urlencode(self.query)}"


@dataclass(frozen=True)
class Rate:
    """A share of two numbers (按期答复率, 满意率); None when nothing is there to share."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> str:
        return "—" if self.whole == 0 else f"{100 * self.part / self.whole:.1f}%"


@dataclass
class Row:
    label: str
    cells: list  # Number or Rate, one per column


@dataclass
class Table:
    key: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None


@dataclass
class Stats:
    session: Session | None  # None: all sessions
    bureaus: Table
    delegations: Table
    categories: Table
    satisfaction: Table
    months: Table

    @property
    def tables(self) -> list[Table]:
        return [self.bureaus, self.delegations, self.categories, self.satisfaction, self.months]

    def chart_data(self) -> dict:
        """What static/js/stats.js draws; the tables on the page hold the same numbers."""
        ranked = sorted(
            (r for r in self.bureaus.rows if r.cells[2].value),  # bureaus that replied
            key=lambda r: (-(r.cells[4].value or 0), r.label),
        )
        return {
            "onTime": {
                "names": [r.label for r in ranked],
                "rates": [round(100 * r.cells[4].value, 1) for r in ranked],
                "label": str(_("按期答复率")),
            },
            "categories": [{"name": r.label, "value": r.cells[0].value} for r in self.categories.rows],
            "satisfaction": [
                {"name": r.label, "value": r.cells[0].value} for r in self.satisfaction.rows
            ],
            "months": {
                "names": [r.label for r in self.months.rows],
                "values": [r.cells[0].value for r in self.months.rows],
                "label": str(_("答复送达")),
            },
        }


def _has(condition: Q) -> Q:
    """The assignment row being counted meets ``condition`` (in a subquery, so conditions that
    join replies and ratings never multiply the rows counted)."""
    return Q(Exists(Assignment.objects.filter(condition, pk=OuterRef("pk"))))


def _proposal_has(condition: Q) -> Q:
    """The proposal has an active assignment meeting ``condition``: the list filter's rule."""
    return Q(Exists(Assignment.objects.active().filter(condition, proposal=OuterRef("pk"))))


BUREAU_COLUMNS = [
    _("主办"), _("协办"), _("已答复"), _("按期答复"), _("按期答复率"), _("逾期未答复（主办）"),
    _("逾期未送协办意见"), _("有沟通记录"), _("代表已确认沟通"), _("满意"), _("基本满意"),
    _("不满意"), _("已测评"), _("满意率"), _("重新办理"), _("已办结"),
]
PROPOSAL_COLUMNS = [
    _("收到建议"), _("已答复"), _("按期答复"), _("按期答复率"), _("逾期未办"), _("有沟通记录"),
    _("代表已确认沟通"), _("满意"), _("基本满意"), _("不满意"), _("已测评"), _("满意率"),
    _("重新办理"), _("已办结"),
]


def stats_compute(*, session: Session | None, today=None) -> Stats:
    """The statistics of one session (or of all sessions when ``session`` is None)."""
    today = today or timezone.localdate()
    base = (("session", session.pk),) if session else ()
    delegations = _delegation_table(session, base, today)
    return Stats(
        session=session,
        bureaus=_bureau_table(session, base, today),
        delegations=delegations,
        categories=_category_table(session, base),
        satisfaction=_satisfaction_table(delegations.total),
        months=_month_table(session, base),
    )


def _bureau_table(session, base, today) -> Table:
    assignments = Assignment.objects.active().filter(bureau__kind=Organization.Kind.BUREAU)
    if session:
        assignments = assignments.filter(proposal__session=session)
    counts = {
        "lead": Q(role=LEAD),
        "assisting": Q(role=ASSISTING),
        "replied": delivered(),
        "on_time": delivered_on_time(),
        "overdue_lead": Q(role=LEAD) & overdue_now(today),
        "overdue_assisting": Q(role=ASSISTING) & overdue_now(today),
        "consulted": consulted(),
        "confirmed": consulted(confirmed=True),
        "satisfied": rated([SATISFIED]),
        "basically": rated([BASICALLY]),
        "dissatisfied": rated([DISSATISFIED]),
        "rated": rated(),
        "rehandled": rehandled(),
        "closed": Q(role=LEAD, proposal__state=ProposalState.CLOSED),
    }
    rows = (
        assignments.values("bureau_id", "bureau__short_name")
        .annotate(**{name: Count("pk", filter=_has(condition)) for name, condition in counts.items()})
        .order_by("bureau__short_name", "bureau_id")
    )
    table = Table("bureaus", str(_("承办单位")), str(_("承办单位")), [str(c) for c in BUREAU_COLUMNS])
    for r in rows:
        b = (*base, ("bureau", r["bureau_id"]))
        lead, assisting = (*b, ("role", LEAD)), (*b, ("role", ASSISTING))
        table.rows.append(Row(r["bureau__short_name"], [
            Number(r["lead"], lead),
            Number(r["assisting"], assisting),
            Number(r["replied"], (*lead, ("replied", "true"))),
            Number(r["on_time"], (*lead, ("on_time", "true"))),
            Rate(r["on_time"], r["replied"]),
            Number(r["overdue_lead"], (*lead, ("overdue", "true"))),
            Number(r["overdue_assisting"], (*assisting, ("overdue", "true"))),
            Number(r["consulted"], (*b, ("consulted", "true"))),
            Number(r["confirmed"], (*b, ("consultation_confirmed", "true"))),
            Number(r["satisfied"], (*lead, ("satisfaction", SATISFIED))),
            Number(r["basically"], (*lead, ("satisfaction", BASICALLY))),
            Number(r["dissatisfied"], (*lead, ("satisfaction", DISSATISFIED))),
            Number(r["rated"], (*lead, ("rated", "true"))),
            Rate(r["satisfied"] + r["basically"], r["rated"]),
            Number(r["rehandled"], (*lead, ("rehandled", "true"))),
            Number(r["closed"], (*lead, ("state", ProposalState.CLOSED))),
        ]))
    return table


def _proposal_counts(today) -> dict:
    overdue = Q(Exists(Assignment.objects.overdue(today).filter(proposal=OuterRef("pk"))))
    return {
        "received": Q(),
        "replied": _proposal_has(delivered()),
        "on_time": _proposal_has(delivered_on_time()),
        "overdue": overdue,
        "consulted": _proposal_has(consulted()),
        "confirmed": _proposal_has(consulted(confirmed=True)),
        "satisfied": _proposal_has(rated([SATISFIED])),
        "basically": _proposal_has(rated([BASICALLY])),
        "dissatisfied": _proposal_has(rated([DISSATISFIED])),
        "rated": _proposal_has(rated()),
        "rehandled": _proposal_has(rehandled()),
        "closed": Q(state=ProposalState.CLOSED),
    }


def _proposal_row(label, r, query) -> Row:
    return Row(label, [
        Number(r["received"], query),
        Number(r["replied"], (*query, ("replied", "true"))),
        Number(r["on_time"], (*query, ("on_time", "true"))),
        Rate(r["on_time"], r["replied"]),
        Number(r["overdue"], (*query, ("overdue", "true"))),
        Number(r["consulted"], (*query, ("consulted", "true"))),
        Number(r["confirmed"], (*query, ("consultation_confirmed", "true"))),
        Number(r["satisfied"], (*query, ("satisfaction", SATISFIED))),
        Number(r["basically"], (*query, ("satisfaction", BASICALLY))),
        Number(r["dissatisfied"], (*query, ("satisfaction", DISSATISFIED))),
        Number(r["rated"], (*query, ("rated", "true"))),
        Rate(r["satisfied"] + r["basically"], r["rated"]),
        Number(r["rehandled"], (*query, ("rehandled", "true"))),
        Number(r["closed"], (*query, ("state", ProposalState.CLOSED))),
    ])


def _delegation_table(session, base, today) -> Table:
    proposals = Proposal.objects.filter(session=session) if session else Proposal.objects.all()
    counts = {name: Count("pk", filter=condition) for name, condition in _proposal_counts(today).items()}
    rows = (
        proposals.values("lead_deputy__delegation_id", "lead_deputy__delegation__short_name")
        .annotate(**counts)
        .order_by("lead_deputy__delegation__short_name", "lead_deputy__delegation_id")
    )
    table = Table(
        "delegations", str(_("代表团")), str(_("代表团（领衔代表）")), [str(c) for c in PROPOSAL_COLUMNS]
    )
    for r in rows:
        query = (*base, ("delegation", r["lead_deputy__delegation_id"]))
        table.rows.append(_proposal_row(r["lead_deputy__delegation__short_name"], r, query))
    table.total = _proposal_row(str(_("合计")), proposals.aggregate(**counts), base)
    return table


def _category_table(session, base) -> Table:
    proposals = Proposal.objects.filter(session=session) if session else Proposal.objects.all()
    found = dict(proposals.values_list("category").annotate(n=Count("pk")).order_by())
    table = Table("categories", str(_("建议类别")), str(_("类别")), [str(_("建议数"))])
    for value, label in Proposal.Category.choices:
        if found.get(value):
            table.rows.append(Row(str(label), [Number(found[value], (*base, ("category", value)))]))
    return table


def _month_table(session, base) -> Table:
    """Proposals whose reply reached the deputy, by the month of the latest delivery."""
    assignments = Assignment.objects.active().filter(delivered())
    if session:
        assignments = assignments.filter(proposal__session=session)
    rows = (
        assignments.annotate(month=TruncMonth("finished_on"))
        .values("month")
        .annotate(n=Count("proposal", distinct=True))
        .order_by("month")
    )
    table = Table("months", str(_("月度进度")), str(_("月份")), [str(_("答复送达"))])
    for r in rows:
        month = f"{r['month']:%Y-%m}"
        table.rows.append(Row(month, [Number(r["n"], (*base, ("replied_month", month)))]))
    return table


def _satisfaction_table(total: Row) -> Table:
    """The ratings of all proposals: the delegation table's totals, read again (no query)."""
    cells = total.cells
    labels = dict(RATING_CHOICES)
    table = Table(
        "satisfaction", str(_("满意度（办理结果）")), str(_("测评结果")), [str(_("建议数")), str(_("占已测评"))]
    )
    rated_ = cells[10]
    for label, number in ((SATISFIED, cells[7]), (BASICALLY, cells[8]), (DISSATISFIED, cells[9])):
        table.rows.append(Row(str(labels[label]), [number, Rate(number.value, rated_.value)]))
    table.total = Row(str(_("已测评（满意率）")), [rated_, cells[11]])
    return table
