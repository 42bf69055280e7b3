import re
from html import escape

import django_filters
from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy, Organization
from accounts.roles import roles_of

from .models import Assignment, Consultation, Proposal, Session, led_or_co_signed
from .states import OPEN_ASSIGNMENT_STATES, ProposalState
from .versions import stored

ALL = _("全部")
SEARCH_IDS_MAX = 5000


class QuickSelect(forms.Select):
    """A drop-down written out in Python: Django's renderer includes one template per option,
    and the list's 60 bureaus and 20 sessions cost more than its 25 rows."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{_escaped(choice)}"{" selected" if str(choice) in chosen else ""}>{_escaped(label)}</option>'
            for choice, label in self.choices
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, final_attrs, mark_safe(options))  # escaped


def _escaped(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper (called once per option)."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def stored_choices(field) -> list[tuple[str, str]]:
    """A model drop-down's options as plain pairs, kept under the data's version like the lists'
    counts (``proposals.versions``): not a query and a model per option on every list page.
    The field's queryset still checks the value chosen."""
    options = stored(
        "choices", field.queryset,
        lambda: [(str(field.prepare_value(obj)), str(field.label_from_instance(obj))) for obj in field.queryset],
    )
    return ([("", field.empty_label)] if field.empty_label is not None else []) + options


class QuickInput:
    """A text or hidden input written out in Python, as Django's template writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], name, shown, flatatt(widget["attrs"]))


class QuickTextInput(QuickInput, forms.TextInput):
    pass


class QuickHiddenInput(QuickInput, forms.HiddenInput):
    pass


def quick_selects(form) -> None:
    """Every plain drop-down, text box and hidden field of a filter form written out in Python
    (the same HTML, faster)."""
    for field in form.fields.values():
        kind = type(field.widget)
        if kind is forms.Select:
            field.widget = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            if hasattr(field, "queryset"):  # a ModelChoiceField hands its widget fresh choices
                field.widget.choices = stored_choices(field)
        elif kind in (forms.TextInput, forms.HiddenInput):
            quick = QuickTextInput if kind is forms.TextInput else QuickHiddenInput
            field.widget = quick(attrs=field.widget.attrs)


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
    # "No correction names it" tested on the correction's join column (corrects_id IS NULL), not
    # on its id: PostgreSQL then plans an anti-join. On the id it keeps a left join and estimates
    # one row where there are a hundred thousand, and nests loops over them (5 s at 100k).
    return Q(
        role=LEAD,
        replies__evaluations__result__in=results,
        replies__evaluations__superseded_by__corrects__isnull=True,
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
        if not getattr(form, "quick", False):  # once: the template and the filters read it often
            for name in self.LINKED_ONLY:
                form.fields[name].widget = forms.HiddenInput()
            quick_selects(form)
            form.quick = True
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
        delegations = Organization.objects.filter(kind=Organization.Kind.DELEGATION)
        if not roles.sees_everything:
            # The organisations of the proposals this person sees: a scan of their assignments,
            # kept under the data's version like the list's counts (proposals.versions).
            handling = bureaus.filter(pk__in=Assignment.objects.active().filter(proposal__in=visible).values("bureau_id"))
            leading = delegations.filter(deputies__led_proposals__in=visible).distinct()
            bureaus = bureaus.filter(pk__any=stored("bureau-choices", handling, lambda: list(handling.values_list("pk", flat=True))))
            delegations = delegations.filter(pk__any=stored("delegation-choices", leading, lambda: list(leading.values_list("pk", flat=True))))
        self.filters["bureau"].queryset = bureaus.order_by("name")
        self.filters["delegation"].queryset = delegations.order_by("name")

    def filter_keyword(self, queryset, name, value):
        """Titles, reasons, suggestions and the text of sent replies; title hits rank first
        (``search_rank``, which the list's paginator orders by). On PostgreSQL each searched
        expression has a trigram index (proposals/migrations/0010, replies/migrations/0007)."""
        value = value.strip()
        if not value:
            return queryset
        in_title = Q(title__icontains=value)
        if re.fullmatch(r"[0-9]{1,9}", value):  # ASCII digits only: 「²」「①」 are not numbers
            found = Q(number=int(value)) | in_title
        else:
            in_text = Proposal.objects.filter(
                in_title | Q(reasons__icontains=value) | Q(suggestions__icontains=value)
            ).order_by().values("pk")
            # A reply's text once it reached the deputy (drafts stay the lead bureau's business).
            in_replies = Assignment.objects.filter(
                replies__sent_at__isnull=False, replies__body__icontains=value
            ).order_by().values("proposal_id")
            # A UNION: each branch reads its own index (an OR across the tables would read none).
            # Its ids are fetched once, so the count and the page do not search twice; a search
            # finding more than SEARCH_IDS_MAX proposals stays a subquery.
            # The ids are kept under the data's version (a second page, the same search again).
            matches = in_text.union(in_replies)
            ids = stored("search-ids", value, lambda: list(matches.values_list("pk", flat=True)[: SEARCH_IDS_MAX + 1]))
            found = Q(pk__any=ids) if len(ids) <= SEARCH_IDS_MAX else Q(pk__in=matches)
        rank = Case(When(in_title, then=Value(2)), default=Value(1), output_field=IntegerField())
        return queryset.filter(found).annotate(search_rank=rank)

    def filter_bureau(self, queryset, name, value):
        handled = Assignment.objects.active().filter(bureau=value).values("proposal_id")
        return queryset.filter(pk__in=handled)

    def filter_deputy(self, queryset, name, value):
        return queryset.filter(led_or_co_signed(value.pk))

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
