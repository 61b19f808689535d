"""Reading the dashboard's query string: `?period=…&team=…`, strictly.

    period = 7d | 30d | 90d                 the last 7, 30 or 90 days up to now (default 30d)
           | month:YYYY-MM                  a calendar month, in the reader's zone
           | range:YYYY-MM-DD..YYYY-MM-DD   whole days, both included, at most MAX_DAYS
    team   = <a supervisor's user id>       the people whose profile names that supervisor

A value that cannot be used is reported against its parameter (the page answers 400 and says which);
nothing is quietly replaced, so a reader never takes "everyone" for "my team".
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.people import all_supervisors
from cases.queue_params import ECHO_MAX_LENGTH

ROLLING = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"
MAX_DAYS = 92  # a quarter: a longer period is a report, not a glance (and scans more rows)
MONTH = re.compile(r"^month:(\d{4})-(\d{2})$")
RANGE = re.compile(r"^range:(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")

MSG_PERIOD_FORMAT = _(
    "Unknown period “%(value)s”; expected 7d, 30d, 90d, month:YYYY-MM or range:YYYY-MM-DD..YYYY-MM-DD."
)
MSG_PERIOD_REVERSED = _("The period ends before it starts.")
MSG_PERIOD_TOO_LONG = _("A period may cover at most %(days)d days.")
MSG_PERIOD_FUTURE = _("The period starts in the future.")
MSG_TEAM = _("Unknown team “%(value)s”; expected the user id of a supervisor.")


@dataclass(frozen=True)
class Period:
    token: str  # as given (normalised), part of the cache key
    start: dt.datetime
    end: dt.datetime


@dataclass
class DashboardQuery:
    period: Period | None
    team: int | None = None  # a supervisor's user id
    errors: dict = field(default_factory=dict)  # parameter -> messages


class _Rejected(ValueError):
    pass


def _day(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Rejected(MSG_PERIOD_FORMAT % {"value": text[:ECHO_MAX_LENGTH]}) from None


def _midnight(day, zone):
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def period_parse(raw: str, *, now=None, zone=None) -> Period:
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    raw = (raw or DEFAULT_PERIOD).strip()
    if raw in ROLLING:
        return Period(raw, now - dt.timedelta(days=ROLLING[raw]), now)
    today = timezone.localtime(now, zone).date()
    month, span = MONTH.match(raw), RANGE.match(raw)
    if month:
        year, number = int(month[1]), int(month[2])
        if not 1 <= number <= 12 or year < 2000:
            raise _Rejected(MSG_PERIOD_FORMAT % {"value": raw[:ECHO_MAX_LENGTH]})
        first = dt.date(year, number, 1)
        following = dt.date(year + number // 12, number % 12 + 1, 1)
        if first > today:
            raise _Rejected(MSG_PERIOD_FUTURE)
        return Period(raw, _midnight(first, zone), _midnight(following, zone))
    if span:
        first, last = _day(span[1]), _day(span[2])
        if last < first:
            raise _Rejected(MSG_PERIOD_REVERSED)
        if (last - first).days + 1 > MAX_DAYS:
            raise _Rejected(MSG_PERIOD_TOO_LONG % {"days": MAX_DAYS})
        if first > today:
            raise _Rejected(MSG_PERIOD_FUTURE)
        return Period(raw, _midnight(first, zone), _midnight(last + dt.timedelta(days=1), zone))
    raise _Rejected(MSG_PERIOD_FORMAT % {"value": raw[:ECHO_MAX_LENGTH]})


def team_parse(raw: str) -> int | None:
    """A supervisor's user id (the list of supervisors is cached: no query on most requests)."""
    if raw in (None, ""):
        return None
    if raw.isdigit() and int(raw) in {user.pk for user in all_supervisors()}:
        return int(raw)
    raise _Rejected(MSG_TEAM % {"value": raw[:ECHO_MAX_LENGTH]})


def dashboard_query_parse(query, *, now=None) -> DashboardQuery:
    errors, period, team = {}, None, None
    try:
        period = period_parse(query.get("period", ""), now=now)
    except _Rejected as exc:
        errors["period"] = [str(exc)]
    try:
        team = team_parse(query.get("team", ""))
    except _Rejected as exc:
        errors["team"] = [str(exc)]
    return DashboardQuery(period=period, team=team, errors=errors)
