from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import EscalationRuleForm
from .models import AuthorityLimit, CustomerType, EscalationRule, RuleFiring
from .models.rule import CONDITION_FIELDS


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


@admin.register(EscalationRule)
class EscalationRuleAdmin(SimpleHistoryAdmin):
    """The conditions that send a case up, and to which level. A rule fires once per case; its
    firings (below) say on which cases, when and why."""

    list_display = ("rule_name", "level", "position", "active")
    list_editable = ("position", "active")
    list_filter = ("level", "active")
    filter_horizontal = ("customer_types",)
    ordering = ("position", "code")
    fieldsets = (
        (None, {"fields": ("code", "name_zh", "name_en", "position", "active", "level", "reason_zh", "reason_en")}),
        (
            _("Conditions (all that are filled in must hold)"),
            {"fields": CONDITION_FIELDS},
        ),
    )
    form = EscalationRuleForm

    @admin.display(description=_("Rule"), ordering="code")
    def rule_name(self, rule):
        return rule.name

    def has_delete_permission(self, request, obj=None):
        return False  # its firings point at it; deactivate instead


@admin.register(RuleFiring)
class RuleFiringAdmin(admin.ModelAdmin):
    """The record of rules that fired: read only."""

    list_display = ("fired_at", "rule", "case", "moment", "level", "outcome")
    list_filter = ("rule", "moment", "outcome")
    list_select_related = ("rule", "case")
    raw_id_fields = ("case", "escalation", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
