"""Bulk-generate cases for load tests and benchmarks: `manage.py seed_cases --cases 1000000`.
What it writes and why it bypasses the services: seeding/bulk/.

Speed: on PostgreSQL one thread generates the rows while --workers threads (default: the CPUs, at
most 4) COPY batches on their own connections with synchronous_commit off, 14 rows per case. On two
cores the generating thread is what the writers wait for (about 0.2 ms of Python per case, 40 µs of it
building the case with `case_build`); measured speeds, which vary several-fold between days on shared
machines, are in docs/benchmarks.md.
The tables are ANALYZEd at the end so the planner knows the new sizes.
"""

import os
import queue
import random
import threading
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case, Category, Deadline, NoLetterReason, Promise, ResponsibleUnit
from complaints.models import Complaint, Customer, Product
from seeding.bulk.generator import Generator
from seeding.bulk.mix import SPAN_DAYS
from seeding.bulk.owners import seed_owners
from seeding.bulk.writer import Writer, schema_check


class Command(BaseCommand):
    help = "Bulk-generate cases with customers, complaints, events and history (COPY on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="how many cases to create (default 1000)")
        parser.add_argument("--batch", type=int, default=10_000, help="cases per transaction (default 10000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="PostgreSQL: connections writing batches in parallel (default: the number of CPUs, at most 4)",
        )
        parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE of the tables at the end")

    def handle(self, *args, cases, batch, seed, workers, no_analyze, **options):
        if cases < 1 or batch < 1:
            raise CommandError("--cases and --batch must be positive.")
        schema_check()
        writer = Writer()
        if not writer.postgres or connection.in_atomic_block:
            # Other connections cannot see rows of an open transaction (e.g. a test's users).
            workers = 1
        elif workers is None:
            workers = max(1, min(os.cpu_count() or 1, 4))
        agents, supervisor = seed_owners()
        categories = list(Category.objects.all())
        units = list(ResponsibleUnit.objects.all())
        products = list(Product.objects.values_list("pk", flat=True))
        # Seeded cases are assured without a letter: told by phone, and the customer confirmed.
        no_letter = NoLetterReason.objects.filter(code="told_in_person").first()
        if not categories or not units or no_letter is None:
            raise CommandError("No categories or responsible units: run migrate first (reference data).")
        now = timezone.now()
        end = now - timedelta(minutes=5)
        start = end - timedelta(days=SPAN_DAYS)
        gen = Generator(
            random.Random(seed),
            now=now,
            start=start,
            step_seconds=(end - start).total_seconds() / cases,
            agents=agents,
            supervisor=supervisor,
            categories=categories,
            units=units,
            products=products,
            no_letter=no_letter,
            total=cases,
        )
        self.began = time.monotonic()
        self.cases, self.done, self.rows = cases, 0, 0
        batches = [(first, min(batch, cases - first)) for first in range(0, cases, batch)]
        if workers == 1:
            for first, n in batches:
                with transaction.atomic():
                    writer.session()
                    rows = self._generate(gen, writer, first, n)
                    writer.write(rows)
                self._progress(n, rows)
        else:
            self._parallel(gen, writer, batches, workers)
        elapsed = time.monotonic() - self.began
        if not no_analyze:
            writer.analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {cases:,} cases ({self.rows:,} rows) in {elapsed:.1f} s with {workers} writer(s): "
                f"{self.rows / elapsed:,.0f} rows/s, {cases / elapsed:,.0f} cases/s."
            )
        )

    def _progress(self, n, rows):
        self.done += n
        self.rows += sum(len(r) for r in rows.values())
        elapsed = time.monotonic() - self.began
        self.stdout.write(
            f"  {self.done:>10,} / {self.cases:,} cases  {self.rows:>12,} rows  {elapsed:7.1f} s  "
            f"{self.rows / elapsed:>9,.0f} rows/s  {self.done / elapsed:>7,.0f} cases/s"
        )

    def _generate(self, gen, writer, first, n):
        """Reserve the batch's ids and case numbers, then build its rows (no writes yet)."""
        times = gen.times(first, n)
        years = [timezone.localtime(t).year for t in times]
        counts = {}
        for year in years:
            counts[year] = counts.get(year, 0) + 1
        reserved = writer.numbers(counts)
        # Times ascend, so each year's numbers ascend with them.
        numbers = [next(reserved[year]) for year in years]
        rows = gen.batch(
            first,
            times,
            case_ids=writer.ids(Case, n),
            customer_ids=writer.ids(Customer, max(1, -(-n // 3))),
            complaint_ids=writer.ids(Complaint, n),
            numbers=numbers,
        )
        gen.promise_ids(rows, writer.ids(Promise, len(rows["promise"])))
        gen.deadline_ids(rows, writer.ids(Deadline, len(rows["deadline"])))
        return rows

    def _parallel(self, gen, writer, batches, workers):
        """PostgreSQL: this thread generates batches, `workers` threads COPY them, each on its own
        connection and in its own transaction, so the server works on several cores while Python
        builds the next batch. Numbers and ids are reserved (committed) before the batch is written:
        they stay unique; a batch that fails leaves its numbers unused."""
        todo = queue.Queue(maxsize=workers)  # bounded: memory stays flat
        lock = threading.Lock()
        failure = []

        def work():
            # Keeps taking batches after a failure (dropping them) so the producer never blocks.
            try:
                while (item := todo.get()) is not None:
                    n, rows = item
                    if failure:
                        continue
                    try:
                        with transaction.atomic():
                            writer.session()
                            writer.write(rows)
                    except Exception as exc:
                        failure.append(exc)
                        continue
                    with lock:
                        self._progress(n, rows)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, name=f"seed-writer-{i}", daemon=True) for i in range(workers)]
        for thread in threads:
            thread.start()
        try:
            for first, n in batches:
                if failure:
                    break
                todo.put((n, self._generate(gen, writer, first, n)))
        finally:
            for _thread in threads:
                todo.put(None)
            for thread in threads:
                thread.join()
        if failure:
            raise CommandError(f"A writer failed: {failure[0]!r}") from failure[0]
