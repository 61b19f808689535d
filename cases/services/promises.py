"""Promises to the customer: made, called, kept, missed, cancelled, rescheduled (models/promise.py).

Each service checks who may (403), what the promise's state allows (409) and the input (400), then
writes the promise, the case's `next_callback_at` (the earliest open promise) and a case event in
one transaction; the event's receivers tell people.

The retry rule: a call that does not reach the customer is an attempt and keeps nothing. The
promise is kept when the customer is reached, or after PROMISE_RETRY_ATTEMPTS unreached attempts at
least PROMISE_RETRY_SPACING_MINUTES apart — we called as promised, and the outcome says what
happened. A thing we promised to do (kind "other commitment") is kept when it is done.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed

from core.errors import Conflict, NotAllowed
from core.forms import valid_input
from core.history import save_tracked

from .. import events
from ..business_calendar import next_business_slot, within_business_hours
from ..choices import OPEN_PROMISE_STATES, PromiseKind, PromiseState
from ..models import Case, Promise
from ..permissions import can_work_case
from ..promise_inputs import PromiseCallInput, PromiseCancelInput, PromiseMakeInput, PromiseRescheduleInput
from .events import case_event_record

MSG_CASE_ENDED = _("This case has ended; its promises can no longer change.")
MSG_PROMISE_STATE = _("This promise is “%(state)s”; it can no longer be changed.")
MSG_STALE = _("Someone else changed this promise meanwhile; reload it and try again.")
MSG_RETRY = _(
    "Not reached: attempt %(n)d of %(max)d. Call again from %(next)s; after %(max)d attempts at least "
    "%(minutes)d minutes apart the promise counts as kept."
)
MSG_INVALID = _("Check the promise: %(fields)s.")


def retry_spacing() -> timedelta:
    return timedelta(minutes=settings.PROMISE_RETRY_SPACING_MINUTES)


def promise_build(
    *, case, kind, due_at, description, actor, at, phone=None, customer_chose_time=False, rescheduled_from=None
) -> Promise:
    """An unsaved promise kept by the case's owner; a call goes to the customer's number by default."""
    call = kind != PromiseKind.COMMITMENT
    return Promise(
        case=case,
        kind=kind,
        due_at=due_at,
        description=description,
        phone=(phone or case.customer_phone) if call else (phone or ""),
        customer_chose_time=customer_chose_time,
        promised_by=actor,
        keeper_id=case.owner_id,
        created_at=at,
        rescheduled_from=rescheduled_from,
    )


def next_promise_at(case, *, adding=()):
    """The earliest time still owed on `case`: its open promises as saved, plus `adding` (unsaved)."""
    saved = Promise.objects.filter(case=case, state__in=OPEN_PROMISE_STATES).aggregate(first=Min("due_at"))["first"]
    times = [t for t in (saved, *(p.due_at for p in adding if p.is_open)) if t is not None]
    return min(times, default=None)


def _valid(form_class, data):
    return valid_input(form_class, data, MSG_INVALID)


def _check_case(case, actor):
    if not case.is_open:
        raise Conflict(MSG_CASE_ENDED)
    if actor is not None and not can_work_case(case, actor):
        raise NotAllowed()


def _payload(promise, **extra):
    return {"promise": promise.pk, "promise_kind": promise.kind, "due_at": promise.due_at, **extra}


def _refresh_case(case, actor, now):
    case.next_callback_at = next_promise_at(case)
    case.updated_at = now
    save_tracked(case, user=actor, at=now)


def promise_make(*, case: Case, actor, data: dict) -> Promise:
    """A promise made to the customer on an open case (a progress callback while the analysis runs,
    a satisfaction check, anything we commit to)."""
    _check_case(case, actor)
    cleaned = _valid(PromiseMakeInput, data)
    now = timezone.now()
    with transaction.atomic():
        promise = promise_build(
            case=case,
            kind=cleaned["kind"],
            due_at=cleaned["due_at"],
            description=cleaned["description"],
            phone=cleaned["phone"],
            customer_chose_time=cleaned["customer_chose_time"],
            actor=actor,
            at=now,
        )
        save_tracked(promise, user=actor, at=now)
        _refresh_case(case, actor, now)
        case_event_record(
            case=case,
            kind=events.PROMISE_MADE,
            actor=actor,
            payload=_payload(
                promise,
                description=promise.description,
                phone=promise.phone,
                customer_chose_time=promise.customer_chose_time,
            ),
            at=now,
        )
    return promise


def _locked(promise):
    """The promise re-read under a row lock, so two people (or a person and the sweep) act in turn."""
    return Promise.objects.select_for_update().select_related("case", "case__owner").get(pk=promise.pk)


def _check_transition(promise, name):
    if not can_proceed(getattr(promise, name)):
        raise Conflict(MSG_PROMISE_STATE % {"state": promise.get_state_display()})


def promise_call(*, promise: Promise, actor, data: dict) -> Promise:
    """A call made to keep `promise` (or, for a commitment, the thing done). Reached or done: kept.
    Not reached: an attempt, until the retry rule keeps it."""
    cleaned = _valid(PromiseCallInput, data)
    try:
        with transaction.atomic():
            promise = _locked(promise)
            case = promise.case
            _check_case(case, actor)
            _check_transition(promise, "keep")
            now = timezone.now()
            reached, outcome = cleaned["reached"], cleaned["outcome"]
            if reached or not promise.is_call:
                return _keep(promise, actor, reached=reached, outcome=outcome, now=now)
            spaced = promise.last_attempt_at is None or now - promise.last_attempt_at >= retry_spacing()
            attempts = promise.attempts + 1 if spaced else promise.attempts
            if spaced and attempts >= settings.PROMISE_RETRY_ATTEMPTS:
                promise.attempts = attempts
                return _keep(promise, actor, reached=False, outcome=outcome, now=now)
            if spaced:  # a call too soon after the last one is on the record but does not count
                promise.attempts = attempts
                promise.first_attempt_at = promise.first_attempt_at or now
                promise.last_attempt_at = now
                save_tracked(promise, user=actor, at=now)
            case_event_record(
                case=case,
                kind=events.PROMISE_ATTEMPTED,
                actor=actor,
                payload=_payload(promise, attempts=promise.attempts, outcome=outcome),
                at=now,
            )
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return promise


def _retry_from(promise) -> str:
    """When to call again: the spacing after the last attempt, moved to the next business slot when
    that falls outside business hours — unless the customer asked for the promised time (a customer
    reachable only in the evening is called again in the evening)."""
    if promise.last_attempt_at is None:
        return ""
    next_at = promise.last_attempt_at + retry_spacing()
    if not promise.customer_chose_time and not within_business_hours(next_at):
        next_at = next_business_slot(next_at)
    next_at, last = timezone.localtime(next_at), timezone.localtime(promise.last_attempt_at)
    return next_at.strftime("%H:%M" if next_at.date() == last.date() else "%Y-%m-%d %H:%M")


def retry_message(promise) -> str:
    """What the agent is told after an unreached call (shown on the page and in the API)."""
    return str(
        MSG_RETRY
        % {
            "n": promise.attempts,
            "max": settings.PROMISE_RETRY_ATTEMPTS,
            "next": _retry_from(promise),
            "minutes": settings.PROMISE_RETRY_SPACING_MINUTES,
        }
    )


def _keep(promise, actor, *, reached, outcome, now):
    late = promise.state == PromiseState.MISSED
    promise.keep(reached=reached, outcome=outcome, at=now)
    save_tracked(promise, user=actor, at=now)
    _refresh_case(promise.case, actor, now)
    case_event_record(
        case=promise.case,
        kind=events.PROMISE_KEPT,
        actor=actor,
        payload=_payload(promise, reached=reached, outcome=outcome, late=late),
        at=now,
    )
    return promise


def promise_cancel(*, promise: Promise, actor, data: dict) -> Promise:
    cleaned = _valid(PromiseCancelInput, data)
    try:
        with transaction.atomic():
            promise = _locked(promise)
            _check_case(promise.case, actor)
            _check_transition(promise, "cancel")
            now = timezone.now()
            promise.cancel(reason=cleaned["reason"], at=now)
            save_tracked(promise, user=actor, at=now, reason=cleaned["reason"])
            _refresh_case(promise.case, actor, now)
            case_event_record(
                case=promise.case,
                kind=events.PROMISE_CANCELLED,
                actor=actor,
                payload=_payload(promise),
                reason=cleaned["reason"],
                at=now,
            )
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return promise


def promise_reschedule(*, promise: Promise, actor, data: dict) -> Promise:
    """Closes `promise` as rescheduled and makes its successor at the new time; returns the successor.
    Asked for by the customer, it is not a broken promise; initiated by us, it is."""
    cleaned = _valid(PromiseRescheduleInput, data)
    try:
        with transaction.atomic():
            old = _locked(promise)
            case = old.case
            _check_case(case, actor)
            _check_transition(old, "reschedule")
            now = timezone.now()
            old.reschedule(by_customer=cleaned["by_customer"], reason=cleaned["reason"], at=now)
            save_tracked(old, user=actor, at=now, reason=cleaned["reason"])
            new = promise_build(
                case=case,
                kind=old.kind,
                due_at=cleaned["due_at"],
                description=old.description,
                phone=old.phone,
                customer_chose_time=cleaned["by_customer"],
                actor=actor,
                at=now,
                rescheduled_from=old,
            )
            save_tracked(new, user=actor, at=now)
            _refresh_case(case, actor, now)
            case_event_record(
                case=case,
                kind=events.PROMISE_RESCHEDULED,
                actor=actor,
                payload=_payload(old, new_promise=new.pk, new_due_at=new.due_at, by_customer=cleaned["by_customer"]),
                reason=cleaned["reason"],
                at=now,
            )
    except ConcurrentTransition:
        raise Conflict(MSG_STALE) from None
    return new
