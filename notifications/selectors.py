"""Every read the notification pages and API make."""

from .models import Notification, Preference

INBOX_LIMIT = 50


def inbox(user, *, unread_only=False, since_id=None, limit=INBOX_LIMIT):
    """Newest first; `since_id` returns what arrived after it (a reconnecting browser's catch-up)."""
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if since_id is not None:
        qs = qs.filter(pk__gt=since_id)
    return list(qs.order_by("-id")[:limit])


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_of(user, pk) -> Notification | None:
    """The user's own notification with this id; someone else's is as good as missing."""
    return Notification.objects.filter(pk=pk, recipient=user).only("id", "recipient_id", "read_at").first()


def email_events_chosen(user) -> set[str]:
    """The event types this user also wants by e-mail."""
    return set(Preference.objects.filter(user=user, email=True).values_list("event", flat=True))
