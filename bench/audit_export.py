#!/usr/bin/env python
"""The auditors' exports of a large search (issue 11: "exports of 100k rows stream"): CSV and XLSX of the
cases opened in a date range, through Django's test client as an auditor, on the database DATABASE_URL
names (seeded: `manage.py seed_cases`).

    DATABASE_URL=postgres://…/bench_desk PYTHONPATH=. .venv/bin/python bench/audit_export.py \\
        --from 2025-12-01 --to 2026-02-15

Prints per format: time to the first byte, total time, size, lines, and the process's peak memory
before and after (constant memory: the peak does not grow with the rows).
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", default="2025-12-01")
    parser.add_argument("--to", dest="end", default="2026-02-15")
    args = parser.parse_args()
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    auditor, _created = get_user_model().objects.get_or_create(username="bench_export_auditor")
    auditor.groups.add(Group.objects.get_or_create(name="auditor")[0])
    client = Client()
    client.force_login(auditor)
    print("| format | rows (lines) | first byte s | total s | MB | peak RSS before → after MB |")
    print("|---|---:|---:|---:|---:|---|")
    for extension in ("csv", "xlsx"):
        before = peak_mb()
        started = time.perf_counter()
        response = client.get(f"/audit/cases/export.{extension}", {"from": args.start, "to": args.end})
        first, size, lines = None, 0, 0
        for chunk in response.streaming_content:
            first = first if first is not None else time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
        total = time.perf_counter() - started
        rows = f"{lines - 1:,}" if extension == "csv" else "—"
        memory = f"{before:.0f} → {peak_mb():.0f}"
        print(f"| {extension} | {rows} | {first:.2f} | {total:.1f} | {size / 1e6:.1f} | {memory} |")


if __name__ == "__main__":
    main()
