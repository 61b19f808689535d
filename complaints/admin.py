from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Complaint, Customer, Product


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "active")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "phone", "account_number", "tier", "preferred_language")
    list_filter = ("tier", "preferred_language")
    search_fields = ("name", "phone", "account_number")
    show_full_result_count = False


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ("summary", "case", "customer", "channel", "logged_at")
    list_select_related = ("case", "customer")
    readonly_fields = ("case", "customer", "logged_by", "logged_at")
    search_fields = ("summary", "case__number")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # complaints are logged through intake, which opens the case
