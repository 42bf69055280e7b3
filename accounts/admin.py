from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .models import AuditRecord, Deputy, Membership, Organization, User


class QuickCheckbox:
    """A changelist row's selection box written out in Python, as Django writes it: Django
    renders a form widget through the template engine for each row, half of a 50-row page."""

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        label = format_html(gettext_lazy("Select this object for an action - {}"), obj)
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, str(obj.pk), label,
        )


class _LinkedChangeList(ChangeList):
    """Each row's link from one reversal per page (Django reverses the URL once per row)."""

    PLACEHOLDER = "__row__"

    def url_for_result(self, result):
        if not hasattr(self, "_row_url"):
            self._row_url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(self.PLACEHOLDER,),
                current_app=self.model_admin.admin_site.name,
            )
        return self._row_url.replace(self.PLACEHOLDER, str(quote(getattr(result, self.pk_attname))), 1)


class QuickLinks:
    """Changelist rows linked as Django links them, the URL reversed once per page."""

    def get_changelist(self, request, **kwargs):
        return _LinkedChangeList


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(QuickCheckbox, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("建议办理", {"fields": ["full_name", "mobile", "notify_by_email", "must_change_password"]}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("建议办理", {"fields": ["full_name"]}))
    list_display = ["username", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "full_name"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        # A password an administrator typed is not the user's own: they choose theirs at login.
        if not change or "password" in form.changed_data:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "cc_name", "document_prefix"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "cc_name"]


@admin.register(Deputy)
class DeputyAdmin(QuickCheckbox, admin.ModelAdmin):
    list_display = ["name", "delegation", "user", "phone"]
    list_filter = ["delegation"]
    search_fields = ["name"]
    autocomplete_fields = ["user", "delegation"]


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """The audit log, read-only: searched by user, object and detail, filtered by action,
    outcome, object type and date, exported to Excel. Nothing here adds, changes or deletes."""

    list_display = ["created_at", "username", "user_pk", "address", "action", "outcome", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "outcome", "object_type", "created_at"]
    search_fields = ["username", "object_repr", "=object_id", "detail", "address"]
    date_hierarchy = "created_at"
    actions = ["export_xlsx"]
    show_full_result_count = False  # a count of the whole log on every page is slow and not needed

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("导出所选记录（Excel）"))
    def export_xlsx(self, request, queryset):
        count = queryset.count()
        if count > audit.EXPORT_LIMIT:
            self.message_user(
                request,
                _("所选记录有 %(count)s 条，一次最多导出 %(limit)s 条，请按日期或其他条件缩小范围。")
                % {"count": count, "limit": audit.EXPORT_LIMIT},
                level=messages.ERROR,
            )
            return None
        content = audit.audit_xlsx(queryset)
        audit.audit_record(action=AuditRecord.Action.AUDIT_EXPORT, request=request, detail=str(count))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"审计日志 {timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
