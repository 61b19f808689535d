"""Celery tasks for e-mail delivery: each fetches by id and calls the service in
notifications/emails.py; retrying with backoff is the task's part."""

from celery import shared_task
from django.conf import settings

# The transport the tasks hand to the service: replacing it here (tests, a different backend)
# changes how every delivery leaves.
from django.core.mail import send_mail

from core.status import job_ran

from .emails import MAX_ATTEMPTS, email_deliveries_pending, email_delivery_send

RETRY_FIRST_DELAY = 30  # seconds; doubled per attempt
RETRY_MAX_DELAY = 3600


def retry_delay(attempts: int) -> int:
    return min(RETRY_FIRST_DELAY * 2**attempts, RETRY_MAX_DELAY)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=RETRY_FIRST_DELAY)
def email_send(self, delivery_id):
    result = email_delivery_send(delivery_id, send=send_mail)
    # Only after the service committed: retry() raises, and the failure must stay recorded.
    if result.error is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        raise self.retry(exc=result.error, countdown=retry_delay(result.attempts)) from result.error
    return result.outcome


@shared_task
def email_send_pending():
    """Sweep: queue every delivery not yet sent (a broker outage, a worker lost mid-task)."""
    ids = email_deliveries_pending()
    for delivery_id in ids:
        email_send.delay(delivery_id)
    job_ran("email-send-pending")
    return len(ids)
