"""One case's full record for auditors: every business event (cases/events.py) and every field-level
change simple-history kept of the case and of the rows that hang off it, merged in time order.

The query count is fixed, whatever the number of events or history rows: one query for the events,
one per history table (each read whole for the case, ordered per object, so consecutive rows are
diffed here in Python instead of with a query per row as `diff_against` on instances would make us
reload), and one for every person named anywhere (actors, history users, user fields that changed).
"""

import datetime as dt
import itertools
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import CharField, IntegerField, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.people import display_name
from cases.choices import (
    CaseState,
    Channel,
    CustomerTier,
    DeadlineKind,
    EmotionalNeed,
    LetterLanguage,
    Priority,
    PromiseKind,
)
from cases.events import event_kind_label
from cases.models import (
    Case,
    CaseEvent,
    CaseOption,
    Category,
    ClockPause,
    Deadline,
    Letter,
    NoLetterReason,
    Promise,
    ResponsibleUnit,
)
from cases.reference import active_rows
from complaints.models import Complaint
from escalation.choices import EscalationLevel
from escalation.models import CaseCustomerType, CompensationApproval, Escalation
from escalation.services import active_customer_types

# Kind groups, in the order the filter offers them.
STEPS, PROMISES, DEADLINES, ESCALATION, APPROVALS, LETTERS, CHANGES, OTHER = (
    "steps",
    "promises",
    "deadlines",
    "escalation",
    "approvals",
    "letters",
    "changes",
    "other",
)
GROUPS = {
    STEPS: gettext_lazy("7A steps and case events"),
    PROMISES: gettext_lazy("Promises and callbacks"),
    DEADLINES: gettext_lazy("Deadlines and clock"),
    ESCALATION: gettext_lazy("Escalations and customer types"),
    APPROVALS: gettext_lazy("Compensation approvals"),
    LETTERS: gettext_lazy("Resolution letters"),
    CHANGES: gettext_lazy("Field changes"),
    OTHER: gettext_lazy("Other events"),
}
_DEADLINE_KINDS = {"clock_paused", "clock_resumed", "deadline_breached"}
_STEP_KINDS = {
    "logged",
    "complaint_attached",
    "assigned",
    "priority_changed",
    "churn_flagged",
    "customer_corrected",
    "accept",
    "apologize",
    "acknowledge",
    "analyze",
    "offer_alternatives",
    "agree",
    "assure",
    "close",
    "withdraw",
    "reject",
    "reopen",
}


def event_group(kind: str) -> str:
    if kind in _STEP_KINDS:
        return STEPS
    if kind.startswith("promise_"):
        return PROMISES
    if kind in _DEADLINE_KINDS:
        return DEADLINES
    if kind.startswith(("escalation_", "customer_type_")):
        return ESCALATION
    if kind.startswith("compensation_"):
        return APPROVALS
    if kind.startswith("letter_"):
        return LETTERS
    return OTHER


# The history tables read for a case: (model, the column naming the case). Customer rows are not
# here: a customer is shared by cases, and a correction leaves a `customer_corrected` event on each.
TRACKED = (
    (Case, "id"),
    (Complaint, "case_id"),
    (CaseOption, "case_id"),
    (Promise, "case_id"),
    (Deadline, "case_id"),
    (ClockPause, "case_id"),
    (Letter, "case_id"),
    (CaseCustomerType, "case_id"),
    (Escalation, "case_id"),
    (CompensationApproval, "case_id"),
)
HISTORY_TYPES = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}
REFERENCE_MODELS = (Category, ResponsibleUnit, NoLetterReason)
EMPTY = "—"

# Payload keys that name no model field (the others take the field's own, translated, name).
PAYLOAD_LABELS = {
    "customer_new": gettext_lazy("new customer"),
    "complaint_id": gettext_lazy("complaint"),
    "customer_id": gettext_lazy("customer"),
    "old_channel": gettext_lazy("channel before"),
    "new_channel": gettext_lazy("channel after"),
    "old_tier": gettext_lazy("tier before"),
    "new_tier": gettext_lazy("tier after"),
    "old_priority": gettext_lazy("priority before"),
    "new_priority": gettext_lazy("priority after"),
    "source": gettext_lazy("noticed through"),
    "words": gettext_lazy("words found"),
    "letter": gettext_lazy("letter"),
    "wording_overridden": gettext_lazy("wording let through"),
    "from_owner": gettext_lazy("owner before"),
    "to_owner": gettext_lazy("owner after"),
    "promises_moved": gettext_lazy("promises moved"),
    "options": gettext_lazy("options"),
    "commitments": gettext_lazy("commitments"),
    "promise": gettext_lazy("promise"),
    "promise_kind": gettext_lazy("kind of promise"),
    "late": gettext_lazy("late"),
    "new_promise": gettext_lazy("new promise"),
    "new_due_at": gettext_lazy("new promised time"),
    "by_customer": gettext_lazy("at the customer's request"),
    "detail": gettext_lazy("details"),
    "deadlines": gettext_lazy("deadlines"),
    "business_minutes_paused": gettext_lazy("business minutes paused"),
    "deadline": gettext_lazy("deadline"),
    "deadline_kind": gettext_lazy("deadline"),
    "escalation": gettext_lazy("escalation"),
    "from_level": gettext_lazy("level before"),
    "from_user": gettext_lazy("from"),
    "to_user": gettext_lazy("to"),
    "approval": gettext_lazy("approval"),
    "changes": gettext_lazy("changes"),
    "kind": gettext_lazy("kind"),
    "action": gettext_lazy("what we will do"),
    "benefit": gettext_lazy("benefit to the customer"),
    "compensation": gettext_lazy("compensation"),
    "old": gettext_lazy("before"),
    "new": gettext_lazy("after"),
}
# Payload keys holding a code of a known choice: shown by its label.
PAYLOAD_CHOICES = {
    **dict.fromkeys(("channel", "old_channel", "new_channel", "withdrawal_channel"), Channel),
    **dict.fromkeys(("tier", "old_tier", "new_tier"), CustomerTier),
    **dict.fromkeys(("old_priority", "new_priority"), Priority),
    **dict.fromkeys(("level", "from_level"), EscalationLevel),
    "promise_kind": PromiseKind,
    **dict.fromkeys(("deadline_kind", "kind"), DeadlineKind),
    "language": LetterLanguage,
    "emotional_needs": EmotionalNeed,
}
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    at: dt.datetime
    group: str
    source: str  # "event" (a business step) or "change" (a history row)
    title: str
    who: str
    record: str = ""  # the row a change is about ("Promise #3")
    from_state: str = ""
    to_state: str = ""
    reason: str = ""
    details: list = field(default_factory=list)  # (label, text) of an event's payload
    changes: list = field(default_factory=list)  # FieldChange of a history row
    sha256: str = ""
    # The event's place in the case's hash chain, once events carry one (shown when not empty).
    seq: object = None
    hash: str = ""
    sort_key: tuple = ()

    @property
    def local_time(self) -> str:
        return _local(self.at)

    @property
    def iso_time(self) -> str:
        return timezone.localtime(self.at).isoformat()


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Timeline:
    case: Case
    entries: list  # the entries asked for (a window of the filtered timeline), rendered
    total: int  # entries in the filtered timeline
    counts: dict  # group -> number of entries, filtered or not


@dataclass(frozen=True)
class _Stub:
    """An entry before it is read in full: enough to sort, count and filter it."""

    sort_key: tuple
    group: str
    build: tuple  # (source, row id): where its full row is


# --- reading ----------------------------------------------------------------------------------------
#
# Two phases, each a fixed number of queries whatever the number of events. First the keys of every
# entry — (source, row id, time, kind, object id) — in one UNION ALL over the events and the history
# tables: enough to sort, count and filter the whole timeline. Then the full rows of the entries on
# the page only (with, for a field change, the version before it to diff against): one query for the
# events, one per history table that has an entry on the page, one for the people named. A page of
# 100 entries out of thousands reads 100 full rows, not thousands.

EVENT_COLUMNS = [f.attname for f in CaseEvent._meta.concrete_fields]
EVENTS = 0  # the source number of the events; history table i of TRACKED is source i + 1


def _timeline_keys(case_id) -> list:
    number, text = IntegerField(), CharField()
    parts = [
        CaseEvent.objects.filter(case_id=case_id)
        .order_by()  # a part of a UNION takes no ORDER BY (the models order theirs by default)
        .values_list(Value(EVENTS, output_field=number), "id", "created_at", "kind", Value(0, output_field=number))
    ]
    for source, (model, column) in enumerate(TRACKED, start=1):
        parts.append(
            model.history.model.objects.filter(**{column: case_id})
            .order_by()
            .values_list(
                Value(source, output_field=number), "history_id", "history_date", Value("", output_field=text), "id"
            )
        )
    return list(parts[0].union(*parts[1:], all=True).order_by())


def _history_rows(model, history_ids) -> dict:
    historical = model.history.model
    names = [f.attname for f in historical.tracked_fields]
    rows = historical.objects.filter(history_id__in=history_ids).values(
        *names, "history_id", "history_date", "history_type", "history_user_id", "history_change_reason"
    )
    return {row["history_id"]: row for row in rows}


def _user_fields(model) -> set:
    user_model = get_user_model()
    return {f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model}


def case_for_timeline(number: str) -> Case | None:
    return Case.objects.select_related("owner").filter(number=number).first()


def case_timeline(case: Case, groups=None, start=0, stop=None) -> Timeline:
    """`case`'s events and field changes, oldest first, restricted to `groups` (kind groups) if
    given; only the entries from `start` to `stop` of that are read in full and rendered (labels,
    diffs, local times)."""
    stubs, previous = [], {}
    versions = {}  # (source, object id) -> [(time, history id)] of that object's history rows
    for source, row_id, at, kind, object_id in _timeline_keys(case.pk):
        if source == EVENTS:
            stubs.append(_Stub((at, 0, row_id), event_group(kind), (EVENTS, row_id)))
        else:
            stubs.append(_Stub((at, 1, row_id), CHANGES, (source, row_id)))
            versions.setdefault((source, object_id), []).append((at, row_id))
    for (source, _object_id), rows in versions.items():
        rows.sort()
        for (_at, before), (_at_after, after) in itertools.pairwise(rows):
            previous[(source, after)] = before
    stubs.sort(key=lambda stub: stub.sort_key)
    counts = dict.fromkeys(GROUPS, 0)
    for stub in stubs:
        counts[stub.group] += 1
    if groups:
        stubs = [stub for stub in stubs if stub.group in groups]
    window = stubs[start:stop]
    return Timeline(case=case, entries=_entries(window, previous), total=len(stubs), counts=counts)


def _entries(window, previous) -> list:
    """The window's entries, read in full: its events, its history rows and the versions before them."""
    wanted = {}  # source -> row ids
    for stub in window:
        source, row_id = stub.build
        wanted.setdefault(source, set()).add(row_id)
        if (source, row_id) in previous:
            wanted[source].add(previous[(source, row_id)])
    events = {}
    if EVENTS in wanted:
        events = {e["id"]: e for e in CaseEvent.objects.filter(id__in=wanted[EVENTS]).values(*EVENT_COLUMNS)}
    histories = {
        source: _history_rows(TRACKED[source - 1][0], ids) for source, ids in wanted.items() if source != EVENTS
    }

    user_ids = {e["actor_id"] for e in events.values()} | _ids_in_payloads(events.values())
    for source, rows in histories.items():
        user_columns = _user_fields(TRACKED[source - 1][0])
        for row in rows.values():
            user_ids.add(row["history_user_id"])
            user_ids.update(row[name] for name in user_columns)
    user_ids.discard(None)
    users = {
        u.pk: display_name(u)
        for u in get_user_model().objects.filter(pk__in=user_ids).only("id", "username", "first_name", "last_name")
    }
    names = _Names(users)

    fields = {}
    entries = []
    for stub in window:
        source, row_id = stub.build
        if source == EVENTS:
            entries.append(_event_entry(events[row_id], names))
            continue
        model = TRACKED[source - 1][0]
        if model not in fields:
            fields[model] = _Fields(model, model.history.model)
        rows = histories[source]
        before = previous.get((source, row_id))
        entries.append(_change_entry(model, fields[model], rows.get(before), rows[row_id], names))
    return entries


def _ids_in_payloads(events) -> set:
    """User ids a payload names by id alone (an assignment's owners, a hand-over's people)."""
    ids = set()
    for event in events:
        payload = event["payload"] if isinstance(event["payload"], dict) else {}
        for key in ("from_owner", "to_owner", "from_user", "to_user"):
            value = payload.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
    return ids


class _Names:
    """People's names from the one users query."""

    def __init__(self, users):
        self.users = users
        self.system = _("System")

    def user(self, user_id):
        if user_id is None:
            return self.system
        return self.users.get(user_id, f"#{user_id}")


# --- events -----------------------------------------------------------------------------------------


def _state_label(value: str) -> str:
    return str(CaseState(value).label) if value in CaseState.values else value


def _event_entry(event: dict, names: _Names) -> TimelineEntry:
    payload = event["payload"] if isinstance(event["payload"], dict) else {}
    sha256 = payload.get("sha256") or ""
    return TimelineEntry(
        at=event["created_at"],
        group=event_group(event["kind"]),
        source="event",
        title=str(event_kind_label(event["kind"])),
        who=names.user(event["actor_id"]),
        from_state=_state_label(event["from_state"]),
        to_state=_state_label(event["to_state"]),
        reason=event["reason"],
        details=[(_payload_label(key), _payload_text(key, value, names)) for key, value in payload.items()],
        sha256=sha256 if isinstance(sha256, str) else "",
        seq=event.get("seq"),
        hash=event.get("hash") or "",
        sort_key=(event["created_at"], 0, event["id"]),
    )


_FIELD_LABELS: dict = {}


_LABELS_SHOWN: dict = {}


def _payload_label(key: str) -> str:
    """The key's label in the active language (worked out once per language and key)."""
    memo = (get_language(), key)
    label = _LABELS_SHOWN.get(memo)
    if label is None:
        label = _LABELS_SHOWN[memo] = _payload_label_of(key)
    return label


def _payload_label_of(key: str) -> str:
    if key in PAYLOAD_LABELS:
        return capfirst(str(PAYLOAD_LABELS[key]))
    if not _FIELD_LABELS:
        for model in (Case, Promise, Letter, Escalation, CompensationApproval, CaseCustomerType, Deadline, CaseOption):
            for model_field in model._meta.concrete_fields:
                _FIELD_LABELS.setdefault(model_field.name, model_field.verbose_name)
    label = _FIELD_LABELS.get(key)
    return capfirst(str(label)) if label is not None else key.replace("_", " ")


def _payload_text(key, value, names: _Names) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in ("from_owner", "to_owner", "from_user", "to_user") and isinstance(value, int):
        return names.user(value)
    if key == "customer_type" and isinstance(value, str):
        known = active_customer_types().get(value)
        return known.name if known else value
    choices = PAYLOAD_CHOICES.get(key)
    if choices is not None:
        if isinstance(value, list):
            return ", ".join(_choice_label(choices, item) for item in value)
        return _choice_label(choices, value)
    if isinstance(value, dict):
        if set(value) == {"id", "label"}:
            return str(value["label"])
        if set(value) == {"old", "new"}:
            return f"{_payload_text(key, value['old'], names)} → {_payload_text(key, value['new'], names)}"
        return "; ".join(f"{_payload_label(k)}: {_payload_text(k, v, names)}" for k, v in value.items())
    if isinstance(value, list):
        return " | ".join(_payload_text(key, item, names) for item in value)
    if isinstance(value, str) and _ISO_TIME.match(value):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_aware(parsed):
            return _local(parsed)
    return str(value)


def _choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


# --- field changes ----------------------------------------------------------------------------------


class _Fields:
    """How each tracked column of `model` is named and shown."""

    def __init__(self, model, historical):
        user_model = get_user_model()
        self.columns = []  # (attname, label, show)
        for model_field in historical.tracked_fields:
            if model_field.attname == "id":
                continue
            original = model._meta.get_field(model_field.name)
            self.columns.append((model_field.attname, capfirst(str(original.verbose_name)), original))
        self.user_model = user_model

    def show(self, original, value, names: _Names) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if original.is_relation:
            if original.related_model is self.user_model:
                return names.user(value)
            if original.related_model in REFERENCE_MODELS:
                row = active_rows(original.related_model).get(value)
                return str(row) if row is not None else f"#{value}"
            return f"#{value}"
        if original.choices:
            return str(dict(original.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, dt.datetime):
            return _local(value)
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, cls=_Encoder)
        return str(value)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, (Decimal, dt.date)):
            return str(o)
        return super().default(o)


def _record_name(model, object_id) -> str:
    if model is Case:
        return capfirst(str(model._meta.verbose_name))
    return f"{capfirst(str(model._meta.verbose_name))} #{object_id}"


def _change_entry(model, fields, previous, row, names: _Names) -> TimelineEntry:
    changes = []
    for attname, label, original in fields.columns:
        new = row[attname]
        if previous is None:
            if row["history_type"] == "-" or new in (None, "", [], {}):
                continue
            old = None
        else:
            old = previous[attname]
            if old == new:
                continue
        shown_old, shown_new = fields.show(original, old, names), fields.show(original, new, names)
        changes.append(FieldChange(attname, label, shown_old, shown_new))
    record = _record_name(model, row["id"])
    return TimelineEntry(
        at=row["history_date"],
        group=CHANGES,
        source="change",
        title=f"{record}: {HISTORY_TYPES.get(row['history_type'], row['history_type'])}",
        who=names.user(row["history_user_id"]),
        record=record,
        reason=row["history_change_reason"] or "",
        changes=changes,
        sort_key=(row["history_date"], 1, row["history_id"]),
    )
