from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Deputy, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("建议办理", {"fields": ["full_name"]}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("建议办理", {"fields": ["full_name"]}))
    list_display = ["username", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "full_name"]
    inlines = [MembershipInline]


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
