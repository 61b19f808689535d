from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import REMINDER_MINUTES_MAX
from accounts.services import profile_reminder_set, reminder_minutes_of
from core.errors import InvalidInput

from .events import event_types
from .selectors import email_events_chosen
from .services import preferences_set


@login_required
def preferences(request):
    """Which notifications also come by e-mail (in-app ones always arrive), and how long before a
    promised call the reminder comes. Saved together, or neither (a wrong number keeps the ticks)."""
    known = event_types()
    reminder, reminder_errors, status = reminder_minutes_of(request.user), [], 200
    if request.method == "POST":
        chosen = {code for code in request.POST.getlist("email") if code in known}
        reminder = request.POST.get("reminder_minutes", reminder)  # the form always sends it
        try:
            with transaction.atomic():
                profile_reminder_set(user=request.user, minutes=reminder)
                preferences_set(user=request.user, email_events=chosen)
        except InvalidInput as exc:
            reminder_errors, status = exc.fields["reminder_minutes"], 400
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    else:
        chosen = email_events_chosen(request.user)
    rows = [(code, label, code in chosen) for code, label in known.items() if code != "message"]
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "has_email": bool(request.user.email),
            "reminder_minutes": reminder,
            "reminder_max": REMINDER_MINUTES_MAX,
            "reminder_errors": reminder_errors,
        },
        status=status,
    )
