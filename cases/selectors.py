"""Every read the pages and the API make of cases, with its joins planned.

Queues run a fixed number of queries whatever the page size: one for the rows (owner joined),
one bounded count.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.pagination import COUNT_CAP, Page, Sort, count_capped, keyset_page

from .choices import CaseState
from .models import Case, CaseEvent, CaseOption, Deadline, Promise, deadline_key, next_promise_key
from .search import case_search

SORTS = {
    "priority": Sort(("priority", "created_at", "id"), descending=False, label=_("Priority, oldest first")),
    "oldest": Sort(("created_at", "id"), descending=False, label=_("Oldest first")),
    "newest": Sort(("created_at", "id"), descending=True, label=_("Newest first")),
    "next_promise": Sort(
        ("next_promise_at", "id"),
        descending=False,
        label=_("Next promise first"),
        computed=(("next_promise_at", next_promise_key()),),
    ),
    "deadline": Sort(
        ("deadline_key", "id"),
        descending=False,
        label=_("Least time left first"),
        computed=(("deadline_key", deadline_key()),),
    ),
}
DEFAULT_SORT = "priority"
PAGE_SIZES = (25, 50, 100)
MAX_PAGE_SIZE = 100

# A search counts its matches up to here ("More than 100 cases"): four pages is more than anyone reads
# without narrowing the search, and a common word ("宽带") matches tens of thousands of cases at 1M.
# It counts along the page's order, stopping at the cap: at 1M, "宽带" counted that way to 100 takes
# about 5 ms; counting to 1,000 in any order built a bitmap of all 88,000 matches (about 45 ms).
SEARCH_COUNT_CAP = 100

STATUS_OPEN, STATUS_CLOSED, STATUS_ALL = "open", "ended", "all"
PROMISE_OVERDUE = "overdue"
PROMISE_FILTERS = (PROMISE_OVERDUE,)

QUEUE_FIELDS = (
    "id",
    "number",
    "state",
    "is_open",
    "priority",
    "summary",
    "channel",
    "customer_name",
    "customer_phone",
    "customer_tier",
    "created_at",
    "updated_at",
    "next_callback_at",
    "deadline_at",
    "clock_paused_at",
    "churn_flagged_at",
    "escalation_status",
    "owner__id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


@dataclass
class QueueFilters:
    owner_id: int | None = None
    status: str = STATUS_OPEN  # open | ended | all | a CaseState value
    priority: int | None = None
    tier: str | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    promise: str | None = None  # "overdue": open cases whose next promise is past due


OWNER_FIELDS = tuple(name.removeprefix("owner__") for name in QUEUE_FIELDS if name.startswith("owner__"))
CASE_FIELDS = (*(name for name in QUEUE_FIELDS if not name.startswith("owner__")), "owner")


def case_queue_queryset(filters: QueueFilters):
    if filters.q.strip():
        # A search's matches can run to thousands (a common given name), and PostgreSQL, unable to
        # estimate a LIKE pattern, guesses a handful: it then joined the owners by looping over every
        # match once per user (at 1M, "小明" with 3,266 matches: 9 of a 15 ms query). A search reads
        # the owners of its page in a second query instead.
        owners = Prefetch("owner", queryset=get_user_model().objects.only(*OWNER_FIELDS))
        qs = Case.objects.only(*CASE_FIELDS).prefetch_related(owners)
    else:
        qs = Case.objects.select_related("owner").only(*QUEUE_FIELDS)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.status == STATUS_OPEN:
        qs = qs.filter(is_open=True)
    elif filters.status == STATUS_CLOSED:
        qs = qs.filter(is_open=False)
    elif filters.status in CaseState.values:
        qs = qs.filter(state=filters.status)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.tier:
        qs = qs.filter(customer_tier=filters.tier)
    if filters.promise == PROMISE_OVERDUE:
        # Through the sort's expression, so the partial index on it serves the range too.
        qs = qs.filter(LessThan(next_promise_key(), timezone.now()), is_open=True)
    return case_search(qs, filters.q)


def case_queue(filters: QueueFilters, *, after=None, before=None, size=25) -> Page:
    qs = case_queue_queryset(filters)
    sort = SORTS.get(filters.sort) or SORTS[DEFAULT_SORT]
    page = keyset_page(qs, sort, after=after, before=before, size=min(max(size, 1), MAX_PAGE_SIZE))
    if filters.q.strip():
        page.count, page.count_capped = count_capped(qs, SEARCH_COUNT_CAP, sort=sort)
    else:
        page.count, page.count_capped = count_capped(qs, COUNT_CAP)
    return page


def case_detail(*, pk=None, number=None) -> Case | None:
    lookup = {"pk": pk} if pk is not None else {"number": number}
    return (
        Case.objects.select_related("owner", "category", "responsible_unit", "chosen_option", "churn_flagged_by")
        .prefetch_related(
            Prefetch("options", queryset=CaseOption.objects.order_by("round", "position")),
            Prefetch("promises", queryset=Promise.objects.select_related("keeper").order_by("due_at", "id")),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("started_at", "id")),
        )
        .filter(**lookup)
        .first()
    )


def case_events(case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "id"))


def case_history(case):
    """Field-level history of the case itself, newest first, with who made each change."""
    return case.history.select_related("history_user").order_by("-history_date", "-history_id")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: object
    new: object


def case_history_with_changes(case, limit=500) -> list:
    """The newest `limit` history records, each with `.changes`: a FieldChange per field that differs
    from the record before it (the oldest shown is diffed against nothing). One query: records are
    diffed against each other in memory."""
    records = list(case_history(case)[: limit + 1])
    shown = records[:limit]
    labels = {
        field.name: str(field.verbose_name) for field in Case._meta.get_fields() if hasattr(field, "verbose_name")
    }
    for record, older in zip(shown, [*records[1:], None], strict=False):
        delta = record.diff_against(older) if older is not None else None
        record.changes = [
            FieldChange(change.field, labels.get(change.field, change.field), change.old, change.new)
            for change in (delta.changes if delta else [])
        ]
    return shown
