"""Agent console pages. Thin: parse the request, call a selector or a service, render."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.people import display_name
from accounts.roles import CASE_WIDE_ROLES, Role, can_log_complaints, can_read_cases, roles_of
from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.forms import add_service_errors, add_service_errors_to_forms, service_error_messages

from . import selectors
from .business_calendar import hours_label
from .choices import SEVEN_A_STEPS, CaseState, CustomerTier, LetterLanguage, Priority
from .deadline_status import deadline_rows
from .evidence import FACT_FIELDS
from .forms_post import evidence_data_from_post
from .hints import MSG_START_LOW, STEP_HINTS, first_offer_is_largest
from .panels import case_panels
from .permissions import can_work_case
from .promise_inputs import PromiseCallInput, PromiseCancelInput, PromiseMakeInput, PromiseRescheduleInput
from .queue_params import PAGE_PARAMS, SCOPE_ALL, SCOPE_MINE, queue_query_parse
from .queue_rows import label_queue_rows
from .services import (
    TRANSITIONS,
    case_assign,
    case_assignable_users,
    case_record_first_contact,
    case_transition,
    transitions_available,
)
from .services.deadlines import ClockPauseInput
from .services.transitions import FIRST_CONTACT_STEPS

# Steps whose form is offered as "the next step"; the others are secondary actions.
MAIN_STEPS = (*tuple(name for _state, name, _label in SEVEN_A_STEPS), "close")
SIDE_ACTIONS = ("reopen", "withdraw", "reject")


# The pause form's fields beside the side actions' (which have a "reason" too).
CLOCK_FIELD_ID = "id_clock_%s"


def promise_field_id(pk, action) -> str:
    """Field ids unique on the page, which lists a form per promise and action."""
    return f"id_promise{pk}_{action}_%s"


PROMISE_ACTION_FORMS = {"call": PromiseCallInput, "reschedule": PromiseRescheduleInput, "cancel": PromiseCancelInput}


def require_reader(user):
    if not can_read_cases(user):
        raise PermissionDenied


# How the page names each query parameter when it cannot use its value (the labels of its filters).
PARAM_LABELS = {
    "scope": gettext_lazy("Which cases"),
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "tier": gettext_lazy("Tier"),
    "sort": gettext_lazy("Sort"),
    "size": gettext_lazy("Per page"),
    "owner": gettext_lazy("Owner"),
    "q": gettext_lazy("Search"),
    "promise": gettext_lazy("Promises"),
}
MSG_PARAM_DEFAULTED = gettext_lazy("%(filter)s: %(problem)s The default is shown instead.")


def _warn(request, text):
    # A live refresh (static/js/live.js) renders no messages (base.html): stored, they would pile up
    # and all show on the next full page. The page it refreshes showed them already.
    if request.headers.get("x-requested-with") != "live":
        messages.warning(request, text)


@login_required
def queue(request):
    require_reader(request.user)
    query = queue_query_parse(request.GET, PAGE_PARAMS)
    for param, problems in query.errors.items():
        for problem in problems:
            _warn(request, MSG_PARAM_DEFAULTED % {"filter": PARAM_LABELS.get(param, param), "problem": problem})
    roles = roles_of(request.user)
    scope = query.scope or (SCOPE_MINE if roles == {Role.AGENT} else SCOPE_ALL)
    filters = query.filters
    if scope == SCOPE_MINE:
        filters = replace(filters, owner_id=request.user.pk)
    size = query.size
    try:
        page = selectors.case_queue(filters, after=query.after, before=query.before, size=size)
    except InvalidInput as exc:
        _warn(request, exc.message)
        page = selectors.case_queue(filters, size=size)
    now = timezone.now()
    label_queue_rows(page.items, now)
    params = request.GET.copy()
    for key in ("after", "before", *query.errors):  # a page link must not repeat a rejected value
        params.pop(key, None)
    return render(
        request,
        "cases/queue.html",
        {
            "page": page,
            "filters": filters,
            "scope": scope,
            "size": size,
            "page_sizes": selectors.PAGE_SIZES,
            "base_query": params.urlencode(),
            "status_choices": [
                (selectors.STATUS_OPEN, _("Open")),
                (selectors.STATUS_CLOSED, _("Ended")),
                (selectors.STATUS_ALL, _("All")),
                *list(CaseState.choices),
            ],
            "priority_choices": Priority.choices,
            "tier_choices": CustomerTier.choices,
            "sorts": selectors.SORTS,
            "promise_choices": [(selectors.PROMISE_OVERDUE, _("Overdue"))],
            "now": now,
            "can_log": can_log_complaints(request.user),
            "letter_languages": LetterLanguage.choices,
        },
    )


def _stepper(case):
    """Each 7A step as done / current / todo. The state says how far the case got; a case that
    ended early (withdrawn, rejected) shows the steps whose evidence it has."""
    order = [state for state, _name, _label in SEVEN_A_STEPS]
    if case.state in order:
        reached = order.index(case.state) + 1
    elif case.state == CaseState.CLOSED:
        reached = len(order)
    elif case.state == CaseState.NEW:
        reached = 0
    else:
        reached = sum(1 for state in order if getattr(case, f"{state}_at", None))
    return [
        {
            "name": name,
            "label": label,
            "status": "done" if i < reached else ("current" if i == reached and case.is_open else "todo"),
        }
        for i, (_state, name, label) in enumerate(SEVEN_A_STEPS)
    ]


def _step_forms(case, user, bound=None):
    """Unbound forms for the actions this user may take now; `bound` replaces one after an error."""
    available = transitions_available(case, user)
    forms = {}
    for name in available:
        if bound and bound[0] == name:
            forms[name] = bound[1]
        else:
            forms[name] = TRANSITIONS[name].form(case=case)
    return available, forms


def _first_contact_forms(case, next_step, data, error=None):
    """The remaining first-contact steps as one form (a live call); bound to `data` and showing the
    service's `error` after a refused submission."""
    if next_step not in FIRST_CONTACT_STEPS[:-1]:
        return []  # with only Acknowledge left, the ordinary single-step form is enough
    forms = []
    for name in FIRST_CONTACT_STEPS[FIRST_CONTACT_STEPS.index(next_step) :]:
        form = TRANSITIONS[name].form(data, case=case) if data is not None else TRANSITIONS[name].form(case=case)
        forms.append((name, TRANSITIONS[name].label, form))
    if data is not None and error is not None:
        add_service_errors_to_forms([form for _name, _label, form in forms], error)
    return forms


def _assignees(case, user):
    """Whom this user may give the case to, or None when they may not reassign it (the service
    checks again)."""
    if not case.is_open or not roles_of(user) & CASE_WIDE_ROLES:
        return None
    return [person for person in case_assignable_users() if person.pk != case.owner_id]


def _promise_rows(case, user, bound):
    """Each promise with the forms that act on it (the one that failed, bound, keeps its errors);
    forms only on open promises of a case this user works on."""
    action, bound_pk, bound_form = bound or (None, None, None)
    may_act = case.is_open and can_work_case(case, user)
    rows = []
    for promise in case.promises.all():
        forms = {}
        if may_act and promise.is_open:
            forms = {
                name: form_class(auto_id=promise_field_id(promise.pk, name))
                for name, form_class in PROMISE_ACTION_FORMS.items()
            }
            if bound_pk == promise.pk:
                forms[action] = bound_form
        rows.append({"promise": promise, "forms": forms, "open_action": action if bound_pk == promise.pk else None})
    make_form = None
    if may_act:
        make_form = bound_form if action == "make" else PromiseMakeInput()
    return rows, make_form


def _deadline_context(case, user, clock_form, now):
    """The deadlines with their state and time left, and the pause form or resume button for
    people who work on the case."""
    may_act = case.is_open and can_work_case(case, user)
    rows = deadline_rows(case.deadlines.all(), now)
    running = any(row["deadline"].is_live for row in rows)
    return {
        "deadline_rows": rows,
        "business_hours": hours_label(),
        "open_pause": case.clock_pauses.filter(resumed_at__isnull=True).first() if case.clock_paused_at else None,
        "clock_form_allowed": may_act,
        "clock_form": (clock_form or ClockPauseInput(auto_id=CLOCK_FIELD_ID)) if may_act and running else None,
    }


def render_case(
    request,
    case,
    *,
    bound=None,
    first_contact_data=None,
    first_contact_error=None,
    assign_errors=(),
    promise_bound=None,
    clock_form=None,
    status=200,
):
    available, forms = _step_forms(case, request.user, bound)
    next_step = next((name for name in MAIN_STEPS if name in available), None)
    # Cheapest first, so the customer hears the smaller concessions first; each keeps its position.
    current_options = sorted(
        (o for o in case.options.all() if o.round == case.options_round), key=lambda o: (o.compensation, o.position)
    )
    promise_rows, promise_make_form = _promise_rows(case, request.user, promise_bound)
    now = timezone.now()
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "steps": _stepper(case),
            "events": selectors.case_events(case),
            "panels": case_panels(case, request.user),
            "current_options": current_options,
            "start_low_warning": MSG_START_LOW if first_offer_is_largest(current_options) else "",
            "start_low_message": MSG_START_LOW,
            "next_step": next_step,
            "next_form": forms.get(next_step),
            "next_label": TRANSITIONS[next_step].label if next_step else "",
            "hint": STEP_HINTS.get(next_step, ""),
            "first_contact": next_step in FIRST_CONTACT_STEPS[:-1],
            "facts": [(label, case.facts.get(key)) for key, label in FACT_FIELDS if case.facts.get(key)],
            "first_contact_forms": _first_contact_forms(case, next_step, first_contact_data, first_contact_error),
            "side_actions": [
                (n, TRANSITIONS[n].label, forms[n], STEP_HINTS.get(n, "")) for n in SIDE_ACTIONS if n in available
            ],
            "option_rows": range(5),
            "commitment_rows": range(3),
            "assignees": _assignees(case, request.user),
            "assign_errors": assign_errors,
            "promise_rows": promise_rows,
            "promise_make_form": promise_make_form,
            **_deadline_context(case, request.user, clock_form, now),
            "now": now,
        },
        status=status,
    )


def case_or_404(number):
    case = selectors.case_detail(number=number)
    if case is None:
        raise Http404
    return case


@login_required
def case_detail(request, number):
    require_reader(request.user)
    return render_case(request, case_or_404(number))


@login_required
def case_history(request, number):
    require_reader(request.user)
    case = case_or_404(number)
    return render(request, "cases/history.html", {"case": case, "records": selectors.case_history_with_changes(case)})


@login_required
@require_POST
def case_step(request, number, name):
    require_reader(request.user)
    case = case_or_404(number)
    if name not in TRANSITIONS and name != "first_contact":
        raise Http404
    data = evidence_data_from_post(request.POST)
    expected = request.POST.get("expected_state")
    try:
        if name == "first_contact":
            case_record_first_contact(case=case, actor=request.user, data=data, expected_state=expected)
            messages.success(request, _("First contact recorded: accepted, apologised, acknowledged."))
        else:
            case_transition(case=case, name=name, actor=request.user, data=data, expected_state=expected)
            messages.success(request, _("Step recorded: %(step)s.") % {"step": TRANSITIONS[name].label})
    except InvalidInput as exc:
        fresh = case_or_404(number)
        if name == "first_contact":
            return render_case(request, fresh, first_contact_data=data, first_contact_error=exc, status=400)
        form = add_service_errors(TRANSITIONS[name].form(data, case=fresh), exc)
        return render_case(request, fresh, bound=(name, form), status=400)
    except Conflict as exc:
        messages.error(request, exc.message)
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return render_case(request, case_or_404(number), status=403)
    except NotFound:
        raise Http404 from None
    return redirect(reverse("cases:detail", args=[number]))


@login_required
@require_POST
def case_assign_view(request, number):
    require_reader(request.user)
    case = case_or_404(number)
    try:
        case = case_assign(case=case, owner_id=request.POST.get("owner", ""), actor=request.user)
    except InvalidInput as exc:
        return render_case(request, case_or_404(number), assign_errors=service_error_messages(exc), status=400)
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return render_case(request, case_or_404(number), status=403)
    messages.success(request, _("Case assigned to %(name)s.") % {"name": display_name(case.owner)})
    return redirect(reverse("cases:detail", args=[number]))
