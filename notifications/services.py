"""The one way anything tells anyone anything: `notify()`.

Rows are written in the caller's transaction (so a rollback sends nothing); pushes and e-mails go
out only after commit. Each (recipient, key) is delivered at most once per channel.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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


@dataclass
class _Notice:
    event: str
    users: dict  # pk → user
    text: str
    key: str
    subject_ref: str
    url: str
    actor: object


# Notices collected by `notifications_batched()` in this context (None: deliver at once).
_collected: ContextVar[list | None] = ContextVar("notifications_collected", default=None)


def notify(event, *, recipients, text, key, subject_ref="", url="", actor=None) -> list[Notification]:
    """Tell `recipients` (users) about `event`. `key` identifies the occurrence (e.g. the case
    event id): raising the same key twice stores and sends nothing new. Returns the rows stored —
    none yet inside `notifications_batched()`, which stores them when it ends."""
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not users:
        return []
    notice = _Notice(event, users, text, key, subject_ref, url, actor)
    collected = _collected.get()
    if collected is not None:
        collected.append(notice)
        return []
    return _deliver([notice])


@contextmanager
def notifications_batched():
    """Collect every notify() inside and store them together when the block ends, in the same
    transaction: what a sweep telling hundreds of people does in a few statements instead of a few
    per person. Delivery is the same code as for one notice (`_deliver`)."""
    collected = []
    token = _collected.set(collected)
    try:
        yield
    finally:
        _collected.reset(token)
    if collected:
        _deliver(collected)


def _deliver(notices) -> list[Notification]:
    """Store `notices` (each once per recipient and key), queue e-mails for those who want them,
    and push everything after commit. Four statements however many notices."""
    keys = {notice.key for notice in notices}
    recipients = {pk for notice in notices for pk in notice.users}
    existing = set(
        Notification.objects.filter(key__in=keys, recipient_id__in=recipients).values_list("key", "recipient_id")
    )
    now = timezone.now()
    rows, users = [], {}
    for notice in notices:
        for pk, user in notice.users.items():
            if (notice.key, pk) in existing:
                continue
            existing.add((notice.key, pk))  # the same key twice in one batch: once
            users[pk] = user
            rows.append(
                Notification(
                    recipient_id=pk, event=notice.event, text=notice.text[:300], subject_ref=notice.subject_ref,
                    url=notice.url, actor=notice.actor, created_at=now, key=notice.key,
                )
            )  # fmt: skip
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    wants_email = set(
        Preference.objects.filter(
            user_id__in={n.recipient_id for n in created}, event__in={n.event for n in created}, email=True
        ).values_list("user_id", "event")
    )
    deliveries = EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(notification=n)
            for n in created
            if (n.recipient_id, n.event) in wants_email and users[n.recipient_id].email
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


def job_progress_push(*, user_id, job: str, data: dict) -> None:
    """How far a long job someone started has got (`job.progress`), to that one user's pages, after
    commit; no inbox row. `job` names it for the page that follows it ("letter-batch:12"); `data` is
    plain JSON the page reads (counts, state, links), which the caller builds: this app knows no
    other app's models. The page re-reads over HTTP whatever it missed while its socket was down."""
    push_after_commit([(user_group(user_id), {**data, "type": "job.progress", "job": job})])


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


__all__ = [
    "broadcast",
    "job_progress_push",
    "notification_mark_read",
    "notifications_batched",
    "notify",
    "preferences_set",
    "role_group",
    "user_group",
]
