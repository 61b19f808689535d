"""escalation/ models, one module per concern (customer types, escalations …)."""

from .customer_type import CaseCustomerType, CustomerType
from .escalation import Escalation
from .rule import EscalationRule, RuleFiring

__all__ = ["CaseCustomerType", "CustomerType", "Escalation", "EscalationRule", "RuleFiring"]
