"""Correcting a customer's master record (name, tier): its own step, never a side effect of intake.

Only the escalation desk and supervisors may do it, always with a reason. The customer's history row
carries who, when and the reason; each of the customer's open cases gets a `customer_corrected` event
on its timeline, so whoever works the case sees it. The cases keep the name they were logged with (the
event says what changed since); a tier change is recomputed into each open case's tier snapshot and
priority (cases' `case_reprioritize`, with its own `priority_changed` event).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import CASE_WIDE_ROLES, roles_of
from cases.choices import CustomerTier
from cases.events import register_event_kind
from cases.models import Case
from cases.services import case_event_record, case_reprioritize
from core.errors import InvalidInput, NotAllowed, NotFound
from core.history import save_tracked
from core.inputs import text_problem

from .models import Customer

CUSTOMER_CORRECTED = register_event_kind(
    "customer_corrected", _("Customer record corrected"), payload=("customer_id", "changes")
)

MSG_REASON = _("Say why the record is corrected.")
MSG_NOTHING = _("Change the name or the tier.")
MSG_TIER = _("Choose one of the tiers.")
MSG_NAME = _("Enter the customer's name (at most 100 characters).")


def _clean(name, tier, reason) -> dict:
    errors, changes = {}, {}
    if not isinstance(reason, str) or not reason.strip() or text_problem(reason):
        errors["reason"] = [MSG_REASON]
    if name is not None:
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100 or text_problem(name):
            errors["name"] = [MSG_NAME]
        else:
            changes["name"] = name.strip()
    if tier is not None:
        if tier not in CustomerTier.values:
            errors["tier"] = [MSG_TIER]
        else:
            changes["tier"] = tier
    if errors:
        raise InvalidInput(fields=errors)
    return changes


def customer_correct(*, actor, customer_id, name=None, tier=None, reason) -> Customer:
    if not roles_of(actor) & CASE_WIDE_ROLES:
        raise NotAllowed()
    wanted = _clean(name, tier, reason)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise NotFound()
        changes = {
            field: {"old": getattr(customer, field), "new": value}
            for field, value in wanted.items()
            if getattr(customer, field) != value
        }
        if not changes:
            raise InvalidInput(MSG_NOTHING, fields={"__all__": [MSG_NOTHING]})
        now = timezone.now()
        for field, change in changes.items():
            setattr(customer, field, change["new"])
        save_tracked(customer, user=actor, at=now, reason=reason.strip())
        # Locked: a tier change saves each case (its tier snapshot and priority).
        open_cases = (
            Case.objects.select_for_update()
            .filter(pk__in=Case.objects.filter(is_open=True, complaints__customer=customer).values("pk"))
            .order_by("id")
        )
        for case in open_cases:
            case_event_record(
                case=case,
                kind=CUSTOMER_CORRECTED,
                actor=actor,
                from_state=case.state,
                to_state=case.state,
                reason=reason.strip(),
                payload={"customer_id": customer.pk, "changes": changes},
                at=now,
            )
            if "tier" in changes:
                case_reprioritize(case, tier=customer.tier, actor=actor, reason=reason.strip(), at=now)
    return customer
