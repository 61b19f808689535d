"""Deadlines (issue 8, item 4 and the sweep of item 5): a first response and a resolution deadline per
case from the tier and channel's policy, counted in business hours on China's 2026 calendar (National
Day 10-01…10-07, Sunday 09-20 worked), met by Accept and Assure, paused while the case waits on the
customer, warned at 80% and breached once — each told once. Time is moved explicitly, never slept."""

import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection, transaction

from accounts.models import Profile
from cases.deadline_measures import deadline_record_overall, deadline_record_per_agent, deadline_record_per_team
from cases.models import CaseEvent, Deadline, DeadlinePolicy
from cases.services import case_transition
from cases.services.assignment import case_assign
from cases.services.deadline_sweeps import deadlines_breach, deadlines_sweep, deadlines_warn
from cases.services.deadlines import case_clock_pause, case_clock_resume
from cases.signals import escalation_triggered
from core.errors import Conflict, InvalidInput, NotAllowed
from notifications.models import Notification
from tests.factories import case_in_state, evidence, log_case, promises_keep

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
TUESDAY_10 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)  # the office_hours fixture's moment
WAITING = {"reason": "等客户提供缴费发票"}


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def deadline(case, kind):
    return Deadline.objects.filter(case=case, kind=kind).order_by("started_at", "id").last()


def told(user, event):
    return Notification.objects.filter(recipient=user, event=event).count()


def logged_at(moment, agent, **intake):
    with time_machine.travel(moment, tick=False):
        return log_case(agent, **intake)


# --- the policy -----------------------------------------------------------------------------------


def test_every_tier_and_channel_has_a_policy_and_vip_and_regulator_are_the_shortest():
    policies = {(p.customer_tier, p.channel): p for p in DeadlinePolicy.objects.all()}
    assert len(policies) == 4 * 7
    shortest = (
        min(p.first_response_hours for p in policies.values()),
        min(p.resolution_hours for p in policies.values()),
    )
    vip, regulator = policies["vip", "phone"], policies["standard", "regulator"]
    assert (vip.first_response_hours, vip.resolution_hours) == shortest
    assert (regulator.first_response_hours, regulator.resolution_hours) == shortest
    standard = policies["standard", "phone"]
    assert standard.first_response_hours > vip.first_response_hours
    assert standard.resolution_hours > vip.resolution_hours


def test_an_admins_change_applies_to_the_next_case(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the policy cache is told after commit
        DeadlinePolicy.objects.filter(customer_tier="standard", channel="phone").update(first_response_hours=2)
        DeadlinePolicy.objects.get(customer_tier="standard", channel="phone").save()
    case = logged_at(TUESDAY_10, agent)
    assert deadline(case, "first_response").due_at == at(2026, 11, 24, 12, 0)


# --- counted in business hours --------------------------------------------------------------------


def test_a_vip_complaint_logged_on_friday_evening_is_due_on_monday_morning(agent):
    case = logged_at(at(2026, 11, 27, 17, 30), agent, tier="vip")  # 1 and 18 business hours
    first, resolution = deadline(case, "first_response"), deadline(case, "resolution")
    assert first.due_at == at(2026, 11, 30, 9, 30)  # 30 minutes on Friday, 30 on Monday
    assert resolution.due_at == at(2026, 12, 1, 17, 30)  # 0.5 h Friday + 9 h Monday + 8.5 h Tuesday
    case.refresh_from_db()
    assert case.deadline_at == first.due_at


def test_the_national_day_week_does_not_count(agent):
    case = logged_at(at(2026, 9, 30, 17, 0), agent)  # standard phone: 8 business hours
    assert deadline(case, "first_response").due_at == at(2026, 10, 8, 16, 0)


def test_a_调休_sunday_counts_as_a_working_day(agent):
    case = logged_at(at(2026, 9, 19, 12, 0), agent, tier="vip")  # a Saturday
    assert deadline(case, "first_response").due_at == at(2026, 9, 20, 10, 0)


# --- met by the steps -----------------------------------------------------------------------------


@pytest.mark.usefixtures("office_hours")
def test_accept_meets_the_first_response_and_assure_the_resolution(agent):
    case = log_case(agent)
    case_transition(case=case, name="accept", actor=agent, data=evidence("accept"))
    first, resolution = deadline(case, "first_response"), deadline(case, "resolution")
    assert first.met_at is not None and resolution.met_at is None
    case.refresh_from_db()
    assert case.deadline_at == resolution.due_at  # the queue now sorts by the resolution deadline
    case = case_in_state("agreed", owner=agent)
    promises_keep(case, agent)
    case_transition(case=case, name="assure", actor=agent, data=evidence("assure", case))
    assert deadline(case, "resolution").met_at is not None
    case.refresh_from_db()
    assert case.deadline_at is None


@pytest.mark.usefixtures("office_hours")
def test_a_withdrawn_case_stops_counting_and_a_reopened_one_starts_a_new_resolution_deadline(agent):
    case = log_case(agent)
    case_transition(case=case, name="withdraw", actor=agent, data=evidence("withdraw"))
    assert Deadline.objects.filter(case=case, ended_at__isnull=False).count() == 2
    closed = case_in_state("closed", owner=agent)
    case_transition(case=closed, name="reopen", actor=agent, data=evidence("reopen"))
    renewed = deadline(closed, "resolution")
    assert renewed.is_live and renewed.started_at == closed.updated_at
    closed.refresh_from_db()
    assert closed.deadline_at == renewed.due_at


# --- pause and resume -----------------------------------------------------------------------------


@pytest.mark.usefixtures("office_hours")
def test_a_pause_freezes_the_deadlines_and_resuming_gives_back_the_time_left(agent, office_hours):
    case = log_case(agent)  # standard phone, Tuesday 10:00: first response due 18:00 that day
    assert deadline(case, "first_response").due_at == at(2026, 11, 24, 18, 0)
    office_hours.move_to(at(2026, 11, 24, 11, 0))
    case_clock_pause(case=case, actor=agent, data=WAITING)  # 7 business hours left
    office_hours.move_to(at(2026, 11, 25, 9, 30))  # past the original due time
    assert deadlines_sweep() == {"breached": 0, "warned": 0}
    office_hours.move_to(at(2026, 11, 25, 10, 0))
    case_clock_resume(case=case, actor=agent)
    assert deadline(case, "first_response").due_at == at(2026, 11, 25, 17, 0)
    paused, resumed = case.events.get(kind="clock_paused"), case.events.get(kind="clock_resumed")
    assert paused.reason == WAITING["reason"] and paused.actor == agent
    assert resumed.payload["business_minutes_paused"] == 8 * 60  # Tue 11–18 and Wed 9–10
    case.refresh_from_db()
    assert case.clock_paused_at is None and case.deadline_at == at(2026, 11, 25, 17, 0)
    pause = case.clock_pauses.get()
    assert (pause.paused_by, pause.resumed_by, pause.resumed_at) == (agent, agent, at(2026, 11, 25, 10, 0))


@pytest.mark.usefixtures("office_hours")
def test_a_pause_needs_a_reason_an_unpaused_clock_and_someone_who_works_the_case(agent, other_agent):
    case = log_case(agent)
    with pytest.raises(InvalidInput) as refused:
        case_clock_pause(case=case, actor=agent, data={"reason": "  "})
    assert "reason" in refused.value.fields
    with pytest.raises(NotAllowed):
        case_clock_pause(case=case, actor=other_agent, data=WAITING)
    with pytest.raises(Conflict):
        case_clock_resume(case=case, actor=agent)
    case_clock_pause(case=case, actor=agent, data=WAITING)
    with pytest.raises(Conflict):
        case_clock_pause(case=case, actor=agent, data=WAITING)
    assert case.clock_pauses.count() == 1


@pytest.mark.usefixtures("office_hours")
def test_the_step_that_meets_the_last_deadline_ends_the_pause(agent):
    case = case_in_state("agreed", owner=agent)
    case_clock_pause(case=case, actor=agent, data=WAITING)
    promises_keep(case, agent)
    case_transition(case=case, name="assure", actor=agent, data=evidence("assure", case))
    case.refresh_from_db()
    assert case.clock_paused_at is None and case.clock_pauses.get().resumed_at is not None


# --- the sweep ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("office_hours")
def test_the_owner_is_warned_once_when_80_percent_is_used(agent, office_hours):
    case = log_case(agent)  # 8 business hours from 10:00: 80% is 6 h 24 min, at 16:24
    office_hours.move_to(at(2026, 11, 24, 16, 23))
    assert deadlines_warn() == 0
    office_hours.move_to(at(2026, 11, 24, 16, 25))
    assert deadlines_warn() == 1
    assert deadlines_warn() == 0
    assert told(agent, "deadline_near") == 1
    assert Notification.objects.get(recipient=agent, event="deadline_near").subject_ref == case.number


@pytest.mark.usefixtures("office_hours")
def test_a_breach_is_recorded_once_people_are_told_and_escalation_is_triggered(agent, supervisor, office_hours):
    Profile.objects.update_or_create(user=agent, defaults={"supervisor": supervisor})
    case = log_case(agent)
    triggers = []

    def on_trigger(sender, case, trigger, detail, **kwargs):
        triggers.append((case.pk, trigger, detail["deadline_kind"]))

    escalation_triggered.connect(on_trigger, dispatch_uid="test-breach")
    try:
        office_hours.move_to(at(2026, 11, 24, 17, 59))
        assert deadlines_breach() == 0
        office_hours.move_to(at(2026, 11, 24, 18, 0))
        assert deadlines_breach() == 1
        assert deadlines_breach() == 0
    finally:
        escalation_triggered.disconnect(dispatch_uid="test-breach")
    first = deadline(case, "first_response")
    assert first.breached_at == at(2026, 11, 24, 18, 0)
    assert case.events.get(kind="deadline_breached").payload["deadline_kind"] == "first_response"
    assert case.events.get(kind="escalation_triggered").payload["trigger"] == "deadline_breached"
    assert triggers == [(case.pk, "deadline_breached", "first_response")]
    assert told(agent, "deadline_breached") == 1 and told(supervisor, "deadline_breached") == 1
    # Accepting late meets it, and the breach stays on the record.
    case_transition(case=case, name="accept", actor=agent, data=evidence("accept"))
    first.refresh_from_db()
    assert first.met_at is not None and first.breached_at is not None


@pytest.mark.usefixtures("office_hours")
def test_a_deadline_met_in_time_is_neither_warned_nor_breached(agent, office_hours):
    case = log_case(agent)
    case_transition(case=case, name="accept", actor=agent, data=evidence("accept"))
    office_hours.move_to(at(2026, 11, 25, 9, 0))
    assert deadlines_sweep() == {"breached": 0, "warned": 0}
    assert deadline(case, "first_response").breached_at is None


@pytest.mark.usefixtures("office_hours")
def test_a_case_rolled_back_with_its_intake_is_never_swept(agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        log_case(agent)
        raise RuntimeError("the request failed after the case was written")
    assert not Deadline.objects.exists()
    with time_machine.travel(at(2026, 12, 31, 12, 0), tick=False):
        assert deadlines_sweep() == {"breached": 0, "warned": 0}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks with SKIP LOCKED: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_breach_once(agent):
    with time_machine.travel(TUESDAY_10, tick=False):
        cases = [log_case(agent, customer_phone=f"1380000{i:04d}") for i in range(120)]
    results, barrier = [], threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            with time_machine.travel(at(2026, 12, 31, 12, 0), tick=False):
                results.append(deadlines_breach())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 2 * len(cases)  # both deadlines of each case
    assert CaseEvent.objects.filter(kind="deadline_breached").count() == 2 * len(cases)
    assert told(agent, "deadline_breached") == 2 * len(cases)


# --- measures -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("office_hours")
def test_breaches_are_counted_per_agent_and_team_once_decided(agent, other_agent, supervisor, office_hours):
    Profile.objects.update_or_create(user=agent, defaults={"supervisor": supervisor})
    in_time = log_case(agent, customer_phone="13800000001")
    late = log_case(agent, customer_phone="13800000002")
    withdrawn = log_case(other_agent, customer_phone="13800000003")
    case_transition(case=in_time, name="accept", actor=agent, data=evidence("accept"))
    case_transition(case=withdrawn, name="withdraw", actor=other_agent, data=evidence("withdraw"))
    office_hours.move_to(at(2026, 11, 24, 18, 0))  # the first responses fall due
    deadlines_breach()
    case_transition(case=late, name="accept", actor=agent, data=evidence("accept"))
    window = {"since": at(2026, 11, 24), "until": at(2026, 11, 25)}
    [record] = deadline_record_per_agent(**window)  # the withdrawn case stopped counting before it fell due
    assert (record.key, record.counted, record.breached, record.first_response_breached) == (agent.pk, 2, 1, 1)
    assert record.breach_rate == 0.5
    [team] = deadline_record_per_team(**window)
    assert (team.key, team.counted, team.breached) == (supervisor.pk, 2, 1)
    overall = deadline_record_overall(**window)
    assert (overall.counted, overall.breached) == (2, 1)
    assert deadline_record_overall(since=at(2026, 11, 25), until=at(2026, 12, 31)).counted == 0  # still running


def test_a_breach_stays_with_whoever_held_the_case_and_a_running_deadline_moves_with_it(
    agent, other_agent, supervisor, office_hours
):
    """Handed to other_agent after its first response was breached: the breach is still agent's, the
    resolution deadline (still running) is other_agent's from then on, and the history says who moved it."""
    case = log_case(agent)
    office_hours.move_to(at(2026, 11, 24, 18, 0))
    assert deadlines_breach() == 1
    case_assign(case=case, owner_id=other_agent.pk, actor=supervisor)
    first, resolution = deadline(case, "first_response"), deadline(case, "resolution")
    assert (first.owner_id, resolution.owner_id) == (agent.pk, other_agent.pk)
    moved = resolution.history.order_by("-history_date", "-history_id").first()
    assert (moved.owner_id, moved.history_user_id) == (other_agent.pk, supervisor.pk)
    case_transition(case=case, name="accept", actor=other_agent, data=evidence("accept"))
    window = {"since": at(2026, 11, 24), "until": at(2026, 11, 25)}
    [record] = deadline_record_per_agent(**window)
    assert (record.key, record.counted, record.breached) == (agent.pk, 1, 1)
