"""E-mail deliveries: sent at most once, and a failure is recorded before Celery retries it."""

from unittest import mock

import pytest
from celery.exceptions import Retry

from notifications.models import EmailDelivery, Notification
from notifications.tasks import email_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(agent):
    agent.email = "agent@example.com"
    agent.save()
    notification = Notification.objects.create(
        recipient=agent, event="message", text="Call back 王先生", url="/cases/C-2026-000042/", key="k-1"
    )
    return EmailDelivery.objects.create(notification=notification)


def test_a_failed_email_keeps_its_attempt_and_error_while_celery_retries_it(delivery, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as on a worker: the task asks Celery to retry
    with (
        mock.patch("notifications.tasks.send_mail", side_effect=OSError("SMTP down")),
        mock.patch.object(email_send, "retry", return_value=Retry()) as retry,
        pytest.raises(Retry),
    ):
        email_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1 and "SMTP down" in delivery.last_error
    assert retry.call_args.kwargs["countdown"] == 60  # 30 s doubled per attempt, at most an hour


def test_the_service_sends_once_and_records_it(delivery):
    from django.core import mail

    from notifications.emails import email_delivery_send

    first = email_delivery_send(delivery.pk)
    again = email_delivery_send(delivery.pk)
    assert (first.outcome, first.attempts, again.outcome) == ("sent", 1, "skipped")
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Call back 王先生"
    assert mail.outbox[0].body.endswith("/cases/C-2026-000042/")
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.sent_at is not None


def test_the_sweep_takes_what_is_unsent_and_has_attempts_left(agent):
    from notifications.emails import MAX_ATTEMPTS, email_deliveries_pending

    def delivery_with(key, **fields):
        notification = Notification.objects.create(recipient=agent, event="message", text=key, key=key)
        return EmailDelivery.objects.create(notification=notification, **fields)

    never_queued = delivery_with("a")
    failed_once = delivery_with("b", status="failed", attempts=1)
    delivery_with("c", status="sent", attempts=1)
    delivery_with("d", status="failed", attempts=MAX_ATTEMPTS)
    assert sorted(email_deliveries_pending()) == [never_queued.pk, failed_once.pk]
