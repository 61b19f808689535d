from .roles import CASE_WORKER_ROLES, Role, roles_of


def roles(request):
    user_roles = roles_of(getattr(request, "user", None))
    # Only people who work cases own any; auditors and administrators only read them.
    return {
        "user_roles": user_roles,
        "Role": Role,
        "works_cases": bool(user_roles & CASE_WORKER_ROLES),
        # The escalation desk's queue: the desk, supervisors and auditors read it.
        "reads_desk": bool(user_roles & {Role.ESCALATION_DESK, Role.SUPERVISOR, Role.AUDITOR}),
        # The auditors' workspace (audit/access.py): auditors and supervisors.
        "reads_audit": bool(user_roles & {Role.AUDITOR, Role.SUPERVISOR}),
    }
