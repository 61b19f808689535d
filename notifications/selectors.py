from .models import Notification

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
