"""How much compensation a person may offer without approval, and may approve: the highest authority
limit among their roles (models.AuthorityLimit, edited in the admin); nothing without a role.

The few rows are read once and kept in Django's cache (every case page and every Agreement asks);
saving or deleting a limit drops the copy at once and again after commit.
"""

from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.roles import roles_of

from .models import AuthorityLimit

LIMITS_KEY = "escalation:authority_limits"
LIMITS_SECONDS = 300
NONE = Decimal("0")


def role_limits() -> dict:
    """role code → limit (Decimal)."""
    limits = cache.get(LIMITS_KEY)
    if limits is None:
        limits = dict(AuthorityLimit.objects.values_list("role", "limit"))
        cache.set(LIMITS_KEY, limits, LIMITS_SECONDS)
    return limits


def limit_for_roles(roles) -> Decimal:
    limits = role_limits() if roles else {}
    return max((limits.get(str(role), NONE) for role in roles), default=NONE)


def authority_limit_of(user) -> Decimal:
    return limit_for_roles(roles_of(user))


def forget_limits() -> None:
    cache.delete(LIMITS_KEY)


@receiver(post_save, sender=AuthorityLimit, dispatch_uid="escalation.limits_saved")
@receiver(post_delete, sender=AuthorityLimit, dispatch_uid="escalation.limits_deleted")
def _limits_changed(sender, **kwargs):
    forget_limits()
    transaction.on_commit(forget_limits)
