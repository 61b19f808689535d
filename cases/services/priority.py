"""How serious a case is follows the case, not only its intake (issue 9, item 6): a complaint attached
from a more serious channel, or the customer's tier corrected, recomputes the case's snapshot and its
priority, with a `priority_changed` event saying what changed and why."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.history import save_tracked

from .. import events
from ..choices import CHANNEL_WEIGHT, Channel, CustomerTier, priority_for
from .events import case_event_record

MSG_CHANNEL = _("Choose one of the channels.")
MSG_TIER = _("Choose one of the tiers.")


def more_serious_channel(current: str, new: str) -> str:
    """The more serious of two channels by CHANNEL_WEIGHT; on a tie the case keeps its own (a letter
    attached to a phone case stays a phone case: same weight, same priority)."""
    return new if CHANNEL_WEIGHT[Channel(new)] > CHANNEL_WEIGHT[Channel(current)] else current


def case_reprioritize(case, *, channel=None, tier=None, actor, reason: str, at=None) -> bool:
    """Recompute `case`'s channel, tier snapshot and priority; returns whether anything changed.

    `channel`: the channel of a complaint now part of the case — it replaces the case's only when
    more serious (a milder complaint never downgrades a case). `tier`: the customer's tier as it now
    is — the snapshot follows it either way (a correction). An ended case keeps its snapshot. The
    caller passes a case read in its transaction (locked): the whole row is saved."""
    if channel is not None and channel not in Channel.values:
        raise InvalidInput(fields={"channel": [MSG_CHANNEL]})
    if tier is not None and tier not in CustomerTier.values:
        raise InvalidInput(fields={"tier": [MSG_TIER]})
    if not case.is_open:
        return False
    old = (case.channel, case.customer_tier, case.priority)
    new_channel = more_serious_channel(case.channel, channel) if channel else case.channel
    new_tier = tier or case.customer_tier
    new = (new_channel, new_tier, int(priority_for(new_tier, new_channel)))
    if new == old:
        return False
    at = at or timezone.now()
    with transaction.atomic():
        case.channel, case.customer_tier, case.priority = new
        case.updated_at = at
        save_tracked(case, user=actor, at=at, reason=reason)
        case_event_record(
            case=case,
            kind=events.PRIORITY_CHANGED,
            actor=actor,
            from_state=case.state,
            to_state=case.state,
            reason=reason,
            payload={
                "old_channel": old[0],
                "new_channel": new[0],
                "old_tier": old[1],
                "new_tier": new[1],
                "old_priority": old[2],
                "new_priority": new[2],
            },
            at=at,
        )
    return True
