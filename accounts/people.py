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
    descriptor = type(user).profile
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


def all_supervisors() -> list:
    """Every active supervisor, cached (a sweep telling a team without a lead about hundreds of cases
    asks once). Dropped when anyone's groups or a user change (accounts/signals.py)."""
    users = cache.get(SUPERVISORS_KEY)
    if users is None:
        users = list(get_user_model().objects.filter(is_active=True, groups__name=Role.SUPERVISOR).distinct())
        cache.set(SUPERVISORS_KEY, users, SUPERVISORS_SECONDS)
    return users
