"""Who may run which transition: the `permission=` callables of the case's transitions.

django-fsm-2 does not check `permission=` when a transition is called, so the transition service
checks it explicitly before calling (see services/transitions.py).
"""

from accounts.roles import CASE_WIDE_ROLES, Role, roles_of


def can_work_case(case, user) -> bool:
    """Agents work their own cases; the escalation desk and supervisors work any case."""
    roles = roles_of(user)
    if roles & CASE_WIDE_ROLES:
        return True
    return Role.AGENT in roles and case.owner_id == user.pk


def is_supervisor(case, user) -> bool:
    return Role.SUPERVISOR in roles_of(user)
