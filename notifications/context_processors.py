from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def bell(request):
    """The bell's badge: one query, and only when a page actually shows it (partials don't)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
