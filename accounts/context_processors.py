from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count

from .roles import Role, roles_of


def roles(request):
    user = getattr(request, "user", None)
    context = {"user_roles": roles_of(user), "Role": Role}
    if user is not None and user.is_authenticated:
        # The bell's badge: one query, and only when a page actually shows it (partials don't).
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))
    return context
