"""Promises to the customer (issue 8): made, called, kept, cancelled, rescheduled — and the steps that
depend on them. Time is moved explicitly (time-machine), never slept."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from cases.models import Promise
from cases.services import (
    case_assign,
    case_transition,
    promise_call,
    promise_cancel,
    promise_make,
    promise_reschedule,
)
from cases.services.promises import retry_message
from core.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import case_in_state, evidence, log_case, promises_keep

# Promised times must be inside business hours: the clock stands on a working-day morning.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]


def progress_promise(case, actor, *, hours=2, **changes):
    data = {
        "kind": "progress_update",
        "due_at": (timezone.now() + timedelta(hours=hours)).isoformat(),
        "description": "告知客户计费核查的进展",
        **changes,
    }
    return promise_make(case=case, actor=actor, data=data)


def reached(yes=True, outcome="已回访"):
    return {"reached": yes, "outcome": outcome}


def test_a_progress_callback_promised_during_the_analysis_is_on_the_case_and_its_timeline(agent):
    case = case_in_state("analyzed", owner=agent)
    promise = progress_promise(case, agent)
    case.refresh_from_db()
    assert promise.state == "scheduled" and promise.keeper == agent and promise.phone == case.customer_phone
    assert case.next_callback_at == promise.due_at
    event = case.events.get(kind="promise_made")
    assert event.payload["promise"] == promise.pk and event.payload["promise_kind"] == "progress_update"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"due_at": "2020-01-01T10:00:00+08:00"}, "due_at"),
        ({"kind": "someday"}, "kind"),
        ({"description": "  "}, "description"),
        ({"due_at": "9999-01-01T10:00:00+08:00"}, "due_at"),
    ],
)
def test_a_promise_without_a_sensible_time_or_content_is_refused_naming_the_field(agent, changes, field):
    case = log_case(agent)
    with pytest.raises(InvalidInput) as exc:
        progress_promise(case, agent, **changes)
    assert field in exc.value.fields
    assert not Promise.objects.filter(case=case).exists() and not case.events.filter(kind="promise_made").exists()


def test_a_call_that_reaches_the_customer_keeps_the_promise_and_moves_the_next_one(agent):
    case = log_case(agent)
    first = progress_promise(case, agent, hours=1)
    second = progress_promise(case, agent, hours=5)
    promise_call(promise=first, actor=agent, data=reached())
    first.refresh_from_db()
    case.refresh_from_db()
    assert first.state == "kept" and first.reached is True and first.outcome == "已回访"
    assert case.next_callback_at == second.due_at
    assert case.events.get(kind="promise_kept").payload["late"] is False


def test_an_unreached_call_is_an_attempt_and_three_spaced_attempts_keep_the_promise(agent):
    case = log_case(agent)
    promise = progress_promise(case, agent, hours=1)
    spacing = timedelta(minutes=settings.PROMISE_RETRY_SPACING_MINUTES)
    start = timezone.now() + timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        promise_call(promise=promise, actor=agent, data=reached(False, "无人接听"))
    promise.refresh_from_db()
    assert promise.state == "scheduled" and promise.attempts == 1
    assert "1" in retry_message(promise) and str(settings.PROMISE_RETRY_ATTEMPTS) in retry_message(promise)
    with time_machine.travel(start + spacing / 2, tick=False):  # too soon: on the record, not counted
        promise_call(promise=promise, actor=agent, data=reached(False, "无人接听"))
    promise.refresh_from_db()
    assert promise.attempts == 1 and case.events.filter(kind="promise_attempted").count() == 2
    with time_machine.travel(start + spacing, tick=False):
        promise_call(promise=promise, actor=agent, data=reached(False, "关机"))
    with time_machine.travel(start + 2 * spacing, tick=False):
        promise_call(promise=promise, actor=agent, data=reached(False, "仍无人接听，已发短信"))
    promise.refresh_from_db()
    assert promise.state == "kept" and promise.reached is False and promise.attempts == 3


def test_a_thing_promised_is_kept_when_done_whatever_reached_says(agent):
    case = case_in_state("agreed", owner=agent)
    commitment = case.promises.get(kind="commitment")
    promise_call(promise=commitment, actor=agent, data=reached(False, "退费已到账"))
    commitment.refresh_from_db()
    assert commitment.state == "kept"


def test_cancelling_needs_a_reason_and_a_kept_promise_cannot_change(agent):
    case = log_case(agent)
    promise = progress_promise(case, agent)
    with pytest.raises(InvalidInput) as exc:
        promise_cancel(promise=promise, actor=agent, data={"reason": " "})
    assert "reason" in exc.value.fields
    promise_cancel(promise=promise, actor=agent, data={"reason": "客户已来电，无需回访"})
    promise.refresh_from_db()
    assert promise.state == "cancelled" and promise.closed_reason == "客户已来电，无需回访"
    with pytest.raises(Conflict):
        promise_call(promise=promise, actor=agent, data=reached())


@pytest.mark.parametrize("by_customer", [True, False])
def test_a_reschedule_closes_the_promise_and_makes_its_successor(agent, by_customer):
    case = log_case(agent)
    old = progress_promise(case, agent, hours=2)
    later = (timezone.now() + timedelta(days=1)).isoformat()
    new = promise_reschedule(
        promise=old, actor=agent, data={"due_at": later, "by_customer": by_customer, "reason": "客户要求改时间"}
    )
    old.refresh_from_db()
    case.refresh_from_db()
    assert old.state == "rescheduled" and old.rescheduled_by_customer is by_customer
    assert new.state == "scheduled" and new.rescheduled_from == old and new.customer_chose_time is by_customer
    assert case.next_callback_at == new.due_at
    event = case.events.get(kind="promise_rescheduled")
    assert event.payload["new_promise"] == new.pk and event.payload["by_customer"] is by_customer


def test_only_someone_who_works_the_case_may_act_on_its_promises(agent, other_agent, supervisor, auditor):
    case = log_case(agent)
    promise = progress_promise(case, agent)
    for outsider in (other_agent, auditor):
        with pytest.raises(NotAllowed):
            promise_call(promise=promise, actor=outsider, data=reached())
        with pytest.raises(NotAllowed):
            progress_promise(case, outsider)
    promise_call(promise=promise, actor=supervisor, data=reached())


def test_an_ended_case_takes_no_new_promise(agent):
    case = case_in_state("withdrawn", owner=agent)
    with pytest.raises(Conflict):
        progress_promise(case, agent)


def test_assure_is_refused_while_the_agreed_follow_up_call_is_open(agent):
    case = case_in_state("agreed", owner=agent)
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="assure", actor=agent, data=evidence("assure"))
    assert "follow-up call" in str(exc.value.fields["__all__"][0])
    case.refresh_from_db()
    assert case.state == "agreed"
    promise_call(promise=case.promises.get(kind="follow_up"), actor=agent, data=reached())
    case_transition(case=case, name="assure", actor=agent, data=evidence("assure"))
    assert case.state == "assured"


def test_close_is_refused_while_anything_is_owed_and_allowed_once_cancelled_with_a_reason(agent):
    case = case_in_state("agreed", owner=agent)
    promises_keep(case, agent)
    case_transition(case=case, name="assure", actor=agent, data=evidence("assure"))
    satisfaction_check = progress_promise(case, agent, kind="satisfaction_check")
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="close", actor=agent, data=evidence("close"))
    assert "1" in str(exc.value.fields["__all__"][0])
    promise_cancel(promise=satisfaction_check, actor=agent, data={"reason": "客户表示不需要再回访"})
    case_transition(case=case, name="close", actor=agent, data=evidence("close"))
    assert case.state == "closed"


def test_reassigning_a_case_hands_its_open_promises_to_the_new_owner(agent, other_agent, supervisor):
    case = case_in_state("agreed", owner=agent)
    kept = progress_promise(case, agent)
    promise_call(promise=kept, actor=agent, data=reached())
    covering = progress_promise(case, agent, hours=3)
    Promise.objects.filter(pk=covering.pk).update(keeper=supervisor)  # a colleague covering this one
    case_assign(case=case, owner_id=other_agent.pk, actor=supervisor)
    keepers = dict(case.promises.values_list("id", "keeper_id"))
    open_ones = case.promises.filter(state="scheduled").exclude(pk=covering.pk)
    assert open_ones.count() == 2 and all(keepers[p.pk] == other_agent.pk for p in open_ones)
    assert keepers[kept.pk] == agent.pk and keepers[covering.pk] == supervisor.pk  # history and cover stay
    event = case.events.get(kind="assigned")
    assert sorted(event.payload["promises_moved"]) == sorted(p.pk for p in open_ones)
    moved = open_ones.first().history.latest()
    assert (moved.keeper_id, moved.history_user, moved.history_change_reason) == (
        other_agent.pk,
        supervisor,
        "Case reassigned",
    )
