"""The team's business calendar: when a promised time is a sensible one, and (for deadlines) how
much business time lies between two moments.

The rules:
- Everything is read in the settings TIME_ZONE (Asia/Shanghai), whatever zone a user reads in.
- A **working day** is a day China works — Monday to Friday except public holidays, plus the weekend
  days made working days (调休) — and not a local closure (`LocalClosure`, edited in the admin).
  China's schedule comes from `chinesecalendar`, which knows each year once the State Council has
  published it (in November for the next year). For a year it has no data for, Monday to Friday
  count as working days; the system check `cases.W001`/`W002` (cases/checks.py) warns ahead.
- **Business hours** are BUSINESS_HOURS_START (inside) to BUSINESS_HOURS_END (outside) on working
  days: with 09:00–18:00, 09:00 and 17:59 are inside, 18:00 is not. A deadline counted in business
  hours may end exactly at the close (`add_business_hours`).
- A **slot** is a time a promise can be offered at: inside business hours, on the quarter hour.
"""

import datetime as dt
import zoneinfo
from functools import cache

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .reference import cached

SLOT_MINUTES = 15
# chinesecalendar never has more than ten days off in a row; a search that finds no working day in
# a year means the closures are wrong.
SEARCH_DAYS = 366


def parse_hours(start: str, end: str) -> tuple[dt.time, dt.time]:
    """The business hours from their settings ("HH:MM"), or ValueError saying what is wrong."""
    try:
        opens, closes = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    except (TypeError, ValueError):
        raise ValueError(f"business hours must be HH:MM, not {start!r}–{end!r}") from None
    if opens >= closes:
        raise ValueError(f"business hours must open before they close, not {start}–{end}")
    return opens, closes


def business_hours() -> tuple[dt.time, dt.time]:
    try:
        return parse_hours(settings.BUSINESS_HOURS_START, settings.BUSINESS_HOURS_END)
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None


def hours_label() -> str:
    """ "09:00–18:00", with the zone when the active one is another (the hours are the team's)."""
    opens, closes = business_hours()
    label = f"{opens:%H:%M}–{closes:%H:%M}"
    if timezone.get_current_timezone_name() != settings.TIME_ZONE:
        label += f" {settings.TIME_ZONE}"
    return label


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@cache
def has_data(year: int) -> bool:
    """Whether chinesecalendar knows `year`'s holidays and 调休 working days."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def closure_dates() -> frozenset:
    """Every local closure, cached per process until one changes (cases/reference.py)."""
    from .models import LocalClosure

    return cached(LocalClosure, lambda: frozenset(LocalClosure.objects.values_list("date", flat=True)))


def _works(day: dt.date) -> bool:
    # A year without data: Monday to Friday (the system check warns).
    works = chinese_calendar.is_workday(day) if has_data(day.year) else day.weekday() < 5
    return works and day not in closure_dates()


def is_working_day(day: dt.date) -> bool:
    # Read from the year's table (chinesecalendar's own lookup takes ~30 µs, and a queue page asks
    # for hundreds of days).
    prefix = _working_days_prefix(day.year)
    index = (day - dt.date(day.year, 1, 1)).days
    return prefix[index + 1] > prefix[index]


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=_zone())


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, _zone())


def within_business_hours(moment: dt.datetime) -> bool:
    opens, closes = business_hours()
    local = _local(moment)
    return opens <= local.time() < closes and is_working_day(local.date())


def _next_working_day(day: dt.date) -> dt.date:
    for offset in range(1, SEARCH_DAYS + 1):
        candidate = day + dt.timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise ImproperlyConfigured(f"No working day in the year after {day}: check the local closures.")


def _round_up(moment: dt.datetime) -> dt.datetime:
    floor = moment.replace(minute=moment.minute - moment.minute % SLOT_MINUTES, second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(minutes=SLOT_MINUTES)


def next_business_slot(after: dt.datetime) -> dt.datetime:
    """The first time at or after `after` that is inside business hours and on the quarter hour
    (in TIME_ZONE; convert for display)."""
    opens, closes = business_hours()
    local = _round_up(_local(after))
    day = local.date()
    if is_working_day(day) and local.time() < closes:
        return max(local, _at(day, opens))
    return _at(_next_working_day(day), opens)


def _as_timedelta(amount) -> dt.timedelta:
    return amount if isinstance(amount, dt.timedelta) else dt.timedelta(hours=amount)


def add_business_hours(start: dt.datetime, amount) -> dt.datetime:
    """The moment when `amount` (hours, or a timedelta) of business time has passed since `start`.
    Time outside business hours does not count: Friday 17:30 + 2 hours is Monday 10:30 (if Monday is
    a working day). The result may be the close of a day (17:00 + 1 hour is 18:00 that day)."""
    remaining = _as_timedelta(amount)
    if remaining < dt.timedelta(0):
        raise ValueError("add_business_hours counts forward only")
    opens, closes = business_hours()
    position = _local(start)
    if not remaining:
        return position
    day = position.date()
    if not is_working_day(day) or position.time() >= closes:
        day, position = _next_working_day(day), None
    while True:
        day_start, day_end = _at(day, opens), _at(day, closes)
        position = day_start if position is None else max(position, day_start)
        if position + remaining <= day_end:
            return position + remaining
        remaining -= day_end - position
        day, position = _next_working_day(day), None


# Working days per year as prefix counts, so the business time between two moments costs the same
# whether they are an hour or two years apart (a queue of long-overdue cases shows time left on each
# row). Rebuilt when the local closures change (a new `closure_dates()` set).
_year_counts: dict = {"closures": None, "years": {}}


def _working_days_prefix(year: int) -> list[int]:
    """prefix[i] = working days among the first i days of `year`."""
    closures = closure_dates()
    if _year_counts["closures"] is not closures:
        _year_counts.update(closures=closures, years={})
    years = _year_counts["years"]
    if year not in years:
        day, prefix = dt.date(year, 1, 1), [0]
        while day.year == year:
            prefix.append(prefix[-1] + _works(day))
            day += dt.timedelta(days=1)
        years[year] = prefix
    return years[year]


def _working_days_in(first: dt.date, stop: dt.date) -> int:
    """Working days in [first, stop)."""
    count = 0
    for year in range(first.year, stop.year + 1):
        prefix = _working_days_prefix(year)
        lo = (first - dt.date(year, 1, 1)).days if year == first.year else 0
        hi = (stop - dt.date(year, 1, 1)).days if year == stop.year else len(prefix) - 1
        count += prefix[max(hi, lo)] - prefix[lo]
    return count


def _within_day(day: dt.date, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Business time of working day `day` between `start` and `end`."""
    opens, closes = business_hours()
    if not is_working_day(day):
        return dt.timedelta(0)
    return max(min(end, _at(day, closes)) - max(start, _at(day, opens)), dt.timedelta(0))


def business_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Business time from `start` to `end` (negative when `end` is earlier): what a deadline
    counted in business hours has used."""
    if end < start:
        return -business_time_between(end, start)
    opens, closes = business_hours()
    start, end = _local(start), _local(end)
    first, last = start.date(), end.date()
    if first == last:
        return _within_day(first, start, end)
    whole_days = _working_days_in(first + dt.timedelta(days=1), last)
    day_length = _at(first, closes) - _at(first, opens)
    return (
        _within_day(first, start, _at(first, closes))
        + whole_days * day_length
        + _within_day(last, _at(last, opens), end)
    )
