"""What every sweep does the same way (promise_sweeps.py, deadline_sweeps.py).

A sweep takes its due rows in batches, each batch in its own transaction with its rows locked
`FOR UPDATE SKIP LOCKED` (PostgreSQL): two workers sweeping at once take different rows, and a row
someone is updating is left for the next run. Every change is re-checked under the lock, so running
a sweep twice tells people once.
"""

from django.db import transaction

from notifications.services import notifications_batched

from .. import events
from ..signals import escalation_triggered
from .events import case_event_record

BATCH = 200


def locked_batches(queryset, handle, now, *, related=(), order=("id",)) -> int:
    """Locks and handles `queryset`'s rows (and their cases) BATCH at a time until none is left; returns how many
    `handle(rows, now)` said it handled. The batch's notifications are stored together at its end
    (`notifications_batched`), in its transaction. A row skipped once (locked elsewhere, or changed
    meanwhile) is not retried in this run."""
    done, seen = 0, set()
    while True:
        with transaction.atomic(), notifications_batched():
            rows = list(
                queryset.exclude(pk__in=seen)
                # The case rows too: one worker handles all of a case's due rows, so what follows from
                # them (the second miss, a breach's escalation) is decided once, in one transaction.
                .select_for_update(skip_locked=True, of=("self", "case"))
                .select_related(*related)
                .order_by(*order)[:BATCH]
            )
            seen.update(row.pk for row in rows)
            if rows:
                done += handle(rows, now)
        # A short batch is not the end: rows whose case another worker held may be free now.
        if not rows:
            return done


def each(handle_one):
    """A batch handler from a handler of one row returning whether it handled it."""
    return lambda rows, now: sum(bool(handle_one(row, now)) for row in rows)


def escalation_trigger(*, case, trigger: str, detail: dict, sender, at) -> None:
    """Record that `case` needs the escalation desk's eyes and send `escalation_triggered` (the
    escalation app's rules consume it; until then the event is the record)."""
    case_event_record(
        case=case, kind=events.ESCALATION_TRIGGERED, actor=None, payload={"trigger": trigger, "detail": detail}, at=at
    )
    escalation_triggered.send(sender=sender, case=case, trigger=trigger, detail=detail)
