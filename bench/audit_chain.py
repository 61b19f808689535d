"""`manage.py verify_audit` at scale (issue 11): every case's hash chain walked once, as the daily
task walks it, on whatever database DATABASE_URL names (a seeded one: `manage.py seed_cases`).

    PYTHONPATH=. DATABASE_URL=postgres://…/bench DJANGO_SETTINGS_MODULE=config.settings.dev \\
        .venv/bin/python bench/audit_chain.py [--runs 2]

Prints one row per run: events, chains, seconds, events/s, and the process's peak memory (the walk
streams through a server-side cursor, so memory stays flat whatever the number of events).
"""

import argparse
import resource
import time

import django


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    django.setup()
    from cases.services.chain_check import event_chains_verify

    print("| run | events | chains | broken | seconds | events/s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        report = event_chains_verify()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"| {run} | {report.events:,} | {report.chains:,} | {len(report.broken)} | {seconds:.1f} "
            f"| {report.events / seconds:,.0f} | {peak:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
