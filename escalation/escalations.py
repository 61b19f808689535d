"""Escalations (models.Escalation): requested by a trigger or an agent, accepted by the desk (who
then owns the case), resolved, returned to the agent with guidance, or declined with a reason.

Each service checks who may (403), the state (409) and the input (400), then writes the escalation,
any change of owner (cases' own assignment service) and the case event in one transaction.
"""

from django import forms
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from cases.evidence import TEXT_LIMIT
from cases.permissions import can_work_case
from cases.services import case_assign, case_event_record
from cases.signals import escalation_triggered
from core.errors import Conflict, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm

from . import events
from .choices import EscalationLevel
from .models import Escalation

MSG_CASE_ENDED = _("This case has ended; it can no longer be escalated.")
MSG_ALREADY_OPEN = _("This case is already escalated; see its open escalation.")
MSG_STATE = _("This escalation is “%(state)s”; it cannot do that now.")
MSG_STALE = _("Someone else changed this escalation meanwhile; reload it and try again.")
MSG_INVALID = _("Check the escalation: %(fields)s.")
# What the system writes as the reason of a triggered escalation.
TRIGGER_REASONS = {
    "promises_missed": _("Two promises to the customer were missed."),
    "deadline_breached": _("A deadline was breached."),
}


class EscalationRequestInput(StrictInputForm):
    level = forms.TypedChoiceField(
        label=_("Level"), choices=EscalationLevel.choices, coerce=int, initial=EscalationLevel.L2
    )
    reason = forms.CharField(label=_("Why the case needs the desk"), max_length=TEXT_LIMIT)


class EscalationOutcomeInput(StrictInputForm):
    outcome = forms.CharField(label=_("Outcome, guidance or reason"), max_length=TEXT_LIMIT)


def _valid(form_class, data):
    return valid_input(form_class, data, MSG_INVALID)


def _open(case, *, level, reason, trigger, actor, at) -> Escalation:
    escalation = Escalation(
        case=case, level=level, reason=reason, trigger=trigger, requested_by=actor, requested_at=at,
        previous_owner_id=case.owner_id,
    )  # fmt: skip
    try:
        with transaction.atomic():
            save_tracked(escalation, user=actor, at=at, reason=reason)
    except IntegrityError:  # one open escalation per case (a rule and a person at once)
        raise Conflict(MSG_ALREADY_OPEN) from None
    case_event_record(
        case=case,
        kind=events.ESCALATION_REQUESTED,
        actor=actor,
        reason=reason,
        payload={"escalation": escalation.pk, "level": level, "trigger": trigger},
        at=at,
    )
    return escalation


def escalation_request(*, case, actor, data) -> Escalation:
    """An agent (or anyone working the case) asks for the desk, with a reason."""
    if not case.is_open:
        raise Conflict(MSG_CASE_ENDED)
    if not can_work_case(case, actor):
        raise NotAllowed()
    cleaned = _valid(EscalationRequestInput, data)
    with transaction.atomic():
        return _open(case, level=cleaned["level"], reason=cleaned["reason"], trigger="", actor=actor, at=timezone.now())


@receiver(escalation_triggered, dispatch_uid="escalation.on_trigger")
def escalate_on_trigger(sender, case, trigger, detail, **kwargs):
    """A second missed promise or a breached deadline puts the case in the desk's queue (L2), unless
    it is already escalated. Runs inside the transaction that recorded the trigger."""
    if not case.is_open or Escalation.objects.filter(case=case, state__in=("requested", "accepted")).exists():
        return
    reason = str(TRIGGER_REASONS.get(trigger, trigger))
    try:
        with transaction.atomic():
            _open(case, level=EscalationLevel.L2, reason=reason, trigger=trigger, actor=None, at=timezone.now())
    except Conflict:
        pass  # opened meanwhile by someone else: the case is escalated either way


def _step(escalation, name, actor, at, **values):
    method = getattr(escalation, name)
    if not can_proceed(method, check_conditions=False):
        raise Conflict(MSG_STATE % {"state": escalation.get_state_display()})
    if not has_transition_perm(method, actor):
        raise NotAllowed()
    method(at=at, **values)


def _locked(escalation):
    return Escalation.objects.select_for_update().select_related("case", "case__owner").get(pk=escalation.pk)


def _end(escalation, name, actor, data, kind, *, owner_back):
    outcome = _valid(EscalationOutcomeInput, data)["outcome"]
    try:
        with transaction.atomic():
            escalation = _locked(escalation)
            now = timezone.now()
            values = {"resolve": {"outcome": outcome}, "return_to_agent": {"guidance": outcome}}.get(
                name, {"reason": outcome}
            )
            _step(escalation, name, actor, now, **values)
            save_tracked(escalation, user=actor, at=now, reason=outcome)
            case = escalation.case
            if owner_back and escalation.previous_owner_id and case.owner_id != escalation.previous_owner_id:
                case_assign(case=case, owner_id=escalation.previous_owner_id, actor=actor)
            case_event_record(
                case=case, kind=kind, actor=actor, reason=outcome,
                payload={"escalation": escalation.pk, "level": escalation.level}, at=now,
            )  # fmt: skip
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return escalation


def escalation_accept(*, escalation, actor) -> Escalation:
    """A desk member takes the case: they become its owner (and keeper of its open promises)."""
    try:
        with transaction.atomic():
            escalation = _locked(escalation)
            now = timezone.now()
            _step(escalation, "accept", actor, now, by=actor)
            save_tracked(escalation, user=actor, at=now)
            case = escalation.case
            if not case.is_open:
                raise Conflict(MSG_CASE_ENDED)
            if case.owner_id != actor.pk:
                case_assign(case=case, owner_id=actor.pk, actor=actor)
            case_event_record(
                case=case, kind=events.ESCALATION_ACCEPTED, actor=actor,
                payload={"escalation": escalation.pk, "level": escalation.level}, at=now,
            )  # fmt: skip
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return escalation


def escalation_resolve(*, escalation, actor, data) -> Escalation:
    return _end(escalation, "resolve", actor, data, events.ESCALATION_RESOLVED, owner_back=False)


def escalation_return(*, escalation, actor, data) -> Escalation:
    """Back to the agent who had the case, with guidance."""
    return _end(escalation, "return_to_agent", actor, data, events.ESCALATION_RETURNED, owner_back=True)


def escalation_decline(*, escalation, actor, data) -> Escalation:
    """Not for the desk (an unjustified request), with the reason; the case stays with its owner."""
    return _end(escalation, "decline", actor, data, events.ESCALATION_DECLINED, owner_back=False)


__all__ = [
    "escalation_accept",
    "escalation_decline",
    "escalation_request",
    "escalation_resolve",
    "escalation_return",
]
