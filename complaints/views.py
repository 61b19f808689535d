from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import can_log_complaints
from core.errors import InvalidInput, NotAllowed
from core.forms import add_service_errors, service_error_messages

from .corrections import customer_correct
from .forms import IntakeForm
from .intake_notes import intake_notes
from .selectors import (
    REPEAT_THRESHOLD,
    customer_by_id,
    customer_by_phone,
    customer_open_cases,
    customer_recent_complaints,
)
from .services import complaint_log


def _lookup(phone) -> dict:
    customer = customer_by_phone(phone) if phone else None
    if customer is None:
        return {"customer": None, "open_cases": [], "recent_complaints": 0, "repeat_complainant": False, "notes": []}
    recent = customer_recent_complaints(customer)
    return {
        "customer": customer,
        "open_cases": customer_open_cases(customer),
        "recent_complaints": recent,
        # The complaint being logged counts too: the third in a month is a repeat complaint.
        "repeat_complainant": recent + 1 >= REPEAT_THRESHOLD,
        "notes": intake_notes(customer),
    }


def _as_known(data: dict, customer) -> dict:
    """The form as typed, with the known customer's record in the customer fields: intake links the
    customer as it is (it never renames or re-tiers them), so the form shows what will be used."""
    return {
        **data,
        "customer_name": customer.name,
        "tier": customer.tier,
        "preferred_language": customer.preferred_language,
        "account_number": customer.account_number or data.get("account_number", ""),
    }


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
            for message in complaint.intake_warnings.values():
                messages.warning(request, message)
            if request.POST.get("attach_to_case"):
                messages.success(request, _("Complaint attached to case %(number)s.") % {"number": case.number})
            else:
                messages.success(request, _("Case %(number)s opened. Start with Accept.") % {"number": case.number})
            return redirect(reverse("cases:detail", args=[case.number]))
    elif request.method == "POST":
        # "Look up" pressed: keep what was typed, fill the customer fields from the record found.
        found = _lookup(request.POST.get("customer_phone", ""))
        typed = request.POST.dict()
        form = IntakeForm(initial=_as_known(typed, found["customer"]) if found["customer"] else typed)
        return render(request, "complaints/intake.html", {"form": form, **found})
    else:
        form = IntakeForm(initial={"customer_phone": request.GET.get("phone", "")})
    phone = form.data.get("customer_phone") if form.is_bound else request.GET.get("phone", "")
    return render(request, "complaints/intake.html", {"form": form, **_lookup(phone)}, status=status)


@login_required
def customer_lookup(request):
    """Fragment for the intake page: the customer behind a phone number and their open cases."""
    if not can_log_complaints(request.user):
        raise PermissionDenied
    return render(request, "complaints/_customer.html", _lookup(request.GET.get("phone", "")))


@login_required
@require_POST
def customer_correct_view(request, pk):
    """The case page's "correct the customer's record" form; back to the page with the outcome."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("cases:queue")
    customer = customer_by_id(pk)
    if customer is None:
        raise Http404
    # Fields left as they are on record are not changes.
    name = request.POST.get("name", "").strip()
    tier = request.POST.get("tier", "")
    try:
        customer_correct(
            actor=request.user,
            customer_id=pk,
            name=name if name and name != customer.name else None,
            tier=tier if tier and tier != customer.tier else None,
            reason=request.POST.get("reason", ""),
        )
    except NotAllowed:
        raise PermissionDenied from None
    except InvalidInput as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The customer's record was corrected."))
    return redirect(back)
