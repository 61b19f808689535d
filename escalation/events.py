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
