"""Roles are Django groups; every page and API operation checks them on the server.

A user's roles are cached on the user object (so checks in a list add no queries per row) and in
Django's cache (Redis in production), so a request costs no roles query at all. Changing anyone's
groups clears their entry at once (accounts/signals.py); the timeout is only a safety net.
"""

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Front-line agent")
    ESCALATION_DESK = "escalation_desk", _("Escalation desk")
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# Roles that may change cases at all. Auditors and administrators read only: an administrator
# manages people and reference data, and separation of duties keeps them out of case decisions.
CASE_WORKER_ROLES = frozenset({Role.AGENT, Role.ESCALATION_DESK, Role.SUPERVISOR})
# Roles that work on any case, not only their own.
CASE_WIDE_ROLES = frozenset({Role.ESCALATION_DESK, Role.SUPERVISOR})
STAFF_ROLES = frozenset(Role)


ROLES_CACHE_TIMEOUT = 300


def roles_cache_key(user_id) -> str:
    return f"accounts:roles:{user_id}"


def roles_of(user) -> frozenset:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cached_roles", None)
    if cached is None:
        names = cache.get(roles_cache_key(user.pk))
        if names is None:
            names = sorted(user.groups.values_list("name", flat=True))
            cache.set(roles_cache_key(user.pk), names, ROLES_CACHE_TIMEOUT)
        cached = frozenset(Role(name) for name in names if name in Role.values)
        user._cached_roles = cached
    return cached


def has_role(user, *roles) -> bool:
    return bool(roles_of(user) & set(roles))


def can_read_cases(user) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def can_log_complaints(user) -> bool:
    return has_role(user, *CASE_WORKER_ROLES)
