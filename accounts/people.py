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


PEOPLE_KEY = "accounts:people:%s"
PEOPLE_SECONDS = 300


# This process's copy per role, read again from the shared cache after a few seconds (a sweep asks
# hundreds of times a second; a new supervisor is told from the next sweep on).
_local_people: dict = {}
LOCAL_SECONDS = 5.0


def people_with_role(role) -> list:
    """Every active user with `role`, cached (a sweep telling a team without a lead about hundreds
    of cases asks once). Dropped when anyone's groups or a user change (accounts/signals.py)."""
    now = time.monotonic()
    users, until = _local_people.get(role, (None, 0.0))
    if users is not None and now < until:
        return users
    users = cache.get(PEOPLE_KEY % role)
    if users is None:
        users = list(get_user_model().objects.filter(is_active=True, groups__name=role).distinct().order_by("id"))
        cache.set(PEOPLE_KEY % role, users, PEOPLE_SECONDS)
    _local_people[role] = (users, now + LOCAL_SECONDS)
    return users


def all_supervisors() -> list:
    return people_with_role(Role.SUPERVISOR)


def desk_members() -> list:
    """Who takes escalations to the desk (L2, L3)."""
    return people_with_role(Role.ESCALATION_DESK)


def forget_supervisors() -> None:
    """Drop the lists of people per role here and in the shared cache (people or groups changed)."""
    _local_people.clear()
    cache.delete_many([PEOPLE_KEY % role for role in Role.values])
