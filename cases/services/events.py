from django.utils import timezone

from ..models import CaseEvent
from ..signals import case_event_recorded


def case_event_record(*, case, kind, actor, from_state="", to_state="", reason="", payload=None, at=None):
    """Write the append-only event of one business step. Call inside the step's transaction."""
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        created_at=at or timezone.now(),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
    )
    case_event_recorded.send(sender=CaseEvent, case=case, event=event, actor=actor)
    return event
