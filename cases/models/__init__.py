"""The 7A case: state, evidence and the invariants that hold whatever writes it.

Transitions change only this instance's fields. Everything around them — permission, evidence
validation, saving, the CaseEvent, notifications — lives in services/transitions.py.
"""

from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.history import tracked_history
from core.inputs import DATETIME_MAX

from ..choices import OPEN_STATES, CaseState, Channel, CustomerTier, Language, Priority
from ..events import event_kind_label
from ..permissions import can_work_case, is_supervisor


class BilingualName(models.Model):
    """Reference data named in both languages; `name` follows the active language."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ("code",)

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class NoLetterReason(BilingualName):
    """Why a case needs no resolution letter (Assure records a sent letter or one of these)."""

    history = tracked_history()

    class Meta(BilingualName.Meta):
        verbose_name = _("reason no letter is needed")
        verbose_name_plural = _("reasons no letter is needed")


class Category(BilingualName):
    history = tracked_history()

    class Meta(BilingualName.Meta):
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")


class ResponsibleUnit(BilingualName):
    history = tracked_history()

    class Meta(BilingualName.Meta):
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")


class CaseNumberCounter(models.Model):
    """One row per year; bumped with UPDATE … RETURNING so numbers never repeat or skip on rollback."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_value}"


def _reopen_window_open(case) -> bool:
    return case.closed_at is not None and timezone.now() - case.closed_at <= timedelta(
        days=settings.CASE_REOPEN_WINDOW_DAYS
    )


# Cases that owe the customer nothing sort after every promise: their key is the last storable instant.
NO_PROMISE = DATETIME_MAX - timedelta(microseconds=1)


def next_promise_key():
    """`next_callback_at` with nulls last, as the queue sorts and filters by it (a row value holding
    NULL compares as unknown, so keyset pages need a value). The index `case_open_next_promise` is
    on this very expression, which PostgreSQL matches only if the query's is the same."""
    return Coalesce(
        "next_callback_at",
        models.Value(NO_PROMISE, output_field=models.DateTimeField()),
        output_field=models.DateTimeField(),
    )


# A case with an open escalation; the desk's queue filters by this very condition, so that
# PostgreSQL can use the partial index `case_escalated_deadline`.
ESCALATED = ~models.Q(escalation_status="")


def deadline_key():
    """`deadline_at` with nulls last (cases with no live deadline), as the queue sorts by it; the
    index `case_open_deadline` is on this very expression (see next_promise_key)."""
    return Coalesce(
        "deadline_at",
        models.Value(NO_PROMISE, output_field=models.DateTimeField()),
        output_field=models.DateTimeField(),
    )


class Case(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    state = FSMField(_("state"), max_length=32, choices=CaseState.choices, default=CaseState.NEW, protected=True)
    # Derived from state by the transitions; kept as a column because every queue filters on it.
    is_open = models.BooleanField(_("open"), default=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_cases"
    )
    summary = models.CharField(_("summary"), max_length=200)
    # Snapshot of who complained and how, taken at intake: the queue filters and searches these
    # without joining intake tables, and the case keeps the tier it was prioritised with.
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    customer_name = models.CharField(_("customer name"), max_length=100)
    customer_phone = models.CharField(_("customer phone"), max_length=32)
    customer_tier = models.CharField(_("customer tier"), max_length=10, choices=CustomerTier.choices)
    customer_language = models.CharField(_("letter language"), max_length=10, choices=Language.choices)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    # Accept
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    customer_words = models.TextField(_("customer's own words"), blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    # Apologize
    apology_text = models.TextField(_("apology given"), blank=True)
    apologized_at = models.DateTimeField(_("apologized"), null=True, blank=True)
    # Acknowledge
    restated_problem = models.TextField(_("problem restated"), blank=True)
    emotional_needs = models.JSONField(_("emotional needs"), default=list, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # Analyze (facts are 5W1H: what, when, where, who, why, how)
    facts = models.JSONField(_("facts (5W1H)"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    root_cause = models.TextField(_("root cause"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_unit = models.ForeignKey(
        ResponsibleUnit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    desired_outcome = models.TextField(_("customer's desired outcome"), blank=True)
    analyzed_at = models.DateTimeField(_("analyzed"), null=True, blank=True)
    # Alternatives: CaseOption rows of the current round
    options_round = models.PositiveSmallIntegerField(_("options round"), default=0)
    alternatives_offered_at = models.DateTimeField(_("alternatives offered"), null=True, blank=True)
    # Agreement: chosen option + promises (models/promise.py)
    chosen_option = models.ForeignKey(
        "CaseOption", verbose_name=_("chosen option"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer_confirmed = models.BooleanField(_("customer confirmed"), default=False)
    # The earliest time still owed to the customer (open promises), kept by the promise services so
    # queues can sort and filter on it without a join.
    next_callback_at = models.DateTimeField(_("next promise due"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    # Assure
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    thanked = models.BooleanField(_("customer thanked"), default=False)
    # Assure records the resolution letter that went to the customer, or why none was needed.
    resolution_letter = models.ForeignKey(
        "cases.Letter",
        verbose_name=_("resolution letter sent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    no_letter_reason = models.ForeignKey(
        NoLetterReason,
        verbose_name=_("why no letter was needed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assured_at = models.DateTimeField(_("assured"), null=True, blank=True)
    # Endings
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    # Withdrawal: when and how the customer told us, in their words.
    withdrawn_at = models.DateTimeField(_("withdrawn by the customer at"), null=True, blank=True)
    withdrawal_channel = models.CharField(_("withdrawn through"), max_length=20, choices=Channel.choices, blank=True)
    withdrawal_words = models.TextField(_("the customer's words on withdrawing"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Deadlines (models/deadline.py): the earliest live due time, kept by services/deadlines.py so
    # queues sort by time left without a join; and since when the clock waits on the customer.
    deadline_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    # Retention (issue 9, item 7): the customer may leave. Set once, by services/retention.py, with a
    # `churn_flagged` event saying how it was noticed; escalation rules read `churn_flagged_at`.
    churn_flagged_at = models.DateTimeField(_("retention risk flagged"), null=True, blank=True)
    churn_flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retention risk flagged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The state of the case's open escalation ("" when none), kept by escalation/ through
    # services/escalation_status.py (cases knows no escalation states). It lets the desk order
    # escalated cases by deadline on an index of their own (`case_escalated_deadline`) instead of
    # sorting every open escalation through a join, and a queue show the status without one.
    escalation_status = models.CharField(_("escalation"), max_length=12, blank=True, default="", editable=False)

    history = tracked_history(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=CaseState.values), name="case_state_known"),
            models.CheckConstraint(
                condition=models.Q(is_open=True, state__in=OPEN_STATES)
                | models.Q(is_open=False) & ~models.Q(state__in=OPEN_STATES),
                name="case_is_open_matches_state",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="case_satisfaction_1_to_5",
            ),
        ]
        # Queue indexes: each matches a (filter, keyset order) pair used by selectors.case_queue.
        indexes = [
            models.Index(fields=["is_open", "priority", "created_at", "id"], name="case_open_prio"),
            models.Index(fields=["is_open", "created_at", "id"], name="case_open_created"),
            models.Index(fields=["owner", "is_open", "priority", "created_at", "id"], name="case_owner_prio"),
            models.Index(fields=["owner", "is_open", "created_at", "id"], name="case_owner_created"),
            models.Index(fields=["state", "priority", "created_at", "id"], name="case_state_prio"),
            models.Index(fields=["customer_tier", "is_open", "priority", "created_at", "id"], name="case_tier_prio"),
            models.Index(fields=["priority", "created_at", "id"], name="case_all_prio"),
            models.Index(fields=["created_at", "id"], name="case_all_created"),
            models.Index(fields=["customer_phone"], name="case_phone"),
            # The auditors' dashboard: cases assured in a period (audit/kpis.py).
            models.Index(fields=["assured_at"], name="case_assured", condition=models.Q(assured_at__isnull=False)),
            # The queue sorted by the next promise (sort=next_promise) and its overdue filter.
            models.Index(
                next_promise_key(), models.F("id"), name="case_open_next_promise", condition=models.Q(is_open=True)
            ),
            # The queue sorted by time left (sort=deadline): everyone's, and an agent's own.
            models.Index(deadline_key(), models.F("id"), name="case_open_deadline", condition=models.Q(is_open=True)),
            models.Index(
                models.F("owner"),
                deadline_key(),
                models.F("id"),
                name="case_owner_open_deadline",
                condition=models.Q(is_open=True),
            ),
            # The desk's queue by deadline: only escalated cases (a few percent of them all).
            models.Index(deadline_key(), models.F("id"), name="case_escalated_deadline", condition=ESCALATED),
        ]

    def __str__(self):
        return self.number

    # --- the 7A steps -------------------------------------------------------------------------

    @transition(field=state, source=CaseState.NEW, target=CaseState.ACCEPTED, permission=can_work_case)
    def accept(self, *, first_contact_at, customer_words, at):
        self.first_contact_at = first_contact_at
        self.customer_words = customer_words
        self.accepted_at = at

    @transition(field=state, source=CaseState.ACCEPTED, target=CaseState.APOLOGIZED, permission=can_work_case)
    def apologize(self, *, apology_text, at):
        self.apology_text = apology_text
        self.apologized_at = at

    @transition(field=state, source=CaseState.APOLOGIZED, target=CaseState.ACKNOWLEDGED, permission=can_work_case)
    def acknowledge(self, *, restated_problem, emotional_needs, at):
        self.restated_problem = restated_problem
        self.emotional_needs = list(emotional_needs)
        self.acknowledged_at = at

    @transition(field=state, source=CaseState.ACKNOWLEDGED, target=CaseState.ANALYZED, permission=can_work_case)
    def analyze(self, *, facts, root_cause, category, responsible_unit, desired_outcome, at):
        self.facts = facts
        self.root_cause = root_cause
        self.category = category
        self.responsible_unit = responsible_unit
        self.desired_outcome = desired_outcome
        self.analyzed_at = at

    @transition(field=state, source=CaseState.ANALYZED, target=CaseState.ALTERNATIVES_OFFERED, permission=can_work_case)
    def offer_alternatives(self, *, at):
        """Opens a new round of options; the service writes the CaseOption rows of that round."""
        self.options_round += 1
        self.chosen_option = None
        self.customer_confirmed = False
        self.alternatives_offered_at = at

    @transition(field=state, source=CaseState.ALTERNATIVES_OFFERED, target=CaseState.AGREED, permission=can_work_case)
    def agree(self, *, chosen_option, next_callback_at, at):
        self.chosen_option = chosen_option
        self.customer_confirmed = True
        self.next_callback_at = next_callback_at
        self.agreed_at = at

    @transition(field=state, source=CaseState.AGREED, target=CaseState.ASSURED, permission=can_work_case)
    def assure(self, *, follow_up_note, satisfaction, resolution_letter, no_letter_reason, at):
        self.follow_up_done = True
        self.follow_up_note = follow_up_note
        self.satisfaction = satisfaction
        self.resolution_letter, self.no_letter_reason = resolution_letter, no_letter_reason
        self.thanked = True
        self.assured_at = at

    @transition(field=state, source=CaseState.ASSURED, target=CaseState.CLOSED, permission=can_work_case)
    def close(self, *, closing_note, at):
        self.closing_note = closing_note
        self.closed_at = at
        self.is_open = False

    # --- other endings ------------------------------------------------------------------------

    @transition(field=state, source=OPEN_STATES, target=CaseState.WITHDRAWN, permission=can_work_case)
    def withdraw(self, *, reason, withdrawn_at, withdrawal_channel, withdrawal_words, at):
        self.end_reason = reason
        self.withdrawn_at = withdrawn_at
        self.withdrawal_channel = withdrawal_channel
        self.withdrawal_words = withdrawal_words
        self.closed_at = at
        self.is_open = False

    @transition(field=state, source=OPEN_STATES, target=CaseState.REJECTED, permission=is_supervisor)
    def reject(self, *, reason, at):
        self.end_reason = reason
        self.closed_at = at
        self.is_open = False

    @transition(
        field=state,
        source=CaseState.CLOSED,
        target=CaseState.ANALYZED,
        permission=can_work_case,
        conditions=[_reopen_window_open],
    )
    def reopen(self, *, reason, at):
        """Back to Analyze: the old analysis stands, new alternatives must be offered and agreed."""
        self.end_reason = reason
        self.reopen_count += 1
        self.closed_at = None
        self.is_open = True
        self.follow_up_done = False
        self.thanked = False
        self.satisfaction = None


class CaseOption(models.Model):
    """One alternative offered to the customer (the proposal rule: what, benefit, cost)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="options")
    round = models.PositiveSmallIntegerField(_("round"))
    position = models.PositiveSmallIntegerField(_("position"))
    action = models.TextField(_("what we will do"))
    benefit = models.TextField(_("benefit to the customer"))
    compensation = models.DecimalField(_("compensation"), max_digits=10, decimal_places=2, default=0)
    history = tracked_history()

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ("case", "round", "position")
        constraints = [
            models.UniqueConstraint(fields=["case", "round", "position"], name="option_unique_position"),
            models.CheckConstraint(condition=models.Q(compensation__gte=0), name="option_compensation_not_negative"),
        ]

    def __str__(self):
        return f"{self.position}. {self.action[:60]}"


class AppendOnlyError(Exception):
    pass


class CaseEvent(models.Model):
    """Append-only record of every business step: who, when, what, from-state, to-state, why.

    Field-level diffs are in the history tables; this is the business timeline. Events are never
    updated or deleted (the model refuses, and a trigger refuses too, on PostgreSQL and SQLite).
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("details"), default=dict, encoder=DjangoJSONEncoder)
    # The hash chain of the case's events (cases/audit_chain.py): this event's number in its case
    # (1, 2, 3 …), the previous event's hash and the SHA-256 of this event's own canonical content.
    seq = models.PositiveIntegerField(_("number in the case"))
    prev_hash = models.CharField(_("previous event's hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash (SHA-256)"), max_length=64)
    # A 7A step's event: how long the case waited for this step, in seconds (cases/events.py,
    # STEP_EVENT_KINDS); empty for other events. Derived from the events before it, so not part of the
    # hash chain. Read by the dashboard's time per step through `event_kind_time` alone.
    waited_seconds = models.PositiveIntegerField(_("seconds waited for this step"), null=True, blank=True)
    # Whose case it was once this event was written (the case's owner then; events written before
    # this was kept carry the owner the case had when it was added). Lets the dashboard filter a
    # team's steps, closings and reopenings without joining the cases; derived, so not hashed.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case owner then"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # reached through event_kind_owner_time
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="event_case_time"),
            # The auditors' dashboard: steps, reopenings and closings in a period (audit/kpis.py).
            # (with the step's wait, so PostgreSQL answers the time per step from the index alone)
            models.Index(fields=["kind", "created_at"], include=["waited_seconds"], name="event_kind_time"),
            # … and the same for a team: its members' rows of one kind are one range per member.
            models.Index(
                fields=["kind", "owner", "created_at"], include=["waited_seconds"], name="event_kind_owner_time"
            ),
        ]
        # Also the index the chain's writer (the case's last link) and verify_audit walk.
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="event_case_seq")]

    def __str__(self):
        return f"{self.case_id} {self.kind_label} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Case events are append-only.")

    @property
    def kind_label(self):
        # Kinds are registered by the apps that write them (cases/events.py); an unknown kind shows
        # as recorded.
        return event_kind_label(self.kind)

    @property
    def from_label(self):
        return CaseState(self.from_state).label if self.from_state in CaseState.values else self.from_state

    @property
    def to_label(self):
        return CaseState(self.to_state).label if self.to_state in CaseState.values else self.to_state


from .closure import LocalClosure  # noqa: E402, F401
from .deadline import ClockPause, Deadline, DeadlinePolicy  # noqa: E402, F401
from .letter import AvoidPhrase, Letter, LetterBatch  # noqa: E402, F401
from .promise import Promise  # noqa: E402, F401  (a model of this app; its module imports Case from here)
