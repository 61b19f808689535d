"""Measures of how we keep our promises, for the dashboard (issue 11) and the desk: selectors only.

A promise counts once it is decided — kept, missed, or rescheduled by us — and its promised time
falls in the window. Kept in time = kept and never missed (the sweep marks a promise missed
PROMISE_GRACE_MINUTES after its time, so "within the window" is the grace period). Not counted: a
promise cancelled with a reason, one the customer asked to move (its successor counts instead), and
one still open before its grace period ends. Kept late = kept after it was missed.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q

from accounts.people import display_name

from .choices import PromiseState
from .models import Promise

DECIDED = Q(state__in=(PromiseState.KEPT, PromiseState.MISSED)) | Q(
    state=PromiseState.RESCHEDULED, rescheduled_by_customer=False
)
KEPT_IN_TIME = Q(state=PromiseState.KEPT, missed_at__isnull=True)
KEPT_LATE = Q(state=PromiseState.KEPT, missed_at__isnull=False)


@dataclass(frozen=True)
class PromiseRecord:
    key: int | None  # the keeper's (or the supervisor's, per team) user id
    name: str
    counted: int
    kept: int
    late: int

    @property
    def kept_rate(self) -> float | None:
        return self.kept / self.counted if self.counted else None


def _records(since, until, group_by, name_of):
    rows = (
        Promise.objects.filter(DECIDED, due_at__gte=since, due_at__lt=until)
        .values(group=F(group_by))
        .annotate(counted=Count("id"), kept=Count("id", filter=KEPT_IN_TIME), late=Count("id", filter=KEPT_LATE))
        .order_by("group")
    )
    rows = list(rows)
    names = name_of([row["group"] for row in rows if row["group"] is not None])
    return [
        PromiseRecord(row["group"], names.get(row["group"], "—"), row["counted"], row["kept"], row["late"])
        for row in rows
    ]


def user_names(ids):
    return {user.pk: display_name(user) for user in get_user_model().objects.filter(pk__in=ids)}


def promise_record_per_agent(*, since, until) -> list[PromiseRecord]:
    """Per keeper: promises decided in [since, until), kept in time, kept late. Two queries."""
    return _records(since, until, "keeper_id", user_names)


def promise_record_per_team(*, since, until) -> list[PromiseRecord]:
    """Per team (the keepers' supervisor on their profile; None = no supervisor set). Two queries."""
    return _records(since, until, "keeper__profile__supervisor_id", user_names)


def promise_record_overall(*, since, until) -> PromiseRecord:
    totals = Promise.objects.filter(DECIDED, due_at__gte=since, due_at__lt=until).aggregate(
        counted=Count("id"), kept=Count("id", filter=KEPT_IN_TIME), late=Count("id", filter=KEPT_LATE)
    )
    return PromiseRecord(None, "", totals["counted"], totals["kept"], totals["late"])
