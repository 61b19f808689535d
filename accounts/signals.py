from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from .authentication import token_cache_key
from .middleware import SESSION_TZ_KEY
from .models import Profile
from .people import forget_supervisors
from .roles import roles_cache_key


def _forget_roles(user_ids):
    user_ids = list(user_ids)
    cache.delete_many([roles_cache_key(pk) for pk in user_ids])
    forget_supervisors()
    # cached token entries carry the roles too
    keys = Token.objects.filter(user_id__in=user_ids).values_list("key", flat=True)
    cache.delete_many([token_cache_key(key) for key in keys])


@receiver(m2m_changed, sender=get_user_model().groups.through)
def forget_roles_on_membership_change(sender, instance, action, reverse, pk_set, **kwargs):
    """user.groups.add/remove/clear, or group.user_set.add/remove/clear."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        _forget_roles([instance.pk])
    elif action == "pre_clear":
        _forget_roles(instance.user_set.values_list("pk", flat=True))
    else:
        _forget_roles(pk_set or [])


@receiver(pre_delete, sender=Group)
def forget_roles_on_group_delete(sender, instance, **kwargs):
    _forget_roles(instance.user_set.values_list("pk", flat=True))


@receiver(user_logged_in)
def remember_time_zone(sender, request, user, **kwargs):
    profile = Profile.objects.filter(user=user).only("time_zone").first()
    if profile and request is not None and hasattr(request, "session"):
        request.session[SESSION_TZ_KEY] = profile.time_zone


@receiver(post_delete, sender=Token)
def forget_deleted_token(sender, instance, **kwargs):
    cache.delete(token_cache_key(instance.key))


@receiver(post_save, sender=get_user_model())
@receiver(pre_delete, sender=get_user_model())
def forget_users_tokens(sender, instance, **kwargs):
    """A deactivated, edited or deleted user must not live on in the token cache."""
    keys = Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)
    cache.delete_many([token_cache_key(key) for key in keys])
    forget_supervisors()
