import zoneinfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role, roles_of

MSG_READ_ONLY = _("Your role reads cases and changes nothing.")


def is_read_only(user) -> bool:
    """Auditors read everything and change nothing; someone who is also a worker keeps that role's rights."""
    return roles_of(user) == frozenset({Role.AUDITOR})


SESSION_TZ_KEY = "time_zone"


class UserTimezoneMiddleware:
    """Activate the zone stored in the session at login (no query per request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_TZ_KEY) if hasattr(request, "session") else None
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


# What a read-only user may still post: their own session and settings, and the auditors' own
# workspace (quality samples and scorecards are the auditors' records, not the ones they audit).
READ_ONLY_USERS_MAY_POST = frozenset({"accounts:logout", "set_language", "notifications:preferences"})
READ_ONLY_USERS_MAY_POST_UNDER = frozenset({"audit"})


class ReadOnlyRoleMiddleware:
    """An auditor (and no other role) changes nothing, by construction: every page request other than
    a read (GET, HEAD, OPTIONS) is refused with 403 before any view runs, whatever the view forgot to
    check. The API checks the same in its permission classes (cases/api.py, CanWorkCases), where
    token authentication is known; tests walk every URL pattern and every API operation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS") or not is_read_only(getattr(request, "user", None)):
            return None
        match = request.resolver_match
        if match is None or match.route.startswith("api/"):
            return None
        if match.view_name in READ_ONLY_USERS_MAY_POST or match.namespace in READ_ONLY_USERS_MAY_POST_UNDER:
            return None
        raise PermissionDenied(MSG_READ_ONLY)
