from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AuthorityLimit, CustomerType


@admin.register(CustomerType)
class CustomerTypeAdmin(SimpleHistoryAdmin):
    """The nine types' playbooks, in both languages. Codes are stable: rules and the API name them."""

    list_display = ("code", "name_zh", "name_en", "escalation_prone", "position", "active")
    list_editable = ("position", "active")
    readonly_fields = ("code",)
    ordering = ("position", "code")

    def has_add_permission(self, request):
        return False  # the nine types are the brief's; a tenth needs its rules and playbook designed first

    def has_delete_permission(self, request, obj=None):
        return False  # tags keep pointing at it; deactivate instead


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(SimpleHistoryAdmin):
    """How much compensation each role may offer without approval, and may approve (yuan). One row per
    role, seeded with the defaults; a change applies to the next offer, approval and Agreement."""

    list_display = ("role", "limit")
    list_editable = ("limit",)
    readonly_fields = ("role",)
    ordering = ("limit", "role")

    def has_add_permission(self, request):
        return False  # one row per role, seeded by a migration

    def has_delete_permission(self, request, obj=None):
        return False  # a role without a row has no authority; set 0 instead
