"""Admin: reference data is edited here; cases and events are read-only (changes go through the
services, never the admin — django-fsm-2's admin transition buttons are not used)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin

from .events import event_kinds
from .models import (
    AvoidPhrase,
    Case,
    CaseEvent,
    Category,
    DeadlinePolicy,
    Letter,
    LocalClosure,
    NoLetterReason,
    ResponsibleUnit,
)


@admin.register(Category, ResponsibleUnit)
class ReferenceAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "active")
    list_filter = ("active",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("number", "state", "priority", "customer_name", "owner", "created_at")
    list_filter = ("state", "priority", "customer_tier", "channel")
    search_fields = ("number", "customer_phone", "customer_name")
    list_select_related = ("owner",)
    show_full_result_count = False


class EventKindFilter(admin.SimpleListFilter):
    """Filter by kind, offering the registered kinds by their translated labels."""

    title = _("event")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(((code, kind.label) for code, kind in event_kinds().items()), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """Kinds and states are stored as codes; the admin shows their labels, as the case page does."""

    list_display = ("case", "kind_display", "actor", "created_at", "from_display", "to_display")
    list_filter = (EventKindFilter,)
    list_select_related = ("case", "actor")
    show_full_result_count = False
    fields = (
        "case", "seq", "kind_display", "actor", "created_at", "from_display", "to_display", "reason", "payload",
        "prev_hash", "hash",
    )  # fmt: skip
    readonly_fields = ("kind_display", "from_display", "to_display")

    @admin.display(description=_("event"), ordering="kind")
    def kind_display(self, event):
        return event.kind_label

    @admin.display(description=_("from"), ordering="from_state")
    def from_display(self, event):
        return event.from_label

    @admin.display(description=_("to"), ordering="to_state")
    def to_display(self, event):
        return event.to_label


@admin.register(LocalClosure)
class LocalClosureAdmin(SimpleHistoryAdmin):
    """Days the team is closed although China works (a local holiday, a move): the business
    calendar counts them as non-working from the next second on (cases/reference.py)."""

    list_display = ("date", "reason")
    date_hierarchy = "date"
    search_fields = ("reason",)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(SimpleHistoryAdmin):
    """How long we allow ourselves per customer tier and channel, in business hours. A change
    applies to cases logged (or reopened) afterwards; running deadlines keep the allowance they
    started with (Deadline.allowed_hours)."""

    list_display = ("customer_tier", "channel", "first_response_hours", "resolution_hours")
    list_editable = ("first_response_hours", "resolution_hours")
    list_filter = ("customer_tier", "channel")


@admin.register(NoLetterReason)
class NoLetterReasonAdmin(ReferenceAdmin):
    """Why a case may be assured without a resolution letter (a short list the Assure step offers)."""


@admin.register(AvoidPhrase)
class AvoidPhraseAdmin(SimpleHistoryAdmin):
    """Phrases that inflame: a letter (and the agent's customer-facing notes) using one cannot be
    marked as sent unless a supervisor lets it go with a reason. Matched case-insensitively."""

    list_display = ("text", "suggestion", "active")
    list_editable = ("active",)
    list_filter = ("active",)
    search_fields = ("text", "suggestion")


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Letters are generated and sent from the case page or the API; here they are only read."""

    list_display = ("case", "version", "state", "language", "size", "requested_by", "requested_at", "sent_at")
    list_filter = ("state", "language")
    search_fields = ("case__number", "sha256")
    list_select_related = ("case", "requested_by")
    show_full_result_count = False
