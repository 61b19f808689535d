"""Promises (issue 8): the scheduler's sweep queries on a full table, one sweep cycle with 1,000 due
promises end to end, and the agent's "My callbacks" page.

- Sweep queries: `promises_miss_overdue()` and `promises_remind()` when nothing is due (each one
  SELECT … FOR UPDATE SKIP LOCKED on the `promise_scheduled_due` partial index, in its transaction),
  timed in process; their EXPLAIN (ANALYZE, BUFFERS) is kept for the report.
- Cycle: 1,000 promises on 1,000 open cases, made due a minute past their grace period (written
  through the ORM with their history; setup, not timed), then one `promises_sweep()`: every promise
  missed, its event, the notifications to keeper and supervisor, the escalation check, the pushes
  handed over — timed end to end, then a second sweep (nothing left: what every idle minute costs).
- "My callbacks": the agent's page of open promises, if the page exists (`/cases/callbacks/`).
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.choices import PromiseKind
from cases.models import Case, Promise
from cases.services.promise_sweeps import promises_miss_overdue, promises_remind, promises_sweep
from cases.services.promises import promise_build
from core.history import save_tracked

from .stats import timed

CYCLE_PROMISES = 1_000
CALLBACKS_URL = "/cases/callbacks/"


def _plans(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    plans = {}
    for query in ctx.captured_queries:
        sql = query["sql"]
        if '"cases_promise"' in sql and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plans[sql] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def _due_promises(n):
    """n promises on n open cases, a minute past their grace period (setup: the ORM, with history).

    The cases have missed no promise before, as most cases at any moment: each miss is a first one.
    (A case's second miss also runs the escalation rules and opens or raises an escalation; a run
    that picked the cases of the previous run would time 1,000 escalations instead, and each run
    would time something else.)"""
    now = timezone.now()
    due = now - timedelta(minutes=settings.PROMISE_GRACE_MINUTES + 1)
    missed_before = Promise.objects.filter(missed_at__isnull=False).values("case_id")
    cases = list(
        Case.objects.filter(is_open=True).exclude(pk__in=missed_before).select_related("owner").order_by("-id")[:n]
    )
    for case in cases:
        promise = promise_build(
            case=case, kind=PromiseKind.PROGRESS_UPDATE, due_at=due, description="bench", actor=case.owner, at=now
        )
        save_tracked(promise, user=case.owner, at=now)
    return len(cases)


def _callbacks_page(samples, warmup):
    User = get_user_model()
    keeper = Promise.objects.filter(state__in=("scheduled", "missed")).values_list("keeper_id", flat=True).first()
    if keeper is None:
        return None
    client = Client()
    client.force_login(User.objects.get(pk=keeper))
    if client.get(CALLBACKS_URL).status_code != 200:
        return None  # no such page yet
    stats = timed(lambda: client.get(CALLBACKS_URL), samples, warmup)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CALLBACKS_URL)
    stats["queries"] = len(ctx.captured_queries)
    stats["rows"] = response.content.decode().count('data-promise="')
    return stats


def measure(*, samples=100, warmup=10, log=print):
    result = {"promises": Promise.objects.count(), "open": Promise.objects.filter(state="scheduled").count()}
    log(f"    {result['promises']:,} promises ({result['open']:,} scheduled)")
    result["miss_query"] = timed(promises_miss_overdue, samples, warmup)
    result["remind_query"] = timed(promises_remind, samples, warmup)
    result["plans"] = {**_plans(promises_miss_overdue), **_plans(promises_remind)}
    log(
        f"    sweep, nothing due: missed p95 {result['miss_query']['p95']:.1f} ms, "
        f"reminders p95 {result['remind_query']['p95']:.1f} ms"
    )
    made = _due_promises(CYCLE_PROMISES)
    began = time.perf_counter()
    swept = promises_sweep()
    result["cycle"] = {"due": made, "seconds": time.perf_counter() - began, **swept}
    began = time.perf_counter()
    promises_sweep()
    result["cycle"]["idle_seconds"] = time.perf_counter() - began
    log(f"    one sweep with {made:,} due promises: {result['cycle']['seconds']:.2f} s ({swept})")
    result["callbacks"] = _callbacks_page(samples, warmup)
    if result["callbacks"]:
        log(f"    My callbacks: p95 {result['callbacks']['p95']:.1f} ms, {result['callbacks']['queries']} queries")
    return result
