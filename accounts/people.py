import time
import unicodedata

from django.contrib.auth import get_user_model
from django.core.cache import cache

from .models import Profile
from .roles import Role


def _is_cjk(text: str) -> bool:
    return any("CJK" in unicodedata.name(ch, "") for ch in text)


def display_name(user) -> str:
    """How colleagues see a person: Chinese names family name first with no space (张伟),
    other names as "First Last"; the username when no name is set."""
    if user is None:
        return "—"
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last and (_is_cjk(first) or _is_cjk(last)):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part) or user.username


def _loaded_profile(user):
    """`user`'s profile with its supervisor when the caller loaded them (select_related
    "…profile__supervisor", as the sweeps do), else None (look it up)."""
    descriptor = user.__class__.profile  # not type(): request.user is a lazy object standing for the user
    if not descriptor.related.is_cached(user):
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return False


def supervisors_of(user) -> list:
    """Who hears about what happens to `user`'s cases: the supervisor set on their profile, or every
    active supervisor when none is set (a team without a lead must not leave it unheard)."""
    profile = _loaded_profile(user) if user is not None else False
    if profile is None:
        profile = Profile.objects.filter(user=user).select_related("supervisor").first()
    if profile and profile.supervisor_id and profile.supervisor.is_active:
        return [profile.supervisor]
    return all_supervisors()


SUPERVISORS_KEY = "accounts:supervisors"
SUPERVISORS_SECONDS = 300


# This process's copy, read again from the shared cache after a few seconds (a sweep asks hundreds
# of times a second; a new supervisor is told from the next sweep on).
_local_supervisors = {"users": None, "until": 0.0}
LOCAL_SECONDS = 5.0


def all_supervisors() -> list:
    """Every active supervisor, cached (a sweep telling a team without a lead about hundreds of cases
    asks once). Dropped when anyone's groups or a user change (accounts/signals.py)."""
    now = time.monotonic()
    if _local_supervisors["users"] is not None and now < _local_supervisors["until"]:
        return _local_supervisors["users"]
    users = cache.get(SUPERVISORS_KEY)
    if users is None:
        users = list(get_user_model().objects.filter(is_active=True, groups__name=Role.SUPERVISOR).distinct())
        cache.set(SUPERVISORS_KEY, users, SUPERVISORS_SECONDS)
    _local_supervisors.update(users=users, until=now + LOCAL_SECONDS)
    return users


def forget_supervisors() -> None:
    """Drop the list here and in the shared cache (people or groups changed)."""
    _local_supervisors.update(users=None, until=0.0)
    cache.delete(SUPERVISORS_KEY)
