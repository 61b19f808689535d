"""The dashboard's figures for one filter, computed by audit/kpis.py and cached.

Cached with Django's cache (Redis in production) for FIGURES_SECONDS, keyed by the filter as asked —
the period's token (so "the last 30 days" is one entry for five minutes, however the instant moves),
the team and the reader's zone — and by nothing else: the figures are codes and numbers, labelled
in the reader's language when the page is drawn. The page says when they were computed ("as of").
A miss computes every KPI afresh (about fifteen queries, see kpis.py), none of them joining the cases: a
team's rows are found by whose they were (CaseEvent.owner, Deadline.owner), and the median time per 7A
step reads the wait each step's event recorded (CaseEvent.waited_seconds). So for 30 days, everyone or a
team, a miss stays under 200 ms per query at 1M cases; at 90 days two KPIs take up to about 300 ms.
The filters most readers open — the rolling periods, for everyone and for each team, in the site's
zone — are recomputed by Celery beat before their entry expires (`dashboard_warm`, audit/tasks.py), so
nobody opening them meets a miss; a calendar month or a range of days pays its first one
(docs/benchmarks-dashboard.md).
"""

import zoneinfo

from django.core.cache import cache
from django.utils import timezone

from accounts.models import Profile

from . import kpis
from .dashboard_params import Period

FIGURES_SECONDS = 300
CACHE_VERSION = 1


def figures_key(period: Period, team: int | None, zone: str) -> str:
    return f"audit:dashboard:v{CACHE_VERSION}:{period.token}:{team or 'all'}:{zone}"


def team_members(team: int | None) -> frozenset | None:
    """The user ids of the team led by supervisor `team` (None: everyone). One query."""
    if team is None:
        return None
    return frozenset(Profile.objects.filter(supervisor_id=team).values_list("user_id", flat=True))


def figures_compute(f: kpis.KpiFilter) -> dict:
    per_state = kpis.open_cases_per_state(f)
    return {
        "open_per_state": per_state,
        "open_per_step": kpis.open_cases_per_step(per_state),
        "median_hours": kpis.median_hours_per_step(f),
        "first_contact": kpis.first_contact_resolution(f),
        "promises": kpis.promise_kept_rate(f),
        "deadlines": kpis.deadline_breaches(f),
        "escalation_channels": kpis.escalations_by_channel(f),
        "escalation_types": kpis.escalations_by_customer_type(f),
        "satisfaction": kpis.satisfaction_distribution(f),
        "reopen": kpis.reopen_rate(f),
        "qa": kpis.qa_scores(f),
    }


def dashboard_figures(period: Period, team: int | None, zone: str | None = None, *, refresh=False) -> dict:
    """Figures for the period and team, with "as_of" (when they were computed) and "cached"."""
    zone = zone or timezone.get_current_timezone_name()
    key = figures_key(period, team, zone)
    figures = None if refresh else cache.get(key)
    if figures is not None:
        return {**figures, "cached": True}
    f = kpis.KpiFilter(start=period.start, end=period.end, agent_ids=team_members(team), zone=zone)
    figures = {**figures_compute(f), "as_of": timezone.now(), "start": period.start, "end": period.end}
    cache.set(key, figures, FIGURES_SECONDS)
    return {**figures, "cached": False}


def dashboard_warm() -> list:
    """Recompute the figures of the rolling periods for everyone and for each team, in the site's zone
    (beat calls this more often than the entries expire). A team's figures read its members' rows by
    index (no join to the cases), so all teams together cost about what everyone does. Returns the
    (period, team) pairs warmed, team None for everyone."""
    from django.conf import settings

    from accounts.people import all_supervisors

    from .dashboard_params import ROLLING, period_parse

    zone = settings.TIME_ZONE
    teams = [None, *(user.pk for user in all_supervisors())]
    warmed = []
    for token in ROLLING:
        for team in teams:
            dashboard_figures(period_parse(token, zone=zoneinfo.ZoneInfo(zone)), team, zone, refresh=True)
            warmed.append((token, team))
    return warmed
