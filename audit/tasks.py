from celery import shared_task

from core.status import job_ran

from .dashboard import dashboard_warm


@shared_task
def dashboard_warm_task():
    """Keep the default dashboard's figures in the cache (audit/dashboard.py)."""
    warmed = dashboard_warm()
    job_ran("audit-dashboard-warm")
    return warmed
