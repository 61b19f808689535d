"""Celery tasks of the case lifecycle: each calls a service (services/*_sweeps.py)."""

from celery import shared_task

from core.status import job_ran

from .services.deadline_sweeps import deadlines_sweep
from .services.promise_sweeps import promises_sweep


@shared_task
def promises_sweep_task():
    """Remind keepers of promises coming due and mark the ones not kept in time as missed."""
    result = promises_sweep()
    job_ran("promises-sweep")
    return result


@shared_task
def deadlines_sweep_task():
    """Warn owners of deadlines 80% used and record the ones breached."""
    result = deadlines_sweep()
    job_ran("deadlines-sweep")
    return result
