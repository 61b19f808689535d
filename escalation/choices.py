from django.db import models
from django.utils.translation import gettext_lazy as _


class EscalationLevel(models.IntegerChoices):
    L1 = 1, _("L1 — supervisor")
    L2 = 2, _("L2 — escalation desk")
    L3 = 3, _("L3 — legal / management")


class EscalationState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted by the desk")
    RESOLVED = "resolved", _("Resolved")
    RETURNED = "returned", _("Returned to the agent")
    DECLINED = "declined", _("Declined")


OPEN_ESCALATION_STATES = (EscalationState.REQUESTED, EscalationState.ACCEPTED)


class ApprovalState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    SUPERSEDED = "superseded", _("No longer needed")


class ApprovalDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
