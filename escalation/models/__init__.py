"""escalation/ models, one module per concern (customer types, escalations …)."""

from .customer_type import CaseCustomerType, CustomerType
from .escalation import Escalation

__all__ = ["CaseCustomerType", "CustomerType", "Escalation"]
