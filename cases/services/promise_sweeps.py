"""The sweeps that hold us to our promises (run by Celery beat: cases/tasks.py).

- Reminder: the keeper is told before a scheduled promise is due (their profile's lead time,
  default 15 minutes). `reminded_at` marks it, so a second run tells no one again.
- Missed: a scheduled promise not even attempted PROMISE_GRACE_MINUTES after its time becomes
  `missed`; the event's receiver tells the keeper and their supervisor (cases/notify.py). A promise
  attempted in time but not yet kept stays scheduled: the retry rule is running
  (services/promises.py). The second missed promise on a case triggers escalation.

Each sweep takes due promises in batches, each batch in its own transaction with its rows locked
`FOR UPDATE SKIP LOCKED` (PostgreSQL): two workers sweeping at once take different rows, and a row
someone is updating is left for the next run. Every change is re-checked under the lock (a promise
kept a moment ago is skipped), so running a sweep twice tells people once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import REMINDER_MINUTES_MAX

from .. import events
from ..choices import PromiseState
from ..models import Promise
from ..notify import tell_keeper_promise_due
from ..signals import escalation_triggered
from .events import case_event_record

BATCH = 200
ESCALATE_AFTER_MISSED = 2
TRIGGER_PROMISES_MISSED = "promises_missed"


def _batches(queryset, handle, now):
    """Locks and handles `queryset`'s rows BATCH at a time until none is left; returns how many
    were handled. A row skipped once (locked elsewhere, or changed meanwhile) is not retried here."""
    done, seen = 0, set()
    while True:
        with transaction.atomic():
            rows = list(
                queryset.exclude(pk__in=seen)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "keeper__profile")
                .order_by("due_at", "id")[:BATCH]
            )
            for promise in rows:
                seen.add(promise.pk)
                done += bool(handle(promise, now))
        if len(rows) < BATCH:
            return done


def _remind(promise, now):
    profile = getattr(promise.keeper, "profile", None) if promise.keeper_id else None
    lead = timedelta(minutes=profile.reminder_minutes if profile is not None else 15)
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
    due = Promise.objects.filter(
        state=PromiseState.SCHEDULED,
        reminded_at__isnull=True,
        due_at__lte=now + timedelta(minutes=REMINDER_MINUTES_MAX),
        due_at__gt=now - timedelta(minutes=settings.PROMISE_GRACE_MINUTES),
    )
    return _batches(due, _remind, now)


def _miss(promise, now):
    promise.miss(at=now)
    promise.save()  # the system's change: the history row has no user
    case = promise.case
    case_event_record(
        case=case,
        kind=events.PROMISE_MISSED,
        actor=None,
        payload={"promise": promise.pk, "promise_kind": promise.kind, "due_at": promise.due_at},
        at=now,
    )
    missed = Promise.objects.filter(case=case, missed_at__isnull=False).count()
    if missed == ESCALATE_AFTER_MISSED:
        detail = {"missed_promises": missed, "promise": promise.pk}
        case_event_record(
            case=case,
            kind=events.ESCALATION_TRIGGERED,
            actor=None,
            payload={"trigger": TRIGGER_PROMISES_MISSED, "detail": detail},
            at=now,
        )
        escalation_triggered.send(sender=Promise, case=case, trigger=TRIGGER_PROMISES_MISSED, detail=detail)
    return True


def promises_miss_overdue(now=None) -> int:
    """Mark as missed every scheduled promise not attempted within the grace period. Returns how many."""
    now = now or timezone.now()
    overdue = Promise.objects.filter(
        state=PromiseState.SCHEDULED,
        first_attempt_at__isnull=True,
        due_at__lt=now - timedelta(minutes=settings.PROMISE_GRACE_MINUTES),
    )
    return _batches(overdue, _miss, now)


def promises_sweep(now=None) -> dict:
    now = now or timezone.now()
    return {"missed": promises_miss_overdue(now), "reminded": promises_remind(now)}
