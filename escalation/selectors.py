"""Reads of the escalation app, with their joins planned."""

import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, DateTimeField, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cases.models import NO_PROMISE
from core.pagination import Page, Sort, count_capped, keyset_page

from .choices import OPEN_ESCALATION_STATES
from .models import CaseCustomerType, Escalation, RuleFiring


def case_customer_type_tags(case):
    """The types on `case` now, oldest tag first (one query when read)."""
    return (
        CaseCustomerType.objects.filter(case=case, removed_at__isnull=True)
        .select_related("customer_type", "tagged_by")
        .order_by("tagged_at", "id")
    )


def case_rule_firings(case):
    """The rules that fired on `case`, newest first (one query when read)."""
    return RuleFiring.objects.filter(case=case).select_related("rule").order_by("-fired_at", "-id")


def customer_earlier_types(customer_id, limit=20):
    """The types on the customer's cases (tags not removed), newest first, one per type."""
    tags = (
        CaseCustomerType.objects.filter(case__complaints__customer_id=customer_id, removed_at__isnull=True)
        .select_related("customer_type", "case")
        .order_by("-tagged_at", "-id")[:limit]
    )
    seen = {}
    for tag in tags:
        seen.setdefault(tag.customer_type_id, tag)
    return list(seen.values())


# The desk's queue. Most urgent first: the level, then the customer's tier (Escalation.urgency_rank,
# kept by the services), then whoever has waited longest; or the case's deadline, soonest first —
# read in the order of the escalated cases' own index (cases' `case_escalated_deadline`, on the same
# expression), the case breaking ties: a case has one open escalation at most.
DESK_SORTS = {
    "urgency": Sort(("urgency_rank", "requested_at", "id"), descending=False, label=_("Most urgent first")),
    "deadline": Sort(
        ("deadline_key", "case_id"),
        descending=False,
        label=_("Deadline, soonest first"),
        # A case without a running deadline sorts last (a NULL cannot be compared in a cursor).
        computed=(
            (
                "deadline_key",
                Coalesce(
                    "case__deadline_at", Value(NO_PROMISE, output_field=DateTimeField()), output_field=DateTimeField()
                ),
            ),
        ),
    ),
}


@dataclass(frozen=True)
class DeskFilters:
    level: int | None = None
    state: str | None = None
    customer_type: str | None = None  # a CustomerType code: cases tagged with it now
    channel: str | None = None


def cases_tagged(code: str):
    """The ids of the cases tagged now (not removed) with customer type `code`, as a subquery."""
    return CaseCustomerType.objects.filter(removed_at__isnull=True, customer_type__code=code).values("case_id")


# What a row of the desk's queue shows (page and API): the escalation, and of its case and the people
# only these columns. The whole case row (evidence texts, JSON of every step) cost time to send,
# decode and build 25 times a page for nothing.
_DESK_CASE_FIELDS = (
    "number", "state", "is_open", "customer_name", "customer_tier", "channel", "deadline_at", "clock_paused_at",
    "escalation_status",
)  # fmt: skip
_PERSON_FIELDS = ("username", "first_name", "last_name")
DESK_ROW_FIELDS = (
    *(field.name for field in Escalation._meta.concrete_fields),
    *(f"case__{name}" for name in _DESK_CASE_FIELDS),
    *(f"{who}__{name}" for who in ("requested_by", "accepted_by") for name in _PERSON_FIELDS),
)


def desk_queue(filters: DeskFilters = DeskFilters(), *, sort="urgency", after=None, before=None, size=25) -> Page:
    """Open escalations (or those of one state), in keyset pages, each with its case and the case's
    customer types now (`types`), and the (capped) count. Four queries whatever the page size."""
    qs = (
        Escalation.objects.select_related("case", "requested_by", "accepted_by")
        .only(*DESK_ROW_FIELDS)
        .filter(state__in=[filters.state] if filters.state else OPEN_ESCALATION_STATES)
    )
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.customer_type:
        # IN, not EXISTS: PostgreSQL hashes the (few) tagged cases once instead of looking each
        # escalation's tags up in turn while it walks the queue's order.
        qs = qs.filter(case_id__in=cases_tagged(filters.customer_type))
    rows = qs
    if sort == "deadline":
        # Always true of an open escalation's case (Case.escalation_status); said in the index's own
        # words so that PostgreSQL can walk `case_escalated_deadline` instead of sorting them all.
        # Not in the count, which needs no order and so no join.
        rows = qs.filter(~Q(case__escalation_status=""))
    page = keyset_page(rows, DESK_SORTS[sort], after=after, before=before, size=size)
    page.count, page.count_capped = count_capped(qs)
    tags = (
        CaseCustomerType.objects.filter(case_id__in=[e.case_id for e in page.items], removed_at__isnull=True)
        .select_related("customer_type")
        .order_by("tagged_at", "id")
    )
    by_case = {}
    for tag in tags if page.items else ():
        by_case.setdefault(tag.case_id, []).append(tag.customer_type)
    for escalation in page.items:
        escalation.types = by_case.get(escalation.case_id, [])
    return page


# Every desk page and API call shows the counts per level; every escalation written changes them.
# They are kept in Django's cache under a generation number that each committed escalation write
# moves on (receivers: `desk_counts_forget`), so a count read before a write commits is stored under
# the old generation, which nobody asks for again: never stale, and one query per change, not per page.
COUNTS_GENERATION_KEY = "escalation:desk-counts:generation"
COUNTS_SECONDS = 10 * 60


def desk_counts() -> dict:
    """Open escalations per level and state: {(level, state): n}. One query when not cached, read
    from the index `escalation_level_counts` (an index-only scan: 5–7 ms for 47k open escalations
    against 22 ms reading the table, measured at 1M cases)."""
    generation = cache.get_or_set(COUNTS_GENERATION_KEY, _new_generation, None)
    key = f"escalation:desk-counts:{generation}"
    counts = cache.get(key)
    if counts is None:
        rows = (
            Escalation.objects.filter(state__in=OPEN_ESCALATION_STATES)
            .values("level", "state")
            .annotate(n=Count("*"))  # not Count("id"): the index `escalation_level_counts` answers it alone
            .order_by()
        )
        counts = [(row["level"], row["state"], row["n"]) for row in rows]
        cache.set(key, counts, COUNTS_SECONDS)
    return {(level, state): n for level, state, n in counts}


def _new_generation() -> int:
    # A generation no earlier one can have reached (random, not 0: the key may have been culled — the
    # embedded default's file cache culls entries — while counts of old generations are still cached).
    return secrets.randbits(62)


def desk_counts_forget() -> None:
    """After an escalation write commits: the next read counts again."""
    try:
        cache.incr(COUNTS_GENERATION_KEY)
    except ValueError:  # not there (evicted, or never read): start a new generation
        cache.set(COUNTS_GENERATION_KEY, _new_generation(), None)
