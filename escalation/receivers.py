"""When escalation/ evaluates its rules: on the case steps that can make one hold (cases' hooks,
received inside the step's transaction, so a rule's escalation commits or rolls back with it)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases import events as case_events
from cases.models import CaseEvent
from cases.signals import case_event_recorded, escalation_triggered

from . import events, rules
from .escalations import escalation_rerank
from .models import Escalation, RuleFiring
from .selectors import desk_counts_forget

Moment = RuleFiring.Moment
# A tier corrected or a more serious channel attached (cases' case_reprioritize).
PRIORITY_CHANGED = case_events.PRIORITY_CHANGED.code
# Case event kind → the moment a rule firing records. Other kinds (every 7A step, escalations' own
# events) cannot change what the rules look at.
MOMENTS = {
    case_events.LOGGED.code: Moment.INTAKE,
    case_events.COMPLAINT_ATTACHED.code: Moment.ATTACH,
    events.CUSTOMER_TYPE_TAGGED.code: Moment.TAGGING,
    case_events.OFFER_ALTERNATIVES.code: Moment.COMPENSATION,
    PRIORITY_CHANGED: Moment.CUSTOMER_CHANGED,
    case_events.CHURN_FLAGGED.code: Moment.CHURN,
}
# cases' own triggers (sweeping.py) → moment.
TRIGGER_MOMENTS = {"promises_missed": Moment.PROMISES_MISSED, "deadline_breached": Moment.DEADLINE_BREACHED}


@receiver(case_event_recorded, sender=CaseEvent, dispatch_uid="escalation.rules_on_event")
def evaluate_on_event(sender, case, event, actor, **kwargs):
    moment = MOMENTS.get(event.kind)
    if event.kind == PRIORITY_CHANGED:
        escalation_rerank(case, actor=actor)
    if moment is not None:
        rules.rules_evaluate(case, moment=moment, actor=actor)


@receiver(escalation_triggered, dispatch_uid="escalation.rules_on_trigger")
def evaluate_on_trigger(sender, case, trigger, detail, **kwargs):
    rules.rules_evaluate(case, moment=TRIGGER_MOMENTS.get(trigger, trigger))


@receiver(post_save, sender=Escalation, dispatch_uid="escalation.desk_counts_saved")
@receiver(post_delete, sender=Escalation, dispatch_uid="escalation.desk_counts_deleted")
def forget_desk_counts(sender, **kwargs):
    # After commit: a count read meanwhile belongs to the generation this moves past.
    transaction.on_commit(desk_counts_forget)
