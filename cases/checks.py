"""System checks (`manage.py check`) for the business calendar (cases/business_calendar.py)."""

from django.conf import settings
from django.core import checks
from django.utils import timezone

from .business_calendar import has_data, parse_hours
from .letters import checks as letter_checks

HINT_DATA = (
    "Upgrade chinesecalendar (requirements.txt) once it has the year: the State Council publishes "
    "the holidays and the weekends made working days each November. Until then the business calendar "
    "counts Monday to Friday as working days for that year."
)


def calendar_years(app_configs=None, **kwargs) -> list:
    """Warn when chinesecalendar does not know this year or the next one."""
    this_year = timezone.localdate().year
    messages = []
    for year, check_id, when in ((this_year, "cases.W001", "this year"), (this_year + 1, "cases.W002", "next year")):
        if not has_data(year):
            messages.append(
                checks.Warning(
                    f"The business calendar has no public holidays for {year} ({when}).", hint=HINT_DATA, id=check_id
                )
            )
    return messages


def business_hours_setting(app_configs=None, **kwargs) -> list:
    try:
        parse_hours(settings.BUSINESS_HOURS_START, settings.BUSINESS_HOURS_END)
    except ValueError as error:
        return [checks.Error(f"BUSINESS_HOURS_START/END: {error}.", id="cases.E001")]
    return []


def register():
    checks.register(calendar_years, "cases")
    checks.register(business_hours_setting, "cases")
    letter_checks.register()
