"""What escalation/ shows on the case page: the customer types on the case, each with its playbook
beside the steps, and the form to tag another (registered with cases' panel registry)."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, roles_of
from cases.panels import register_panel
from cases.permissions import can_work_case
from complaints.intake_notes import register_intake_note

from .approval_panel import APPROVALS_PANEL, approvals_panel_context
from .choices import OPEN_ESCALATION_STATES, EscalationLevel
from .escalations import DESK_ROLES, desk_people
from .models import Escalation
from .rules import rule_of_trigger
from .selectors import case_customer_type_tags, customer_earlier_types
from .services import active_customer_types
from .suggestions import suggestions_for

CUSTOMER_TYPES_PANEL = "customer_types"
ESCALATION_PANEL = "escalation"


def _panel(case, user) -> dict:
    tags = list(case_customer_type_tags(case))
    tagged = {tag.customer_type.code for tag in tags}
    may_act = case.is_open and can_work_case(case, user)
    types = active_customer_types()
    return {
        "suggestions": [
            {"type": types[s.code], "reason": s.reason}
            for s in suggestions_for(case, tagged)
            if may_act and s.code in types
        ],
        "tags": tags,
        "may_tag": may_act,
        "type_choices": [t for code, t in types.items() if code not in tagged] if may_act else [],
    }


def customer_types_panel_context(case, user) -> dict:
    # Worked out when the template renders, not when the page gathers its panels (cases/panels.py).
    return {"panel": SimpleLazyObject(lambda: _panel(case, user))}


def _desk_people(*, exclude):
    return sorted((p for pk, p in desk_people().items() if pk != exclude), key=lambda p: p.username)


def _escalation_panel(case, user) -> dict:
    current = (
        Escalation.objects.filter(case=case, state__in=OPEN_ESCALATION_STATES)
        .select_related("requested_by", "accepted_by")
        .first()
    )
    roles = roles_of(user)
    desk = bool(roles & DESK_ROLES) and case.is_open
    lead = Role.SUPERVISOR in roles
    holds = current is not None and current.accepted_by_id == user.pk
    return {
        "current": current,
        "may_request": current is None and case.is_open and can_work_case(case, user),
        "desk": desk,
        "may_raise": desk and current is not None and current.level < EscalationLevel.L3,
        "higher_levels": [(v, label) for v, label in EscalationLevel.choices if current and v > current.level],
        # Claim for someone (a lead) or pass on what one holds; the list comes from the people cache.
        "may_hand_over": desk and current is not None and (lead or holds),
        "desk_people": _desk_people(exclude=current.accepted_by_id if current else None) if desk else [],
        "levels": EscalationLevel.choices,
        # The rule that asked, named from the rules each process keeps (no query).
        "rule": rule_of_trigger(current.trigger) if current else None,
    }


def escalation_panel_context(case, user) -> dict:
    return {"panel": SimpleLazyObject(lambda: _escalation_panel(case, user))}


MSG_EARLIER_TYPE = _("Tagged “%(type)s” on %(case)s (%(when)s): see its playbook before you answer.")


def earlier_types_note(customer) -> list[str]:
    """For the intake page: the customer types on this customer's earlier cases."""
    return [
        str(MSG_EARLIER_TYPE % {
            "type": tag.customer_type.name, "case": tag.case.number,
            "when": timezone.localtime(tag.tagged_at).strftime("%Y-%m-%d"),
        })
        for tag in customer_earlier_types(customer.pk)
    ]  # fmt: skip


def register_case_panels() -> None:
    register_panel(
        APPROVALS_PANEL, template="escalation/approvals_panel.html", context=approvals_panel_context, order=3
    )
    register_intake_note("earlier_customer_types", earlier_types_note)
    register_panel(
        ESCALATION_PANEL, template="escalation/escalation_panel.html", context=escalation_panel_context, order=4
    )
    register_panel(
        CUSTOMER_TYPES_PANEL, template="escalation/case_panel.html", context=customer_types_panel_context, order=5
    )
