"""Compensation approvals (the brief: "start low on concessions … above an agent's authority it needs
approval"): each role's authority limit, and the approval a compensation above it needs before the
customer may agree to it.

    requested → approved | rejected        requested → superseded

An approval is asked for one option of one round, for that option's compensation. A user with
enough authority (the highest limit among their roles), who is not the one who asked, approves or
rejects it with a reason. A request still open when the case leaves "alternatives offered" (the
customer agreed, or the case ended) is superseded: nobody can promise that option any more.
Transitions change only this row; approvals.py checks, saves and records the events.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.roles import Role
from cases.models import Case, CaseOption
from core.history import tracked_history

from ..choices import ApprovalState


class AuthorityLimit(models.Model):
    """The most compensation someone with `role` may offer without approval, and may approve."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    limit = models.DecimalField(
        _("authority limit (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("The most compensation this role may offer without approval, and may approve for others."),
    )

    history = tracked_history()

    class Meta:
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority limits")
        ordering = ("limit", "role")
        constraints = [models.CheckConstraint(condition=models.Q(limit__gte=0), name="authority_limit_not_negative")]

    def __str__(self):
        return f"{self.get_role_display()} ¥{self.limit}"


def _has_authority(approval, user) -> bool:
    # Imported here: the limits module reads this module's AuthorityLimit.
    from ..authority import authority_limit_of

    return user is not None and user.pk != approval.requested_by_id and authority_limit_of(user) >= approval.amount


class CompensationApproval(ConcurrentTransitionMixin, models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="compensation_approvals"
    )
    option = models.ForeignKey(CaseOption, verbose_name=_("option"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("compensation"), max_digits=10, decimal_places=2)
    state = FSMField(
        _("state"), max_length=12, choices=ApprovalState.choices, default=ApprovalState.REQUESTED, protected=True
    )
    reason = models.TextField(_("why approval is needed"))
    automatic = models.BooleanField(
        _("asked automatically"), default=False, help_text=_("Opened when the option was offered.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    history = tracked_history()

    class Meta:
        verbose_name = _("compensation approval")
        verbose_name_plural = _("compensation approvals")
        ordering = ("case", "requested_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["option"],
                condition=models.Q(state=ApprovalState.REQUESTED),
                name="approval_one_open_per_option",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="approval_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["case", "state"], name="approval_case_state"),
            models.Index(fields=["state", "requested_at"], name="approval_queue"),
        ]

    def __str__(self):
        return f"{self.case_id} ¥{self.amount} {self.state}"

    @transition(field=state, source=ApprovalState.REQUESTED, target=ApprovalState.APPROVED, permission=_has_authority)
    def approve(self, *, by, reason, at):
        self.decided_by, self.decision_reason, self.decided_at = by, reason, at

    @transition(field=state, source=ApprovalState.REQUESTED, target=ApprovalState.REJECTED, permission=_has_authority)
    def reject(self, *, by, reason, at):
        self.decided_by, self.decision_reason, self.decided_at = by, reason, at

    @transition(field=state, source=ApprovalState.REQUESTED, target=ApprovalState.SUPERSEDED)
    def supersede(self, *, reason, at):
        self.decision_reason, self.decided_at = reason, at
