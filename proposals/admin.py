"""Admin for reference data. Proposals change state only through the workflow pages, so their
workflow fields are read-only here and events cannot be edited at all."""

from django.contrib import admin

from .models import Assignment, CalendarDay, CalendarYear, Consultation, Event, Proposal, Session


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
    list_display = ["__str__", "body", "term", "number", "starts_on", "ends_on", "reply_due_months", "opinion_due_months", "category_marks"]
    list_filter = ["body"]


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
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "session", "lead_deputy", "state", "key_supervised"]
    list_filter = ["session", "state", "category", "key_supervised", "timing"]
    search_fields = ["title", "=number", "lead_deputy__name"]
    readonly_fields = ["state", "registered_by", "created_at"]
    autocomplete_fields = ["lead_deputy", "co_signers"]
    inlines = [AssignmentInline]
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
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["assignment", "held_on", "form", "participants"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "action", "from_state", "to_state", "actor"]
    list_filter = ["action"]
    search_fields = ["proposal__title", "note"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
    search_fields = ["name"]
