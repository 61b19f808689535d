#!/usr/bin/env python
"""The auditors' service dashboard (issue 11, item 5): each KPI query, and the page, on the database
in DATABASE_URL as it is (migrated and seeded: `manage.py seed_cases --cases N`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dash_bench .venv/bin/python bench/audit_dashboard.py

Target: the dashboard's queries p95 ≤ 200 ms on PostgreSQL with 1M cases. The page caches its figures
for five minutes per filter (audit/dashboard.py), so a reader pays the KPI queries at most once per
filter and five minutes; this measures both what a miss costs and what a hit costs.

- Setup (untimed): open escalations on 5% of the cases, a fifth of them tagged with a customer type,
  as bench/desk.py seeds them (seed_cases writes none), topped up to 5% on a database grown since.
- Per KPI (audit/kpis.py), per period (30d, 90d), everyone and the seeded team: `warmup` calls, then
  `samples` timed calls; p50/p95 in ms, the number of queries, and whether PostgreSQL's plan reads a
  large table sequentially (the `Seq Scan` lines of EXPLAIN, without ANALYZE).
- The page through Django's test client: uncached (its cache entry deleted before each request),
  and cached.
Settings: config.settings.dev with DEBUG=0, as bench/run.py runs the others.
"""

import argparse
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

TARGET_P95_MS = 200
PERIODS = ("30d", "90d")
# Tables that grow with the cases: a sequential scan of one is what will not hold at 1M.
BIG_TABLES = ("cases_case", "cases_caseevent", "cases_promise", "cases_deadline", "escalation_escalation")


def _kpi_calls(f):
    from audit import kpis

    return {
        "open cases per state": lambda: kpis.open_cases_per_state(f),
        "median hours per step": lambda: kpis.median_hours_per_step(f),
        "first-contact resolution": lambda: kpis.first_contact_resolution(f),
        "satisfaction": lambda: kpis.satisfaction_distribution(f),
        "promise-kept rate": lambda: kpis.promise_kept_rate(f),
        "deadline breaches": lambda: kpis.deadline_breaches(f),
        "escalations by channel": lambda: kpis.escalations_by_channel(f),
        "escalations by customer type": lambda: kpis.escalations_by_customer_type(f),
        "reopen rate": lambda: kpis.reopen_rate(f),
    }


def _timed(fn, samples, warmup):
    from bench.stats import timed

    return timed(fn, samples, warmup)


def _seq_scans(fn):
    """The queries `fn` runs, and the big tables their plans read sequentially (PostgreSQL only)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    scans = set()
    if connection.vendor == "postgresql":
        for query in ctx.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            scans.update(t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in BIG_TABLES)
    return len(ctx.captured_queries), sorted(scans)


def _escalations(log):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from bench import desk

    user, _ = get_user_model().objects.get_or_create(username=desk.DESK_USER)
    user.groups.add(Group.objects.get(name="escalation_desk"))
    log(f"  seeded {desk._seed_escalations(user, random.Random(9)):,} open escalations (untimed)")


def _page(samples, warmup, period, team):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from audit.dashboard import figures_key
    from audit.dashboard_params import period_parse

    user, _ = get_user_model().objects.get_or_create(username="bench_auditor")
    user.groups.add(Group.objects.get(name="auditor"))
    client = Client()
    client.force_login(user)
    params = {"period": period, **({"team": str(team)} if team else {})}
    key = figures_key(period_parse(period), team, timezone.get_current_timezone_name())

    def uncached():
        cache.delete(key)
        response = client.get("/audit/dashboard/", params)
        assert response.status_code == 200, response.status_code

    def cached():
        response = client.get("/audit/dashboard/", params)
        assert response.status_code == 200, response.status_code

    result = {"uncached": _timed(uncached, samples, warmup)}
    result["uncached"]["queries"] = _seq_scans(uncached)[0]
    cached()
    result["cached"] = _timed(cached, samples, warmup)
    result["cached"]["queries"] = _seq_scans(cached)[0]
    return result


def measure(*, samples=30, warmup=3, log=print):
    from accounts.models import Profile
    from audit import kpis
    from audit.dashboard import team_members
    from audit.dashboard_params import period_parse
    from cases.models import Case, CaseEvent

    _escalations(log)
    team = Profile.objects.filter(supervisor__isnull=False).values_list("supervisor_id", flat=True).first()
    result = {"cases": Case.objects.count(), "events": CaseEvent.objects.count(), "kpis": {}, "pages": {}}
    log(f"  {result['cases']:,} cases, {result['events']:,} events; team = supervisor {team}")
    for period in PERIODS:
        parsed = period_parse(period)
        for who, members in (("everyone", None), ("team", team_members(team))):
            f = kpis.KpiFilter(start=parsed.start, end=parsed.end, agent_ids=members)
            for name, call in _kpi_calls(f).items():
                timing = _timed(call, samples, warmup)
                timing["queries"], timing["seq_scans"] = _seq_scans(call)
                result["kpis"][(period, who, name)] = timing
        for who, team_id in (("everyone", None), ("team", team)):
            result["pages"][(period, who)] = _page(samples, warmup, period, team_id)
    return result


def render(result):
    lines = [
        f"Dashboard on {result['cases']:,} cases ({result['events']:,} events); target p95 ≤ {TARGET_P95_MS} ms.",
        "",
        "| Period | Who | KPI | Queries | p50 ms | p95 ms | Seq scans of big tables |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for (period, who, name), t in result["kpis"].items():
        lines.append(
            f"| {period} | {who} | {name} | {t['queries']} | {t['p50']:.1f} | {t['p95']:.1f} | "
            f"{', '.join(t['seq_scans']) or '—'} |"
        )
    lines += ["", "| Period | Who | Page | Queries | p50 ms | p95 ms | ≤ target |", "|---|---|---|---:|---:|---:|---|"]
    for (period, who), page in result["pages"].items():
        for which in ("uncached", "cached"):
            t = page[which]
            ok = "yes" if t["p95"] <= TARGET_P95_MS else "no"
            lines.append(f"| {period} | {who} | {which} | {t['queries']} | {t['p50']:.1f} | {t['p95']:.1f} | {ok} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    print(render(measure(samples=args.samples, warmup=args.warmup)), flush=True)


if __name__ == "__main__":
    main()
