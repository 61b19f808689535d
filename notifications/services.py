"""The one way anything tells anyone anything: `notify()`.

Rows are written in the caller's transaction (so a rollback sends nothing); pushes and e-mails go
out only after commit. Each (recipient, key) is delivered at most once per channel.
"""

import logging

from django.db import transaction
from django.utils import timezone

from .groups import role_group, user_group
from .models import EmailDelivery, Notification, Preference
from .push import push_after_commit, push_many

logger = logging.getLogger(__name__)


def _message(notification) -> dict:
    """What the browser receives: ids and a short text; details come from the inbox endpoint."""
    return {
        "type": "notification.new",
        "id": notification.pk,
        "event": notification.event,
        "text": notification.text,
        "subject": notification.subject_ref,
        "url": notification.url,
    }


def notify(event, *, recipients, text, key, subject_ref="", url="", actor=None) -> list[Notification]:
    """Tell `recipients` (users) about `event`. `key` identifies the occurrence (e.g. the case
    event id): raising the same key twice stores and sends nothing new."""
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not users:
        return []
    existing = set(Notification.objects.filter(key=key, recipient_id__in=users).values_list("recipient_id", flat=True))
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, event=event, text=text[:300], subject_ref=subject_ref, url=url,
                actor=actor, created_at=now, key=key,
            )
            for pk in users
            if pk not in existing
        ]
    )  # fmt: skip
    wants_email = set(
        Preference.objects.filter(user_id__in=[n.recipient_id for n in created], event=event, email=True).values_list(
            "user_id", flat=True
        )
    )
    deliveries = EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(notification=n)
            for n in created
            if n.recipient_id in wants_email and users[n.recipient_id].email
        ]
    )
    transaction.on_commit(lambda: _after_commit(created, [d.pk for d in deliveries]))
    return created


def _after_commit(notifications, delivery_ids):
    push_many([(user_group(notification.recipient_id), _message(notification)) for notification in notifications])
    if delivery_ids:
        from .tasks import email_send

        for delivery_id in delivery_ids:
            try:
                email_send.delay(delivery_id)
            except Exception:  # broker down: the sweep (email_send_pending) picks it up later
                logger.exception("could not queue e-mail delivery %s", delivery_id)


def broadcast(*, groups, message: dict) -> None:
    """A live-update hint (no inbox row) to user and role groups, after commit."""
    push_after_commit((group, message) for group in groups)


def notification_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def preferences_set(*, user, email_events: set) -> None:
    from .events import event_types

    with transaction.atomic():
        for event in event_types():
            Preference.objects.update_or_create(user=user, event=event, defaults={"email": event in email_events})


__all__ = ["broadcast", "notification_mark_read", "notify", "preferences_set", "role_group", "user_group"]
