"""Admin for reference data. Proposals change state only through the workflow pages, so their
workflow fields are read-only here and events cannot be edited at all."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.admin import QuickCheckbox, QuickLinks

from .models import Assignment, CalendarDay, CalendarYear, Consultation, Event, Proposal, Session
from .selectors import long_texts_of
from .versions import stored


class EstimatedCountPaginator(Paginator):
    """Changelist pages of a table of millions: unfiltered, the total is PostgreSQL's estimate
    (``pg_class.reltuples``, kept current by autovacuum), not a count of every row on every
    page; filtered totals, and small tables, are counted."""

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self) -> int:
        query = self.object_list.query
        if connection.vendor == "postgresql" and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > self.ESTIMATE_ABOVE:
                return int(row[0])
        return super().count


class StoredCountPaginator(Paginator):
    """A changelist's total kept under the data's version, like the proposal list's counts
    (``proposals.versions``): exact, counted again after the next change (an admin edit is one)."""

    @cached_property
    def count(self) -> int:
        return stored("admin-count", self.object_list.order_by(), lambda: super(StoredCountPaginator, self).count)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through the workflow services and the workers: readable here,
    never added, edited or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "body", "term", "number", "starts_on", "ends_on", "reply_rule", "opinion_rule", "category_marks"]
    list_filter = ["body"]
    fieldsets = [
        (None, {"fields": ["body", ("term", "number"), ("starts_on", "ends_on"), "category_marks"]}),
        (
            _("期限规则（每条规则按月、按日或按工作日计，遇节假日顺延至下一个工作日）"),
            {
                "fields": [
                    ("reply_due", "reply_due_unit"),
                    ("opinion_due", "opinion_due_unit"),
                    ("rehandling_due", "rehandling_due_unit"),
                    ("release_due", "release_due_unit"),
                    ("reassignment_window", "reassignment_window_unit"),
                    ("recess_assignment_due", "recess_assignment_due_unit"),
                ]
            },
        ),
        (_("测评"), {"fields": ["raters", "rating_window_days"]}),
    ]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["bureau", "role", "handling", "state", "assigned_at", "due_on", "due_basis"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(QuickCheckbox, QuickLinks, admin.ModelAdmin):
    list_display = ["number", "title", "session", "lead_deputy", "state", "key_supervised"]
    list_filter = ["session", "state", "category", "key_supervised", "timing"]
    search_fields = ["title", "=number", "lead_deputy__name"]
    readonly_fields = ["state", "registered_by", "created_at"]
    autocomplete_fields = ["lead_deputy", "co_signers"]
    inlines = [AssignmentInline]
    # By the (session, number) index: ordering by the session itself sorts every row by the
    # session's term on each page.
    ordering = ["session_id", "number"]
    show_full_result_count = False
    list_per_page = 25  # as the app's lists: the rows cost more than the queries; search finds the rest
    paginator = StoredCountPaginator
    # What a signed reply printed (its title names the session and number, its salutation the
    # lead deputy, its cc the co-signers) is fixed once a reply is signed.
    SIGNED_FIELDS = ["session", "number", "lead_deputy", "co_signers"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.assignments.filter(replies__signed_at__isnull=False).exists():
            fields += self.SIGNED_FIELDS
        return fields

    def has_add_permission(self, request):
        return False  # registration goes through the workflow (it writes the event)


@admin.register(Consultation)
class ConsultationAdmin(QuickCheckbox, admin.ModelAdmin):
    list_display = ["assignment", "held_on", "form", "participants"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Event)
class EventAdmin(QuickLinks, ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "action", "from_state", "to_state", "actor"]
    list_select_related = ["proposal", "actor"]  # the actor may be empty: not joined by default
    list_filter = ["action"]  # a field with choices: the filter lists them, no DISTINCT of the log
    search_fields = ["proposal__title", "note"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50

    def get_queryset(self, request):
        # A row names its proposal (number and title) and actor: not the proposal's texts.
        return super().get_queryset(request).defer(*long_texts_of("proposal"), "note")


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
    search_fields = ["name"]
