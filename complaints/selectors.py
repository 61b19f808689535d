from datetime import timedelta

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


def customer_recent_complaints(customer: Customer, days: int = 30) -> int:
    """How many complaints the customer made in the last `days` days (a repeat complainer shows)."""
    since = timezone.now() - timedelta(days=days)
    return Complaint.objects.filter(customer=customer, logged_at__gte=since).count()


def complaints_of_case(case):
    """The complaints behind a case, newest first, with who logged each (the case page shows them)."""
    return Complaint.objects.filter(case=case).select_related("logged_by", "customer").order_by("-logged_at", "-id")
