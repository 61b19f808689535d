"""escalation/ models, one module per concern (customer types, escalations, approvals …)."""

from .approval import AuthorityLimit, CompensationApproval
from .customer_type import CaseCustomerType, CustomerType
from .escalation import Escalation
from .rule import EscalationRule, RuleFiring

__all__ = [
    "AuthorityLimit",
    "CaseCustomerType",
    "CompensationApproval",
    "CustomerType",
    "Escalation",
    "EscalationRule",
    "RuleFiring",
]
