"""/healthz for load balancers and monitors (no login, no details), and /status/ for the people
who run the system (staff): the system checks' warnings with their hints, the database, the cache
and when each periodic job last ran."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .status import cache_probe, database_probe, jobs_last_run, system_checks


def healthz(request):
    probes = [database_probe(), cache_probe()]
    healthy = all(probe.ok for probe in probes)
    body = {probe.name: "ok" if probe.ok else "failing" for probe in probes}
    return JsonResponse({"status": "ok" if healthy else "failing", **body}, status=200 if healthy else 503)


@staff_member_required
def status_page(request):
    schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", {})
    last_runs = jobs_last_run(schedule)
    jobs = [
        {"name": name, "every": entry["schedule"], "last_run": last_runs.get(name)}
        for name, entry in sorted(schedule.items())
    ]
    for job in jobs:
        # Late: not run for three of its periods (or never since the cache was emptied).
        last = job["last_run"]
        job["late"] = last is None or (timezone.now() - last).total_seconds() > 3 * float(job["every"])
    return render(
        request,
        "core/status.html",
        {"probes": [database_probe(), cache_probe()], "messages_": system_checks(), "jobs": jobs},
    )
