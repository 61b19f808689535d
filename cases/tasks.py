"""Celery tasks of the case lifecycle: each calls a service (services/promise_sweeps.py)."""

from celery import shared_task

from .services.promise_sweeps import promises_sweep


@shared_task
def promises_sweep_task():
    """Remind keepers of promises coming due and mark the ones not kept in time as missed."""
    return promises_sweep()
