"""How a deadline stands, for the case page, the queues and the API (reads only; the writes are in
services/deadlines.py). Time left is business time (business_calendar.py): "2 h left" at 17:00 on
a Friday means Monday 11:00 — and it is frozen while the clock is paused."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .business_calendar import business_hours, business_time_between


class DeadlineStatus(models.TextChoices):
    RUNNING = "running", gettext_lazy("Running")
    WARNING = "warning", gettext_lazy("Nearly due")
    PAUSED = "paused", gettext_lazy("Paused")
    BREACHED = "breached", gettext_lazy("Breached")
    MET = "met", gettext_lazy("Met")
    MET_LATE = "met_late", gettext_lazy("Met late")
    ENDED = "ended", gettext_lazy("No longer counted")


def time_left(due_at, *, now, paused_at=None) -> timedelta:
    """Business time from now (or from the pause, while paused) until `due_at`; negative once past."""
    return business_time_between(paused_at or now, due_at)


def deadline_status(deadline, now) -> DeadlineStatus:
    if deadline.met_at is not None:
        return (
            DeadlineStatus.MET_LATE if deadline.breached_at or deadline.met_at > deadline.due_at else DeadlineStatus.MET
        )
    if deadline.ended_at is not None:
        return DeadlineStatus.ENDED
    if deadline.breached_at is not None or deadline.due_at <= (deadline.paused_at or now):
        return DeadlineStatus.BREACHED
    if deadline.paused_at is not None:
        return DeadlineStatus.PAUSED
    if deadline.warned_at is not None or deadline.warn_at <= now:
        return DeadlineStatus.WARNING
    return DeadlineStatus.RUNNING


def duration_label(amount: timedelta, *, day_minutes: int = 24 * 60) -> str:
    """ "3 h 05 min", "45 min", "2 d 4 h" (sign dropped); a day is `day_minutes` long."""
    minutes = int(abs(amount).total_seconds() // 60)
    days, minutes = divmod(minutes, day_minutes)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def business_duration(amount: timedelta) -> str:
    """A span of business time, where a day is a working day's hours (9 h with 09:00–18:00)."""
    opens, closes = business_hours()
    day = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
    return duration_label(amount, day_minutes=day)


def time_left_text(case, now) -> tuple[str, bool] | None:
    """("3 h 05 min left" | "overdue by 2 h", overdue) for an open case's next deadline, in business
    time and frozen while the clock is paused; None when no deadline runs (the queues' column)."""
    if not case.is_open or case.deadline_at is None:
        return None
    left = time_left(case.deadline_at, now=now, paused_at=case.clock_paused_at)
    overdue = left.total_seconds() < 0
    return (_("overdue by %(t)s") if overdue else _("%(t)s left")) % {"t": business_duration(left)}, overdue


def deadline_rows(deadlines, now) -> list[dict]:
    """The case page's deadlines, newest deadline of each kind last, with status and time left."""
    rows = []
    for deadline in deadlines:
        status = deadline_status(deadline, now)
        left = None
        if status in (DeadlineStatus.RUNNING, DeadlineStatus.WARNING, DeadlineStatus.PAUSED, DeadlineStatus.BREACHED):
            left = time_left(deadline.due_at, now=now, paused_at=deadline.paused_at)
        rows.append({"deadline": deadline, "status": status, "left": left})
    return rows
