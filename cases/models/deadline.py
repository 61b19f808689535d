"""Deadlines: how long we allow ourselves to first respond to a complaint and to resolve it,
counted in business hours (cases/business_calendar.py), and the pauses of that clock.

- `DeadlinePolicy`: the allowance per customer tier and channel, edited in the admin (seeded by
  migration 0017: VIP and regulator shortest).
- `Deadline`: one per case and kind, started when the complaint is logged (a reopened case gets a
  new resolution deadline). It is *met* by its step (Accept for the first response, Assure for the
  resolution), *warned* when 80% of the allowance is used, *breached* when it passes unmet, and
  *ended* when the case ends another way (withdrawn, rejected). While the case's clock is paused
  (`ClockPause`, the case waiting on the customer) its rows carry `paused_at`; resuming moves their
  due and warning times on by the business time the pause took.
- The case keeps the earliest live due time in `Case.deadline_at` so queues sort by time left
  without a join (services/deadlines.py keeps it).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.history import tracked_history

from ..choices import Channel, CustomerTier, DeadlineKind
from . import Case


class DeadlinePolicy(models.Model):
    customer_tier = models.CharField(_("customer tier"), max_length=10, choices=CustomerTier.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    first_response_hours = models.PositiveSmallIntegerField(
        _("first response (business hours)"), help_text=_("From logging the complaint to the Accept step.")
    )
    resolution_hours = models.PositiveSmallIntegerField(
        _("resolution (business hours)"), help_text=_("From logging the complaint to the Assure step.")
    )

    history = tracked_history()

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ("customer_tier", "channel")
        constraints = [
            models.UniqueConstraint(fields=["customer_tier", "channel"], name="deadline_policy_unique"),
            models.CheckConstraint(
                condition=models.Q(first_response_hours__gte=1, resolution_hours__gte=1),
                name="deadline_policy_hours_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_hours__lte=models.F("resolution_hours")),
                name="deadline_policy_response_first",
            ),
        ]

    def __str__(self):
        return f"{self.get_customer_tier_display()} / {self.get_channel_display()}"


class Deadline(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("deadline"), max_length=20, choices=DeadlineKind.choices)
    started_at = models.DateTimeField(_("started"))
    allowed_hours = models.PositiveSmallIntegerField(_("business hours allowed"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning due"))
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    ended_at = models.DateTimeField(_("no longer counted"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    # Who answers for it: the case's owner while it runs (it moves with the case, as open promises do:
    # services/assignment.py), and whoever held the case once it was decided (met, breached or ended),
    # so a breach stays with the person it happened to. Measures and the dashboard group by it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answerable"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = tracked_history()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ("case", "started_at", "id")
        indexes = [
            models.Index(fields=["case", "started_at"], name="deadline_case"),
            # The sweeps (services/deadline_sweeps.py): live, running deadlines by warning and due time.
            models.Index(
                fields=["warn_at", "id"],
                name="deadline_warn_sweep",
                condition=models.Q(
                    met_at__isnull=True, ended_at__isnull=True, paused_at__isnull=True, warned_at__isnull=True
                ),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="deadline_breach_sweep",
                condition=models.Q(
                    met_at__isnull=True, ended_at__isnull=True, paused_at__isnull=True, breached_at__isnull=True
                ),
            ),
            # Measures: breaches in a period.
            models.Index(
                fields=["breached_at"], name="deadline_breached", condition=models.Q(breached_at__isnull=False)
            ),
            # The auditors' dashboard: deadlines due in a period (audit/kpis.py).
            models.Index(fields=["due_at"], name="deadline_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.met_at is None and self.ended_at is None


class ClockPause(models.Model):
    """The case waits on the customer (documents, a visit they must arrange): its deadlines stop."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="clock_pauses")
    reason = models.TextField(_("reason"))
    paused_at = models.DateTimeField(_("paused"), default=timezone.now)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paused by"), on_delete=models.PROTECT, related_name="+"
    )
    resumed_at = models.DateTimeField(_("resumed"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resumed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = tracked_history()

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ("case", "paused_at", "id")
        constraints = [
            # One open pause per case.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(resumed_at__isnull=True), name="clock_pause_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.paused_at:%Y-%m-%d %H:%M}"
