"""The case event kinds escalation/ writes (registered with cases' registry when this module loads)."""

from django.utils.translation import gettext_lazy as _

from cases.events import register_event_kind

# `customer_type`: the type's code.
CUSTOMER_TYPE_TAGGED = register_event_kind(
    "customer_type_tagged", _("Customer type tagged"), payload=("customer_type", "note")
)
CUSTOMER_TYPE_REMOVED = register_event_kind(
    "customer_type_removed", _("Customer type removed"), payload=("customer_type",)
)

# Escalations (escalations.py). `escalation` is its id; `trigger` empty when a person asked.
ESCALATION_REQUESTED = register_event_kind(
    "escalation_requested", _("Escalation requested"), payload=("escalation", "level", "trigger")
)
# Up a level (a person with a reason, or a rule of a higher level): `from_level` → `level`.
ESCALATION_RAISED = register_event_kind(
    "escalation_raised", _("Escalation raised a level"), payload=("escalation", "from_level", "level")
)
ESCALATION_ACCEPTED = register_event_kind(
    "escalation_accepted", _("Escalation accepted"), payload=("escalation", "level")
)
# Claimed for someone or passed on: `from_user` (None when it was still requested) → `to_user`.
ESCALATION_HANDED_OVER = register_event_kind(
    "escalation_handed_over", _("Escalation handed over"), payload=("escalation", "from_user", "to_user")
)
ESCALATION_RESOLVED = register_event_kind(
    "escalation_resolved", _("Escalation resolved"), payload=("escalation", "level")
)
ESCALATION_RETURNED = register_event_kind(
    "escalation_returned", _("Returned to the agent with guidance"), payload=("escalation", "level")
)
ESCALATION_DECLINED = register_event_kind(
    "escalation_declined", _("Escalation declined"), payload=("escalation", "level")
)

# Compensation approvals (approvals.py). `approval` is its id; `round` and `option` (the position in
# that round) name the option; `amount` is its compensation as text ("300.00"); `automatic` is true
# when offering the option above the proposer's authority opened the request.
COMPENSATION_APPROVAL_REQUESTED = register_event_kind(
    "compensation_approval_requested",
    _("Compensation approval requested"),
    payload=("approval", "round", "option", "amount", "automatic"),
)
COMPENSATION_APPROVED = register_event_kind(
    "compensation_approved", _("Compensation approved"), payload=("approval", "round", "option", "amount")
)
COMPENSATION_REJECTED = register_event_kind(
    "compensation_rejected", _("Compensation not approved"), payload=("approval", "round", "option", "amount")
)
