"""The sweeps that hold us to our promises (issue 8, item 5): reminders before, missed after the grace
period with the keeper and their supervisor told, escalation on the second miss — each told once,
however often or however many workers sweep. Time is moved explicitly, never slept."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile
from cases.models import Promise
from cases.services import promise_call, promise_make
from cases.services.promise_sweeps import promises_miss_overdue, promises_remind, promises_sweep
from cases.signals import escalation_triggered
from core.history import SYSTEM_USERNAME
from notifications.models import Notification
from tests.factories import log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]
GRACE = timedelta(minutes=settings.PROMISE_GRACE_MINUTES)


def promise_in(case, actor, delta, kind="progress_update"):
    return promise_make(
        case=case,
        actor=actor,
        data={"kind": kind, "due_at": (timezone.now() + delta).isoformat(), "description": "告知进展"},
    )


def told(user, event):
    return Notification.objects.filter(recipient=user, event=event).count()


def test_the_keeper_is_reminded_once_before_the_promise(agent):
    case = log_case(agent)
    promise = promise_in(case, agent, timedelta(hours=2))
    assert promises_remind() == 0  # two hours ahead: not yet
    with time_machine.travel(promise.due_at - timedelta(minutes=10), tick=False):
        assert promises_remind() == 1
        assert promises_remind() == 0
    assert told(agent, "promise_due") == 1
    reminder = Notification.objects.get(recipient=agent, event="promise_due")
    assert reminder.subject_ref == case.number and "告知进展" in reminder.text


def test_each_keeper_chooses_how_long_before_they_are_reminded(agent):
    Profile.objects.update_or_create(user=agent, defaults={"reminder_minutes": 5})
    promise = promise_in(log_case(agent), agent, timedelta(hours=2))
    with time_machine.travel(promise.due_at - timedelta(minutes=10), tick=False):
        assert promises_remind() == 0
    with time_machine.travel(promise.due_at - timedelta(minutes=5), tick=False):
        assert promises_remind() == 1


def test_a_promise_not_attempted_within_the_grace_period_is_missed_and_people_are_told(agent, supervisor):
    Profile.objects.update_or_create(user=agent, defaults={"supervisor": supervisor})
    case = log_case(agent)
    promise = promise_in(case, agent, timedelta(hours=1))
    with time_machine.travel(promise.due_at + GRACE - timedelta(minutes=1), tick=False):
        assert promises_miss_overdue() == 0
    with time_machine.travel(promise.due_at + GRACE + timedelta(minutes=1), tick=False):
        assert promises_miss_overdue() == 1
        assert promises_miss_overdue() == 0  # a second run tells no one again
    promise.refresh_from_db()
    assert promise.state == "missed" and promise.missed_at is not None
    event = case.events.get(kind="promise_missed")
    assert event.actor is None and event.payload["promise"] == promise.pk
    assert told(agent, "promise_missed") == 1 and told(supervisor, "promise_missed") == 1
    assert told(agent, "case_changed") == 0  # not the generic notice as well


def test_a_promise_attempted_in_time_is_not_missed_while_the_retries_run(agent):
    promise = promise_in(log_case(agent), agent, timedelta(hours=1))
    with time_machine.travel(promise.due_at, tick=False):
        promise_call(promise=promise, actor=agent, data={"reached": False, "outcome": "无人接听"})
    with time_machine.travel(promise.due_at + GRACE * 3, tick=False):
        assert promises_miss_overdue() == 0
    promise.refresh_from_db()
    assert promise.state == "scheduled"


def test_a_missed_promise_kept_late_is_on_the_record_as_late(agent):
    case = log_case(agent)
    promise = promise_in(case, agent, timedelta(hours=1))
    with time_machine.travel(promise.due_at + GRACE * 2, tick=False):
        promises_sweep()
        promise_call(promise=promise, actor=agent, data={"reached": True, "outcome": "迟到的回访"})
    promise.refresh_from_db()
    assert promise.state == "kept" and promise.missed_at is not None
    assert case.events.get(kind="promise_kept").payload["late"] is True


def test_the_second_missed_promise_on_a_case_triggers_escalation_once(agent, supervisor):
    received = []

    def receiver(sender, case, trigger, detail, **kwargs):
        received.append((case.pk, trigger, detail["missed_promises"]))

    escalation_triggered.connect(receiver, dispatch_uid="test-escalation")
    try:
        case = log_case(agent)
        first = promise_in(case, agent, timedelta(hours=1))
        promise_in(case, agent, timedelta(hours=2))
        promise_in(case, agent, timedelta(hours=3))
        with time_machine.travel(first.due_at + GRACE + timedelta(minutes=1), tick=False):
            promises_sweep()
        assert received == []
        with time_machine.travel(first.due_at + timedelta(hours=5), tick=False):
            promises_sweep()
    finally:
        escalation_triggered.disconnect(dispatch_uid="test-escalation")
    assert received == [(case.pk, "promises_missed", 2)]
    assert case.events.filter(kind="escalation_triggered").count() == 1
    assert told(supervisor, "case_escalation_triggered") == 1


def test_two_promises_missed_in_one_sweep_escalate_once_after_the_second(agent):
    case = log_case(agent)
    first = promise_in(case, agent, timedelta(hours=1))
    second = promise_in(case, agent, timedelta(hours=2))
    with time_machine.travel(second.due_at + GRACE + timedelta(minutes=1), tick=False):
        assert promises_miss_overdue() == 2
    kinds = case.events.order_by("id").filter(kind__in=("promise_missed", "escalation_triggered"))
    assert list(kinds.values_list("kind", flat=True)) == ["promise_missed", "promise_missed", "escalation_triggered"]
    assert case.events.get(kind="escalation_triggered").payload["detail"]["promise"] == second.pk
    for promise in (first, second):  # each miss is in the promise's history, made by the system
        latest = promise.history.latest()
        assert (latest.state, latest.history_type, latest.history_user.username) == ("missed", "~", SYSTEM_USERNAME)


def test_a_promise_rolled_back_with_its_transaction_is_never_swept(agent):
    case = log_case(agent)
    with pytest.raises(RuntimeError), transaction.atomic():
        promise_in(case, agent, timedelta(hours=1))
        raise RuntimeError("the request failed after the promise was written")
    assert not Promise.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert promises_sweep() == {"missed": 0, "reminded": 0}
    assert not Notification.objects.filter(event__in=("promise_due", "promise_missed")).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks with SKIP LOCKED: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_each_keeper_once(agent):
    case = log_case(agent)
    promises = [promise_in(case, agent, timedelta(minutes=30 + i)) for i in range(250)]
    later = max(p.due_at for p in promises) + GRACE + timedelta(minutes=1)
    results, barrier = [], threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            with time_machine.travel(later, tick=False):
                results.append(promises_miss_overdue())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 250
    assert Promise.objects.filter(state="missed").count() == 250
    assert case.events.filter(kind="promise_missed").count() == 250
    assert told(agent, "promise_missed") == 250


def test_a_sweep_reads_the_chains_links_once_per_batch_and_writes_each_event(agent, other_agent):
    """The batch's events are one links query and one INSERT each, however many cases it spans."""
    cases = [log_case(agent), log_case(other_agent), log_case(agent)]
    promises = [promise_in(case, case.owner, timedelta(hours=1)) for case in cases]
    promises.append(promise_in(cases[0], agent, timedelta(hours=1, minutes=5)))
    with (
        time_machine.travel(promises[-1].due_at + GRACE + timedelta(minutes=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert promises_miss_overdue() == 4
    sql = [query["sql"] for query in queries.captured_queries]
    inserts = [statement for statement in sql if statement.startswith('INSERT INTO "cases_caseevent"')]
    missed = [statement for statement in inserts if "'promise_missed'" in statement]
    assert len(missed) == 4
    # One read for the four misses, one more for each event recorded after them (the escalation's).
    links = sum("FROM cases_case c WHERE c.id IN" in statement for statement in sql)
    assert links == 1 + len(inserts) - len(missed)
    # The case with two misses escalates after its second (then the rule's escalation follows).
    kinds = cases[0].events.order_by("seq").filter(kind__in=("promise_missed", "escalation_triggered"))
    assert list(kinds.values_list("kind", flat=True)) == ["promise_missed", "promise_missed", "escalation_triggered"]
