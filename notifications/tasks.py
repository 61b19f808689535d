"""E-mail delivery: fetched by id, sent at most once, retried with backoff, never dropped silently
(a failed delivery stays `failed` with its error and the periodic sweep retries it)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import EmailDelivery

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, default_retry_delay=30)
def email_send(self, delivery_id):
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update()
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status == EmailDelivery.Status.SENT:
            return "skipped"  # already sent: a task that runs twice sends once
        notification = delivery.notification
        delivery.attempts += 1
        try:
            send_mail(
                subject=notification.text[:78],
                message=f"{notification.text}\n\n{settings.SITE_URL}{notification.url}",
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
        except Exception as exc:
            delivery.status, delivery.last_error = EmailDelivery.Status.FAILED, str(exc)[:2000]
            delivery.save(update_fields=["status", "last_error", "attempts"])
            logger.warning("e-mail delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, exc)
            failure = exc
        else:
            delivery.status, delivery.sent_at = EmailDelivery.Status.SENT, timezone.now()
            delivery.save(update_fields=["status", "sent_at", "attempts"])
            return "sent"
    # Outside the transaction: retry() raises, and raising inside it would roll back the failure
    # just recorded (the attempt count that drives the backoff, the error the sweep relies on).
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        raise self.retry(exc=failure, countdown=min(30 * 2**delivery.attempts, 3600)) from failure
    return "failed"


@shared_task
def email_send_pending():
    """Sweep: queue every delivery not yet sent (a broker outage, a worker lost mid-task)."""
    ids = list(
        EmailDelivery.objects.exclude(status=EmailDelivery.Status.SENT)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .values_list("pk", flat=True)[:1000]
    )
    for delivery_id in ids:
        email_send.delay(delivery_id)
    return len(ids)
