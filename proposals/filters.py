import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy, Organization
from accounts.roles import roles_of

from .models import Assignment, Consultation, Proposal, Session
from .states import OPEN_ASSIGNMENT_STATES, ProposalState

ALL = _("全部")


def yes_no():
    return forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])


# --- what one assignment has done: the list's filters and the statistics (replies/stats.py) both
# read these, so a number on the statistics page and the list it links to count the same thing.
# Ratings live in replies (the layer above): they are reached by reverse lookups, not imports.

LEAD = Assignment.Role.LEAD
RATING_CHOICES = [  # the values of replies.models.Satisfaction
    ("satisfied", _("满意")),
    ("basically", _("基本满意")),
    ("dissatisfied", _("不满意")),
]


def delivered() -> Q:
    """A lead assignment whose reply reached the deputy (finished_on is the latest delivery)."""
    return Q(role=LEAD, finished_on__isnull=False)


def delivered_on_time(on_time: bool = True) -> Q:
    return delivered() & (Q(late_days=0) if on_time else Q(late_days__gt=0))


def overdue_now(today) -> Q:
    return Q(state__in=OPEN_ASSIGNMENT_STATES, due_on__lt=today)


def consulted(confirmed: bool = False) -> Q:
    held = Consultation.objects.filter(assignment=OuterRef("pk"))
    if confirmed:
        held = held.filter(deputy_answer=Consultation.Answer.CONFIRMED)
    return Q(Exists(held))


def rated(results=None) -> Q:
    """A lead assignment with a current (not corrected) rating on the 办理结果 axis, of one of
    ``results`` (any result when None), on any of its reply rounds."""
    results = list(results or [value for value, _label in RATING_CHOICES])
    return Q(
        role=LEAD,
        replies__evaluations__result__in=results,
        replies__evaluations__superseded_by__isnull=True,
    )


def rehandled() -> Q:
    return Q(role=LEAD, replies__rehandling=True)


def delivered_in_month(year: int, month: int) -> Q:
    return delivered() & Q(finished_on__year=year, finished_on__month=month)


class ProposalFilter(django_filters.FilterSet):
    """Filters for the proposal list. Choices are scoped by the same access rule as the list."""

    q = django_filters.CharFilter(label=_("关键词"), method="filter_keyword")
    session = django_filters.ModelChoiceFilter(label=_("会议"), queryset=Session.objects.all(), empty_label=ALL)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ProposalState.choices, empty_label=ALL)
    bureau = django_filters.ModelChoiceFilter(
        label=_("承办单位"), queryset=Organization.objects.none(), method="filter_bureau", empty_label=ALL
    )
    category = django_filters.ChoiceFilter(label=_("类别"), choices=Proposal.Category.choices, empty_label=ALL)
    # A name search, not a drop-down of every deputy (thousands in a large congress).
    deputy_name = django_filters.CharFilter(label=_("代表"), method="filter_deputy_name")
    deputy = django_filters.ModelChoiceFilter(
        label=_("代表"), queryset=Deputy.objects.all(), method="filter_deputy", empty_label=ALL
    )
    key_supervised = django_filters.BooleanFilter(label=_("重点督办"), widget=yes_no())
    overdue = django_filters.BooleanFilter(label=_("已逾期"), method="filter_overdue", widget=yes_no())
    due_soon = django_filters.BooleanFilter(label=_("即将到期"), method="filter_due_soon", widget=yes_no())
    # The statistics' filters. With a bureau (or a role) they read that bureau's own assignment.
    delegation = django_filters.ModelChoiceFilter(
        label=_("代表团"), queryset=Organization.objects.none(), method="filter_delegation",
        empty_label=ALL,
    )
    role = django_filters.ChoiceFilter(
        label=_("承办方式"), choices=Assignment.Role.choices, method="filter_role", empty_label=ALL
    )
    replied = django_filters.BooleanFilter(label=_("已答复"), method="filter_replied", widget=yes_no())
    on_time = django_filters.BooleanFilter(label=_("按期答复"), method="filter_on_time", widget=yes_no())
    replied_month = django_filters.CharFilter(
        label=_("答复月份"), method="filter_replied_month",
        widget=forms.TextInput(attrs={"placeholder": "2026-03"}),
    )
    consulted = django_filters.BooleanFilter(label=_("有沟通记录"), method="filter_consulted", widget=yes_no())
    consultation_confirmed = django_filters.BooleanFilter(
        label=_("代表已确认沟通"), method="filter_consultation_confirmed", widget=yes_no()
    )
    rated = django_filters.BooleanFilter(label=_("已测评"), method="filter_rated", widget=yes_no())
    satisfaction = django_filters.ChoiceFilter(
        label=_("测评结果（办理结果）"), choices=RATING_CHOICES, method="filter_satisfaction",
        empty_label=ALL,
    )
    rehandled = django_filters.BooleanFilter(label=_("重新办理"), method="filter_rehandled", widget=yes_no())

    class Meta:
        model = Proposal
        fields = [
            "q", "session", "state", "bureau", "category", "deputy_name", "deputy", "key_supervised", "overdue",
            "due_soon", "delegation", "role", "replied", "on_time", "replied_month", "consulted",
            "consultation_confirmed", "rated", "satisfaction", "rehandled",
        ]

    # Filters the statistics page links to: applied from the address, not shown in the form
    # (the list says that such conditions are on and offers to clear them).
    LINKED_ONLY = (
        "deputy", "delegation", "role", "replied", "on_time", "replied_month", "consulted",
        "consultation_confirmed", "rated", "satisfaction", "rehandled",
    )

    @property
    def form(self):
        form = super().form
        for name in self.LINKED_ONLY:
            form.fields[name].widget = forms.HiddenInput()
        return form

    @property
    def linked_conditions(self) -> list[str]:
        """The labels of the hidden conditions in force, for the list to show."""
        data = self.data or {}
        return [str(self.filters[name].label) for name in self.LINKED_ONLY if data.get(name)]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = self.queryset  # already Proposal.objects.visible_to(user)
        roles = roles_of(user)
        bureaus = Organization.objects.filter(kind=Organization.Kind.BUREAU)
        if not roles.sees_everything:
            handling = Assignment.objects.active().filter(proposal__in=visible).values("bureau_id")
            bureaus = bureaus.filter(pk__in=handling)
        self.filters["bureau"].queryset = bureaus.order_by("name")
        delegations = Organization.objects.filter(kind=Organization.Kind.DELEGATION)
        if not roles.sees_everything:
            delegations = delegations.filter(deputies__led_proposals__in=visible).distinct()
        self.filters["delegation"].queryset = delegations.order_by("name")

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if re.fullmatch(r"[0-9]{1,9}", value):  # ASCII digits only: 「²」「①」 are not numbers
            return queryset.filter(Q(number=int(value)) | Q(title__icontains=value))
        return queryset.filter(
            Q(title__icontains=value) | Q(reasons__icontains=value) | Q(suggestions__icontains=value)
        )

    def filter_bureau(self, queryset, name, value):
        return queryset.filter(
            Exists(Assignment.objects.active().filter(proposal=OuterRef("pk"), bureau=value))
        )

    def filter_deputy(self, queryset, name, value):
        cosigned = Proposal.co_signers.through.objects.filter(deputy=value).values("proposal_id")
        return queryset.filter(Q(lead_deputy=value) | Q(pk__in=cosigned))

    def filter_deputy_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        cosigned = Proposal.co_signers.through.objects.filter(deputy__name__contains=value).values("proposal_id")
        return queryset.filter(Q(lead_deputy__name__contains=value) | Q(pk__in=cosigned))

    def filter_overdue(self, queryset, name, value):
        if self._cleaned("role"):  # the overdue work of that bureau in that role
            return self._scoped(queryset, overdue_now(timezone.localdate()), value)
        return self._having(queryset, Assignment.objects.overdue(), value)

    def filter_delegation(self, queryset, name, value):
        return queryset.filter(lead_deputy__delegation=value)

    def filter_role(self, queryset, name, value):
        return self._scoped(queryset, Q(), True)

    def filter_replied(self, queryset, name, value):
        return self._scoped(queryset, delivered(), value)

    def filter_on_time(self, queryset, name, value):
        return self._scoped(queryset, delivered_on_time(value), True)

    def filter_replied_month(self, queryset, name, value):
        """2026-03: the lead's reply (its latest delivery) reached the deputy that month."""
        found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", value.strip())
        if not found or not 1 <= int(found[2]) <= 12:
            return queryset.none()
        return self._scoped(queryset, delivered_in_month(int(found[1]), int(found[2])), True)

    def filter_consulted(self, queryset, name, value):
        return self._scoped(queryset, consulted(), value)

    def filter_consultation_confirmed(self, queryset, name, value):
        return self._scoped(queryset, consulted(confirmed=True), value)

    def filter_rated(self, queryset, name, value):
        return self._scoped(queryset, rated(), value)

    def filter_satisfaction(self, queryset, name, value):
        return self._scoped(queryset, rated([value]), True)

    def filter_rehandled(self, queryset, name, value):
        return self._scoped(queryset, rehandled(), value)

    def _cleaned(self, name):
        return self.form.cleaned_data.get(name) if hasattr(self.form, "cleaned_data") else None

    def _scoped(self, queryset, condition: Q, value: bool):
        """Proposals with (or, for False, without) an active assignment meeting ``condition``,
        of the chosen bureau and role when those are given: one assignment answers them all.
        An IN over the matching assignments' proposals, not an EXISTS evaluated per proposal."""
        assignments = Assignment.objects.active().filter(condition)
        bureau, role = self._cleaned("bureau"), self._cleaned("role")
        if bureau:
            assignments = assignments.filter(bureau=bureau)
        if role:
            assignments = assignments.filter(role=role)
        ids = assignments.values("proposal_id")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)

    def filter_due_soon(self, queryset, name, value):
        return self._having(queryset, Assignment.objects.due_soon(), value)

    @staticmethod
    def _having(queryset, assignments, value):
        found = Exists(assignments.filter(proposal=OuterRef("pk")))
        return queryset.filter(found if value else ~found)
