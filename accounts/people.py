import unicodedata

from django.contrib.auth import get_user_model

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


def supervisors_of(user) -> list:
    """Who hears about what happens to `user`'s cases: the supervisor set on their profile, or every
    active supervisor when none is set (a team without a lead must not leave it unheard)."""
    profile = (
        Profile.objects.filter(user=user, supervisor__is_active=True).select_related("supervisor").first()
        if user is not None
        else None
    )
    if profile is not None:
        return [profile.supervisor]
    return list(get_user_model().objects.filter(is_active=True, groups__name=Role.SUPERVISOR).distinct())
