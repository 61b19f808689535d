"""The case page's promises: make one, log a call, reschedule, cancel (services/promises.py).
Each answers like a step: a redirect with a message, or the case page again with the form's errors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.display import local_stamp
from core.errors import Conflict, InvalidInput, NotAllowed
from core.forms import add_service_errors

from .choices import PromiseKind, PromiseState
from .deadline_status import duration_label
from .models import Promise
from .promise_inputs import PromiseCallInput, PromiseCancelInput, PromiseMakeInput, PromiseRescheduleInput
from .promise_selectors import callbacks_for_keeper
from .services import promise_call, promise_cancel, promise_make, promise_reschedule
from .services.promises import retry_message
from .views import case_or_404, promise_field_id, render_case, require_reader

# action → (service, the form its errors are shown on)
ACTIONS = {
    "call": (promise_call, PromiseCallInput),
    "reschedule": (promise_reschedule, PromiseRescheduleInput),
    "cancel": (promise_cancel, PromiseCancelInput),
}


def _post_data(request):
    return {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}


def _done_message(action, promise):
    """What the agent is told after `action`; `promise` is what the service returned (for a
    reschedule, the successor)."""
    if action == "reschedule":
        when = timezone.localtime(promise.due_at).strftime("%Y-%m-%d %H:%M")
        return _("Promise rescheduled to %(time)s.") % {"time": when}
    if action == "call" and promise.state == PromiseState.SCHEDULED:
        return retry_message(promise)
    return _("Promise kept.") if action == "call" else _("Promise cancelled.")


@login_required
@require_POST
def promise_make_view(request, number):
    require_reader(request.user)
    case = case_or_404(number)
    data = _post_data(request)
    try:
        promise_make(case=case, actor=request.user, data=data)
    except InvalidInput as exc:
        form = add_service_errors(PromiseMakeInput(data), exc)
        return render_case(request, case_or_404(number), promise_bound=("make", None, form), status=400)
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return render_case(request, case_or_404(number), status=403)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reverse("cases:detail", args=[number]))
    messages.success(request, _("Promise made."))
    return redirect(reverse("cases:detail", args=[number]) + "#promises")


@login_required
@require_POST
def promise_action_view(request, number, pk, action):
    require_reader(request.user)
    if action not in ACTIONS:
        raise Http404
    case = case_or_404(number)
    promise = Promise.objects.filter(pk=pk, case=case).first()
    if promise is None:
        raise Http404
    service, form_class = ACTIONS[action]
    data = _post_data(request)
    try:
        result = service(promise=promise, actor=request.user, data=data)
    except InvalidInput as exc:
        form = add_service_errors(form_class(data, auto_id=promise_field_id(promise.pk, action)), exc)
        return render_case(request, case_or_404(number), promise_bound=(action, promise.pk, form), status=400)
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return render_case(request, case_or_404(number), status=403)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reverse("cases:detail", args=[number]) + "#promises")
    messages.success(request, _done_message(action, result))
    return redirect(reverse("cases:detail", args=[number]) + "#promises")


@login_required
def my_callbacks(request):
    """The logged-in user's open promises: overdue, later today, upcoming (in pages)."""
    require_reader(request.user)
    after, before = request.GET.get("after") or None, request.GET.get("before") or None
    try:
        callbacks = callbacks_for_keeper(request.user, after=after, before=before)
    except InvalidInput as exc:
        if request.headers.get("x-requested-with") != "live":
            messages.warning(request, exc.message)
        callbacks = callbacks_for_keeper(request.user)
    now = timezone.now()
    groups = [
        ("overdue", _("Overdue"), callbacks.overdue, callbacks.overdue_more),
        ("today", _("Later today"), callbacks.today, callbacks.today_more),
        ("upcoming", _("Upcoming"), callbacks.upcoming.items, False),
    ]
    for _key, _label, rows, _more in groups:
        _label_rows(rows, now)
    return render(
        request,
        "cases/callbacks.html",
        {"callbacks": callbacks, "groups": groups, "now": now, "nav": "callbacks"},
    )


def _label_rows(promises, now):
    """Each row's texts worked out once here: the page lists up to 225 rows, and the template
    language's filters and tags per row (timesince, url, get_…_display) made it slow (issue 8's
    target: p95 ≤ 50 ms, docs/benchmarks.md)."""
    kinds, states = dict(PromiseKind.choices), dict(PromiseState.choices)
    kinds = {value: str(label) for value, label in kinds.items()}
    missed = str(states[PromiseState.MISSED])
    for promise in promises:
        promise.kind_label = kinds.get(promise.kind, promise.kind)
        promise.missed_label = missed if promise.state == PromiseState.MISSED else ""
        promise.overdue = promise.due_at < now
        promise.due_iso, promise.due_text = local_stamp(promise.due_at)
        span = duration_label(promise.due_at - now)
        promise.when_label = _("overdue by %(t)s") % {"t": span} if promise.overdue else _("in %(t)s") % {"t": span}
        promise.case_url = reverse("cases:detail", args=[promise.case.number]) + "#promises"
