"""Statistics for supervision (统计): per bureau, per delegation, by category and by month.

Every number counts proposals, by the same conditions the proposal list filters by
(``proposals.filters``), and carries the list query that makes it up, so the page can link each
number to a list whose 「共 N 件」 is that number. A bureau has at most one active assignment per
proposal, so counting a bureau's assignments counts its proposals. The queries are aggregates: a
constant number, however many bureaus and delegations there are: the database computes each
assignment's flags once with the list filters' conditions, and the counting is done here (one
pass over a session's assignments instead of a dozen correlated subqueries per row).
"""

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from proposals.filters import (
    RATING_CHOICES,
    delivered,
    delivered_on_time,
    overdue_now,
)
from proposals.models import Assignment, Consultation, Proposal, Session
from proposals.states import ProposalState

from .models import Evaluation, Reply

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
    return stats_from_counts(session, stats_counts(session=session, today=today))


def stats_counts(*, session: Session | None, today=None) -> dict:
    """What the tables show, as plain numbers (JSON, so that a snapshot can keep them):
    ``bureaus`` and ``delegations`` as [id, name, {column: n}] in display order, the proposals'
    ``total``, ``categories`` {value: n} and ``months`` [[YYYY-MM, n]]."""
    today = today or timezone.localdate()
    facts = _facts(session, today)
    delegations, total = _delegation_counts(facts)
    return {
        "bureaus": [[bureau_id, name, r] for (bureau_id, name), r in _expand(facts.by_bureau).items()],
        "delegations": delegations,
        "total": total,
        "categories": _category_counts(session),
        "months": _month_counts(session),
    }


def stats_from_counts(session: Session | None, counts: dict) -> Stats:
    """The tables of ``stats_counts``' numbers, each number with the list query behind it, in
    the language of the request."""
    base = (("session", session.pk),) if session else ()
    delegations = _delegation_table(counts, base)
    return Stats(
        session=session,
        bureaus=_bureau_table(counts["bureaus"], base),
        delegations=delegations,
        categories=_category_table(counts["categories"], base),
        satisfaction=_satisfaction_table(delegations.total),
        months=_month_table(counts["months"], base),
    )


# What is counted, one bit each: per assignment for the bureau table; OR-ed over a proposal's
# active assignments (plus "received" and "closed") for the delegation table.
COUNTED = ["lead", "assisting", "replied", "on_time", "overdue_lead", "overdue_assisting", "consulted",
           "confirmed", "satisfied", "basically", "dissatisfied", "rated", "rehandled", "closed",
           "overdue", "received"]
BIT = {name: 1 << i for i, name in enumerate(COUNTED)}
RESULT_BITS = {SATISFIED: BIT["satisfied"], BASICALLY: BIT["basically"], DISSATISFIED: BIT["dissatisfied"]}


def _expand(masks: Counter) -> dict:
    """{(group…, mask): n} → {group: {column: count}}, in the groups' first-seen order."""
    tables: dict = {}
    for (group, mask), n in masks.items():
        counts = tables.setdefault(group, dict.fromkeys(COUNTED, 0))
        for name, bit in BIT.items():
            if mask & bit:
                counts[name] += n
    return tables


@dataclass
class _Facts:
    """What the tables count, in five queries: each active assignment with the flags the database
    computes from the list filters' conditions, the consultations, the current ratings and the
    re-handlings of lead assignments, and the proposals. Counting is done here, once."""

    by_bureau: Counter  # ((bureau id, name), mask) → assignments
    by_proposal: dict  # proposal id → OR of its assignments' masks
    proposals: list  # (pk, delegation id, delegation name, state)


def _column_bits(today):
    """The bits a row's own columns decide, added up by the database (each condition as the list
    filters define it)."""
    lead, assisting = Q(role=LEAD), Q(role=ASSISTING)
    overdue = overdue_now(today)
    conditions = {
        "lead": lead, "assisting": assisting, "replied": delivered(), "on_time": delivered_on_time(),
        "overdue": overdue, "overdue_lead": lead & overdue, "overdue_assisting": assisting & overdue,
        "closed": lead & Q(proposal__state=ProposalState.CLOSED),
    }
    return sum(
        (Case(When(condition, then=Value(BIT[name])), default=Value(0)) for name, condition in conditions.items()),
        Value(0),
    )


def _facts(session, today) -> _Facts:
    assignments = Assignment.objects.active()
    proposals = Proposal.objects.all()
    if session:
        assignments, proposals = assignments.filter(proposal__session=session), proposals.filter(session=session)
    rows = (
        assignments.annotate(bits=_column_bits(today))
        .values_list("pk", "proposal_id", "bureau_id", "bureau__short_name", "bureau__kind", "bits")
        .order_by("bureau__short_name", "bureau_id")  # the database's collation orders the names
    )
    # Bits from other tables, by assignment: consultations (as consulted()), current ratings of a
    # lead's reply (as rated(): no correction names them) and re-handlings (as rehandled()).
    extra: dict = {}

    def add(pk, bit):
        extra[pk] = extra.get(pk, 0) | bit

    for pk, answer in Consultation.objects.filter(assignment__in=assignments.values("pk")).order_by().values_list(
        "assignment_id", "deputy_answer"
    ):
        add(pk, BIT["consulted"] | (BIT["confirmed"] if answer == Consultation.Answer.CONFIRMED else 0))
    leads = assignments.filter(role=LEAD).values("pk")
    for pk, result in Evaluation.objects.filter(
        reply__assignment__in=leads, result__in=RESULT_BITS, superseded_by__corrects__isnull=True,
    ).order_by().values_list("reply__assignment_id", "result").distinct():
        add(pk, BIT["rated"] | RESULT_BITS[result])
    for pk in Reply.objects.filter(assignment__in=leads, rehandling=True).order_by().values_list("assignment_id", flat=True):
        add(pk, BIT["rehandled"])
    by_bureau, by_proposal = Counter(), {}
    bureau_kind = Organization.Kind.BUREAU
    for pk, proposal_id, bureau_id, name, kind, bits in rows.iterator(20000):
        mask = bits | extra.get(pk, 0)
        if kind == bureau_kind:
            by_bureau[((bureau_id, name), mask)] += 1
        by_proposal[proposal_id] = by_proposal.get(proposal_id, 0) | mask
    return _Facts(
        by_bureau=by_bureau,
        by_proposal=by_proposal,
        proposals=list(
            proposals.values_list("pk", "lead_deputy__delegation_id", "lead_deputy__delegation__short_name", "state")
            .order_by("lead_deputy__delegation__short_name", "lead_deputy__delegation_id")
        ),
    )


def _bureau_table(bureaus: list, base) -> Table:
    table = Table("bureaus", str(_("承办单位")), str(_("承办单位")), [str(c) for c in BUREAU_COLUMNS])
    for bureau_id, name, r in bureaus:
        b = (*base, ("bureau", bureau_id))
        lead, assisting = (*b, ("role", LEAD)), (*b, ("role", ASSISTING))
        table.rows.append(Row(name, [
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


def _delegation_counts(facts: _Facts) -> tuple[list, dict]:
    """A proposal counts under a column when any of its active assignments does (closed: the
    proposal itself is closed)."""
    masks, total = Counter(), Counter()
    for pk, delegation_id, name, state in facts.proposals:
        mask = (facts.by_proposal.get(pk, 0) & ~BIT["closed"]) | BIT["received"]
        if state == ProposalState.CLOSED:
            mask |= BIT["closed"]
        masks[((delegation_id, name), mask)] += 1
        total[("total", mask)] += 1
    rows = [[delegation_id, name, r] for (delegation_id, name), r in _expand(masks).items()]
    return rows, _expand(total).get("total", dict.fromkeys(COUNTED, 0))


def _delegation_table(counts: dict, base) -> Table:
    table = Table(
        "delegations", str(_("代表团")), str(_("代表团（领衔代表）")), [str(c) for c in PROPOSAL_COLUMNS]
    )
    for delegation_id, name, r in counts["delegations"]:
        table.rows.append(_proposal_row(name, r, (*base, ("delegation", delegation_id))))
    table.total = _proposal_row(str(_("合计")), counts["total"], base)
    return table


def _category_counts(session) -> dict:
    proposals = Proposal.objects.filter(session=session) if session else Proposal.objects.all()
    return dict(proposals.values_list("category").annotate(n=Count("pk")).order_by())


def _category_table(found: dict, base) -> Table:
    table = Table("categories", str(_("建议类别")), str(_("类别")), [str(_("建议数"))])
    for value, label in Proposal.Category.choices:
        if found.get(value):
            table.rows.append(Row(str(label), [Number(found[value], (*base, ("category", value)))]))
    return table


def _month_counts(session) -> list:
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
    return [[f"{r['month']:%Y-%m}", r["n"]] for r in rows]


def _month_table(months: list, base) -> Table:
    table = Table("months", str(_("月度进度")), str(_("月份")), [str(_("答复送达"))])
    for month, n in months:
        table.rows.append(Row(month, [Number(n, (*base, ("replied_month", month)))]))
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
