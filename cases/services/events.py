from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..audit_chain import event_digest, payload_as_stored
from ..events import STEP_ENTERING_KINDS, STEP_EVENT_KINDS, EventKind
from ..models import Case, CaseEvent
from ..signals import case_event_recorded


@dataclass(frozen=True)
class NewEvent:
    """One event to record: what `case_event_record` takes, for `case_events_record`'s batch."""

    case: Case
    kind: EventKind
    actor: Any
    payload: dict
    from_state: str = ""
    to_state: str = ""
    reason: str = ""
    at: datetime | None = None


def _as_aware(value):
    if isinstance(value, str):  # SQLite keeps a datetime as text, in UTC
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _last_links(case_ids) -> dict:
    """case id → [sequence, hash] of the case's last event ([0, ""] before the first) and when the
    case last became ready for a 7A step (cases/events.py, STEP_ENTERING_KINDS) — read under the
    cases' row locks, so two transactions recording events on one case take their numbers one after
    the other (on SQLite the database's single writer does the same). One query for the batch.

    The lock is the one a case UPDATE takes (FOR NO KEY UPDATE), taken in id order: a step that saved
    the case already holds it, and rows merely pointing at the case (a complaint attached, a promise
    made) are not held up. A service that locks another row of the case before its event (an
    approval, say) locks the case first, so that every writer takes the case before its rows and two
    of them never wait on each other in a circle.

    Raw SQL, the same statement on both databases but for the lock clause: every step of every case
    reads its link here, and the ORM's version (three subqueries as annotations) spends most of its
    time compiling — for one case, p50 1.42 ms against 0.47 ms for this statement (2026-12-06, 1M
    cases, AMD EPYC). Tested on both databases with the whole chain (tests/cases/test_audit_chain.py,
    a batch over two cases included)."""
    event = CaseEvent._meta.db_table
    kinds = ", ".join(["%s"] * len(STEP_ENTERING_KINDS))
    ids = ", ".join(["%s"] * len(case_ids))
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    last = f"FROM {event} e WHERE e.case_id = c.id ORDER BY e.seq DESC LIMIT 1"
    # The tables are the models' own; every value is a parameter.
    sql = (
        f"SELECT c.id, (SELECT e.seq {last}), (SELECT e.hash {last}), "  # noqa: S608
        f"(SELECT e.created_at FROM {event} e WHERE e.case_id = c.id AND e.kind IN ({kinds}) "
        f"ORDER BY e.seq DESC LIMIT 1) "
        f"FROM {Case._meta.db_table} c WHERE c.id IN ({ids}) ORDER BY c.id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*STEP_ENTERING_KINDS, *case_ids])
        return {pk: [seq or 0, digest or "", _as_aware(entered)] for pk, seq, digest, entered in cursor.fetchall()}


def _waited(kind: EventKind, entered_at, created_at) -> int | None:
    if kind.code not in STEP_EVENT_KINDS or entered_at is None:
        return None
    return max(0, round((created_at - entered_at).total_seconds()))


def case_event_record(
    *, case, kind: EventKind, actor, payload: dict, from_state="", to_state="", reason="", at=None
) -> CaseEvent:
    """The append-only event of one business step, then `case_event_recorded`.

    Call it inside the step's transaction, after every other row of the step is written: receivers
    (notifications, escalation rules, the audit chain) then see the case, its complaints and its
    event as written, on every database. `payload` holds exactly the keys `kind` declares; the kind's
    builder shapes it (cases/events.py). The event is the next link of the case's hash chain
    (cases/audit_chain.py)."""
    entry = NewEvent(case, kind, actor, payload, from_state=from_state, to_state=to_state, reason=reason, at=at)
    return case_events_record([entry])[0]


def case_events_record(entries: list[NewEvent]) -> list[CaseEvent]:
    """Record `entries` in their order — each the next link of its case's chain — then send
    `case_event_recorded` for each, in the same order. The one writer of case events:
    `case_event_record` is this with one entry.

    For a batch (a sweep's 200 missed promises) the chain's links are read in one query, not one per
    event: row by row, that read was a third of a sweep cycle's statements (bench/promises.py). Each
    row is saved through the ORM (Django's own signals fire); `case_event_recorded` follows once all
    of the batch's rows are written, so a receiver that records an event of its own on one of these
    cases finds the chain as it now stands."""
    if not entries:
        return []
    # Its own transaction when called outside one (a script, a shell); inside a step's, no savepoint.
    with transaction.atomic(savepoint=False):
        links = _last_links(sorted({entry.case.pk for entry in entries}))
        rows = []
        for entry in entries:
            case, kind = entry.case, entry.kind
            created_at = entry.at or timezone.now()
            payload = payload_as_stored(kind.payload(**entry.payload))
            link = links[case.pk]
            seq, prev_hash, entered_at = link[0] + 1, link[1], link[2]
            digest = event_digest(
                case_id=case.pk, seq=seq, kind=kind.code,
                actor_id=entry.actor.pk if entry.actor is not None else None, created_at=created_at,
                from_state=entry.from_state, to_state=entry.to_state, reason=entry.reason, payload=payload,
                prev_hash=prev_hash,
            )  # fmt: skip
            rows.append(
                CaseEvent(
                    case=case,
                    kind=kind.code,
                    actor=entry.actor,
                    created_at=created_at,
                    from_state=entry.from_state,
                    to_state=entry.to_state,
                    reason=entry.reason,
                    payload=payload,
                    seq=seq,
                    prev_hash=prev_hash,
                    hash=digest,
                    waited_seconds=_waited(kind, entered_at, created_at),
                    owner_id=case.owner_id,
                )
            )
            # The next entry of this case follows this one.
            links[case.pk] = [seq, digest, created_at if kind.code in STEP_ENTERING_KINDS else entered_at]
        for row in rows:
            row.save(force_insert=True)
        for entry, event in zip(entries, rows, strict=True):
            case_event_recorded.send(sender=CaseEvent, case=entry.case, event=event, actor=entry.actor)
    return rows
