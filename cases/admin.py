"""Admin: reference data is edited here; cases and events are read-only (changes go through the
services, never the admin — django-fsm-2's admin transition buttons are not used)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Case, CaseEvent, Category, ResponsibleUnit


@admin.register(Category, ResponsibleUnit)
class ReferenceAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "active")
    list_filter = ("active",)
    search_fields = ("code", "name_zh", "name_en")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("number", "state", "priority", "customer_name", "owner", "created_at")
    list_filter = ("state", "priority", "customer_tier", "channel")
    search_fields = ("number", "customer_phone", "customer_name")
    list_select_related = ("owner",)
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "actor", "created_at", "from_state", "to_state")
    list_filter = ("kind",)
    list_select_related = ("case", "actor")
    show_full_result_count = False
