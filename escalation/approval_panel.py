"""The case page's compensation approvals: while alternatives are offered, each option above the
proposer's authority with its approval (awaiting, approved or not, by whom and why), the decide form
for people with enough authority who did not ask, and the request form where one is missing.

Worked out when the template renders (SimpleLazyObject), and only at "alternatives offered" with some
compensation on the table: approvals matter until the Agreement; the timeline keeps them after.
Two queries then (the round's approvals, who offered it); none otherwise.
"""

from django.utils.functional import SimpleLazyObject

from cases.choices import CaseState
from cases.permissions import can_work_case

from .approvals import offer_proposer
from .authority import authority_limit_of
from .choices import ApprovalDecision, ApprovalState
from .models import CompensationApproval

APPROVALS_PANEL = "compensation_approvals"
ASKABLE_AFTER = (ApprovalState.REJECTED, ApprovalState.SUPERSEDED)


def _rows(case, user) -> list:
    options = sorted(
        (o for o in case.options.all() if o.round == case.options_round), key=lambda o: (o.compensation, o.position)
    )
    if case.state != CaseState.ALTERNATIVES_OFFERED or not any(o.compensation > 0 for o in options):
        return []
    latest = {}
    approvals = CompensationApproval.objects.filter(case=case, option__round=case.options_round)
    for approval in approvals.select_related("requested_by", "decided_by").order_by("requested_at", "id"):
        latest[approval.option_id] = approval
    proposer_limit = authority_limit_of(offer_proposer(case))
    may_work = can_work_case(case, user)
    limit = authority_limit_of(user) if may_work else 0
    rows = []
    for option in options:
        approval = latest.get(option.pk)
        if approval is None and option.compensation <= proposer_limit:
            continue
        waiting = approval is not None and approval.state == ApprovalState.REQUESTED
        rows.append(
            {
                "option": option,
                "approval": approval,
                "may_decide": waiting and user.pk != approval.requested_by_id and limit >= approval.amount,
                "may_request": may_work
                and option.compensation > proposer_limit
                and (approval is None or approval.state in ASKABLE_AFTER),
            }
        )
    return rows


def approvals_panel_context(case, user) -> dict:
    return {"panel": SimpleLazyObject(lambda: {"rows": _rows(case, user), "decisions": ApprovalDecision.choices})}
