"""Who hears of compensation approvals (through notifications.notify: rows stored in the caller's
transaction, pushes and e-mails after commit).

A request goes to the requester's own supervisor when their limit covers the amount, else to everyone
whose role's limit does (the escalation desk for the large ones); a decision goes to the requester
and the case's owner (this notice replaces cases' generic "changed by someone else" one).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.people import supervisors_of
from cases.notify import register_own_notice
from notifications.events import register_event
from notifications.services import notify

from . import events
from .authority import authority_limit_of, role_limits

APPROVAL_NEEDED = "compensation_approval_needed"
APPROVAL_DECIDED = "compensation_approval_decided"

register_event(APPROVAL_NEEDED, _("A compensation awaits your approval"))
register_event(APPROVAL_DECIDED, _("A compensation on your case was decided"))
register_own_notice(events.COMPENSATION_APPROVED)
register_own_notice(events.COMPENSATION_REJECTED)


def _url(case) -> str:
    return reverse("cases:detail", args=[case.number]) + "#approvals"


def approval_deciders(approval) -> list:
    """The people asked to decide `approval` (never the one who asked)."""
    requester_id = approval.requested_by_id

    def covers(user):
        return user.pk != requester_id and authority_limit_of(user) >= approval.amount

    near = [user for user in supervisors_of(approval.requested_by) if covers(user)]
    if near:
        return near
    roles = [role for role, limit in role_limits().items() if limit >= approval.amount]
    return list(
        get_user_model().objects.filter(is_active=True, groups__name__in=roles).exclude(pk=requester_id).distinct()
    )


def tell_deciders(approval) -> None:
    case = approval.case
    notify(
        APPROVAL_NEEDED,
        recipients=approval_deciders(approval),
        text=f"¥{approval.amount} — {case.summary}",
        key=f"approval:{approval.pk}:requested",
        subject_ref=case.number,
        url=_url(case),
        actor=approval.requested_by,
    )


def tell_of_decision(approval) -> None:
    """The requester and the case's owner (not the decider)."""
    case = approval.case
    recipients = [user for user in (approval.requested_by, case.owner) if user.pk != approval.decided_by_id]
    notify(
        APPROVAL_DECIDED,
        recipients=recipients,
        text=f"{approval.get_state_display()} ¥{approval.amount} — {case.summary}",
        key=f"approval:{approval.pk}:decided",
        subject_ref=case.number,
        url=_url(case),
        actor=approval.decided_by,
    )
