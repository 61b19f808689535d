"""Running a transition: the only way a case changes state.

Order of checks, each mapped to its HTTP status by core.errors:
  unknown transition → 404; not possible from the current state (or the page was stale) → 409;
  the role may not → 403; evidence missing or invalid, or a registered guard objects → 400;
  someone else moved the case between read and write → 409.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from accounts.roles import can_log_complaints
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.forms import invalid_input
from core.history import save_tracked

from .. import events
from .. import evidence as ev
from ..choices import PromiseKind
from ..guards import guard_errors
from ..models import Case, CaseOption
from .deadlines import deadlines_after_step
from .events import case_event_record
from .promises import next_promise_at, promise_build


@dataclass(frozen=True)
class TransitionSpec:
    label: str
    form: type
    event: events.EventKind
    # Evidence fields passed to the model's transition method (the rest is written by the service).
    method_fields: tuple = ()
    reason_field: str | None = None


TRANSITIONS = {
    "accept": TransitionSpec(_("Accept"), ev.AcceptEvidence, events.ACCEPT, ("first_contact_at", "customer_words")),
    "apologize": TransitionSpec(_("Apologize"), ev.ApologizeEvidence, events.APOLOGIZE, ("apology_text",)),
    "acknowledge": TransitionSpec(
        _("Acknowledge"), ev.AcknowledgeEvidence, events.ACKNOWLEDGE, ("restated_problem", "emotional_needs")
    ),
    "analyze": TransitionSpec(
        _("Analyze"),
        ev.AnalyzeEvidence,
        events.ANALYZE,
        ("facts", "root_cause", "category", "responsible_unit", "desired_outcome"),
    ),
    "offer_alternatives": TransitionSpec(_("Offer alternatives"), ev.AlternativesEvidence, events.OFFER_ALTERNATIVES),
    "agree": TransitionSpec(
        _("Confirm agreement"), ev.AgreeEvidence, events.AGREE, ("chosen_option", "next_callback_at")
    ),
    "assure": TransitionSpec(
        _("Assure"),
        ev.AssureEvidence,
        events.ASSURE,
        ("follow_up_note", "satisfaction", "resolution_letter", "no_letter_reason"),
    ),
    "close": TransitionSpec(pgettext_lazy("case step", "Close"), ev.CloseEvidence, events.CLOSE, ("closing_note",)),
    "withdraw": TransitionSpec(
        _("Withdraw"),
        ev.WithdrawEvidence,
        events.WITHDRAW,
        ("reason", "withdrawn_at", "withdrawal_channel", "withdrawal_words"),
        reason_field="reason",
    ),
    "reject": TransitionSpec(
        _("Reject as invalid"), ev.ReasonEvidence, events.REJECT, ("reason",), reason_field="reason"
    ),
    "reopen": TransitionSpec(_("Reopen"), ev.ReasonEvidence, events.REOPEN, ("reason",), reason_field="reason"),
}
FIRST_CONTACT_STEPS = ("accept", "apologize", "acknowledge")

MSG_UNKNOWN = _("There is no such step.")
MSG_WRONG_STATE = _("This step is not possible while the case is “%(state)s”.")
MSG_STALE = _("Someone else changed this case meanwhile; reload it and try again.")
MSG_REOPEN_WINDOW = _("A case can be reopened only within %(days)d days of closing.")
MSG_FOLLOW_UP = _("Call back to check that the agreed solution was delivered: %(option)s")
MSG_EVIDENCE = _("Evidence missing or invalid: %(fields)s.")


def _may_change_cases(actor):
    """A role that changes no case at all (an auditor, an administrator) is refused first: 403,
    whatever the step's name or the case's state would have answered."""
    if not can_log_complaints(actor):
        raise NotAllowed()


def _spec(name):
    try:
        return TRANSITIONS[name]
    except KeyError:
        raise NotFound(MSG_UNKNOWN) from None


def _transition_of(case, name):
    method = getattr(case, name)
    return method, method._django_fsm.get_transition(case.state)


def _check_allowed(case, name, actor, expected_state):
    """409 when the state does not allow it or the user acted on a stale page; 403 for the role."""
    if expected_state and expected_state != case.state:
        raise Conflict(MSG_STALE)
    method, fsm_transition = _transition_of(case, name)
    if not can_proceed(method, check_conditions=False):
        raise Conflict(MSG_WRONG_STATE % {"state": case.get_state_display()})
    if not fsm_transition.has_perm(case, actor):
        raise NotAllowed()
    if name == "reopen" and not can_proceed(method):
        message = MSG_REOPEN_WINDOW % {"days": settings.CASE_REOPEN_WINDOW_DAYS}
        raise InvalidInput(message, fields={"__all__": [message]})
    # The library's own combined check; by now it can only fail if the checks above are wrong.
    if not has_transition_perm(method, actor):
        raise NotAllowed()


def _validated(case, name, data):
    spec = _spec(name)
    form = spec.form(data or {}, case=case)
    errors = {}
    if not form.is_valid():
        errors = {field: list(messages) for field, messages in form.errors.items()}
    else:
        errors = guard_errors(name, case, form.cleaned_data)
    if errors:
        raise invalid_input(form, errors, MSG_EVIDENCE)
    return form.cleaned_data


def _agreed_promises(case, actor, cleaned, now):
    """The Agreement's promises: the follow-up call at the agreed time, and each commitment."""
    follow_up = promise_build(
        case=case,
        kind=PromiseKind.FOLLOW_UP,
        due_at=cleaned["next_callback_at"],
        description=str(MSG_FOLLOW_UP % {"option": cleaned["chosen_option"].action[:200]}),
        actor=actor,
        at=now,
        customer_chose_time=cleaned.get("callback_time_chosen_by_customer", False),
    )
    commitments = [
        promise_build(case=case, kind=PromiseKind.COMMITMENT, actor=actor, at=now, **item)
        for item in cleaned["commitments"]
    ]
    return [follow_up, *commitments]


def _apply(case, name, actor, cleaned, now):
    """Run one transition and everything it writes. Caller holds the transaction."""
    spec = TRANSITIONS[name]
    from_state = case.state
    getattr(case, name)(**{field: cleaned[field] for field in spec.method_fields}, at=now)
    case.updated_at = now
    rows = [case]
    if name == "offer_alternatives":
        rows += [
            CaseOption(case=case, round=case.options_round, position=position, **option)
            for position, option in enumerate(cleaned["options"], start=1)
        ]
    elif name == "agree":
        rows += _agreed_promises(case, actor, cleaned, now)
        case.next_callback_at = next_promise_at(case, adding=rows[1:])
    rows += deadlines_after_step(case, name, actor, now)
    reason = cleaned[spec.reason_field] if spec.reason_field else ""
    # The case first: ConcurrentTransitionMixin makes it UPDATE … WHERE state = from_state and raises
    # ConcurrentTransition if someone else moved the case, before anything else is written.
    save_tracked(*rows, user=actor, at=now, reason=reason or None)
    return case_event_record(
        case=case,
        kind=spec.event,
        actor=actor,
        from_state=from_state,
        to_state=case.state,
        reason=reason,
        payload={key: cleaned[key] for key in spec.event.payload_keys},
        at=now,
    )


def case_transition(
    *, case: Case, name: str, actor, data: dict | None = None, expected_state: str | None = None
) -> Case:
    """Run transition `name` on `case` with the step's evidence in `data`."""
    _may_change_cases(actor)
    _spec(name)
    _check_allowed(case, name, actor, expected_state)
    cleaned = _validated(case, name, data)
    try:
        with transaction.atomic():
            _apply(case, name, actor, cleaned, timezone.now())
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return case


def case_record_first_contact(*, case: Case, actor, data: dict, expected_state: str | None = None) -> Case:
    """Accept, Apologize and Acknowledge from one form (a live call): still three transitions and
    three events, all or nothing. Starts from whichever of the three is next."""
    _may_change_cases(actor)
    if expected_state and expected_state != case.state:
        raise Conflict(MSG_STALE)
    first = next((n for n in FIRST_CONTACT_STEPS if getattr(case, n)._django_fsm.has_transition(case.state)), None)
    if first is None:
        raise Conflict(MSG_WRONG_STATE % {"state": case.get_state_display()})
    remaining = FIRST_CONTACT_STEPS[FIRST_CONTACT_STEPS.index(first) :]
    # Validate every remaining step first so the agent sees all missing evidence at once.
    _check_allowed(case, remaining[0], actor, None)
    errors, cleaned = {}, {}
    for name in remaining:
        try:
            cleaned[name] = _validated(case, name, data)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput(_("Evidence missing or invalid."), fields=errors)
    try:
        with transaction.atomic():
            now = timezone.now()
            for name in remaining:
                _check_allowed(case, name, actor, None)
                _apply(case, name, actor, cleaned[name], now)
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return case


def transitions_available(case: Case, user) -> list[str]:
    """Transitions this user may run on this case now (for buttons; the service re-checks)."""
    names = []
    for name in TRANSITIONS:
        method = getattr(case, name)
        if has_transition_perm(method, user):
            names.append(name)
    return names
