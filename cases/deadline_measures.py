"""Measures of how we keep our deadlines, for the dashboard (issue 11): selectors only.

A deadline counts in the window its due time falls in, once it is decided: met (in time or late),
or breached while still open. Not counted: one still running, and one that stopped counting before
it fell due (the case withdrawn or rejected in time). Breached = the sweep recorded a breach, whether
the step came late afterwards or not at all. Grouped by who answers for the deadline (Deadline.owner:
the case's owner while it ran, kept once it was decided, so a breach stays with whoever held the case
when it happened), or their team (their supervisor on their profile).
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q

from .choices import DeadlineKind
from .models import Deadline
from .promise_measures import user_names

DECIDED = Q(met_at__isnull=False) | Q(breached_at__isnull=False)
BREACHED = Q(breached_at__isnull=False)


@dataclass(frozen=True)
class DeadlineRecord:
    key: int | None  # the owner's (or, per team, the supervisor's) user id
    name: str
    counted: int
    breached: int
    first_response_breached: int

    @property
    def breach_rate(self) -> float | None:
        return self.breached / self.counted if self.counted else None


def _window(since, until):
    return Deadline.objects.filter(DECIDED, due_at__gte=since, due_at__lt=until)


def _totals():
    return {
        "counted": Count("id"),
        "breached": Count("id", filter=BREACHED),
        "first_response_breached": Count("id", filter=BREACHED & Q(kind=DeadlineKind.FIRST_RESPONSE)),
    }


def _records(since, until, group_by):
    rows = list(_window(since, until).values(group=F(group_by)).annotate(**_totals()).order_by("group"))
    names = user_names([row["group"] for row in rows if row["group"] is not None])
    return [
        DeadlineRecord(
            row["group"], names.get(row["group"], "—"), row["counted"], row["breached"], row["first_response_breached"]
        )
        for row in rows
    ]


def deadline_record_per_agent(*, since, until) -> list[DeadlineRecord]:
    """Per person answerable: deadlines due in [since, until) and decided, and how many were breached.
    Two queries."""
    return _records(since, until, "owner_id")


def deadline_record_per_team(*, since, until) -> list[DeadlineRecord]:
    return _records(since, until, "owner__profile__supervisor_id")


def deadline_record_overall(*, since, until) -> DeadlineRecord:
    totals = _window(since, until).aggregate(**_totals())
    return DeadlineRecord(None, "", totals["counted"], totals["breached"], totals["first_response_breached"])
