#!/usr/bin/env python
"""Benchmarks on PostgreSQL, written to docs/benchmarks.md.

    make bench                      # full: 10k cases, measure, top up to 1M, measure (~15 min)
    .venv/bin/python bench/run.py --quick   # 10k then 100k, for development

Each run creates a dedicated database (default complaints_bench; dropped first, and at the end
unless --keep), migrates it with `manage.py migrate`, seeds it with `manage.py seed_cases`, runs
VACUUM ANALYZE (as autovacuum would have by then), and measures in process with Django's test
client: queue pages (bench/queues.py), complaint intake against a bare ORM insert (bench/intake.py)
and transitions (bench/transitions.py). Settings: config.settings.dev with DEBUG=0, so templates,
middleware and connection reuse (CONN_MAX_AGE) behave as in production.
"""

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.machine import cpu_and_ram  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
SEEDED = re.compile(
    r"Seeded ([\d,]+) cases \(([\d,]+) rows\) in ([\d.]+) s with (\d+) writer\(s\): ([\d,]+) rows/s, ([\d,]+) cases/s"
)
QUEUE_P95_MS = 50
SWEEP_P95_MS = 20
SWEEP_CYCLE_S = 2
CYCLE_LABEL = "1,000"


def _index_plans(plans) -> bool:
    """Every sweep query reads promises through an index, never a sequential scan."""
    return bool(plans) and all("Seq Scan on cases_promise" not in plan for plan in plans.values())


RULES_P95_MS = 5
ESCALATED_PERCENT = 5
QUEUE_GROWTH = 2.0
QUEUE_QUERIES = 10
# Live-update pushes may cost an API intake or transition at most this much (issue 6).
PUSH_RATIO = 1.2


def label(n):
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return f"{n:,}"


def log(*args):
    print(*args, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.server = args.server.rstrip("/")
        self.url = f"{self.server}/{args.db}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "0",
            "SECRET_KEY": "bench",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        if args.redis:
            # Production-like: Redis is the cache (tokens, roles, reference data) and channel layer.
            # Emptied first: entries from an earlier bench database would name the same user ids.
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            self.env["REDIS_URL"] = args.redis
        else:
            self.env.pop("REDIS_URL", None)
        self.results = {"seed": [], "vacuum": [], "sizes": []}
        self.django_ready = False

    def redis_note(self):
        if self.args.redis:
            return f"Redis 127.0.0.1 as cache and channel layer (`REDIS_URL={self.args.redis}`, emptied first)"
        return "no Redis (cache in process, Celery inline; `--no-redis`)"

    # --- database ---------------------------------------------------------------------------

    def admin(self, sql):
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create_db(self):
        log(f"Creating database {self.args.db}")
        self.admin(f'DROP DATABASE IF EXISTS "{self.args.db}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{self.args.db}"')

    def drop_db(self):
        if self.django_ready:
            from django.db import connections

            connections.close_all()
        self.admin(f'DROP DATABASE IF EXISTS "{self.args.db}" WITH (FORCE)')
        log(f"Dropped database {self.args.db}")

    def manage(self, *argv, capture=False):
        cmd = [sys.executable, str(ROOT / "manage.py"), *argv]
        log("$ " + " ".join(["manage.py", *argv]))
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        lines = []
        for line in proc.stdout:
            lines.append(line)
            print("  " + line, end="", flush=True)
        if proc.wait() != 0:
            raise SystemExit(f"manage.py {' '.join(argv)} failed ({proc.returncode})")
        return "".join(lines)

    def seed(self, n, total):
        began = time.monotonic()
        out = self.manage("seed_cases", "--cases", str(n))
        wall = time.monotonic() - began
        match = SEEDED.search(out)
        if not match:
            raise SystemExit("Could not read the seed_cases summary line.")
        cases, rows, seconds, writers, rows_s, cases_s = match.groups()
        self.results["seed"].append(
            {
                "cases": int(cases.replace(",", "")),
                "total": total,
                "rows": int(rows.replace(",", "")),
                "seconds": float(seconds),
                "writers": int(writers),
                "rows_s": int(rows_s.replace(",", "")),
                "cases_s": int(cases_s.replace(",", "")),
                "wall": wall,
            }
        )

    def vacuum(self, total):
        log("VACUUM (ANALYZE)")
        began = time.monotonic()
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
            # The seeding's and the vacuum's dirty pages written out now, not by the checkpointer
            # while the first pages are timed.
            conn.execute("CHECKPOINT")
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        self.results["vacuum"].append({"total": total, "seconds": time.monotonic() - began, "size": size})

    # --- in-process measurements ------------------------------------------------------------

    def setup_django(self):
        if self.django_ready:
            return
        os.environ.update(self.env)
        # WhiteNoise warns that staticfiles/ is missing (nothing is collected for a benchmark).
        warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        self.django_ready = True

    def measure(self, total, tag):
        self.setup_django()
        from django.db import connections

        from bench import desk, intake, promises, queues, transitions

        connections.close_all()
        a = self.args
        log(f"Queues at {label(total)} cases")
        pages = queues.measure(samples=a.samples, warmup=a.warmup, depth=a.depth, log=log)
        plans = queues.explain(pages, log=log) if a.explain else {}
        extra = []
        if total == a.sizes[1] and a.extra:
            log(f"Other filters and searches at {label(total)} cases (first page, not targets)")
            extra = queues.measure(pages=queues.EXTRA_PAGES, samples=20, warmup=2, depth=1, log=log)
            plans.update(queues.explain(extra, log=log))
        log(f"Intake at {label(total)} cases ({a.intake} each after {a.intake_warmup} warm-up)")
        intake_result = intake.measure(n=a.intake, warmup=a.intake_warmup, tag=tag, log=log)
        log(f"Transitions at {label(total)} cases ({a.transitions} each)")
        transition_result = transitions.measure(n=a.transitions, warmup=20, tag=tag, log=log)
        log(f"Promises at {label(total)} cases")
        promise_result = promises.measure(samples=a.samples, warmup=a.warmup, log=log)
        log(f"Escalation desk at {label(total)} cases")
        desk_result = desk.measure(samples=a.samples, warmup=a.warmup, depth=a.depth, log=log)
        self.results["sizes"].append(
            {
                "total": total,
                "pages": pages,
                "extra": extra,
                "plans": plans,
                "intake": intake_result,
                "transitions": transition_result,
                "promises": promise_result,
                "desk": desk_result,
            }
        )

    # --- the run ----------------------------------------------------------------------------

    def run(self):
        began = time.monotonic()
        small, big = self.args.sizes
        self.create_db()
        try:
            self.manage("migrate", "--no-input", "-v", "0")
            self.seed(small, small)
            self.vacuum(small)
            self.measure(small, "0")
            self.seed(big - small, big)
            self.vacuum(big)
            self.measure(big, "1")
            self.results["elapsed"] = time.monotonic() - began
            self.machine()
            report = render(self)
            out = Path(self.args.output)
            out.write_text(report)
            log(f"Wrote {out} ({self.results['elapsed'] / 60:.1f} min)")
        finally:
            if not self.args.keep:
                self.drop_db()

    def machine(self):
        import django

        info = cpu_and_ram()
        with psycopg.connect(self.url, autocommit=True) as conn:
            info["pg"] = conn.execute("SHOW server_version").fetchone()[0]
            settings = []
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "max_wal_size"):
                settings.append(f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}")
            info["pg_settings"] = ", ".join(settings)
        info["python"] = platform.python_version()
        info["django"] = django.get_version()
        info["psycopg"] = psycopg.__version__
        info["os"] = platform.platform()
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "status", "--porcelain", "--", "bench", "cases", "complaints", "accounts", "config"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.rstrip("\n")  # not strip(): the first line starts with a status column
            if dirty:
                files = ", ".join(f"`{line[3:]}`" for line in dirty.splitlines())
                info["dirty"] = f" plus uncommitted changes in {files} (work in progress, measured as found)"
        except (OSError, subprocess.CalledProcessError):
            commit = "?"
        info["commit"] = commit
        info["date"] = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        info["command"] = (
            "make bench  (= .venv/bin/python bench/run.py)"
            if self.args.full_default
            else ".venv/bin/python bench/run.py " + " ".join(sys.argv[1:])
        )
        self.results["machine"] = info


# --- the report ---------------------------------------------------------------------------------


def ok(flag):
    return "PASS" if flag else "**FAIL**"


def ms(x):
    return f"{x:.1f}"


def render(bench):
    r = bench.results
    m = r["machine"]
    small, big = r["sizes"]
    S, B = label(small["total"]), label(big["total"])
    a = bench.args
    # Cases the intake (five paths and the burst) and transition (three paths) runs create.
    extra = 5 * (a.intake + a.intake_warmup + 1) + 2 * min(a.intake, 200) + 3 * (a.transitions + 20 + 1)
    lines = [
        "# Benchmarks",
        "",
        f"Measured {m['date']} with `{m['command']}` at commit `{m['commit']}`{m.get('dirty', '')}; the whole run took "
        f"{r['elapsed'] / 60:.1f} minutes. Regenerate with `make bench` (full) or "
        "`.venv/bin/python bench/run.py --quick` (10k and 100k, for development).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu']} |",
        f"| RAM | {m['ram']} |",
        f"| PostgreSQL | {m['pg']} on the same machine, over TCP to 127.0.0.1; {m['pg_settings']} |",
        f"| Python | {m['python']}, Django {m['django']}, psycopg {m['psycopg']} |",
        f"| OS | {m['os']} |",
        "| Settings | `config.settings.dev` with `DEBUG=0` (`SECRET_KEY=bench`), persistent connections "
        f"(`CONN_MAX_AGE=60`), {bench.redis_note()} |",
        "",
        "## How it is measured",
        "",
        f"- A dedicated database (`{a.db}`) is created, migrated with `manage.py migrate` and seeded with "
        f"`manage.py seed_cases` to {small['total']:,} cases; then it is topped up to {big['total']:,}. After each "
        "seeding, `VACUUM (ANALYZE)` (what autovacuum does on a live system) and a `CHECKPOINT` before measuring.",
        "- All HTTP measurements run **in process** through Django's test client (`django.test.Client`): the full "
        "request, middleware, session or token authentication, DRF, validation, templates and serialization, but "
        "no network, no web server and no TLS. Times are wall-clock milliseconds around `client.get`/`client.post`, "
        "PostgreSQL on the same machine.",
        f"- Queue pages: {a.warmup} warm-up requests, then {a.samples} timed; the SQL queries of one more request "
        "are counted with `CaptureQueriesContext` (not timed). A deep page is reached by following the "
        f'`rel="next"` links (HTML) or `next` URLs (API) up to {a.depth} times (or to the end of a shorter '
        "queue) and taking the deepest *full* page seen, so that sizes compare pages of 25 rows (the page "
        "number and the rows shown are in the table). Warm caches: the same page is requested repeatedly.",
        "- The agent is `agent_seed_1` (one of 20 seeded owners), the supervisor `supervisor_seed_1`; the API is "
        "called with the supervisor's token. Page size 25 (the default).",
        f"- Intake: {a.intake} complaints per path after {a.intake_warmup} warm-up rounds, the paths interleaved. "
        "**API** = `POST /api/complaints/` with token auth and a realistic JSON payload, a new customer each time "
        "(customer + complaint + case + 3 history rows + the logged event + the case-number counter), its "
        "live-update pushes handed to the push sender after commit (the response does not wait for them); "
        "**pushes off** = the same request with no channel layer. "
        "**Bare** = the same Customer, Case and Complaint rows saved with `save_without_historical_record()` "
        "(simple-history's switch; the plain `Model.save()` INSERT, the history signal returns at once — chosen "
        "over `bulk_create([obj])`, which issues the same INSERT but skips the save signals, because it is the "
        "ORM save the service itself uses) in one `transaction.atomic()` per complaint: no HTTP, no validation, "
        "no customer lookup, no counter, no history, no event. Two more paths split the difference: "
        "**service** = `complaint_log()` called directly (everything but HTTP), **writes** = only the service's "
        "writes through the ORM (3 rows with history, counter, event; no validation, lookups or HTTP).",
        f"- Transitions: {a.transitions} `accept` transitions on fresh `new` cases (logged through the intake "
        "service beforehand, not timed) via `cases.services.case_transition` (the case is loaded before the clock "
        "starts), and as many via `POST /api/cases/{id}/transitions/accept/` (load, transition, detail response).",
        "- Intake and transition rows are written after the queue measurements of the same size, so the queues "
        f"measure the seeded data only (at {B} they include the {extra:,} cases the {S} intake and transition "
        "runs created, all open).",
        "",
    ]

    # Targets
    lines += ["## Targets", "", "| Target | Measured | Result |", "|---|---|---|"]
    worst_p95 = max(big["pages"], key=lambda p: p.p95)
    lines.append(
        f"| Every queue page p95 ≤ {QUEUE_P95_MS} ms at {B} | worst: {worst_p95.key} {ms(worst_p95.p95)} ms | "
        f"{ok(all(p.p95 <= QUEUE_P95_MS for p in big['pages']))} |"
    )
    growth = [(p, p.p95 / q.p95) for p, q in zip(big["pages"], small["pages"], strict=True)]
    worst_growth = max(growth, key=lambda g: g[1])
    lines.append(
        f"| Every queue page p95 at {B} ≤ {QUEUE_GROWTH:g}× its p95 at {S} | worst: {worst_growth[0].key} "
        f"{worst_growth[1]:.1f}× | {ok(all(g <= QUEUE_GROWTH for _p, g in growth))} |"
    )
    most_queries = max(small["pages"] + big["pages"], key=lambda p: p.queries)
    lines.append(
        f"| Queries per queue page ≤ {QUEUE_QUERIES} | max {most_queries.queries} ({most_queries.key}) | "
        f"{ok(most_queries.queries <= QUEUE_QUERIES)} |"
    )
    for size in (small, big):
        for what, x in (("API intake", size["intake"]), ("API transition", size["transitions"])):
            lines.append(
                f"| {what} with pushes (Redis channel layer) ≤ {PUSH_RATIO:g}× pushes off ({label(size['total'])}) "
                f"| p50 {x['push_ratio_p50']:.2f}×, mean {x['push_ratio']:.2f}× | "
                f"{ok(max(x['push_ratio_p50'], x['push_ratio']) <= PUSH_RATIO)} |"
            )
    bp = big["promises"]
    sweep_p95 = max(bp["miss_query"]["p95"], bp["remind_query"]["p95"])
    lines.append(
        f"| Sweep query p95 ≤ {SWEEP_P95_MS} ms at {B} ({bp['promises']:,} promises), on an index | "
        f"worst {ms(sweep_p95)} ms | {ok(sweep_p95 <= SWEEP_P95_MS and _index_plans(bp['plans']))} |"
    )
    lines.append(
        f"| One sweep cycle with {bp['cycle']['due']:,} due promises ≤ {SWEEP_CYCLE_S:g} s at {B} | "
        f"{bp['cycle']['seconds']:.2f} s | {ok(bp['cycle']['seconds'] <= SWEEP_CYCLE_S)} |"
    )
    callbacks = bp["callbacks"]
    lines.append(
        f'| "My callbacks" p95 ≤ {QUEUE_P95_MS} ms at {B}, fixed queries | '
        + (
            f"{ms(callbacks['p95'])} ms, {callbacks['queries']} queries | {ok(callbacks['p95'] <= QUEUE_P95_MS)} |"
            if callbacks
            else "no page yet | **NOT MEASURED** |"
        )
    )
    bd = big["desk"]
    worst_desk = max(((name, which, page[which]) for name, page in bd["pages"].items() for which in ("first", "deep")),
                     key=lambda x: x[2]["p95"])  # fmt: skip
    desk_queries = {page[which]["queries"] for page in bd["pages"].values() for which in ("first", "deep")}
    lines.append(
        f"| Desk queue p95 ≤ {QUEUE_P95_MS} ms at {B} ({bd['escalations']:,} open escalations), fixed queries | "
        f"worst: {worst_desk[0]} ({worst_desk[1]} page) {ms(worst_desk[2]['p95'])} ms; queries per page "
        f"{', '.join(str(q) for q in sorted(desk_queries))} | {ok(worst_desk[2]['p95'] <= QUEUE_P95_MS)} |"
    )
    rules = bd["rules_on_intake"]
    lines.append(
        f"| Rule evaluation on intake adds ≤ {RULES_P95_MS} ms p95 with {bd['rules']} active rules ({B}) | "
        f"evaluation p95 {rules['evaluate']['p95']:.2f} ms where none holds ({rules['evaluate_firing']['p95']:.2f} ms "
        f"where rules hold, the escalation opened included); intake p95 {ms(rules['intake_on']['p95'])} ms with the "
        f"rules, {ms(rules['intake_off']['p95'])} ms with none | {ok(rules['evaluate']['p95'] <= RULES_P95_MS)} |"
    )
    lines += [
        "",
        "The other intake target (API intake ≤ 0.5× django-helpdesk's API ticket creation) is a ratio measured "
        "side by side in one run by `../shared/peers/side-by-side/run.sh`; its result is in the notes below the "
        "tables when it was run.",
        "",
    ]

    # a. seeding
    lines += [
        "## a. Seeding (`manage.py seed_cases`)",
        "",
        "Rows = cases + customers + complaints + case events + history rows of all three. Seconds as reported by "
        "the command (generation and COPY, parallel writers on PostgreSQL); wall includes process start-up and "
        "the final ANALYZE.",
        "",
        "| Cases seeded | Database after | Rows | Seconds | Wall s | Rows/s | Cases/s | Writers |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in r["seed"]:
        lines.append(
            f"| {s['cases']:,} | {s['total']:,} cases | {s['rows']:,} | {s['seconds']:.1f} | {s['wall']:.1f} | "
            f"{s['rows_s']:,} | {s['cases_s']:,} | {s['writers']} |"
        )
    lines += ["", "| VACUUM (ANALYZE) after | Seconds | Database size |", "|---:|---:|---:|"]
    for v in r["vacuum"]:
        lines.append(f"| {v['total']:,} cases | {v['seconds']:.1f} | {v['size']} |")
    lines.append("")

    # b. intake
    lines += [
        "## b. Complaint intake: API with and without pushes, versus a bare ORM insert",
        "",
        "| Cases in DB | Path | Complaints/s | p50 ms | p95 ms | Mean ms | SQL queries | × bare (mean) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "api": "API `POST /api/complaints/` (in process)",
        "api_nopush": "the same API request, pushes off (no channel layer)",
        "service": "service `complaint_log()` (no HTTP)",
        "writes": "ORM writes only (3 rows + 3 history + event + counter)",
        "bare": "bare ORM insert (3 rows)",
    }
    for size in (small, big):
        i = size["intake"]
        for key, name in names.items():
            x = i[key]
            lines.append(
                f"| {label(size['total'])} | {name} | {x['per_s']:.0f} | {ms(x['p50'])} | {ms(x['p95'])} | "
                f"{ms(x['mean'])} | {x['queries']} | {x['mean'] / i['bare']['mean']:.2f}× |"
            )
    lines += [
        "",
        "After each API intake with pushes the benchmark waits, untimed, until its pushes were sent (the "
        "response did not wait for them); a burst of API intakes back to back, nothing waited for in between, "
        "shows what the push sender's work costs the requests it overlaps:",
        "",
        "| Cases in DB | pushes sent after the response, p50 / p95 ms | burst: mean ms pushes on | "
        "pushes off | on ÷ off |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size in (small, big):
        i = size["intake"]
        d, b = i["drain"], i["burst"]
        lines.append(
            f"| {label(size['total'])} | {ms(d['p50'])} / {ms(d['p95'])} | {ms(b['on']['mean'])} "
            f"(n={b['on']['n']}) | {ms(b['off']['mean'])} | {b['ratio']:.2f}× |"
        )
    lines.append("")
    api_sql = big["intake"]["api"]["sql"]
    lines += [
        "<details><summary>The SQL one API intake runs</summary>",
        "",
        "```sql",
        *[_short(q) for q in api_sql],
        "```",
        "",
        "</details>",
        "",
    ]

    # c. queues
    lines += [
        "## c. Queue pages",
        "",
        f"p50/p95 in ms over {a.samples} requests; q = SQL queries per request. Target: p95 ≤ {QUEUE_P95_MS} ms at "
        f"{B}, ≤ {QUEUE_GROWTH:g}× the {S} p95, ≤ {QUEUE_QUERIES} queries.",
        "",
        f"| Page | {S}: page | rows | p50 | p95 | q | {B}: page | rows | p50 | p95 | q | growth (p95) | "
        f"≤ {QUEUE_P95_MS} ms | ≤ {QUEUE_GROWTH:g}× | ≤ {QUEUE_QUERIES} q |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for p, q in zip(big["pages"], small["pages"], strict=True):
        g = p.p95 / q.p95
        lines.append(
            f"| {p.key} | {q.depth} | {q.rows} | {ms(q.p50)} | {ms(q.p95)} | {q.queries} | {p.depth} | {p.rows} | "
            f"{ms(p.p50)} | {ms(p.p95)} | {p.queries} | {g:.1f}× | {ok(p.p95 <= QUEUE_P95_MS)} | "
            f"{ok(g <= QUEUE_GROWTH)} | {ok(max(p.queries, q.queries) <= QUEUE_QUERIES)} |"
        )
    lines.append("")

    # d. transitions
    lines += [
        "## d. Transition latency (`accept`)",
        "",
        "| Cases in DB | Path | n | p50 ms | p95 ms | Mean ms | SQL queries |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in (small, big):
        t = size["transitions"]
        for name, key in (
            ("service `case_transition`", "service"),
            ("API `POST …/transitions/accept/`", "api"),
            ("the same API request, pushes off", "api_nopush"),
        ):
            x = t[key]
            lines.append(
                f"| {label(size['total'])} | {name} | {x['n']} | {ms(x['p50'])} | {ms(x['p95'])} | "
                f"{ms(x['mean'])} | {x['queries']} |"
            )
    lines.append("")

    # e. promises
    lines += [
        '## e. Promises: the scheduler\'s sweep and "My callbacks"',
        "",
        "Sweep queries with nothing due (each `SELECT … FOR UPDATE SKIP LOCKED` in its transaction, in process); "
        f"then {CYCLE_LABEL} promises on as many open cases made due a minute past their grace period (setup, not "
        "timed) and one `promises_sweep()` timed end to end: each promise missed, its event, the notifications to "
        "keeper and supervisor, the escalation check, the pushes handed over; then the idle sweep after it.",
        "",
        "| Cases in DB | Promises | Missed sweep p50 / p95 ms | Reminder sweep p50 / p95 ms | Cycle s "
        "(due → swept) | Idle sweep s | My callbacks p50 / p95 ms, queries |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size in (small, big):
        x = size["promises"]
        cb = x["callbacks"]
        lines.append(
            f"| {label(size['total'])} | {x['promises']:,} | {ms(x['miss_query']['p50'])} / "
            f"{ms(x['miss_query']['p95'])} | {ms(x['remind_query']['p50'])} / {ms(x['remind_query']['p95'])} | "
            f"{x['cycle']['seconds']:.2f} ({x['cycle']['due']:,} → {x['cycle']['missed']:,}) | "
            f"{x['cycle']['idle_seconds']:.3f} | "
            + (f"{ms(cb['p50'])} / {ms(cb['p95'])}, {cb['queries']}" if cb else "—")
            + " |"
        )
    lines += ["", f"Sweep query plans at {B}:", ""]
    for sql, plan in bp["plans"].items():
        lines += ["```", sql[:300] + (" …" if len(sql) > 300 else ""), "", plan, "```", ""]

    # f. the escalation desk
    lines += [
        "## f. The escalation desk: its queue, and the rules on intake",
        "",
        f"Setup (not timed, `bench/desk.py`): open escalations on {ESCALATED_PERCENT}% of the cases, levels L1/L2/L3 "
        "3:6:1, 40% accepted, a fifth of their cases tagged with a customer type, bulk-inserted like the seeded "
        "cases; the active rules topped up to 50 with thresholds, channels, tiers and types an admin might add. "
        "Pages as the desk member `bench_desk` (HTML) and with their token (API); the deep page is reached by "
        "following the next links.",
        "",
        "| Cases in DB | Open escalations | Page | First p50 / p95 ms, queries | Deep page "
        "| Deep p50 / p95 ms, queries |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for size in (small, big):
        x = size["desk"]
        for name, page in x["pages"].items():
            first, deep = page["first"], page["deep"]
            lines.append(
                f"| {label(size['total'])} | {x['escalations']:,} | {name} | {ms(first['p50'])} / {ms(first['p95'])}, "
                f"{first['queries']} | {page['deep_page']} | {ms(deep['p50'])} / {ms(deep['p95'])}, {deep['queries']} |"
            )
    lines += [
        "",
        'Rules on intake: `rules_evaluate(case, moment="intake")` on freshly logged cases, each in a savepoint '
        "rolled back; and `complaint_log` (the intake service, no HTTP) with the rules active against all of them "
        "switched off, interleaved.",
        "",
        "| Cases in DB | Active rules | Evaluation p50 / p95 ms | Intake with rules p50 / p95 ms | "
        "Intake with none p50 / p95 ms |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size in (small, big):
        x = size["desk"]
        r = x["rules_on_intake"]
        lines.append(
            f"| {label(size['total'])} | {x['rules']} | {r['evaluate']['p50']:.2f} / {r['evaluate']['p95']:.2f} | "
            f"{r['evaluate_firing']['p50']:.2f} / {r['evaluate_firing']['p95']:.2f} | "
            f"{ms(r['intake_on']['p50'])} / {ms(r['intake_on']['p95'])} | {ms(r['intake_off']['p50'])} / "
            f"{ms(r['intake_off']['p95'])} |"
        )
    lines.append("")

    # other filters
    if big["extra"]:
        lines += [
            f"## Other queue filters and searches at {B} (not targets)",
            "",
            "The supervisor's queue with the other filters and searches it offers: first page, 20 requests after 2 "
            "warm-up. Open cases unless the row says otherwise.",
            "",
            "| Page | rows | p50 | p95 | q | rows query ms | count query ms | How `cases_case` is read (count) |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for p in big["extra"]:
            times, count_path = {}, ""
            for sql in p.sql:
                plan = big["plans"].get(sql)
                if not plan:
                    continue
                kind, exec_ms, path, removed, _buffers = (x.strip() for x in _plan_summary(sql, plan).split(" | "))
                times[kind] = exec_ms
                if kind == "count":
                    count_path = f"{path}; {removed} rows removed by filter"
            lines.append(
                f"| {p.name} | {p.rows} | {ms(p.p50)} | {ms(p.p95)} | {p.queries} | {times.get('rows', '')} | "
                f"{times.get('count', '')} | {count_path} |"
            )
        lines.append("")

    # plans
    if big["plans"]:
        lines += [
            f"## Query plans at {B}",
            "",
            "`EXPLAIN (ANALYZE, BUFFERS)` of each query on `cases_case` the pages ran (the row query and the capped "
            "count), run once after the measurements. Summary, then every plan:",
            "",
            "| Page | Query | Execution ms | Access path | Rows removed by filter | Buffers |",
            "|---|---|---:|---|---:|---|",
        ]
        for p in big["pages"]:
            for sql in p.sql:
                plan = big["plans"].get(sql)
                if plan:
                    lines.append(f"| {p.key} (page {p.depth}) | {_plan_summary(sql, plan)} |")
        lines.append("")
        for p in big["pages"] + big["extra"]:
            for sql in p.sql:
                plan = big["plans"].get(sql)
                if not plan:
                    continue
                exec_time = re.search(r"Execution Time: ([\d.]+) ms", plan)
                kind = "count" if "COUNT(" in sql.upper() else "rows"
                lines += [
                    f"<details><summary>{p.key} (page {p.depth}), {kind} query: "
                    f"{exec_time.group(1) if exec_time else '?'} ms</summary>",
                    "",
                    "```sql",
                    sql,
                    "```",
                    "",
                    "```",
                    plan,
                    "```",
                    "",
                    "</details>",
                    "",
                ]
    return "\n".join(lines).rstrip() + "\n"


def _plan_summary(sql, plan):
    """Query kind, execution time, how cases_case was read, rows it read and threw away, buffers."""
    kind = "count" if "COUNT(" in sql.upper() else "rows"
    exec_time = re.search(r"Execution Time: ([\d.]+) ms", plan)
    paths, removed, on_cases = [], 0, False
    for line in plan.splitlines():
        node = re.search(
            r"(?:->\s+)?((?:Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan|Seq Scan)[^(]*)", line
        )
        if node and ("->" in line or not line.startswith(" ")):
            text = node.group(1).strip()
            on_cases = " on cases_case" in text or text.startswith("Bitmap Index Scan")
            if on_cases:
                paths.append(text.replace(" on cases_case", ""))
            continue
        if "->" in line:
            on_cases = False
        filtered = re.search(r"Rows Removed by (?:Filter|Index Recheck): (\d+)", line)
        if filtered and on_cases:
            removed += int(filtered.group(1))
    buffers = re.search(r"Buffers: ([^\n]+)", plan)
    return (
        f"{kind} | {exec_time.group(1) if exec_time else '?'} | {'; '.join(paths) or '?'} | {removed:,} | "
        f"{buffers.group(1).strip() if buffers else ''}"
    )


def _short(sql, limit=300):
    return sql if len(sql) <= limit else sql[:limit] + " …"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k then 100k cases instead of 10k then 1M")
    parser.add_argument("--sizes", type=int, nargs=2, metavar=("SMALL", "BIG"), help="case counts to measure at")
    parser.add_argument("--db", default="complaints_bench", help="database to create (dropped first)")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER), help="PostgreSQL URL")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5"),
        help="Redis URL for the cache, as in production (a database of its own: it is emptied)",
    )
    parser.add_argument("--no-redis", dest="redis", action="store_const", const="", help="cache in process")
    parser.add_argument(
        "--keep",
        action="store_true",
        default=bool(os.environ.get("BENCH_KEEP")),
        help="keep the database afterwards (or set BENCH_KEEP=1)",
    )
    parser.add_argument("--samples", type=int, default=100, help="timed requests per queue page")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per queue page")
    parser.add_argument("--depth", type=int, default=200, help="pages to follow for the deep page")
    parser.add_argument("--intake", type=int, default=500, help="complaints per intake path")
    parser.add_argument("--intake-warmup", type=int, default=50)
    parser.add_argument("--transitions", type=int, default=200, help="transitions per path")
    parser.add_argument("--no-explain", dest="explain", action="store_false", help="skip EXPLAIN ANALYZE")
    parser.add_argument("--no-extra", dest="extra", action="store_false", help="skip the other filters and searches")
    args = parser.parse_args()
    args.full_default = len(sys.argv) == 1
    if args.sizes is None:
        args.sizes = (10_000, 100_000) if args.quick else (10_000, 1_000_000)
    if args.sizes[0] >= args.sizes[1]:
        parser.error("the second size must be larger")
    Bench(args).run()


if __name__ == "__main__":
    main()
