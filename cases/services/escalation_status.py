"""The case's copy of its open escalation's state (Case.escalation_status), written by escalation/
whenever an escalation opens, is accepted or ends. A history row says who and when, like any change
to the case."""

from django.utils import timezone

from core.history import save_tracked


def case_escalation_status_set(case, status: str, *, actor, at=None) -> None:
    """`status` is the open escalation's state, "" when it ended. Caller holds the transaction and a
    current `case` (the whole row is saved)."""
    if case.escalation_status == status:
        return
    case.escalation_status = status
    save_tracked(case, user=actor, at=at or timezone.now())
