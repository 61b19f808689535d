"""The case page's clock: pause it while the case waits on the customer, resume it
(services/deadlines.py). Answers like a step: a redirect with a message, or the page with errors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict, InvalidInput, NotAllowed
from core.forms import add_service_errors

from .services.deadlines import ClockPauseInput, case_clock_pause, case_clock_resume
from .views import CLOCK_FIELD_ID, case_or_404, render_case, require_reader


@login_required
@require_POST
def case_clock_view(request, number, action):
    require_reader(request.user)
    if action not in ("pause", "resume"):
        raise Http404
    case = case_or_404(number)
    data = {"reason": request.POST.get("reason", "")}
    try:
        if action == "pause":
            case_clock_pause(case=case, actor=request.user, data=data)
        else:
            case_clock_resume(case=case, actor=request.user)
    except InvalidInput as exc:
        form = add_service_errors(ClockPauseInput(data, auto_id=CLOCK_FIELD_ID), exc)
        return render_case(request, case_or_404(number), clock_form=form, status=400)
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return render_case(request, case_or_404(number), status=403)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reverse("cases:detail", args=[number]) + "#deadlines")
    messages.success(request, _("Clock paused.") if action == "pause" else _("Clock resumed: the deadlines run again."))
    return redirect(reverse("cases:detail", args=[number]) + "#deadlines")
