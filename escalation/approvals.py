"""Compensation approvals (models.CompensationApproval): no one promises a customer compensation above
the authority of whoever offered it, unless someone with enough authority approved it first.

- Offering alternatives opens a request for every option above the proposer's limit, in the same
  transaction (nothing depends on the agent remembering); anyone working the case may also ask for
  one (an option offered before a limit was lowered).
- Agreement on such an option is refused (cases' guard registry, field `chosen_option`) until an
  approval for at least its compensation exists.
- A decider needs a limit at least the amount and must not be the one who asked (403 otherwise).
- A request still open when the case leaves "alternatives offered" is superseded.

Each service checks the state (409), who may (403) and the input (400), then writes the approval and
the case event in one transaction; notifications are stored there and sent after commit.
"""

from decimal import Decimal

from django import forms
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from cases import events as case_events
from cases.choices import CaseState
from cases.evidence import TEXT_LIMIT
from cases.models import Case, CaseEvent, CaseOption
from cases.permissions import can_work_case
from cases.services import case_event_record
from cases.signals import case_event_recorded
from core.errors import Conflict, InvalidInput, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm

from . import events
from .approval_notify import tell_deciders, tell_of_decision
from .authority import authority_limit_of
from .choices import ApprovalDecision, ApprovalState
from .models import CompensationApproval

MSG_NOT_OFFERING = _("Approval is asked and given only while alternatives are offered to the customer.")
MSG_NO_OPTION = _("Choose one of the options offered in this round.")
MSG_NOT_NEEDED = _("This option is within the authority of whoever offered it: no approval is needed.")
MSG_ALREADY_OPEN = _("This option already awaits a decision.")
MSG_ALREADY_APPROVED = _("This option is already approved.")
MSG_STATE = _("This approval is “%(state)s”; it cannot be decided now.")
MSG_OWN_REQUEST = _("You cannot decide your own approval request: ask a colleague with enough authority.")
MSG_ABOVE_LIMIT = _("¥%(amount)s is above your authority (¥%(limit)s): someone with a higher limit must decide.")
MSG_STALE = _("Someone else decided this approval meanwhile; reload it and try again.")
MSG_INVALID = _("Check the approval: %(fields)s.")
MSG_AUTOMATIC = _("¥%(amount)s is above the authority of whoever offered it (¥%(limit)s).")
MSG_SUPERSEDED = _("The case left “alternatives offered”: nobody can agree to this option any more.")
# The guard's answers on Agreement (field `chosen_option`).
MSG_AGREE_PENDING = _("¥%(amount)s is above the proposer's authority and awaits approval: agree once it is approved.")
MSG_AGREE_REJECTED = _(
    "¥%(amount)s is above the proposer's authority and was not approved: choose another option or offer new ones."
)
MSG_AGREE_MISSING = _("¥%(amount)s is above the proposer's authority: request approval before the customer agrees.")


class ApprovalRequestInput(StrictInputForm):
    option = forms.IntegerField(label=_("Option"), min_value=1, help_text=_("Its position in the current round."))
    reason = forms.CharField(label=_("Why this compensation"), max_length=TEXT_LIMIT)


class ApprovalDecideInput(StrictInputForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=ApprovalDecision.choices)
    reason = forms.CharField(label=_("Reason for the decision"), max_length=TEXT_LIMIT)


def offer_proposer(case):
    """Who offered the case's current round: the actor of its latest "alternatives offered" event
    (rounds only grow, one event each). None when there is none."""
    event = (
        CaseEvent.objects.filter(case=case, kind=case_events.OFFER_ALTERNATIVES.code)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event else None


def _payload(approval, **extra) -> dict:
    option = approval.option
    return {"approval": approval.pk, "round": option.round, "option": option.position, "amount": str(approval.amount),
            **extra}  # fmt: skip


def _open(case, option, *, actor, reason, automatic, at) -> CompensationApproval:
    approval = CompensationApproval(
        case=case, option=option, amount=option.compensation, reason=reason, automatic=automatic,
        requested_by=actor, requested_at=at,
    )  # fmt: skip
    try:
        with transaction.atomic():
            save_tracked(approval, user=actor, at=at, reason=reason)
    except IntegrityError:  # one open request per option (two people asked at once)
        raise Conflict(MSG_ALREADY_OPEN) from None
    case_event_record(
        case=case,
        kind=events.COMPENSATION_APPROVAL_REQUESTED,
        actor=actor,
        reason=reason,
        payload=_payload(approval, automatic=automatic),
        at=at,
    )
    tell_deciders(approval)
    return approval


def _option(case, position) -> CaseOption:
    option = CaseOption.objects.filter(case=case, round=case.options_round, position=position).first()
    if option is None:
        raise InvalidInput(MSG_INVALID % {"fields": _("Option")}, fields={"option": [MSG_NO_OPTION]})
    return option


def approval_request(*, case, actor, data) -> CompensationApproval:
    """Ask for approval of one option of the current round (`option`: its position), with a reason."""
    if case.state != CaseState.ALTERNATIVES_OFFERED:
        raise Conflict(MSG_NOT_OFFERING)
    if not can_work_case(case, actor):
        raise NotAllowed()
    cleaned = valid_input(ApprovalRequestInput, data, MSG_INVALID)
    option = _option(case, cleaned["option"])
    if option.compensation <= authority_limit_of(offer_proposer(case)):
        raise InvalidInput(MSG_INVALID % {"fields": _("Option")}, fields={"option": [MSG_NOT_NEEDED]})
    with transaction.atomic():
        states = set(CompensationApproval.objects.filter(option=option).values_list("state", flat=True))
        if ApprovalState.APPROVED in states:
            raise Conflict(MSG_ALREADY_APPROVED)
        if ApprovalState.REQUESTED in states:
            raise Conflict(MSG_ALREADY_OPEN)
        return _open(case, option, actor=actor, reason=cleaned["reason"], automatic=False, at=timezone.now())


def _check_decider(approval, actor):
    if actor.pk == approval.requested_by_id:
        raise NotAllowed(MSG_OWN_REQUEST)
    limit = authority_limit_of(actor)
    if limit < approval.amount:
        raise NotAllowed(MSG_ABOVE_LIMIT % {"amount": approval.amount, "limit": limit})


def approval_decide(*, approval, actor, data) -> CompensationApproval:
    """Approve or reject, with the reason; by someone with enough authority who did not ask."""
    cleaned = valid_input(ApprovalDecideInput, data, MSG_INVALID)
    approve = cleaned["decision"] == ApprovalDecision.APPROVE
    try:
        with transaction.atomic():
            # The case first, then its approval: the order every writer of a case takes its locks in
            # (cases/services/events.py), so an agent's step on this case and this decision never
            # wait on each other in a circle.
            Case.objects.select_for_update(no_key=True).filter(pk=approval.case_id).values_list("pk").first()
            approval = (
                CompensationApproval.objects.select_for_update(of=("self",))
                .select_related("case", "case__owner", "option", "requested_by")
                .get(pk=approval.pk)
            )
            method = approval.approve if approve else approval.reject
            if not can_proceed(method):
                raise Conflict(MSG_STATE % {"state": approval.get_state_display()})
            if approval.case.state != CaseState.ALTERNATIVES_OFFERED:
                raise Conflict(MSG_NOT_OFFERING)
            _check_decider(approval, actor)
            if not has_transition_perm(method, actor):  # the library's own check; the above explains why
                raise NotAllowed()
            now = timezone.now()
            method(by=actor, reason=cleaned["reason"], at=now)
            save_tracked(approval, user=actor, at=now, reason=cleaned["reason"])
            case_event_record(
                case=approval.case,
                kind=events.COMPENSATION_APPROVED if approve else events.COMPENSATION_REJECTED,
                actor=actor,
                reason=cleaned["reason"],
                payload=_payload(approval),
                at=now,
            )
            tell_of_decision(approval)
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return approval


def _open_automatically(case, event, actor):
    """Offering alternatives: a request for each option above the proposer's own limit."""
    if actor is None:
        return
    limit = authority_limit_of(actor)
    offered = (Decimal(str(o.get("compensation") or 0)) for o in event.payload.get("options", ()))
    if not any(amount > limit for amount in offered):
        return  # nothing above it: no query for the options
    above = CaseOption.objects.filter(case=case, round=case.options_round, compensation__gt=limit).order_by("position")
    for option in above:
        reason = str(MSG_AUTOMATIC % {"amount": option.compensation, "limit": limit})
        _open(case, option, actor=actor, reason=reason, automatic=True, at=event.created_at)


def _supersede_open(case, event, actor):
    for approval in CompensationApproval.objects.select_for_update().filter(case=case, state=ApprovalState.REQUESTED):
        approval.supersede(reason=str(MSG_SUPERSEDED), at=event.created_at)
        save_tracked(approval, user=actor, at=event.created_at, reason=str(MSG_SUPERSEDED))


@receiver(case_event_recorded, sender=CaseEvent, dispatch_uid="escalation.approvals")
def approvals_follow_the_case(sender, case, event, actor, **kwargs):
    """Inside the step's transaction: offering opens the requests it needs; leaving "alternatives
    offered" (Agreement, withdrawal, rejection) supersedes the ones still open."""
    if event.kind == case_events.OFFER_ALTERNATIVES.code:
        _open_automatically(case, event, actor)
    elif event.from_state == CaseState.ALTERNATIVES_OFFERED and event.to_state != event.from_state:
        _supersede_open(case, event, actor)


def agreement_guard(case, evidence) -> dict | None:
    """Agreement on an option above the proposer's authority needs an approval of at least its
    compensation (a pure check: reads, writes nothing)."""
    option = evidence.get("chosen_option")
    if not isinstance(option, CaseOption) or option.compensation <= 0:
        return None
    if option.compensation <= authority_limit_of(offer_proposer(case)):
        return None
    latest = CompensationApproval.objects.filter(option=option).order_by("-requested_at", "-id")
    states = [(a.state, a.amount) for a in latest]
    if any(state == ApprovalState.APPROVED and amount >= option.compensation for state, amount in states):
        return None
    newest = states[0][0] if states else None
    message = {ApprovalState.REQUESTED: MSG_AGREE_PENDING, ApprovalState.REJECTED: MSG_AGREE_REJECTED}.get(
        newest, MSG_AGREE_MISSING
    )
    return {"chosen_option": message % {"amount": option.compensation}}


__all__ = ["agreement_guard", "approval_decide", "approval_request", "offer_proposer"]
