"""The case page's customer types: tag one, remove one (services.py). Answers with a redirect to the
case page and a message; the page shows what went wrong."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.people import display_name
from accounts.roles import Role, roles_of
from cases.choices import CaseState, Channel, CustomerTier
from cases.deadline_status import time_left_text
from cases.selectors import case_detail
from core.display import local_stamp
from core.errors import ApplicationError, InvalidInput, NotAllowed
from core.forms import service_error_messages

from .approvals import approval_decide, approval_request
from .choices import OPEN_ESCALATION_STATES, EscalationLevel, EscalationState
from .desk_params import desk_query_parse
from .escalations import (
    DESK_ROLES,
    escalation_accept,
    escalation_decline,
    escalation_hand_over,
    escalation_raise,
    escalation_request,
    escalation_resolve,
    escalation_return,
)
from .models import CompensationApproval, Escalation
from .selectors import DESK_SORTS, desk_counts, desk_queue
from .services import active_customer_types, case_customer_type_remove, case_customer_type_tag


def _case(number):
    case = case_detail(number=number)
    if case is None:
        raise Http404
    return case


def _back(number, anchor="customer-types"):
    return redirect(reverse("cases:detail", args=[number]) + "#" + anchor)


def _error_text(exc):
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message)
    return " ".join(str(message) for message in service_error_messages(exc))


@login_required
@require_POST
def customer_type_tag_view(request, number):
    case = _case(number)
    data = {key: request.POST.get(key, "") for key in ("customer_type", "note")}
    try:
        tag = case_customer_type_tag(case=case, actor=request.user, data=data)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return _back(number)
    messages.success(
        request, _("Tagged “%(type)s”: its playbook is beside the steps.") % {"type": tag.customer_type.name}
    )
    return _back(number)


@login_required
@require_POST
def customer_type_remove_view(request, number, code):
    case = _case(number)
    try:
        case_customer_type_remove(
            case=case, actor=request.user, code=code, data={"reason": request.POST.get("reason", "")}
        )
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return _back(number)
    known = active_customer_types().get(code)
    messages.success(request, _("Removed “%(type)s”.") % {"type": known.name if known else code})
    return _back(number)


@login_required
@require_POST
def escalation_request_view(request, number):
    case = _case(number)
    data = {"level": request.POST.get("level", ""), "reason": request.POST.get("reason", "")}
    try:
        escalation_request(case=case, actor=request.user, data=data)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return _back(number, "escalation")
    messages.success(request, _("Escalation requested."))
    return _back(number, "escalation")


@login_required
@require_POST
def escalation_act_view(request, pk, step):
    escalation = Escalation.objects.select_related("case").filter(pk=pk).first()
    if escalation is None:
        raise Http404
    number = escalation.case.number
    action = step if step in ("accept", "raise", "hand_over") else request.POST.get("action", "")
    services = {
        "accept": lambda: escalation_accept(escalation=escalation, actor=request.user),
        "raise": lambda: escalation_raise(escalation=escalation, actor=request.user, data=request.POST),
        "hand_over": lambda: escalation_hand_over(escalation=escalation, actor=request.user, data=request.POST),
        "resolve": lambda: escalation_resolve(escalation=escalation, actor=request.user, data=request.POST),
        "return": lambda: escalation_return(escalation=escalation, actor=request.user, data=request.POST),
        "decline": lambda: escalation_decline(escalation=escalation, actor=request.user, data=request.POST),
    }
    if action not in services:
        raise Http404
    try:
        done = services[action]()
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return _back(number, "escalation")
    if action == "raise":
        messages.success(request, _("Escalation raised to %(level)s.") % {"level": done.get_level_display()})
    elif action == "hand_over":
        messages.success(request, _("Handed over to %(who)s.") % {"who": display_name(done.accepted_by)})
    else:
        messages.success(request, _("Escalation: %(state)s.") % {"state": done.get_state_display()})
    return _back(number, "escalation")


@login_required
@require_POST
def approval_request_view(request, number):
    case = _case(number)
    data = {"option": request.POST.get("option", ""), "reason": request.POST.get("reason", "")}
    try:
        approval_request(case=case, actor=request.user, data=data)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return _back(number, "approvals")
    messages.success(request, _("Approval requested: the people who may decide are told."))
    return _back(number, "approvals")


@login_required
@require_POST
def approval_decide_view(request, pk):
    approval = CompensationApproval.objects.select_related("case").filter(pk=pk).first()
    if approval is None:
        raise Http404
    number = approval.case.number
    data = {"decision": request.POST.get("decision", ""), "reason": request.POST.get("reason", "")}
    try:
        done = approval_decide(approval=approval, actor=request.user, data=data)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return _back(number, "approvals")
    messages.success(request, _("Compensation: %(state)s.") % {"state": done.get_state_display()})
    return _back(number, "approvals")


DESK_READERS = {Role.ESCALATION_DESK, Role.SUPERVISOR, Role.AUDITOR}


def _label_rows(escalations, now):
    """Each row's texts worked out once here (choices' labels, time left, links): the template
    language's get_…_display, filters and {% url %} per row made the page slow (as My callbacks)."""
    labels = {
        name: {value: str(label) for value, label in choices}
        for name, choices in (
            ("level", EscalationLevel.choices), ("state", EscalationState.choices), ("tier", CustomerTier.choices),
            ("channel", Channel.choices), ("case_state", CaseState.choices),
        )
    }  # fmt: skip
    by_system = _("opened by the system")
    for e in escalations:
        case = e.case
        e.level_label, e.state_label = labels["level"][e.level], labels["state"][e.state]
        e.tier_label, e.channel_label = labels["tier"][case.customer_tier], labels["channel"][case.channel]
        e.case_state_label = labels["case_state"][case.state]
        e.by_system = by_system if e.requested_by_id is None else ""
        e.handler = display_name(e.accepted_by) if e.accepted_by_id else "—"
        e.case_url = reverse("cases:detail", args=[case.number])
        e.accept_url = reverse("escalation:act", args=[e.pk, "accept"])
        e.requested_iso, e.requested_text = local_stamp(e.requested_at)
        e.time_left, e.overdue = time_left_text(case, now) or ("—", False)


@login_required
def desk_queue_view(request):
    """The escalation desk's queue: every open escalation, most urgent first; live."""
    roles = roles_of(request.user)
    if not roles & DESK_READERS:
        raise PermissionDenied
    query = desk_query_parse(request.GET)
    for name, problems in query.errors.items():
        messages.warning(request, f"{name}: {' '.join(str(p) for p in problems)}")
    try:
        page = desk_queue(query.filters, sort=query.sort, after=query.after, before=query.before, size=query.size)
    except InvalidInput as exc:
        messages.warning(request, exc.message)
        page = desk_queue(query.filters, sort=query.sort, size=query.size)
    _label_rows(page.items, timezone.now())
    counts = desk_counts()
    per_level = [
        (value, label, sum(n for (lv, _state), n in counts.items() if lv == value))
        for value, label in EscalationLevel.choices
    ]
    params = request.GET.copy()
    for key in ("after", "before"):
        params.pop(key, None)
    may_act = bool(roles & DESK_ROLES)
    return render(
        request,
        "escalation/desk.html",
        {
            "page": page,
            "per_level": per_level,
            "filters": query.filters,
            "sort": query.sort,
            "sorts": [(key, sort.label) for key, sort in DESK_SORTS.items()],
            "states": [(s, EscalationState(s).label) for s in OPEN_ESCALATION_STATES],
            "types": list(active_customer_types().values()),
            "channels": Channel.choices,
            "may_accept": may_act,
            "accept_label": pgettext("escalation", "Accept"),
            "base_query": params.urlencode(),
            "now": timezone.now(),
            "nav": "desk",
        },
    )
