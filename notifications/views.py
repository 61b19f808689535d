from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .events import event_types
from .selectors import email_events_chosen
from .services import preferences_set


@login_required
def preferences(request):
    """Which notifications also come by e-mail (in-app ones always arrive)."""
    known = event_types()
    if request.method == "POST":
        chosen = {code for code in request.POST.getlist("email") if code in known}
        preferences_set(user=request.user, email_events=chosen)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    chosen = email_events_chosen(request.user)
    rows = [(code, label, code in chosen) for code, label in known.items() if code != "message"]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "has_email": bool(request.user.email)},
    )
