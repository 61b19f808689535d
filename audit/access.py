"""Who may open the auditors' workspace. Auditors read everything and change no case; supervisors
read the same pages for their teams' quality and KPIs."""

from accounts.roles import Role, has_role

AUDIT_READER_ROLES = (Role.AUDITOR, Role.SUPERVISOR)


def can_read_audit(user) -> bool:
    return has_role(user, *AUDIT_READER_ROLES)
