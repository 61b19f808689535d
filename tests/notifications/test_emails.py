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
    notification = Notification.objects.create(recipient=agent, event="message", text="Call back 王先生", key="k-1")
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
