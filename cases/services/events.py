from django.utils import timezone

from core.history import insert_later

from ..models import CaseEvent
from ..signals import case_event_recorded


def case_event_record(*, case, kind, actor, from_state="", to_state="", reason="", payload=None, at=None):
    """The append-only event of one business step. Call inside the step's transaction; inside a
    `write_batch()` the row is written (and the signal sent) when the batch is."""
    event = CaseEvent(
        case=case,
        kind=kind,
        actor=actor,
        created_at=at or timezone.now(),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
    )
    insert_later(
        event,
        history=False,  # the event is itself the append-only record
        on_saved=lambda saved: case_event_recorded.send(sender=CaseEvent, case=case, event=saved, actor=actor),
    )
    return event
