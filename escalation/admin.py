from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CustomerType


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
