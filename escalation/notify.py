"""Who hears of an escalation (through notifications.notify, inside the step's transaction; pushes
and e-mails go after commit). A change of owner is told by cases' own assignment notices."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.people import desk_members, supervisors_of
from cases.models import CaseEvent
from cases.signals import case_event_recorded
from notifications.events import register_event
from notifications.services import notify

from . import events
from .choices import EscalationLevel, EscalationState
from .models import Escalation

ESCALATION_FOR_YOU = "escalation_requested"
ESCALATION_RAISED = "escalation_raised"
ESCALATION_ENDED = "escalation_ended"

register_event(ESCALATION_FOR_YOU, _("A case was escalated to you"))
register_event(ESCALATION_RAISED, _("An escalation was raised a level"))
register_event(ESCALATION_ENDED, _("An escalation you asked for was answered"))

ENDINGS = (events.ESCALATION_RESOLVED.code, events.ESCALATION_RETURNED.code, events.ESCALATION_DECLINED.code)


def _takers(case, level):
    """L1 is the owner's supervisor's; L2 and L3 are the desk's."""
    return supervisors_of(case.owner) if level == EscalationLevel.L1 else desk_members()


def _without(people, actor):
    return [person for person in people if person is not None and (actor is None or person.pk != actor.pk)]


@receiver(case_event_recorded, sender=CaseEvent, dispatch_uid="escalation.notify")
def tell_people(sender, case, event, actor, **kwargs):
    kind, payload = event.kind, event.payload
    if kind not in (events.ESCALATION_REQUESTED.code, events.ESCALATION_RAISED.code, *ENDINGS):
        return
    url = reverse("cases:detail", args=[case.number]) + "#escalation"
    common = {"key": f"case-event:{event.pk}:escalation", "subject_ref": case.number, "url": url, "actor": actor}
    level_label = EscalationLevel(payload["level"]).label
    if kind == events.ESCALATION_REQUESTED.code:
        text = f"{level_label} — {event.reason or case.summary}"
        notify(ESCALATION_FOR_YOU, recipients=_without(_takers(case, payload["level"]), actor), text=text, **common)
    elif kind == events.ESCALATION_RAISED.code:
        holder = [case.owner] if case.owner_id else []
        people = _without([*_takers(case, payload["level"]), *holder], actor)
        notify(ESCALATION_RAISED, recipients=people, text=f"{level_label} — {event.reason}", **common)
    else:
        # The person who asked hears the answer (nobody when a rule asked).
        escalation = Escalation.objects.select_related("requested_by").get(pk=payload["escalation"])
        people = _without([escalation.requested_by], actor)
        text = f"{EscalationState(escalation.state).label} — {event.reason}"
        notify(ESCALATION_ENDED, recipients=people, text=text, **common)
