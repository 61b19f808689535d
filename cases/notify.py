"""What the case lifecycle tells people (through notifications.notify, the one way to do so).

Receives `case_event_recorded` inside the step's transaction; notify() stores the inbox rows there
and sends pushes and e-mails only after commit.
"""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.people import display_name, supervisors_of
from accounts.roles import Role
from notifications.events import register_event
from notifications.services import broadcast, notify, role_group, user_group

from . import events
from .choices import DeadlineKind
from .models import CaseEvent
from .signals import case_event_recorded

LOGGED_FOR_YOU = "case_logged_for_you"
ASSIGNED_TO_YOU = "case_assigned"
CHANGED_BY_OTHER = "case_changed"
REOPENED = "case_reopened"
ASSIGNED_AWAY = "case_assigned_away"
WITHDRAWN_IN_TEAM = "case_withdrawn_in_team"
PROMISE_DUE = "promise_due"
PROMISE_MISSED = "promise_missed"
ESCALATION_NEEDED = "case_escalation_triggered"
DEADLINE_NEAR = "deadline_near"
DEADLINE_BREACHED = "deadline_breached"

register_event(LOGGED_FOR_YOU, _("Case logged for you"))
register_event(ASSIGNED_TO_YOU, _("Case assigned to you"))
register_event(CHANGED_BY_OTHER, _("Your case was changed by someone else"))
register_event(REOPENED, _("Your case was reopened"))
register_event(ASSIGNED_AWAY, _("Your case was given to a colleague"))
register_event(WITHDRAWN_IN_TEAM, _("A case in your team was withdrawn"))
register_event(PROMISE_DUE, _("A promised call is coming due"))
register_event(PROMISE_MISSED, _("A promise to a customer was missed"))
register_event(ESCALATION_NEEDED, _("A case needs escalating"))
register_event(DEADLINE_NEAR, _("A case's deadline is close"))
register_event(DEADLINE_BREACHED, _("A case's deadline was breached"))

# Events that tell their own people (below, or in the app that records them), not the owner's generic
# "changed by someone else".
OWN_NOTICES = {events.PROMISE_MISSED.code, events.ESCALATION_TRIGGERED.code, events.DEADLINE_BREACHED.code}


def register_own_notice(kind: events.EventKind) -> None:
    """Another app tells the owner of events of `kind` itself, with what happened (an approval
    decided), so the owner gets that notice instead of the generic one."""
    OWN_NOTICES.add(kind.code)


# Roles whose queues list every case, so their pages refresh on any change.
ALL_CASES_ROLES = (Role.ESCALATION_DESK, Role.SUPERVISOR, Role.AUDITOR)


def _event_type(event: CaseEvent, case, actor):
    if event.kind in OWN_NOTICES:
        return None
    if event.kind == events.ASSIGNED.code:
        return ASSIGNED_TO_YOU
    if actor is not None and case.owner_id == actor.pk:
        return None  # people are not told about their own actions
    if event.kind == events.LOGGED.code:
        return LOGGED_FOR_YOU
    if event.kind == events.REOPEN.code:
        return REOPENED
    return CHANGED_BY_OTHER


def _tell_previous_owner(case, event, actor, url):
    """Whoever a case is taken from hears of it (unless they gave it away themselves), so no one
    goes on working, or promising callbacks on, a case that is no longer theirs."""
    previous_id = event.payload.get("from_owner")
    if not previous_id or (actor is not None and actor.pk == previous_id):
        return
    previous = get_user_model().objects.filter(pk=previous_id).first()
    notify(
        ASSIGNED_AWAY,
        recipients=[previous],
        text=case.summary,
        key=f"case-event:{event.pk}:previous-owner",
        subject_ref=case.number,
        url=url,
        actor=actor,
    )


def _tell_supervisors_of_withdrawal(case, event, actor, url):
    """A withdrawal ends a complaint without a resolution: the owner's supervisor hears of it, with
    the customer's words, so a pressured or mistaken withdrawal is noticed."""
    recipients = [user for user in supervisors_of(case.owner) if actor is None or user.pk != actor.pk]
    notify(
        WITHDRAWN_IN_TEAM,
        recipients=recipients,
        text=f"{case.summary} — “{case.withdrawal_words}”",
        key=f"case-event:{event.pk}:supervisor",
        subject_ref=case.number,
        url=url,
        actor=actor,
    )


def tell_keeper_promise_due(promise):
    """The reminder before a promised call (the sweep's; no case event: nothing happened yet)."""
    case = promise.case
    due = timezone.localtime(promise.due_at).strftime("%H:%M")
    notify(
        PROMISE_DUE,
        recipients=[promise.keeper],
        text=f"{due} {case.customer_name} {promise.phone} — {promise.description}",
        key=f"promise:{promise.pk}:reminder",
        subject_ref=case.number,
        url=reverse("cases:detail", args=[case.number]) + "#promises",
    )


def tell_owner_deadline_near(deadline):
    """The 80% warning (the sweep's; no case event: the deadline is not missed yet)."""
    case = deadline.case
    due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    notify(
        DEADLINE_NEAR,
        recipients=[case.owner],
        text=f"{deadline.get_kind_display()} {due} — {case.summary}",
        key=f"deadline:{deadline.pk}:warning",
        subject_ref=case.number,
        url=reverse("cases:detail", args=[case.number]) + "#deadlines",
    )


def _tell_of_breach(case, event, url):
    """A breached deadline: the owner and their supervisor hear of it."""
    kind = DeadlineKind(event.payload["deadline_kind"]).label
    notify(
        DEADLINE_BREACHED,
        recipients=[case.owner, *supervisors_of(case.owner)],
        text=f"{kind} — {case.summary}",
        key=f"case-event:{event.pk}:breach",
        subject_ref=case.number,
        url=url + "#deadlines",
    )


def tell_of_missed_promise(promise, event):
    """A missed promise (the sweep's, with the case event it recorded): its keeper and their
    supervisor hear of it (live and, if they chose, by e-mail), so the customer is called late rather
    than never. The sweep loads keeper, profile and supervisor with the promise: no query here."""
    case = promise.case
    keeper = promise.keeper or case.owner
    due = timezone.localtime(promise.due_at).strftime("%Y-%m-%d %H:%M")
    notify(
        PROMISE_MISSED,
        recipients=[keeper, *supervisors_of(keeper)],
        text=f"{due} {case.customer_name} — {case.summary}",
        key=f"case-event:{event.pk}:missed",
        subject_ref=case.number,
        url=reverse("cases:detail", args=[case.number]) + "#promises",
    )


def _tell_of_escalation_trigger(case, event, url):
    notify(
        ESCALATION_NEEDED,
        recipients=supervisors_of(case.owner),
        text=case.summary,
        key=f"case-event:{event.pk}:escalation",
        subject_ref=case.number,
        url=url,
    )


@receiver(case_event_recorded, sender=CaseEvent, dispatch_uid="cases.notify")
def tell_people(sender, case, event, actor, **kwargs):
    url = reverse("cases:detail", args=[case.number])
    kind = _event_type(event, case, actor)
    if kind is not None:
        notify(
            kind,
            recipients=[case.owner],
            text=case.summary,
            key=f"case-event:{event.pk}",
            subject_ref=case.number,
            url=url,
            actor=actor,
        )
    if event.kind == events.ASSIGNED.code:
        _tell_previous_owner(case, event, actor, url)
    if event.kind == events.WITHDRAW.code:
        _tell_supervisors_of_withdrawal(case, event, actor, url)
    if event.kind == events.ESCALATION_TRIGGERED.code:
        _tell_of_escalation_trigger(case, event, url)
    if event.kind == events.DEADLINE_BREACHED.code:
        _tell_of_breach(case, event, url)
    # Live pages: the owner's queue (and the previous owner's, when the case changed hands), every
    # all-cases queue, and anyone looking at this case.
    owners = {case.owner_id}
    if event.kind == events.ASSIGNED.code:
        owners.add(event.payload.get("from_owner"))
    broadcast(
        groups=[*(user_group(pk) for pk in owners if pk), *(role_group(role) for role in ALL_CASES_ROLES)],
        message={
            "type": "case.changed",
            "case": case.number,
            "state": case.state,
            "event": event.kind,
            "by": display_name(actor) if actor else "",
            "by_id": actor.pk if actor else None,
            "owner_id": case.owner_id,
        },
    )
