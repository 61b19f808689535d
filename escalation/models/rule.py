"""Escalation rules: when a case goes to which level, and the record of every time a rule fired.

A rule is a set of conditions that must all hold (an empty condition is not checked) and the level
the case then needs, with the reason people will read. Rules are reference data edited in the admin
and seeded with the brief's typical triggers (migration 0007); rules.py evaluates them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from cases.choices import Channel, CustomerTier
from cases.models import BilingualName, Case
from core.history import tracked_history

from ..choices import EscalationLevel
from .customer_type import CustomerType, _in_language
from .escalation import Escalation

MSG_NO_CONDITION = _("A rule needs at least one condition, or it would escalate every case.")
# The fields of EscalationRule that are conditions (rules.py checks each one that is filled in).
CONDITION_FIELDS = (
    "customer_types",
    "channels",
    "tier_at_least",
    "compensation_above_limit_of",
    "missed_promises_at_least",
    "deadline_breached",
    "recent_complaints_at_least",
    "churn_signal",
)
MSG_UNKNOWN_CHANNEL = _("Unknown channel “%(value)s”; use one of: %(choices)s.")


def _channel_codes(value):
    if not isinstance(value, list) or any(code not in Channel.values for code in value):
        unknown = value if not isinstance(value, list) else next(c for c in value if c not in Channel.values)
        raise ValidationError(MSG_UNKNOWN_CHANNEL % {"value": unknown, "choices": ", ".join(Channel.values)})


class EscalationRule(BilingualName):
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    reason_zh = models.TextField(_("reason (Chinese)"))
    reason_en = models.TextField(_("reason (English)"))

    # Conditions. Each one left empty is not checked; the rule fires when all the others hold.
    customer_types = models.ManyToManyField(
        CustomerType,
        verbose_name=_("customer types (any of)"),
        blank=True,
        related_name="rules",
        help_text=_("The case is tagged with at least one of these."),
    )
    channels = models.JSONField(
        _("channels (any of)"),
        default=list,
        blank=True,
        validators=[_channel_codes],
        help_text=_('Channel codes, e.g. ["regulator", "legal"].'),
    )
    tier_at_least = models.CharField(
        _("customer tier at least"), max_length=10, choices=CustomerTier.choices, blank=True
    )
    compensation_above_limit_of = models.CharField(
        _("compensation above the authority of"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_("An option offered in the current round exceeds this role's authority limit."),
    )
    missed_promises_at_least = models.PositiveSmallIntegerField(
        _("missed promises on the case, at least"), null=True, blank=True
    )
    deadline_breached = models.BooleanField(_("a deadline was breached"), default=False)
    recent_complaints_at_least = models.PositiveSmallIntegerField(
        _("complaints by the customer in 30 days, at least"),
        null=True,
        blank=True,
        help_text=_("On any case of the customer."),
    )
    churn_signal = models.BooleanField(_("the customer wants to leave"), default=False)

    history = tracked_history()

    class Meta(BilingualName.Meta):
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ("position", "code")

    @property
    def reason(self) -> str:
        return _in_language(self, "reason")


class RuleFiring(models.Model):
    """One rule that held when the case was evaluated: which, when, on what and why, and what it did."""

    class Moment(models.TextChoices):
        """What the case was evaluated on."""

        INTAKE = "intake", _("Complaint logged")
        ATTACH = "complaint_attached", _("Complaint attached")
        TAGGING = "customer_type_tagged", _("Customer type tagged")
        COMPENSATION = "compensation_offered", _("Alternatives offered")
        PROMISES_MISSED = "promises_missed", _("Promise missed")
        DEADLINE_BREACHED = "deadline_breached", _("Deadline breached")
        CHURN = "churn_flagged", _("Retention risk flagged")
        CUSTOMER_CHANGED = "customer_changed", _("Channel or tier changed")

    class Outcome(models.TextChoices):
        OPENED = "opened", _("Escalation requested")
        RAISED = "raised", _("Escalation raised to the rule's level")
        ALREADY = "already", _("Already escalated at this level or higher")

    rule = models.ForeignKey(EscalationRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="firings")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="rule_firings")
    moment = models.CharField(_("evaluated on"), max_length=30, choices=Moment.choices)
    fired_at = models.DateTimeField(_("fired"), default=timezone.now)
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    why = models.JSONField(_("conditions that held"), default=list)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    escalation = models.ForeignKey(
        Escalation, verbose_name=_("escalation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rule firing")
        verbose_name_plural = _("rule firings")
        ordering = ("-fired_at", "-id")
        # A rule fires once per case: after the desk has dealt with it, the same facts do not send the
        # case back (a new fact is a new rule's business, or a person's request).
        constraints = [models.UniqueConstraint(fields=["rule", "case"], name="rule_fires_once_per_case")]

    def __str__(self):
        return f"{self.rule_id} → {self.case_id}"
