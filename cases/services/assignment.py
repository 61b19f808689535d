from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import CASE_WIDE_ROLES, CASE_WORKER_ROLES, roles_of
from core.errors import InvalidInput, NotAllowed
from core.history import save_tracked

from .. import events
from ..models import Case
from .events import case_event_record

MSG_NOT_A_WORKER = _("Choose a colleague who works cases (agent, escalation desk or supervisor).")
MSG_SAME_OWNER = _("The case already belongs to this person.")
MSG_CLOSED = _("An ended case cannot be reassigned.")


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
        save_tracked(case, user=actor, at=now)
        case_event_record(
            case=case,
            kind=events.ASSIGNED,
            actor=actor,
            from_state=case.state,
            to_state=case.state,
            payload={"from_owner": previous, "to_owner": owner.pk},
            at=now,
        )
    return case
