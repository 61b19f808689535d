from django.utils import timezone

from ..events import EventKind
from ..models import CaseEvent
from ..signals import case_event_recorded


def case_event_record(
    *, case, kind: EventKind, actor, payload: dict, from_state="", to_state="", reason="", at=None
) -> CaseEvent:
    """The append-only event of one business step, then `case_event_recorded`.

    Call it inside the step's transaction, after every other row of the step is written: receivers
    (notifications, escalation rules, the audit chain) then see the case, its complaints and its
    event as written, on every database. `payload` holds exactly the keys `kind` declares; the kind's
    builder shapes it (cases/events.py)."""
    event = CaseEvent.objects.create(
        case=case,
        kind=kind.code,
        actor=actor,
        created_at=at or timezone.now(),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=kind.payload(**payload),
    )
    case_event_recorded.send(sender=CaseEvent, case=case, event=event, actor=actor)
    return event
