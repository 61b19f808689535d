"""The case timeline is a hash chain per case, and `manage.py verify_audit` names the first broken link.

Tampering is done here the way an intruder with database access would: raw SQL, with the append-only
triggers put aside first (they would refuse the write otherwise — that is tested too)."""

import contextlib
import io
import itertools
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cases import events
from cases.audit_chain import event_digest
from cases.db_protections import sqlite_triggers_install, sqlite_triggers_remove
from cases.models import CaseEvent
from cases.services import case_event_record, case_transition
from cases.services.events import NewEvent, case_events_record
from cases.signals import case_event_recorded
from cases.tasks import event_chains_verify_task
from notifications.models import Notification
from tests.factories import case_in_state, evidence, log_case

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def triggers_put_aside():
    """What an intruder does first: switch the timeline's protection off (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
            cursor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER USER")
        else:
            sqlite_triggers_remove(cursor)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER USER")
        else:
            sqlite_triggers_install(cursor)


def verify(*args):
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as failure:
        return False, out.getvalue() + str(failure)
    return True, out.getvalue()


def test_every_step_is_the_next_link_of_its_case_chain(agent):
    case = case_in_state("agreed", owner=agent)
    events = list(case.events.order_by("seq"))
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == ""
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    # The hash is the event's own content as read back from the database, not as it was handed over.
    last = events[-1]
    assert last.hash == event_digest(
        case_id=case.pk, seq=last.seq, kind=last.kind, actor_id=last.actor_id, created_at=last.created_at,
        from_state=last.from_state, to_state=last.to_state, reason=last.reason, payload=last.payload,
        prev_hash=last.prev_hash,
    )  # fmt: skip


def test_verify_audit_says_ok_for_untouched_timelines(agent):
    case_in_state("agreed", owner=agent)
    log_case(agent, customer_phone="13900000001")
    ok, output = verify()
    assert ok, output
    assert output.startswith("OK: ")
    assert f"{CaseEvent.objects.count()} events in 2 chains" in output


@pytest.mark.parametrize(
    "column, value",
    [("reason", "'nothing happened'"), ("created_at", "created_at"), ("actor_id", "NULL"), ("kind", "'close'")],
)
def test_verify_audit_names_exactly_the_event_that_was_changed(agent, column, value):
    case = case_in_state("agreed", owner=agent)
    untouched = log_case(agent, customer_phone="13900000002")
    target = case.events.order_by("seq")[2]
    if column == "created_at":  # one second earlier, as if to hide a late step
        value = "created_at - INTERVAL '1 second'" if connection.vendor == "postgresql" else None
    with triggers_put_aside() as cursor:
        if value is None:
            moved = target.created_at.replace(microsecond=(target.created_at.microsecond + 1) % 1_000_000)
            cursor.execute("UPDATE cases_caseevent SET created_at = %s WHERE id = %s", [moved, target.pk])
        else:
            cursor.execute(f"UPDATE cases_caseevent SET {column} = {value} WHERE id = %s", [target.pk])  # noqa: S608
    ok, output = verify()
    assert not ok
    broken = [line for line in output.splitlines() if line.startswith("BROKEN")]
    assert broken == [
        f"BROKEN case {case.number}: case id {case.pk}, event id {target.pk} (#{target.seq}): "
        "its content does not match its hash (the event was changed)"
    ]
    assert untouched.number not in output
    assert "1 broken chain(s)" in output


def test_a_removed_event_breaks_the_link_of_the_one_after_it(agent):
    case = case_in_state("agreed", owner=agent)
    removed, following = case.events.order_by("seq")[1:3]
    with triggers_put_aside() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [removed.pk])
    ok, output = verify("--case", case.number)
    assert not ok
    assert f"event id {following.pk} (#{following.seq}): its sequence number is out of order" in output


def test_a_rehashed_forgery_still_breaks_the_next_link(agent):
    """An intruder who also recomputes the changed event's own hash leaves the next event pointing at
    the old one."""
    case = case_in_state("agreed", owner=agent)
    target, following = case.events.order_by("seq")[1:3]
    forged = event_digest(
        case_id=case.pk, seq=target.seq, kind=target.kind, actor_id=target.actor_id, created_at=target.created_at,
        from_state=target.from_state, to_state=target.to_state, reason="forged", payload=target.payload,
        prev_hash=target.prev_hash,
    )  # fmt: skip
    with triggers_put_aside() as cursor:
        cursor.execute("UPDATE cases_caseevent SET reason = 'forged', hash = %s WHERE id = %s", [forged, target.pk])
    ok, output = verify()
    assert not ok
    assert f"event id {following.pk} (#{following.seq}): it does not point at the event before it" in output


def test_verify_audit_refuses_an_unknown_case(agent):
    ok, output = verify("--case", "C-1999-000001")
    assert not ok
    assert "No such case: C-1999-000001" in output


def test_the_daily_check_tells_every_auditor_once_per_finding(agent, auditor):
    case = case_in_state("agreed", owner=agent)
    target = case.events.order_by("seq")[1]
    assert event_chains_verify_task() == {"events": case.events.count(), "chains": 1, "broken": 0}
    assert not Notification.objects.filter(recipient=auditor).exists()
    with triggers_put_aside() as cursor:
        cursor.execute("UPDATE cases_caseevent SET reason = 'x' WHERE id = %s", [target.pk])
    event_chains_verify_task()
    event_chains_verify_task()
    told = Notification.objects.filter(recipient=auditor)
    assert told.count() == 1
    assert case.number in told.get().text
    assert Notification.objects.filter(recipient=agent, event="audit_chain_broken").count() == 0


def test_two_events_of_one_case_never_share_a_number(agent):
    case = log_case(agent)
    event = case.events.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_caseevent (case_id, kind, created_at, from_state, to_state, reason, payload, seq,"
            " prev_hash, hash) VALUES (%s, 'close', %s, '', '', '', '{}', 1, '', '')",
            [case.pk, event.created_at],
        )


def test_each_step_records_how_long_the_case_waited_for_it(agent, office_hours):
    """The time spent on a step starts at the event after which it was due: the complaint logged or
    the step before — not an event recorded in between (here an escalation trigger)."""
    case = log_case(agent)
    office_hours.shift(timedelta(minutes=3))
    case_transition(case=case, name="accept", actor=agent, data=evidence("accept"))
    office_hours.shift(timedelta(minutes=10))
    case_event_record(
        case=case, kind=events.ESCALATION_TRIGGERED, actor=None, payload={"trigger": "probe", "detail": {}}
    )
    office_hours.shift(timedelta(minutes=15))
    case_transition(case=case, name="apologize", actor=agent, data=evidence("apologize"))
    logged, accepted, triggered, apologized = case.events.order_by("seq")
    assert (logged.waited_seconds, triggered.waited_seconds) == (None, None)
    assert (accepted.waited_seconds, apologized.waited_seconds) == (3 * 60, 25 * 60)


def test_a_batch_of_events_continues_each_cases_chain_in_order(agent, other_agent):
    """A sweep records its batch's events together (one read of the chains' links): interleaved cases
    each get their next numbers in the order given, the chains verify, and every receiver of
    `case_event_recorded` — sent in the same order — already sees all of the batch's rows."""
    first, second = log_case(agent), log_case(other_agent)
    seen = []

    def receiver(sender, case, event, **kwargs):
        seen.append((case.pk, event.seq, CaseEvent.objects.filter(kind="escalation_triggered").count()))

    def trigger(case, name):
        return NewEvent(case, events.ESCALATION_TRIGGERED, None, {"trigger": name, "detail": {}})

    case_event_recorded.connect(receiver, dispatch_uid="test-batch")
    try:
        recorded = case_events_record([trigger(first, "a"), trigger(second, "b"), trigger(first, "c")])
    finally:
        case_event_recorded.disconnect(dispatch_uid="test-batch")
    assert [(event.case_id, event.seq, event.payload["trigger"]) for event in recorded] == [
        (first.pk, 2, "a"),
        (second.pk, 2, "b"),
        (first.pk, 3, "c"),
    ]
    assert seen == [(first.pk, 2, 3), (second.pk, 2, 3), (first.pk, 3, 3)]
    chain = list(first.events.order_by("seq"))
    assert [event.prev_hash for event in chain[1:]] == [event.hash for event in chain[:-1]]
    assert verify()[0]
