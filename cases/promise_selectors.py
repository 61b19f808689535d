"""Every read of promises made outside the case page: one promise, the filtered list the API pages
through, and a keeper's "My callbacks". Each runs a fixed number of queries whatever the page size:
rows with their case and people joined, and (for the list) one bounded count."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.pagination import Page, Sort, count_capped, keyset_page

from .choices import OPEN_PROMISE_STATES
from .models import Promise

PROMISE_SORT = Sort(("due_at", "id"), descending=False, label=_("Due first"))
STATE_OPEN = "open"
CALLBACK_CASE_FIELDS = (
    "case__id",
    "case__state",
    "case__number",
    "case__customer_name",
    "case__owner_id",
    "case__is_open",
)
# "My callbacks" lists at most this many overdue and today's promises, oldest first: a keeper works
# them from the top and the next ones move up as these are done (a keeper with more has a problem no
# page solves: their supervisor is told of every missed one). 100 rows per group cost the page its
# 50 ms target at 1M cases (docs/benchmarks.md); the upcoming ones page by keyset.
CALLBACK_GROUP_CAP = 50
CALLBACK_PAGE_SIZE = 25


def promise_detail(pk) -> Promise | None:
    return Promise.objects.select_related("case", "keeper", "promised_by").filter(pk=pk).first()


@dataclass
class PromiseFilters:
    keeper_id: int | None = None
    overdue: bool | None = None  # open and due before now; False: anything else
    state: str | None = None  # "open" or a PromiseState value
    case_id: int | None = None
    due_before: datetime | None = None  # exclusive
    due_after: datetime | None = None  # inclusive


def _overdue(now):
    return Q(state__in=OPEN_PROMISE_STATES, due_at__lt=now)


def promise_list_queryset(filters: PromiseFilters, *, now=None):
    now = now or timezone.now()
    qs = Promise.objects.select_related("case", "keeper", "promised_by")
    if filters.keeper_id is not None:
        qs = qs.filter(keeper_id=filters.keeper_id)
    if filters.state == STATE_OPEN:
        qs = qs.filter(state__in=OPEN_PROMISE_STATES)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue is True:
        qs = qs.filter(_overdue(now))
    elif filters.overdue is False:
        qs = qs.exclude(_overdue(now))
    if filters.case_id is not None:
        qs = qs.filter(case_id=filters.case_id)
    if filters.due_before is not None:
        qs = qs.filter(due_at__lt=filters.due_before)
    if filters.due_after is not None:
        qs = qs.filter(due_at__gte=filters.due_after)
    return qs


def promise_list(filters: PromiseFilters, *, after=None, before=None, size=25) -> Page:
    qs = promise_list_queryset(filters)
    page = keyset_page(qs, PROMISE_SORT, after=after, before=before, size=size)
    page.count, page.count_capped = count_capped(qs)
    return page


@dataclass
class Callbacks:
    overdue: list
    today: list
    upcoming: Page
    overdue_more: bool = False
    today_more: bool = False

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.upcoming.items or self.upcoming.has_prev)


def _keeper_open(user):
    # The partial index promise_keeper_due serves each group: keeper, open, by due time.
    return (
        Promise.objects.filter(keeper=user, state__in=OPEN_PROMISE_STATES)
        .select_related("case")
        .only(
            "id",
            "kind",
            "state",
            "due_at",
            "description",
            "phone",
            "attempts",
            "last_attempt_at",
            "customer_chose_time",
            "keeper_id",
            *CALLBACK_CASE_FIELDS,
        )
    )


def _capped(qs):
    rows = list(qs.order_by(*PROMISE_SORT.order_by())[: CALLBACK_GROUP_CAP + 1])
    return rows[:CALLBACK_GROUP_CAP], len(rows) > CALLBACK_GROUP_CAP


def callbacks_for_keeper(user, *, now=None, after=None, before=None, size=CALLBACK_PAGE_SIZE) -> Callbacks:
    """`user`'s open promises: overdue (oldest first), due later today, upcoming (from tomorrow, in
    pages) — "today" is the user's day, in the time zone active for the request. Three queries."""
    now = now or timezone.now()
    tomorrow = timezone.make_aware(
        datetime.combine(timezone.localdate(now) + timedelta(days=1), time.min), timezone.get_current_timezone()
    )
    mine = _keeper_open(user)
    overdue, overdue_more = _capped(mine.filter(due_at__lt=now))
    today, today_more = _capped(mine.filter(due_at__gte=now, due_at__lt=tomorrow))
    upcoming = keyset_page(mine.filter(due_at__gte=tomorrow), PROMISE_SORT, after=after, before=before, size=size)
    return Callbacks(overdue, today, upcoming, overdue_more, today_more)
