"""What complaints/ shows on the case page: the complaints behind the case, as the customer made
them (registered with cases' panel registry, so cases never imports this app)."""

from django.utils.functional import SimpleLazyObject

from accounts.roles import CASE_WIDE_ROLES, roles_of
from cases.choices import CustomerTier
from cases.panels import register_panel

from .selectors import REPEAT_DAYS, case_repeat_complainants, complaints_of_case

COMPLAINTS_PANEL = "complaints"


def complaints_panel_context(case, user) -> dict:
    # Read when the page renders (its query count is pinned), once for every panel that asks.
    complaints = SimpleLazyObject(lambda: complaints_of_case(case))
    return {
        "complaints": complaints,
        # Customers with many complaints lately, on any case: a chronic complainer, perhaps.
        "repeat_complainants": SimpleLazyObject(lambda: case_repeat_complainants(case)),
        "repeat_days": REPEAT_DAYS,
        # All complaints of a case are one customer's (intake attaches only to that customer's cases);
        # read only for those who may correct the record.
        "customer": SimpleLazyObject(lambda: next((c.customer for c in complaints), None)),
        # A callable: the template calls it when it renders, not when the page gathers its panels.
        "can_correct_customer": lambda: bool(roles_of(user) & CASE_WIDE_ROLES),
        "tier_choices": CustomerTier.choices,
    }


def register_case_panels() -> None:
    register_panel(COMPLAINTS_PANEL, template="complaints/case_panel.html", context=complaints_panel_context, order=10)
