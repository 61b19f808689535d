"""E-mail delivery of notifications: each `EmailDelivery` row is sent at most once and never dropped
silently (a failed one stays `failed` with its error, and the sweep queues it again).

Services only; notifications/tasks.py runs them on Celery and decides about retries.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import EmailDelivery

logger = logging.getLogger(__name__)

# After this many failed attempts a delivery is left `failed` for a person to look at.
MAX_ATTEMPTS = 8
# How many deliveries one sweep queues; the next sweep takes the rest.
SWEEP_BATCH = 1000
ERROR_MAX_LENGTH = 2000


@dataclass(frozen=True)
class DeliveryResult:
    outcome: str  # "sent", "failed" or "skipped" (gone, or sent already)
    attempts: int = 0
    error: Exception | None = None


def _message(notification) -> dict:
    return {
        "subject": notification.text[:78],  # RFC 5322's recommended line length
        "message": f"{notification.text}\n\n{settings.SITE_URL}{notification.url}",
        "from_email": None,
        "recipient_list": [notification.recipient.email],
    }


def email_delivery_send(delivery_id, *, send=send_mail) -> DeliveryResult:
    """Send one delivery unless it was sent already, and record the outcome. The row stays locked
    while sending, so a task that runs twice at once sends once. `send` is the transport
    (django.core.mail.send_mail's signature)."""
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update()
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status == EmailDelivery.Status.SENT:
            return DeliveryResult("skipped")
        delivery.attempts += 1
        try:
            send(**_message(delivery.notification))
        except Exception as exc:
            delivery.status, delivery.last_error = EmailDelivery.Status.FAILED, str(exc)[:ERROR_MAX_LENGTH]
            delivery.save(update_fields=["status", "last_error", "attempts"])
            logger.warning("e-mail delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, exc)
            return DeliveryResult("failed", delivery.attempts, exc)
        delivery.status, delivery.sent_at = EmailDelivery.Status.SENT, timezone.now()
        delivery.save(update_fields=["status", "sent_at", "attempts"])
    return DeliveryResult("sent", delivery.attempts)


def email_deliveries_pending() -> list[int]:
    """Ids of the deliveries not yet sent that may still be tried: never queued (the broker was
    down), lost with a worker, or failed with attempts left."""
    return list(
        EmailDelivery.objects.exclude(status=EmailDelivery.Status.SENT)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
