from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import CASE_WIDE_ROLES, CASE_WORKER_ROLES, roles_of
from core.errors import InvalidInput, NotAllowed
from core.history import save_tracked

from .. import events
from ..choices import OPEN_PROMISE_STATES
from ..models import Case, Deadline, Promise
from .events import case_event_record

MSG_NOT_A_WORKER = _("Choose a colleague who works cases (agent, escalation desk or supervisor).")
MSG_SAME_OWNER = _("The case already belongs to this person.")
MSG_CLOSED = _("An ended case cannot be reassigned.")
MSG_PROMISES_MOVED = _("Case reassigned")


def case_assignable_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[str(r) for r in CASE_WORKER_ROLES])
        .distinct()
        .order_by("username")
    )


def case_assign(*, case: Case, owner_id, actor) -> Case:
    """Give the case to another colleague (escalation desk and supervisors only)."""
    if not roles_of(actor) & CASE_WIDE_ROLES:
        raise NotAllowed()
    if not case.is_open:
        raise InvalidInput(MSG_CLOSED, fields={"owner": [MSG_CLOSED]})
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    owner = case_assignable_users().filter(pk=owner_id).first() if str(owner_id).isdecimal() else None
    if owner is None:
        raise InvalidInput(MSG_NOT_A_WORKER, fields={"owner": [MSG_NOT_A_WORKER]})
    if owner.pk == case.owner_id:
        raise InvalidInput(MSG_SAME_OWNER, fields={"owner": [MSG_SAME_OWNER]})
    with transaction.atomic():
        now = timezone.now()
        previous = case.owner_id
        case.owner, case.updated_at = owner, now
        # The previous owner's open promises go with the case: the new owner is reminded of them and
        # answers for them (a promise kept by someone else, e.g. a colleague covering, stays theirs).
        moved = list(Promise.objects.filter(case=case, keeper_id=previous, state__in=OPEN_PROMISE_STATES))
        for promise in moved:
            promise.keeper = owner
        # So do its running deadlines not yet breached; a met, ended or breached one stays with whoever
        # held the case then (cases/deadline_measures.py counts it for them).
        running = list(
            Deadline.objects.filter(
                case=case, met_at__isnull=True, ended_at__isnull=True, breached_at__isnull=True
            ).exclude(owner=owner)
        )
        for deadline in running:
            deadline.owner = owner
        save_tracked(case, *moved, *running, user=actor, at=now, reason=str(MSG_PROMISES_MOVED))
        case_event_record(
            case=case,
            kind=events.ASSIGNED,
            actor=actor,
            from_state=case.state,
            to_state=case.state,
            payload={"from_owner": previous, "to_owner": owner.pk, "promises_moved": [p.pk for p in moved]},
            at=now,
        )
    return case
