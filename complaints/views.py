from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import can_log_complaints
from core.errors import InvalidInput, NotAllowed
from core.forms import add_service_errors

from .forms import IntakeForm
from .selectors import customer_by_phone, customer_open_cases
from .services import complaint_log


def _lookup(phone):
    customer = customer_by_phone(phone) if phone else None
    return customer, (customer_open_cases(customer) if customer else [])


@login_required
def intake(request):
    if not can_log_complaints(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST" and "lookup" not in request.POST:
        try:
            complaint, _created = complaint_log(actor=request.user, data=request.POST.dict())
        except InvalidInput as exc:
            form = add_service_errors(IntakeForm(request.POST), exc)
            status = 400
        except NotAllowed:
            raise PermissionDenied from None
        else:
            case = complaint.case
            if request.POST.get("attach_to_case"):
                messages.success(request, _("Complaint attached to case %(number)s.") % {"number": case.number})
            else:
                messages.success(request, _("Case %(number)s opened. Start with Accept.") % {"number": case.number})
            return redirect(reverse("cases:detail", args=[case.number]))
    elif request.method == "POST":
        form = IntakeForm(request.POST)  # "look up" pressed: show what we know, keep what was typed
    else:
        form = IntakeForm(initial={"customer_phone": request.GET.get("phone", "")})
    phone = form.data.get("customer_phone") if form.is_bound else request.GET.get("phone", "")
    customer, open_cases = _lookup(phone)
    return render(
        request,
        "complaints/intake.html",
        {"form": form, "customer": customer, "open_cases": open_cases},
        status=status,
    )


@login_required
def customer_lookup(request):
    """Fragment for the intake page: the customer behind a phone number and their open cases."""
    if not can_log_complaints(request.user):
        raise PermissionDenied
    customer, open_cases = _lookup(request.GET.get("phone", ""))
    return render(request, "complaints/_customer.html", {"customer": customer, "open_cases": open_cases})
