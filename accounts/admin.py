from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Deputy, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
class DeputyAdmin(admin.ModelAdmin):
    list_display = ["name", "delegation", "user", "phone"]
    list_filter = ["delegation"]
    search_fields = ["name"]
    autocomplete_fields = ["user", "delegation"]
