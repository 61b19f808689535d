"""What the status page and the health check report (core/views_status.py): the system checks any
app registers (the business calendar's missing years, letters' fonts…), the database and the cache,
and when each periodic job last ran — so a stopped scheduler is seen before customers notice."""

import contextlib
from dataclasses import dataclass

from django.core import checks
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

LAST_RUN_KEY = "status:last-run:{}"
# Kept well beyond any schedule: a job that has not run for a day still shows when it last did.
LAST_RUN_SECONDS = 7 * 24 * 3600


def job_ran(name: str) -> None:
    """Note that periodic job `name` just finished (called by the Celery tasks)."""
    # A cache outage must not fail the job; the status page shows the cache failing.
    with contextlib.suppress(Exception):
        cache.set(LAST_RUN_KEY.format(name), timezone.now(), LAST_RUN_SECONDS)


def jobs_last_run(names) -> dict:
    try:
        return {name: cache.get(LAST_RUN_KEY.format(name)) for name in names}
    except Exception:  # the cache is down: no job is known to have run (the probe says why)
        return dict.fromkeys(names)


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    detail: str = ""


def database_probe() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Probe("database", True, connection.vendor)
    except Exception as error:
        return Probe("database", False, type(error).__name__)


def cache_probe() -> Probe:
    key = "status:probe"
    try:
        cache.set(key, 1, 10)
        return Probe("cache", cache.get(key) == 1, type(cache).__name__)
    except Exception as error:
        return Probe("cache", False, type(error).__name__)


def system_checks() -> list:
    """Warnings and errors of `manage.py check` (the deployment checks are `check --deploy`'s)."""
    return [message for message in checks.run_checks() if message.level >= checks.WARNING]
