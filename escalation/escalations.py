"""Escalations (models.Escalation): requested by a trigger or an agent, accepted by the desk (who
then owns the case), resolved, returned to the agent with guidance, or declined with a reason.

Each service checks who may (403), the state (409) and the input (400), then writes the escalation,
any change of owner (cases' own assignment service) and the case event in one transaction.
"""

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from accounts.people import all_supervisors, desk_members
from accounts.roles import CASE_WIDE_ROLES, Role, roles_of
from cases.evidence import TEXT_LIMIT
from cases.permissions import can_work_case
from cases.services import case_assign, case_escalation_status_set, case_event_record
from core.errors import Conflict, InvalidInput, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm

from . import events
from .choices import OPEN_ESCALATION_STATES, EscalationLevel, EscalationState
from .models import Escalation

MSG_CASE_ENDED = _("This case has ended; it can no longer be escalated.")
MSG_ALREADY_OPEN = _("This case is already escalated; see its open escalation.")
MSG_STATE = _("This escalation is “%(state)s”; it cannot do that now.")
MSG_STALE = _("Someone else changed this escalation meanwhile; reload it and try again.")
MSG_INVALID = _("Check the escalation: %(fields)s.")
MSG_NOT_DESK = _("Choose an active member of the escalation desk or a supervisor.")
MSG_SAME_HOLDER = _("They already hold this escalation.")
MSG_NOT_HIGHER = _("The escalation is already at %(level)s; choose a higher level.")
# Escalation.trigger of an escalation a rule requested: this, then the rule's code.
RULE_TRIGGER = "rule:"
# Who works escalations: the roles that work every case.
DESK_ROLES = CASE_WIDE_ROLES


class EscalationRequestInput(StrictInputForm):
    level = forms.TypedChoiceField(
        label=_("Level"), choices=EscalationLevel.choices, coerce=int, initial=EscalationLevel.L2
    )
    reason = forms.CharField(label=_("Why the case needs the desk"), max_length=TEXT_LIMIT)


class EscalationRaiseInput(StrictInputForm):
    level = forms.TypedChoiceField(label=_("Level"), choices=EscalationLevel.choices, coerce=int)
    reason = forms.CharField(label=_("Why it needs a higher level"), max_length=TEXT_LIMIT)


class EscalationOutcomeInput(StrictInputForm):
    outcome = forms.CharField(label=_("Outcome, guidance or reason"), max_length=TEXT_LIMIT)


def _valid(form_class, data):
    return valid_input(form_class, data, MSG_INVALID)


def _open(case, *, level, reason, trigger, actor, at, step_by=None) -> Escalation:
    escalation = Escalation(
        case=case, level=level, channel=case.channel, reason=reason, trigger=trigger, requested_by=actor,
        requested_at=at, previous_owner_id=case.owner_id,
    )  # fmt: skip
    escalation.rank(case.customer_tier)
    try:
        with transaction.atomic():
            save_tracked(escalation, user=actor, at=at, reason=reason)
            _case_follows(escalation, case, actor or step_by, at)
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


def _case_follows(escalation, case, actor, at) -> None:
    """The case keeps a copy of its open escalation's state (Case.escalation_status)."""
    status = escalation.state if escalation.state in OPEN_ESCALATION_STATES else ""
    case_escalation_status_set(case, status, actor=actor, at=at)


def escalation_request(*, case, actor, data) -> Escalation:
    """An agent (or anyone working the case) asks for the desk, with a reason."""
    if not case.is_open:
        raise Conflict(MSG_CASE_ENDED)
    if not can_work_case(case, actor):
        raise NotAllowed()
    cleaned = _valid(EscalationRequestInput, data)
    with transaction.atomic():
        return _open(case, level=cleaned["level"], reason=cleaned["reason"], trigger="", actor=actor, at=timezone.now())


def escalation_open_for_rule(case, rule, *, step_by=None) -> Escalation | None:
    """A rule held (rules.py): the case goes to the rule's level with its reason, asked by the system
    (no requester; the rule firing names whose step made it hold, `step_by`, who is also named on the
    case's change). None when someone opened an escalation meanwhile (the case is escalated either
    way). Caller holds the transaction."""
    try:
        with transaction.atomic():
            return _open(
                case, level=rule.level, reason=rule.reason, trigger=f"{RULE_TRIGGER}{rule.code}", actor=None,
                at=timezone.now(), step_by=step_by,
            )  # fmt: skip
    except Conflict:
        return None


def _raise(escalation, *, level, reason, actor, at):
    from_level = escalation.level
    escalation.level = level
    escalation.rank(escalation.case.customer_tier)
    save_tracked(escalation, user=actor, at=at, reason=reason)
    case_event_record(
        case=escalation.case, kind=events.ESCALATION_RAISED, actor=actor, reason=reason,
        payload={"escalation": escalation.pk, "from_level": from_level, "level": level}, at=at,
    )  # fmt: skip


def escalation_rerank(case, *, actor) -> None:
    """The customer's tier or the case's channel changed: its open escalation takes its new place in
    the desk's queue and under its channel filter. Caller holds the transaction."""
    escalation = Escalation.objects.select_for_update().filter(case=case, state__in=OPEN_ESCALATION_STATES).first()
    if escalation is not None:
        before = (escalation.urgency_rank, escalation.channel)
        escalation.rank(case.customer_tier)
        escalation.channel = case.channel
        if (escalation.urgency_rank, escalation.channel) != before:
            save_tracked(escalation, user=actor)


def escalation_raise_for_rule(escalation, rule) -> None:
    """A rule of a higher level held while the case was already escalated: up to its level (by the
    system, like the request)."""
    _raise(escalation, level=rule.level, reason=rule.reason, actor=None, at=timezone.now())


def escalation_raise(*, escalation, actor, data) -> Escalation:
    """Up a level (L2 → L3) with a reason, by the desk or a supervisor; the state is unchanged, so
    whoever accepted it keeps the case."""
    cleaned = _valid(EscalationRaiseInput, data)
    try:
        with transaction.atomic():
            escalation = _locked(escalation)
            if escalation.state not in OPEN_ESCALATION_STATES:
                raise Conflict(MSG_STATE % {"state": escalation.get_state_display()})
            if not roles_of(actor) & DESK_ROLES:
                raise NotAllowed()
            if cleaned["level"] <= escalation.level:
                raise InvalidInput(fields={"level": [MSG_NOT_HIGHER % {"level": escalation.get_level_display()}]})
            _raise(escalation, level=cleaned["level"], reason=cleaned["reason"], actor=actor, at=timezone.now())
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return escalation


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
            _case_follows(escalation, case, actor, now)
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
            _case_follows(escalation, case, actor, now)
            if case.owner_id != actor.pk:
                case_assign(case=case, owner_id=actor.pk, actor=actor)
            case_event_record(
                case=case, kind=events.ESCALATION_ACCEPTED, actor=actor,
                payload={"escalation": escalation.pk, "level": escalation.level}, at=now,
            )  # fmt: skip
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return escalation


class EscalationHandOverInput(StrictInputForm):
    to = forms.IntegerField(label=_("Desk member"), min_value=1)
    note = forms.CharField(label=_("Note for them"), max_length=TEXT_LIMIT, required=False)


def desk_people() -> dict:
    """Everyone an escalation may be handed to, by id: desk members and supervisors (cached lists)."""
    return {user.pk: user for user in (*desk_members(), *all_supervisors())}


def _desk_member(pk):
    people = desk_people()
    if pk not in people:
        raise InvalidInput(fields={"to": [MSG_NOT_DESK]})
    return people[pk]


def escalation_hand_over(*, escalation, actor, data) -> Escalation:
    """Claim for someone, or reassign: a requested escalation is accepted on behalf of the desk
    member named, an accepted one passes to them; either way they own the case from now on. Who may:
    a supervisor, or the desk member who holds it."""
    cleaned = _valid(EscalationHandOverInput, data)
    to = _desk_member(cleaned["to"])
    note = cleaned.get("note") or ""
    try:
        with transaction.atomic():
            escalation = _locked(escalation)
            now = timezone.now()
            from_user = escalation.accepted_by_id
            lead = Role.SUPERVISOR in roles_of(actor)
            if escalation.state == EscalationState.REQUESTED:
                if not lead and actor.pk != to.pk:
                    raise NotAllowed()  # a desk member claims for themselves; a supervisor for anyone
                _step(escalation, "accept", actor, now, by=to)
            elif escalation.state == EscalationState.ACCEPTED:
                if not lead and actor.pk != from_user:
                    raise NotAllowed()
                if to.pk == from_user:
                    raise InvalidInput(fields={"to": [MSG_SAME_HOLDER]})
                escalation.accepted_by = to
            else:
                raise Conflict(MSG_STATE % {"state": escalation.get_state_display()})
            save_tracked(escalation, user=actor, at=now, reason=note or None)
            case = escalation.case
            if not case.is_open:
                raise Conflict(MSG_CASE_ENDED)
            _case_follows(escalation, case, actor, now)
            if case.owner_id != to.pk:
                case_assign(case=case, owner_id=to.pk, actor=actor)
            case_event_record(
                case=case, kind=events.ESCALATION_HANDED_OVER, actor=actor, reason=note,
                payload={"escalation": escalation.pk, "from_user": from_user, "to_user": to.pk}, at=now,
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
    "escalation_hand_over",
    "escalation_raise",
    "escalation_request",
    "escalation_resolve",
    "escalation_return",
]
