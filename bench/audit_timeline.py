#!/usr/bin/env python
"""The auditors' timeline of one case (audit/timeline.py) with 500 events: p50/p95 and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/timeline_bench \\
        .venv/bin/python bench/audit_timeline.py [--samples 100] [--warmup 10] [--events 500]

Runs against the database DATABASE_URL names, migrated (`manage.py migrate`); the issue's target is
on PostgreSQL with 1M cases, so seed it first (`manage.py seed_cases`) for that figure. Setup (not
timed, reused by later runs): one case logged and taken through Accept, Apologize and Acknowledge by
the real services, then tagged with a customer type and untagged again through the services until it
has `--events` events, every tenth a letter prepared (with its SHA-256) — so the case has a history
row for each step and each tag. Measured in process with Django's test client as an auditor
(config.settings.dev with DEBUG=0, as bench/run.py): the timeline page (its first page of 100
entries, every event and change read and merged), the page filtered to letters, and the selector
alone (every entry, no template). Queries counted per request: they must not depend on the events.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from audit.timeline import case_timeline  # noqa: E402
from bench.stats import timed  # noqa: E402
from cases.events import LETTER_GENERATED  # noqa: E402
from cases.models import Case, CaseEvent  # noqa: E402
from cases.services import case_event_record, case_transition  # noqa: E402
from complaints.services import complaint_log  # noqa: E402
from escalation.services import case_customer_type_remove, case_customer_type_tag  # noqa: E402

TARGET_P95_MS = 50
BENCH_SUMMARY = "bench: audit timeline"
AGENT, AUDITOR = "bench_timeline_agent", "bench_timeline_auditor"
# A type no seeded escalation rule names: tagging it changes nothing but the record.
TAG_TYPE = "rambling"


def _user(username, role):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": role.title()}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    return user


def _steps(case, agent):
    now = timezone.now()
    evidence = {
        "accept": {"first_contact_at": now.isoformat(), "customer_words": "你们凭什么多扣我两百块！"},
        "apologize": {"apology_text": "非常抱歉给您添麻烦了。"},
        "acknowledge": {"restated_problem": "您是说本月多扣了两百元。", "emotional_needs": ["be_heard"]},
    }
    for name, data in evidence.items():
        case_transition(case=case, name=name, actor=agent, data=data)
        case.refresh_from_db()


def bench_case(events: int, log=print):
    """The case with `events` events (created once, topped up if a run asks for more)."""
    agent = _user(AGENT, "agent")
    case = Case.objects.filter(summary=BENCH_SUMMARY).order_by("id").first()
    if case is None:
        complaint, _created = complaint_log(
            actor=agent,
            data={
                "customer_name": "王小明",
                "customer_phone": "+15550000000123",
                "tier": "gold",
                "preferred_language": "zh-hans",
                "channel": "phone",
                "summary": BENCH_SUMMARY,
                "what_happened": "本月账单比平时多了两百元，客户没有使用额外业务。",
            },
        )
        case = complaint.case
        _steps(case, agent)
    n = CaseEvent.objects.filter(case=case).count()
    added = 0
    while n < events:
        if n % 10 == 0:
            case_event_record(
                case=case,
                kind=LETTER_GENERATED,
                actor=agent,
                payload={
                    "letter": n,
                    "version": n // 10,
                    "language": "zh-hans",
                    "sha256": f"{n:064x}",
                    "size": 48_000 + n,
                    "template_version": "bench",
                },
            )
            n += 1
        elif case.customer_types.filter(removed_at__isnull=True).exists():
            case_customer_type_remove(case=case, actor=agent, code=TAG_TYPE, data={"reason": "误标，已更正"})
            n += 1
        else:
            case_customer_type_tag(case=case, actor=agent, data={"customer_type": TAG_TYPE, "note": "话多，抓重点"})
            n += 1
        added += 1
    if added:
        log(f"    added {added} events")
    return case


def _measure(fn, samples, warmup):
    timing = timed(fn, samples, warmup)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return {**timing, "queries": len(ctx.captured_queries)}


def measure(*, samples=100, warmup=10, events=500, log=print):
    case = bench_case(events, log=log)
    auditor = _user(AUDITOR, "auditor")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(auditor)
    url = reverse("audit:timeline", args=[case.number])
    timeline = case_timeline(case)
    changes = timeline.counts["changes"]
    result = {
        "case": case.number,
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.filter(case=case).count(),
        "changes": changes,
        "entries": len(timeline.entries),
    }

    def page(query=""):
        def get():
            response = client.get(url + query)
            assert response.status_code == 200, response.status_code

        return get

    timezone.activate("Asia/Shanghai")
    result["rows"] = {
        "Timeline page (first 100 entries)": _measure(page(), samples, warmup),
        "Timeline page, letters only": _measure(page("?kind=letters"), samples, warmup),
        "Selector alone (every entry)": _measure(lambda: case_timeline(case), samples, warmup),
    }
    return result


def table(result) -> str:
    lines = [
        f"Case {result['case']}: {result['events']:,} events, {result['changes']:,} field-change rows, "
        f"{result['entries']:,} entries; {result['cases']:,} cases in the database.",
        "",
        "| what | n | p50 ms | p95 ms | mean ms | queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in result["rows"].items():
        lines.append(
            f"| {name} | {row['n']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['mean']:.1f} | {row['queries']} |"
        )
    page = result["rows"]["Timeline page (first 100 entries)"]
    verdict = "meets" if page["p95"] <= TARGET_P95_MS else "MISSES"
    lines += ["", f"Timeline page p95 {page['p95']:.1f} ms {verdict} the target of {TARGET_P95_MS} ms."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--events", type=int, default=500, help="events on the measured case (topped up)")
    parser.add_argument("--output", help="also write the table to this file")
    args = parser.parse_args()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    text = table(measure(samples=args.samples, warmup=args.warmup, events=args.events))
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
