"""Deadlines (models/deadline.py): started at intake, met by their step, paused and resumed while the
case waits on the customer.

Everything is counted in business hours (business_calendar.py): a VIP's 1-hour first response logged
Friday at 17:30 is due Monday at 09:30 (if Monday is a working day). The warning comes when 80% of
the allowance is used. A pause stops the count: on resume every live deadline is due as much
business time after the resume as it had left when the pause began.
"""

from datetime import timedelta

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm

from .. import events
from ..business_calendar import add_business_hours, business_time_between
from ..choices import DeadlineKind
from ..evidence import TEXT_LIMIT
from ..models import Case, ClockPause, Deadline, DeadlinePolicy
from ..permissions import can_work_case
from ..reference import cached
from .events import case_event_record

WARN_SHARE = 0.8
# A tier and channel the admin removed from the policy table counts as a standard phone complaint.
FALLBACK_HOURS = (8, 45)

MSG_CASE_ENDED = _("This case has ended; its clock no longer runs.")
MSG_ALREADY_PAUSED = _("The clock is already paused.")
MSG_NOT_PAUSED = _("The clock is not paused.")
MSG_NOTHING_RUNNING = _("No deadline is running on this case.")
MSG_INVALID = _("Check the pause: %(fields)s.")

# What each step does to the case's deadlines.
MEETS = {"accept": DeadlineKind.FIRST_RESPONSE, "assure": DeadlineKind.RESOLUTION}
# Close needs nothing here: Assure before it met the last live deadline.
ENDS = ("withdraw", "reject")
DEADLINE_STEPS = frozenset((*MEETS, *ENDS, "reopen"))


class ClockPauseInput(StrictInputForm):
    reason = forms.CharField(
        label=_("Why the case waits on the customer"), max_length=TEXT_LIMIT, help_text=_("Recorded on the case.")
    )


def policy_hours(tier: str, channel: str) -> tuple[int, int]:
    """(first response, resolution) business hours for a customer tier and channel."""
    table = cached(
        DeadlinePolicy,
        lambda: {
            (row.customer_tier, row.channel): (row.first_response_hours, row.resolution_hours)
            for row in DeadlinePolicy.objects.all()
        },
    )
    return table.get((tier, channel), FALLBACK_HOURS)


def deadline_build(*, case, kind, hours: int, start) -> Deadline:
    return Deadline(
        case=case,
        kind=kind,
        owner_id=case.owner_id,
        started_at=start,
        allowed_hours=hours,
        due_at=add_business_hours(start, hours),
        warn_at=add_business_hours(start, timedelta(hours=hours) * WARN_SHARE),
    )


def deadlines_build(case) -> list[Deadline]:
    """A new case's two deadlines (unsaved), both counted from when the complaint was logged."""
    first_response, resolution = policy_hours(case.customer_tier, case.channel)
    return [
        deadline_build(case=case, kind=DeadlineKind.FIRST_RESPONSE, hours=first_response, start=case.created_at),
        deadline_build(case=case, kind=DeadlineKind.RESOLUTION, hours=resolution, start=case.created_at),
    ]


def earliest_due(deadlines) -> object:
    return min((d.due_at for d in deadlines if d.is_live), default=None)


def deadlines_after_step(case, name: str, actor, now) -> list:
    """The rows a step changes (caller saves them after the case): Accept meets the first response,
    Assure the resolution; an ending stops every live deadline; a reopened case gets a new
    resolution deadline. A pause ends with the last live deadline. Sets `case.deadline_at`. Other
    steps change nothing (no query)."""
    if name not in DEADLINE_STEPS:
        return []
    live = list(case.deadlines.filter(met_at__isnull=True, ended_at__isnull=True))
    # Whether the clock is paused is read from the rows, not from `case`, which may predate a pause.
    paused_since = min((d.paused_at for d in live if d.paused_at), default=None)
    changed = []
    for deadline in live:
        if MEETS.get(name) == deadline.kind:
            deadline.met_at = now
        elif name in ENDS:
            deadline.ended_at = now
        else:
            continue
        deadline.paused_at = None
        changed.append(deadline)
    if name == "reopen":
        _first_response, resolution = policy_hours(case.customer_tier, case.channel)
        changed.append(deadline_build(case=case, kind=DeadlineKind.RESOLUTION, hours=resolution, start=now))
        live.append(changed[-1])
    case.deadline_at = earliest_due(live)
    if case.deadline_at is None and paused_since is not None:
        changed += _pause_closed(case, actor, now)
    else:
        case.clock_paused_at = paused_since if case.deadline_at is not None else None
    return changed


def _pause_closed(case, actor, now) -> list:
    pause = ClockPause.objects.filter(case=case, resumed_at__isnull=True).first()
    case.clock_paused_at = None
    if pause is None:
        return []
    pause.resumed_at, pause.resumed_by = now, actor
    return [pause]


def business_time_left(deadline, now=None) -> timedelta:
    """Business time until `deadline` is due (negative once past): frozen while the clock is paused."""
    reference = deadline.paused_at or now or timezone.now()
    return business_time_between(reference, deadline.due_at)


def _locked_case(case):
    return Case.objects.select_for_update().get(pk=case.pk)


def _check(case, actor):
    if not case.is_open:
        raise Conflict(MSG_CASE_ENDED)
    if not can_work_case(case, actor):
        raise NotAllowed()


def case_clock_pause(*, case: Case, actor, data: dict) -> ClockPause:
    """Stop the case's deadlines while it waits on the customer, with the reason on the record."""
    _check(case, actor)
    reason = valid_input(ClockPauseInput, data, MSG_INVALID)["reason"]
    now = timezone.now()
    with transaction.atomic():
        case = _locked_case(case)  # pauses and resumes of one case take turns
        _check(case, actor)
        if case.clock_paused_at is not None:
            raise Conflict(MSG_ALREADY_PAUSED)
        live = list(case.deadlines.filter(met_at__isnull=True, ended_at__isnull=True))
        if not live:
            raise Conflict(MSG_NOTHING_RUNNING)
        pause = ClockPause(case=case, reason=reason, paused_at=now, paused_by=actor)
        for deadline in live:
            deadline.paused_at = now
        case.clock_paused_at = now
        case.updated_at = now
        save_tracked(case, pause, *live, user=actor, at=now, reason=reason)
        case_event_record(
            case=case,
            kind=events.CLOCK_PAUSED,
            actor=actor,
            reason=reason,
            payload={"deadlines": [_summary(d) for d in live]},
            at=now,
        )
    return pause


def _moved_on(moment, paused_at, now):
    """`moment` as far after `now` in business time as it was after `paused_at`; a moment already
    past when the pause began stays where it was (the breach or warning stands)."""
    if moment <= paused_at:
        return moment
    return add_business_hours(now, business_time_between(paused_at, moment))


def case_clock_resume(*, case: Case, actor) -> Case:
    """Restart the case's deadlines: each is due as much business time from now as it had left."""
    _check(case, actor)
    now = timezone.now()
    with transaction.atomic():
        case = _locked_case(case)
        _check(case, actor)
        if case.clock_paused_at is None:
            raise Conflict(MSG_NOT_PAUSED)
        pause = ClockPause.objects.get(case=case, resumed_at__isnull=True)
        live = list(case.deadlines.filter(met_at__isnull=True, ended_at__isnull=True))
        for deadline in live:
            paused_at = deadline.paused_at or pause.paused_at
            deadline.due_at = _moved_on(deadline.due_at, paused_at, now)
            if deadline.warned_at is None:
                deadline.warn_at = _moved_on(deadline.warn_at, paused_at, now)
            deadline.paused_at = None
        pause.resumed_at, pause.resumed_by = now, actor
        case.clock_paused_at = None
        case.deadline_at = earliest_due(live)
        case.updated_at = now
        save_tracked(case, pause, *live, user=actor, at=now)
        case_event_record(
            case=case,
            kind=events.CLOCK_RESUMED,
            actor=actor,
            payload={
                "paused_at": pause.paused_at,
                "business_minutes_paused": int(business_time_between(pause.paused_at, now).total_seconds() // 60),
                "deadlines": [_summary(d) for d in live],
            },
            at=now,
        )
    return case


def _summary(deadline) -> dict:
    return {"kind": deadline.kind, "due_at": deadline.due_at}
