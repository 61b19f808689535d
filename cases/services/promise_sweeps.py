"""The sweeps that hold us to our promises (run by Celery beat: cases/tasks.py).

- Reminder: the keeper is told before a scheduled promise is due (their profile's lead time,
  default 15 minutes). `reminded_at` marks it, so a second run tells no one again.
- Missed: a scheduled promise not even attempted PROMISE_GRACE_MINUTES after its time becomes
  `missed`, and the keeper and their supervisor are told (cases/notify.py). A promise
  attempted in time but not yet kept stays scheduled: the retry rule is running
  (services/promises.py). The second missed promise on a case triggers escalation.

Batches, row locks and idempotence as every sweep does them (sweeping.py).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import REMINDER_MINUTES_DEFAULT, REMINDER_MINUTES_MAX
from core.history import system_user

from .. import events
from ..choices import PromiseState
from ..models import Promise
from ..notify import tell_keeper_promise_due, tell_of_missed_promise
from .events import NewEvent, case_events_record
from .sweeping import each, escalation_trigger, locked_batches

PROMISE_RELATED = ("case__owner__profile__supervisor", "keeper__profile__supervisor")
PROMISE_ORDER = ("due_at", "id")
ESCALATE_AFTER_MISSED = 2
TRIGGER_PROMISES_MISSED = "promises_missed"


def _remind(promise, now):
    profile = getattr(promise.keeper, "profile", None) if promise.keeper_id else None
    lead = timedelta(minutes=profile.reminder_minutes if profile is not None else REMINDER_MINUTES_DEFAULT)
    if promise.due_at - lead > now:
        return False  # this keeper wants it later
    promise.reminded_at = now
    # Only the reminder marker changes, and it is not in the history (models/promise.py).
    promise.save_without_historical_record(update_fields=["reminded_at"])
    tell_keeper_promise_due(promise)
    return True


def promises_remind(now=None) -> int:
    """Remind the keepers of scheduled promises coming due. Returns how many were reminded."""
    now = now or timezone.now()
    window = Promise.objects.filter(
        state=PromiseState.SCHEDULED,
        reminded_at__isnull=True,
        due_at__lte=now + timedelta(minutes=REMINDER_MINUTES_MAX),
        due_at__gt=now - timedelta(minutes=settings.PROMISE_GRACE_MINUTES),
    )
    # Each keeper has their own lead time: read the window's times without locking or building rows,
    # and lock only the promises whose reminder is due (an idle minute then locks nothing).
    due = [
        pk
        for pk, due_at, minutes in window.values_list("id", "due_at", "keeper__profile__reminder_minutes")
        if due_at - timedelta(minutes=REMINDER_MINUTES_DEFAULT if minutes is None else minutes) <= now
    ]
    if not due:
        return 0
    return locked_batches(window.filter(pk__in=due), each(_remind), now, related=PROMISE_RELATED, order=PROMISE_ORDER)


def _miss(promises, now):
    """Mark a locked batch missed: the rows and their history in two statements, their events (one
    read of the chains' links, an INSERT each), then each one's notice and the escalation rule."""
    # Misses on each case before this batch, for the escalation rule.
    missed_on_case = dict(
        Promise.objects.filter(case_id__in={p.case_id for p in promises}, missed_at__isnull=False)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    for promise in promises:
        promise.miss(at=now)
    # simple-history's own bulk helper (the `*_with_history` path the conventions allow): one UPDATE
    # and the batch's history rows, as save() would write them (no user: the system's change). Row by
    # row, the UPDATE and the history INSERT were two thirds of a sweep cycle's statements. The rows
    # are locked, so the transition's state check cannot be raced; nothing listens to a promise's
    # post_save.
    # The system account is named once for the batch (history_user_of would look it up per row).
    bulk_update_with_history(promises, Promise, ["state", "missed_at"], default_user=system_user(), default_date=now)
    # The batch's events together (services/events.py: the chains' links read in one query, then an
    # INSERT per event).
    missed_events = case_events_record(
        [
            NewEvent(
                case=promise.case,
                kind=events.PROMISE_MISSED,
                actor=None,
                payload={"promise": promise.pk, "promise_kind": promise.kind, "due_at": promise.due_at},
                at=now,
            )
            for promise in promises
        ]
    )
    for promise, event in zip(promises, missed_events, strict=True):
        case = promise.case
        tell_of_missed_promise(promise, event)
        missed = missed_on_case[case.pk] = missed_on_case.get(case.pk, 0) + 1
        if missed == ESCALATE_AFTER_MISSED:
            detail = {"missed_promises": missed, "promise": promise.pk}
            escalation_trigger(case=case, trigger=TRIGGER_PROMISES_MISSED, detail=detail, sender=Promise, at=now)
    return len(promises)


def promises_miss_overdue(now=None) -> int:
    """Mark as missed every scheduled promise not attempted within the grace period. Returns how many."""
    now = now or timezone.now()
    overdue = Promise.objects.filter(
        state=PromiseState.SCHEDULED,
        first_attempt_at__isnull=True,
        due_at__lt=now - timedelta(minutes=settings.PROMISE_GRACE_MINUTES),
    )
    return locked_batches(overdue, _miss, now, related=PROMISE_RELATED, order=PROMISE_ORDER)


def promises_sweep(now=None) -> dict:
    now = now or timezone.now()
    return {"missed": promises_miss_overdue(now), "reminded": promises_remind(now)}
