"""The escalation of a case to the desk, as its own state machine beside the 7A lifecycle."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.roles import CASE_WIDE_ROLES, roles_of
from cases.choices import TIER_WEIGHT, Channel, CustomerTier
from cases.models import Case
from core.history import tracked_history

from ..choices import OPEN_ESCALATION_STATES, EscalationLevel, EscalationState


def _is_desk(escalation, user) -> bool:
    return bool(roles_of(user) & CASE_WIDE_ROLES)


class Escalation(ConcurrentTransitionMixin, models.Model):
    """A case handed up, beside its 7A lifecycle (which it never changes):

        requested → accepted → resolved | returned        requested → declined

    Requested by a rule or trigger (no user) or by an agent with a reason; accepted by a desk member,
    who becomes the case's owner until they resolve it (the 7A steps go on under the desk) or return
    it to the agent with guidance. Transitions change only this row; services/escalations.py checks,
    saves, reassigns the case and records the events."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="escalations")
    state = FSMField(
        _("state"), max_length=12, choices=EscalationState.choices, default=EscalationState.REQUESTED, protected=True
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices, default=EscalationLevel.L2)
    # The desk's order, lowest first: the level, then the customer's tier (kept up to date by the
    # services when either changes), so the queue reads an index instead of sorting on a join.
    urgency_rank = models.PositiveSmallIntegerField(_("urgency rank"), default=0, editable=False)
    # The case's channel, kept with it (escalations.py: on opening and when case_reprioritize moves the
    # case to a more serious channel), so that the desk's channel filter reads an index.
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, editable=False)
    reason = models.TextField(_("reason"))
    trigger = models.CharField(_("trigger"), max_length=40, blank=True, help_text=_("Empty when a person asked."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner before"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.TextField(_("outcome, guidance or reason declined"), blank=True)

    history = tracked_history()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ("case", "requested_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state__in=OPEN_ESCALATION_STATES), name="escalation_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "level", "requested_at"], name="escalation_queue"),
            models.Index(
                fields=["urgency_rank", "requested_at", "id"],
                name="escalation_urgency",
                condition=models.Q(state__in=OPEN_ESCALATION_STATES),
            ),
            # The desk's counts per level and state (selectors.desk_counts).
            models.Index(
                fields=["level", "state"],
                name="escalation_level_counts",
                condition=models.Q(state__in=OPEN_ESCALATION_STATES),
            ),
            models.Index(
                fields=["channel", "urgency_rank", "requested_at", "id"],
                name="escalation_channel_urgency",
                condition=models.Q(state__in=OPEN_ESCALATION_STATES),
            ),
        ]

    def __str__(self):
        return f"{self.case_id} L{self.level} {self.state}"

    def rank(self, tier) -> None:
        """Set urgency_rank from the level and the customer's `tier` (L3 VIP first, L1 standard last)."""
        self.urgency_rank = (EscalationLevel.L3 - self.level) * 10 + (
            TIER_WEIGHT[CustomerTier.VIP] - TIER_WEIGHT[CustomerTier(tier)]
        )

    @transition(field=state, source=EscalationState.REQUESTED, target=EscalationState.ACCEPTED, permission=_is_desk)
    def accept(self, *, by, at):
        self.accepted_by, self.accepted_at = by, at

    @transition(field=state, source=EscalationState.ACCEPTED, target=EscalationState.RESOLVED, permission=_is_desk)
    def resolve(self, *, outcome, at):
        self.outcome, self.ended_at = outcome, at

    @transition(field=state, source=EscalationState.ACCEPTED, target=EscalationState.RETURNED, permission=_is_desk)
    def return_to_agent(self, *, guidance, at):
        self.outcome, self.ended_at = guidance, at

    @transition(field=state, source=EscalationState.REQUESTED, target=EscalationState.DECLINED, permission=_is_desk)
    def decline(self, *, reason, at):
        self.outcome, self.ended_at = reason, at
