"""How the 7A lifecycle depends on promises (issue 8), as guards on the steps (cases/guards.py):
Assure needs the agreed follow-up call made; Close needs nothing still owed to the customer — each
open promise kept, or cancelled with a reason."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_PROMISE_STATES, PromiseKind, PromiseState
from .guards import register_guard
from .models import Promise

MSG_FOLLOW_UP_OPEN = _(
    "The agreed follow-up call (due %(due)s) has not been made yet: log the call on this page first."
)
MSG_NO_FOLLOW_UP = _("There is no agreed follow-up call to confirm the solution: make one first.")
MSG_OPEN_PROMISES = _(
    "%(n)d promise(s) to the customer still open (the first due %(due)s): keep each one, or cancel it with a reason."
)


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def follow_up_made(case, evidence):
    follow_ups = list(
        Promise.objects.filter(case=case, kind=PromiseKind.FOLLOW_UP).exclude(
            state__in=(PromiseState.CANCELLED, PromiseState.RESCHEDULED)
        )
    )
    if not follow_ups:
        return {"__all__": MSG_NO_FOLLOW_UP}
    open_ones = [p for p in follow_ups if p.state in OPEN_PROMISE_STATES]
    if open_ones:
        return {"__all__": MSG_FOLLOW_UP_OPEN % {"due": _local(min(p.due_at for p in open_ones))}}
    return None


def nothing_owed(case, evidence):
    open_ones = list(Promise.objects.filter(case=case, state__in=OPEN_PROMISE_STATES).order_by("due_at"))
    if open_ones:
        return {"__all__": MSG_OPEN_PROMISES % {"n": len(open_ones), "due": _local(open_ones[0].due_at)}}
    return None


def register():
    register_guard("assure", follow_up_made)
    register_guard("close", nothing_owed)
