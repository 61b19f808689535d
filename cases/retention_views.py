"""The case page's retention flag: the agent flags the case, or confirms the churn words the system
found (services/retention.py). Answers with a redirect to the case page and a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, NotAllowed
from core.forms import service_error_messages

from .services.retention import case_flag_churn_input
from .views import case_or_404, require_reader


@login_required
@require_POST
def case_churn_flag_view(request, number):
    require_reader(request.user)
    case = case_or_404(number)
    back = redirect(reverse("cases:detail", args=[number]) + "#retention")
    try:
        flagged = case_flag_churn_input(case=case, actor=request.user, data={"source": request.POST.get("source", "")})
    except NotAllowed:
        raise PermissionDenied from None
    except ApplicationError as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
        return back
    if flagged:
        messages.success(request, _("Flagged as a retention risk: the guidance is on the case."))
    else:
        messages.info(request, _("The case was already flagged as a retention risk."))
    return back
