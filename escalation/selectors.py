"""Reads of the escalation app, with their joins planned."""

from .models import CaseCustomerType


def case_customer_type_tags(case):
    """The types on `case` now, oldest tag first (one query when read)."""
    return (
        CaseCustomerType.objects.filter(case=case, removed_at__isnull=True)
        .select_related("customer_type", "tagged_by")
        .order_by("tagged_at", "id")
    )
