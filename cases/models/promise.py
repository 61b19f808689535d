"""A promise to the customer: a call back or a thing we do, by a time, kept or not.

One concept for what the Agreement step used to store as commitments and a next-callback time, and
for the progress callbacks promised while the analysis runs. Its own state machine:

    scheduled → kept | missed | cancelled | rescheduled      missed → kept (late) | cancelled | rescheduled

`rescheduled` closes the promise; the service creates its successor (`rescheduled_from`), so both
stay on the record. A reschedule the customer asked for is not a broken promise; one we initiate is.
Transitions change only this row; the services (services/promises.py) check who may, save, record
the case event and tell people.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.history import tracked_history

from ..choices import OPEN_PROMISE_STATES, PromiseKind, PromiseState
from ..permissions import can_work_case
from . import Case


def can_work_promise(promise, user) -> bool:
    return can_work_case(promise.case, user)


class Promise(ConcurrentTransitionMixin, models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="promises")
    kind = models.CharField(_("kind"), max_length=20, choices=PromiseKind.choices, default=PromiseKind.COMMITMENT)
    state = FSMField(
        _("state"), max_length=16, choices=PromiseState.choices, default=PromiseState.SCHEDULED, protected=True
    )
    due_at = models.DateTimeField(_("promised time"))
    description = models.TextField(_("what we will tell or do"))
    phone = models.CharField(_("number to call"), max_length=32, blank=True)
    customer_chose_time = models.BooleanField(
        _("the customer asked for this time"),
        default=False,
        help_text=_("A time the customer asked for may fall outside business hours."),
    )
    promised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("promised by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to be kept by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Calls made to keep it: an unreached call is an attempt, not a kept promise (services/promises.py).
    attempts = models.PositiveSmallIntegerField(_("unreached attempts"), default=0)
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # How it ended.
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    reached = models.BooleanField(_("customer reached"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    missed_at = models.DateTimeField(_("missed"), null=True, blank=True)
    closed_reason = models.TextField(_("reason cancelled or rescheduled"), blank=True)
    rescheduled_by_customer = models.BooleanField(_("rescheduled at the customer's request"), null=True, blank=True)
    rescheduled_from = models.OneToOneField(
        "self",
        verbose_name=_("rescheduled from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    reminded_at = models.DateTimeField(_("keeper reminded"), null=True, blank=True)

    # The reminder marker is the sweep's bookkeeping, not a change anyone made: not in the history.
    history = tracked_history(excluded_fields=["reminded_at"])

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ("due_at", "id")
        indexes = [
            # The sweeps: scheduled promises by due time (partial: the rest are most rows, and a
            # missed one is not swept again).
            models.Index(
                fields=["due_at", "id"],
                name="promise_scheduled_due",
                condition=models.Q(state=PromiseState.SCHEDULED),
            ),
            # "My callbacks": a keeper's open promises by due time.
            models.Index(
                fields=["keeper", "due_at", "id"],
                name="promise_keeper_due",
                condition=models.Q(state__in=OPEN_PROMISE_STATES),
            ),
            models.Index(fields=["case", "due_at"], name="promise_case_due"),
            # The auditors' dashboard: promises due in a period (audit/kpis.py).
            models.Index(fields=["due_at"], name="promise_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=PromiseState.values), name="promise_state_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PROMISE_STATES

    @property
    def is_call(self) -> bool:
        return self.kind != PromiseKind.COMMITMENT

    @transition(field=state, source=OPEN_PROMISE_STATES, target=PromiseState.KEPT, permission=can_work_promise)
    def keep(self, *, reached, outcome, at):
        """Kept: the customer was reached (or, for a call, the retry rule was met), or the thing was done.
        From `missed` it is kept late: `missed_at` stays, so it never counts as kept in time."""
        self.done_at = at
        self.reached = reached
        self.outcome = outcome

    @transition(field=state, source=PromiseState.SCHEDULED, target=PromiseState.MISSED)
    def miss(self, *, at):
        """Only the sweep misses a promise (no permission: it runs as the system)."""
        self.missed_at = at

    @transition(field=state, source=OPEN_PROMISE_STATES, target=PromiseState.CANCELLED, permission=can_work_promise)
    def cancel(self, *, reason, at):
        self.closed_reason = reason
        self.done_at = at

    @transition(field=state, source=OPEN_PROMISE_STATES, target=PromiseState.RESCHEDULED, permission=can_work_promise)
    def reschedule(self, *, by_customer, reason, at):
        self.rescheduled_by_customer = by_customer
        self.closed_reason = reason
        self.done_at = at
