"""Reads of the escalation app, with their joins planned."""

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Value
from django.utils.translation import gettext_lazy as _

from core.pagination import Page, Sort, keyset_page

from .choices import OPEN_ESCALATION_STATES
from .models import CaseCustomerType, Escalation


def case_customer_type_tags(case):
    """The types on `case` now, oldest tag first (one query when read)."""
    return (
        CaseCustomerType.objects.filter(case=case, removed_at__isnull=True)
        .select_related("customer_type", "tagged_by")
        .order_by("tagged_at", "id")
    )


# The desk's queue: the highest level first, then whoever has waited longest.
DESK_SORT = Sort(
    ("urgency", "requested_at", "id"),
    descending=False,
    label=_("Most urgent first"),
    computed=(("urgency", ExpressionWrapper(Value(4) - F("level"), output_field=IntegerField())),),
)


def desk_queue(*, level=None, state=None, after=None, before=None, size=25) -> Page:
    """Open escalations (or those of one state), most urgent first, in keyset pages. Two queries."""
    qs = Escalation.objects.select_related("case", "requested_by", "accepted_by").filter(
        state__in=[state] if state else OPEN_ESCALATION_STATES
    )
    if level:
        qs = qs.filter(level=level)
    return keyset_page(qs, DESK_SORT, after=after, before=before, size=size)


def desk_counts() -> dict:
    """Open escalations per level and state: {(level, state): n}. One query."""
    rows = (
        Escalation.objects.filter(state__in=OPEN_ESCALATION_STATES)
        .values("level", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["level"], row["state"]): row["n"] for row in rows}
