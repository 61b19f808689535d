from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin

from .models import Complaint, Customer, Product


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "active")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Read-only: a customer's name or tier is corrected through complaints/corrections.py, with a
    reason, a history row and an event."""

    list_display = ("name", "phone", "account_number", "tier", "preferred_language")
    list_filter = ("tier", "preferred_language")
    search_fields = ("name", "phone", "account_number")
    show_full_result_count = False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("summary", "case", "customer", "channel", "logged_at")
    list_select_related = ("case", "customer")
    search_fields = ("summary", "case__number")
    show_full_result_count = False
