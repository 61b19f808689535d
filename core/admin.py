from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows but never changes: what the services write (cases, their events,
    customers, complaints, letters) changes only through those services, with a reason, a history row
    and an event — not through a form that bypasses all three."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
