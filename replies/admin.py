from django.contrib import admin

from proposals.admin import ReadOnlyAdmin

from .models import CoHandlingOpinion, ExportJob, LetterPdf, Reply, ReplyCc


class ReplyCcInline(admin.TabularInline):
    model = ReplyCc
    extra = 0
    readonly_fields = ["position", "name", "is_person"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "bureau", "round", "document_number", "signer", "signed_on", "category_mark"]
    list_filter = ["bureau", "category_mark", "disclosure"]
    search_fields = ["document_number", "body"]
    inlines = [ReplyCcInline]


@admin.register(CoHandlingOpinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["title", "signer", "signed_on", "sent_at"]


@admin.register(LetterPdf)
class LetterPdfAdmin(ReadOnlyAdmin):
    list_display = ["reply", "generation", "state", "attempts", "page_count", "size", "finished_at"]
    list_filter = ["state"]
    readonly_fields = ["error"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "session", "requested_by", "state", "rendered", "total", "created_at"]
