from datetime import UTC

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..audit_chain import event_digest, payload_as_stored
from ..events import STEP_ENTERING_KINDS, STEP_EVENT_KINDS, EventKind
from ..models import Case, CaseEvent
from ..signals import case_event_recorded


def _last_link(case) -> tuple:
    """(sequence, hash) of the case's last event, (0, "") before the first, and when the case last
    became ready for a 7A step (cases/events.py, STEP_ENTERING_KINDS) — read under the case's
    row lock, so two transactions recording events on one case take their numbers one after the
    other (on SQLite the database's single writer does the same). One query.

    The lock is the one a case UPDATE takes (FOR NO KEY UPDATE): a step that saved the case already
    holds it, and rows merely pointing at the case (a complaint attached, a promise made) are not held
    up. A service that locks another row of the case before its event (an approval, say) locks the
    case first, so that every writer takes the case before its rows and two of them never wait on
    each other in a circle.

    Raw SQL, the same statement on both databases but for the lock clause: the ORM's version (three
    subqueries) took about 2 ms to compile for 0.5 ms to run, once per event — a sweep missing 1,000
    promises spent 2 of its 8 seconds there (bench/promises.py, 1M cases). Tested on both databases
    with the whole chain (tests/cases/test_audit_chain.py)."""
    event = CaseEvent._meta.db_table
    kinds = ", ".join(["%s"] * len(STEP_ENTERING_KINDS))
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
    last = f"FROM {event} e WHERE e.case_id = c.id ORDER BY e.seq DESC LIMIT 1"
    # The tables are the models' own; every value is a parameter.
    sql = (
        f"SELECT (SELECT e.seq {last}), (SELECT e.hash {last}), "  # noqa: S608
        f"(SELECT e.created_at FROM {event} e WHERE e.case_id = c.id AND e.kind IN ({kinds}) "
        f"ORDER BY e.seq DESC LIMIT 1) "
        f"FROM {Case._meta.db_table} c WHERE c.id = %s{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*STEP_ENTERING_KINDS, case.pk])
        seq, digest, entered_at = cursor.fetchone()
    if isinstance(entered_at, str):  # SQLite keeps a datetime as text, in UTC
        entered_at = parse_datetime(entered_at)
    if entered_at is not None and timezone.is_naive(entered_at):
        entered_at = entered_at.replace(tzinfo=UTC)
    return seq or 0, digest or "", entered_at


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
    # Its own transaction when called outside one (a script, a shell); inside a step's, no savepoint.
    with transaction.atomic(savepoint=False):
        created_at = at or timezone.now()
        payload = payload_as_stored(kind.payload(**payload))
        seq, prev_hash, entered_at = _last_link(case)
        seq += 1
        digest = event_digest(
            case_id=case.pk, seq=seq, kind=kind.code, actor_id=actor.pk if actor is not None else None,
            created_at=created_at, from_state=from_state, to_state=to_state, reason=reason, payload=payload,
            prev_hash=prev_hash,
        )  # fmt: skip
        event = CaseEvent.objects.create(
            case=case,
            kind=kind.code,
            actor=actor,
            created_at=created_at,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            payload=payload,
            seq=seq,
            prev_hash=prev_hash,
            hash=digest,
            waited_seconds=_waited(kind, entered_at, created_at),
            owner_id=case.owner_id,
        )
        case_event_recorded.send(sender=CaseEvent, case=case, event=event, actor=actor)
    return event
