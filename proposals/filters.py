import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy, Organization
from accounts.roles import roles_of

from .models import Assignment, Proposal, Session
from .states import ProposalState

ALL = _("全部")


def yes_no():
    return forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])


class ProposalFilter(django_filters.FilterSet):
    """Filters for the proposal list. Choices are scoped by the same access rule as the list."""

    q = django_filters.CharFilter(label=_("关键词"), method="filter_keyword")
    session = django_filters.ModelChoiceFilter(label=_("会议"), queryset=Session.objects.all(), empty_label=ALL)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ProposalState.choices, empty_label=ALL)
    bureau = django_filters.ModelChoiceFilter(
        label=_("承办单位"), queryset=Organization.objects.none(), method="filter_bureau", empty_label=ALL
    )
    category = django_filters.ChoiceFilter(label=_("类别"), choices=Proposal.Category.choices, empty_label=ALL)
    deputy = django_filters.ModelChoiceFilter(
        label=_("代表"), queryset=Deputy.objects.none(), method="filter_deputy", empty_label=ALL
    )
    key_supervised = django_filters.BooleanFilter(label=_("重点督办"), widget=yes_no())
    overdue = django_filters.BooleanFilter(label=_("已逾期"), method="filter_overdue", widget=yes_no())
    due_soon = django_filters.BooleanFilter(label=_("即将到期"), method="filter_due_soon", widget=yes_no())

    class Meta:
        model = Proposal
        fields = [
            "q", "session", "state", "bureau", "category", "deputy", "key_supervised", "overdue",
            "due_soon",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = self.queryset  # already Proposal.objects.visible_to(user)
        roles = roles_of(user)
        bureaus = Organization.objects.filter(kind=Organization.Kind.BUREAU)
        if not roles.sees_everything:
            bureaus = bureaus.filter(assignments__proposal__in=visible).distinct()
        self.filters["bureau"].queryset = bureaus.order_by("name")
        self.filters["deputy"].queryset = Deputy.objects.filter(
            Q(led_proposals__in=visible) | Q(cosigned_proposals__in=visible)
        ).distinct().order_by("name")

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
        return queryset.filter(Q(lead_deputy=value) | Q(co_signers=value)).distinct()

    def filter_overdue(self, queryset, name, value):
        return self._having(queryset, Assignment.objects.overdue(), value)

    def filter_due_soon(self, queryset, name, value):
        return self._having(queryset, Assignment.objects.due_soon(), value)

    @staticmethod
    def _having(queryset, assignments, value):
        found = Exists(assignments.filter(proposal=OuterRef("pk")))
        return queryset.filter(found if value else ~found)
