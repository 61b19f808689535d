"""The sweeps that hold us to our deadlines (run by Celery beat: cases/tasks.py).

- Warning: when 80% of a running deadline's business time is used, the case's owner is told once
  (`warned_at` marks it).
- Breach: a running deadline past due and not met is recorded as breached (`breached_at` and a
  `deadline_breached` case event whose receiver tells the owner and their supervisor) and triggers
  escalation. A paused deadline is neither warned nor breached: its time is frozen.

Batches, row locks and idempotence as every sweep does them (sweeping.py).
"""

from django.utils import timezone

from .. import events
from ..models import Deadline
from ..notify import tell_owner_deadline_near
from .events import case_event_record
from .sweeping import each, escalation_trigger, locked_batches

TRIGGER_DEADLINE_BREACHED = "deadline_breached"
RUNNING = {"met_at__isnull": True, "ended_at__isnull": True, "paused_at__isnull": True}
RELATED = ("case", "case__owner__profile__supervisor")


def _warn(deadline, now):
    deadline.warned_at = now
    deadline.save()  # the system's change: the history row has no user
    tell_owner_deadline_near(deadline)
    return True


def deadlines_warn(now=None) -> int:
    """Tell owners of deadlines 80% used. Returns how many were warned."""
    now = now or timezone.now()
    # A deadline already past due is breached instead: no warning after the fact.
    near = Deadline.objects.filter(**RUNNING, warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
    return locked_batches(near, each(_warn), now, related=RELATED, order=("warn_at", "id"))


def _breach(deadline, now):
    deadline.breached_at = now
    deadline.save()
    case = deadline.case
    case_event_record(
        case=case,
        kind=events.DEADLINE_BREACHED,
        actor=None,
        payload={"deadline": deadline.pk, "deadline_kind": deadline.kind, "due_at": deadline.due_at},
        at=now,
    )
    detail = {"deadline": deadline.pk, "deadline_kind": deadline.kind}
    escalation_trigger(case=case, trigger=TRIGGER_DEADLINE_BREACHED, detail=detail, sender=Deadline, at=now)
    return True


def deadlines_breach(now=None) -> int:
    """Record every running deadline past due as breached. Returns how many."""
    now = now or timezone.now()
    overdue = Deadline.objects.filter(**RUNNING, breached_at__isnull=True, due_at__lte=now)
    return locked_batches(overdue, each(_breach), now, related=RELATED, order=("due_at", "id"))


def deadlines_sweep(now=None) -> dict:
    now = now or timezone.now()
    return {"breached": deadlines_breach(now), "warned": deadlines_warn(now)}
