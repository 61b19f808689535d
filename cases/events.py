"""Case event kinds: each with its label and the payload keys it writes, in a registry other apps
extend (callbacks, escalation and letters register theirs from their AppConfig.ready).

A kind's `payload(**values)` is the one builder of its events' payload: it takes exactly the keys
written down here, so an audit payload keeps its shape when an evidence form gains a field, and a
misspelt or forgotten key fails at once in tests rather than in a regulator's report. Values are
made JSON-friendly the same way for every kind (a model row becomes {"id", "label"}).

Events stored before a kind was registered, or by a kind that no longer exists, stay readable:
`event_kind_label` falls back to the stored code.
"""

from dataclasses import dataclass

from django.db.models import Model
from django.utils.translation import gettext_lazy as _


class PayloadError(TypeError):
    """A builder was called with keys its kind does not declare, or without the ones it does."""


def _jsonable(value):
    if isinstance(value, Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class EventKind:
    code: str
    label: object  # a lazy translation
    payload_keys: tuple[str, ...] = ()
    # For keys whose value is a list of records: the keys each record keeps.
    item_keys: dict | None = None

    def __str__(self):
        return self.code

    def payload(self, **values) -> dict:
        given, declared = set(values), set(self.payload_keys)
        if given != declared:
            raise PayloadError(
                f"event {self.code!r}: unexpected {sorted(given - declared)}, missing {sorted(declared - given)}"
            )
        payload = {}
        for key in self.payload_keys:
            value = values[key]
            if self.item_keys and key in self.item_keys:
                value = [{name: item.get(name) for name in self.item_keys[key]} for item in value]
            payload[key] = _jsonable(value)
        return payload


_KINDS: dict[str, EventKind] = {}


def register_event_kind(code: str, label, *, payload: tuple[str, ...] = (), items: dict | None = None) -> EventKind:
    """Register (or look up, if registered with the same definition) the kind `code`."""
    kind = EventKind(code, label, tuple(payload), items)
    existing = _KINDS.get(code)
    if existing is not None and existing != kind:
        raise ValueError(f"case event kind {code!r} is already registered with another definition")
    _KINDS[code] = kind
    return kind


def event_kind(code: str) -> EventKind | None:
    return _KINDS.get(code)


def event_kinds() -> dict[str, EventKind]:
    return dict(_KINDS)


def event_kind_label(code: str):
    kind = _KINDS.get(code)
    return kind.label if kind is not None else code


# --- the case lifecycle's own kinds ------------------------------------------------------------------

LOGGED = register_event_kind("logged", _("Complaint logged"), payload=("channel", "customer_new"))
COMPLAINT_ATTACHED = register_event_kind(
    "complaint_attached", _("Complaint attached"), payload=("complaint_id", "summary")
)
# The case's snapshot of how serious it is, recomputed (services/priority.py): a complaint attached from
# a more serious channel, or the customer's tier corrected. `old_*`/`new_*`: channel and tier codes,
# priority numbers (1 urgent … 4 low); a key that did not change has old == new.
PRIORITY_CHANGED = register_event_kind(
    "priority_changed",
    _("Priority recomputed"),
    payload=("old_channel", "new_channel", "old_tier", "new_tier", "old_priority", "new_priority"),
)
# A churn risk (services/retention.py). `source`: how it was noticed — "intake_checkbox" (ticked at
# intake), "agent" (the agent flagged it on the case) or "customer_words" (the agent confirmed the
# system's suggestion); `words`: the churn words found in what the customer said (empty otherwise).
CHURN_FLAGGED = register_event_kind("churn_flagged", _("Retention risk flagged"), payload=("source", "words"))
# Resolution letters (services/letters.py). A version rendered and stored: its SHA-256 and size are
# those of the PDF kept; `wording_overridden`: the phrases a supervisor let through (empty if none).
LETTER_GENERATED = register_event_kind(
    "letter_generated",
    _("Resolution letter prepared"),
    payload=("letter", "version", "language", "sha256", "size", "template_version"),
)
LETTER_SENT = register_event_kind(
    "letter_sent", _("Resolution letter sent"), payload=("letter", "version", "sha256", "wording_overridden")
)
# `promises_moved`: ids of the open promises that went from the previous owner to the new one.
ASSIGNED = register_event_kind("assigned", _("Assigned"), payload=("from_owner", "to_owner", "promises_moved"))

# One kind per transition, named like it; the payload is the step's evidence (the reason of an
# ending or a reopening is the event's own `reason` column, not part of the payload).
ACCEPT = register_event_kind("accept", _("Accepted"), payload=("first_contact_at", "customer_words"))
APOLOGIZE = register_event_kind("apologize", _("Apologized"), payload=("apology_text",))
ACKNOWLEDGE = register_event_kind("acknowledge", _("Acknowledged"), payload=("restated_problem", "emotional_needs"))
ANALYZE = register_event_kind(
    "analyze",
    _("Analyzed"),
    payload=("facts", "root_cause", "category", "responsible_unit", "desired_outcome"),
)
OFFER_ALTERNATIVES = register_event_kind(
    "offer_alternatives",
    _("Alternatives offered"),
    payload=("options",),
    items={"options": ("action", "benefit", "compensation")},
)
AGREE = register_event_kind(
    "agree",
    _("Agreement confirmed"),
    payload=("chosen_option", "customer_confirmed", "commitments", "next_callback_at"),
    items={"commitments": ("description", "due_at")},
)
# `resolution_letter`: the version sent ({"id", "label": "v2 <sha256 prefix>"}), or `no_letter_reason`.
ASSURE = register_event_kind(
    "assure",
    _("Assured"),
    payload=("follow_up_done", "satisfaction", "thanked", "follow_up_note", "resolution_letter", "no_letter_reason"),
)
CLOSE = register_event_kind("close", _("Closed"), payload=("closing_note",))
WITHDRAW = register_event_kind(
    "withdraw", _("Withdrawn"), payload=("withdrawn_at", "withdrawal_channel", "withdrawal_words")
)
REJECT = register_event_kind("reject", _("Rejected"))
REOPEN = register_event_kind("reopen", _("Reopened"))

# Promises to the customer (models/promise.py). `promise` is the promise's id; times as promised.
_PROMISE_KEYS = ("promise", "promise_kind", "due_at")
PROMISE_MADE = register_event_kind(
    "promise_made", _("Promise made"), payload=(*_PROMISE_KEYS, "description", "phone", "customer_chose_time")
)
PROMISE_ATTEMPTED = register_event_kind(
    "promise_attempted", _("Call attempted, customer not reached"), payload=(*_PROMISE_KEYS, "attempts", "outcome")
)
PROMISE_KEPT = register_event_kind(
    "promise_kept", _("Promise kept"), payload=(*_PROMISE_KEYS, "reached", "outcome", "late")
)
PROMISE_MISSED = register_event_kind("promise_missed", _("Promise missed"), payload=_PROMISE_KEYS)
PROMISE_CANCELLED = register_event_kind("promise_cancelled", _("Promise cancelled"), payload=_PROMISE_KEYS)
PROMISE_RESCHEDULED = register_event_kind(
    "promise_rescheduled",
    _("Promise rescheduled"),
    payload=(*_PROMISE_KEYS, "new_promise", "new_due_at", "by_customer"),
)
ESCALATION_TRIGGERED = register_event_kind(
    "escalation_triggered", _("Escalation triggered"), payload=("trigger", "detail")
)

# Deadlines (models/deadline.py). `deadlines` lists {"kind", "due_at"} of the live deadlines after the change.
CLOCK_PAUSED = register_event_kind(
    "clock_paused",
    _("Clock paused: waiting on the customer"),
    payload=("deadlines",),
    items={"deadlines": ("kind", "due_at")},
)
CLOCK_RESUMED = register_event_kind(
    "clock_resumed",
    _("Clock resumed"),
    payload=("paused_at", "business_minutes_paused", "deadlines"),
    items={"deadlines": ("kind", "due_at")},
)
DEADLINE_BREACHED = register_event_kind(
    "deadline_breached", _("Deadline breached"), payload=("deadline", "deadline_kind", "due_at")
)


# --- time on a 7A step ----------------------------------------------------------------------------------
# A step's event records how long the case waited for it (CaseEvent.waited_seconds): since the case's
# latest event after which a step was due — the complaint logged, the step before, or a reopening (the case
# then waits for new alternatives). "Time spent on each step" is then one subtraction per event, read by
# the dashboard (audit/kpis.py) without looking for the event before each step.
STEP_EVENT_KINDS = ("accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure")
STEP_ENTERING_KINDS = ("logged", *STEP_EVENT_KINDS, "reopen")
