from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, OuterRef, Prefetch, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case

from .forms import normalize_phone
from .models import Complaint, Customer


def customer_by_id(pk) -> Customer | None:
    return Customer.objects.filter(pk=pk).first()


def customer_by_phone(phone: str) -> Customer | None:
    phone = normalize_phone(phone)
    if not phone:
        return None
    return Customer.objects.filter(phone=phone).order_by("id").first()


def customer_open_cases(customer: Customer, limit: int = 20):
    return list(
        Case.objects.filter(is_open=True, complaints__customer=customer)
        .distinct()
        .order_by("priority", "created_at", "id")
        .only("id", "number", "summary", "state", "priority", "created_at")[:limit]
    )


# A repeat complainant (issue 9, item 6): this many complaints or more from one customer within
# REPEAT_DAYS, on any of their cases. Shown at intake and on the case page; suggests the
# chronic-complainer type (escalation/suggestions.py).
REPEAT_DAYS = 30
REPEAT_THRESHOLD = 3


def _since(days):
    return timezone.now() - timedelta(days=days)


def customer_recent_complaint_count(customer_ids, days: int = REPEAT_DAYS) -> dict[int, int]:
    """{customer id: complaints they made in the last `days` days} for each id given (0 when none);
    one query whatever the number of customers."""
    ids = list(customer_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        Complaint.objects.filter(customer_id__in=ids, logged_at__gte=_since(days))
        .order_by()
        .values("customer_id")
        .annotate(n=Count("id"))
    )
    counts.update({row["customer_id"]: row["n"] for row in rows})
    return counts


def customer_recent_complaints(customer: Customer, days: int = REPEAT_DAYS) -> int:
    """How many complaints the customer made in the last `days` days (a repeat complainer shows)."""
    return customer_recent_complaint_count([customer.pk], days)[customer.pk]


CASE_COMPLAINTS_ATTR = "complaints_with_repeat_counts"


def complaints_of_case(case) -> list[Complaint]:
    """The complaints behind a case, newest first, with who logged each and, as
    `customer_recent_complaints`, how many complaints that complaint's customer made in the last
    REPEAT_DAYS on any case (the case page shows them). One query, read once per case instance:
    Django's prefetch cache keeps the list on `case`, so every panel of the page shares it."""
    recent = (
        Complaint.objects.filter(customer=OuterRef("customer"), logged_at__gte=_since(REPEAT_DAYS))
        .order_by()
        .values("customer")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        Complaint.objects.select_related("logged_by", "customer")
        .annotate(customer_recent_complaints=Coalesce(Subquery(recent), Value(0)))
        .order_by("-logged_at", "-id")
    )
    # An attribute of its own: a plain prefetch of "complaints" elsewhere lacks the annotation.
    prefetch_related_objects([case], Prefetch("complaints", queryset=rows, to_attr=CASE_COMPLAINTS_ATTR))
    return getattr(case, CASE_COMPLAINTS_ATTR)


@dataclass(frozen=True)
class RepeatComplainant:
    customer: Customer
    complaints: int  # in the last REPEAT_DAYS, on any case


def case_repeat_complainants(case) -> list[RepeatComplainant]:
    """The case's customers with REPEAT_THRESHOLD or more complaints in the last REPEAT_DAYS."""
    found = {}
    for complaint in complaints_of_case(case):
        if complaint.customer_recent_complaints >= REPEAT_THRESHOLD:
            found.setdefault(
                complaint.customer_id, RepeatComplainant(complaint.customer, complaint.customer_recent_complaints)
            )
    return list(found.values())
