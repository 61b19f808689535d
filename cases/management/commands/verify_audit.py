"""`manage.py verify_audit`: walk every case's event chain and say OK, or name each broken link.

Exit status 0 when every chain holds, 1 when one does not (for cron and monitoring). `--notify` also
tells the auditors, as the nightly task does."""

import time

from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from cases.services.chain_check import auditors_tell, event_chains_verify


class Command(BaseCommand):
    help = "Verify the tamper-evident hash chain of every case's events."

    def add_arguments(self, parser):
        parser.add_argument(
            "--case", action="append", dest="cases", metavar="NUMBER", help="only this case (repeatable)"
        )
        parser.add_argument("--notify", action="store_true", help="tell the auditors about broken chains")

    def handle(self, *args, cases=None, notify=False, **options):
        case_ids = None
        if cases:
            found = dict(Case.objects.filter(number__in=cases).values_list("number", "pk"))
            missing = sorted(set(cases) - set(found))
            if missing:
                raise CommandError(f"No such case: {', '.join(missing)}")
            case_ids = list(found.values())
        started = time.perf_counter()
        report = event_chains_verify(case_ids=case_ids)
        seconds = time.perf_counter() - started
        rate = report.events / seconds if seconds else 0
        numbers = dict(Case.objects.filter(pk__in=[b.case_id for b in report.broken]).values_list("pk", "number"))
        for link in report.broken:
            self.stdout.write(f"BROKEN case {numbers.get(link.case_id, '?')}: {link.describe()}")
        summary = f"{report.events} events in {report.chains} chains checked in {seconds:.1f} s ({rate:,.0f} events/s)"
        if notify:
            auditors_tell(report)
        if not report.ok:
            raise CommandError(f"{len(report.broken)} broken chain(s); {summary}")
        self.stdout.write(f"OK: {summary}")
