"""The business calendar (cases/business_calendar.py) and promised times inside business hours
(issue 8): hours and holiday arithmetic on China's real 2026 schedule as chinesecalendar has it —
National Day 10-01…10-07 with Sunday 09-20 and Saturday 10-10 made working days (调休) — local
closures, a year without data, and the forms that refuse a time nobody would be there for.
Time is frozen or moved explicitly, never slept."""

import datetime as dt
import random
import zoneinfo

import pytest
import time_machine
from django.core import checks
from django.test import override_settings

from cases import business_calendar as bc
from cases.checks import business_hours_setting, calendar_years
from cases.evidence import proposed_time
from cases.models import LocalClosure
from cases.services import case_transition, promise_call, promise_make, promise_reschedule
from cases.services.promises import retry_message
from core.errors import InvalidInput
from tests.factories import case_in_state, evidence, log_case

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def promise_data(due, **changes):
    return {"kind": "progress_update", "due_at": due.isoformat(), "description": "告知核查进展", **changes}


def add_closure(day, django_capture_on_commit_callbacks, reason="办公室搬迁"):
    # The calendar's cache is told after commit, as in production.
    with django_capture_on_commit_callbacks(execute=True):
        return LocalClosure.objects.create(date=day, reason=reason)


# --- hours and days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, inside",
    [
        (at(2026, 11, 24, 8, 59), False),
        (at(2026, 11, 24, 9, 0), True),
        (at(2026, 11, 24, 17, 59), True),
        (at(2026, 11, 24, 18, 0), False),
        (at(2026, 11, 28, 10, 0), False),  # an ordinary Saturday
        (dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC), True),  # 09:30 in Shanghai
    ],
)
def test_business_hours_are_opening_to_closing_on_working_days_in_the_teams_zone(moment, inside):
    assert bc.within_business_hours(moment) is inside


def test_business_hours_come_from_the_settings():
    with override_settings(BUSINESS_HOURS_START="08:00", BUSINESS_HOURS_END="20:00"):
        assert bc.within_business_hours(at(2026, 11, 24, 19, 30))
        assert bc.next_business_slot(at(2026, 11, 24, 7, 0)) == at(2026, 11, 24, 8, 0)
        assert business_hours_setting() == []
    with override_settings(BUSINESS_HOURS_START="18:00", BUSINESS_HOURS_END="09:00"):
        assert [m.id for m in business_hours_setting()] == ["cases.E001"]


@pytest.mark.parametrize(
    "after, slot",
    [
        (at(2026, 11, 24, 10, 0), at(2026, 11, 24, 10, 0)),  # already a slot
        (at(2026, 11, 24, 10, 1), at(2026, 11, 24, 10, 15)),  # up to the quarter hour
        (at(2026, 11, 24, 6, 40), at(2026, 11, 24, 9, 0)),  # before opening
        (at(2026, 11, 24, 17, 50), at(2026, 11, 25, 9, 0)),  # rounding passes the close
        (at(2026, 11, 27, 19, 0), at(2026, 11, 30, 9, 0)),  # Friday evening → Monday
        (at(2026, 9, 30, 17, 50), at(2026, 10, 8, 9, 0)),  # the eve of the National Day week
        (at(2026, 9, 19, 12, 0), at(2026, 9, 20, 9, 0)),  # Saturday → the 调休 Sunday that is worked
    ],
)
def test_the_next_business_slot(after, slot):
    assert bc.next_business_slot(after) == slot


def test_a_friday_evening_plus_two_business_hours_is_monday_morning():
    friday = at(2026, 11, 27, 17, 30)
    assert bc.add_business_hours(friday, 2) == at(2026, 11, 30, 10, 30)
    assert bc.add_business_hours(friday, dt.timedelta(minutes=30)) == at(2026, 11, 27, 18, 0)  # by the close
    assert bc.business_time_between(friday, at(2026, 11, 30, 10, 30)) == dt.timedelta(hours=2)
    assert bc.business_time_between(at(2026, 11, 30, 10, 30), friday) == -dt.timedelta(hours=2)


def test_unless_monday_is_a_holiday():
    # Qingming 2026: Saturday 04-04 to Monday 04-06 off.
    assert not bc.is_working_day(dt.date(2026, 4, 6))
    assert bc.add_business_hours(at(2026, 4, 3, 17, 30), 2) == at(2026, 4, 7, 10, 30)


def test_the_national_day_week_is_not_worked_and_its_调休_days_are():
    assert not any(bc.is_working_day(dt.date(2026, 10, day)) for day in range(1, 8))
    assert bc.is_working_day(dt.date(2026, 9, 20))  # Sunday, worked
    assert bc.is_working_day(dt.date(2026, 10, 10))  # Saturday, worked
    assert not bc.is_working_day(dt.date(2026, 10, 11))  # an ordinary Sunday
    # A deadline of three business days from the Wednesday before: Wednesday, Thursday 10-08, Friday 10-09.
    start = at(2026, 9, 30, 9, 0)
    assert bc.add_business_hours(start, 27) == at(2026, 10, 9, 18, 0)
    assert bc.business_time_between(start, at(2026, 10, 8, 12, 0)) == dt.timedelta(hours=12)


def test_adding_nothing_or_less_than_nothing():
    assert bc.add_business_hours(at(2026, 11, 28, 22, 0), 0) == at(2026, 11, 28, 22, 0)
    with pytest.raises(ValueError):
        bc.add_business_hours(at(2026, 11, 24, 10, 0), -1)


# --- promised times -------------------------------------------------------------------------------


@time_machine.travel(at(2026, 9, 28, 10, 0), tick=False)
def test_a_promise_in_the_national_day_week_is_refused_and_the_first_working_day_after_proposed(agent):
    case = log_case(agent)
    with pytest.raises(InvalidInput) as exc:
        promise_make(case=case, actor=agent, data=promise_data(at(2026, 10, 3, 10, 0)))
    [message] = exc.value.fields["due_at"]
    assert str(message) == (
        "Outside business hours (09:00–18:00 on working days). The next slot is 2026-10-08 09:00 — or tick "
        "“The customer asked for this time”."
    )
    assert not case.promises.exists()
    # The customer asked for that day: on the record as theirs.
    promise = promise_make(case=case, actor=agent, data=promise_data(at(2026, 10, 3, 10, 0), customer_chose_time=True))
    assert promise.customer_chose_time is True


@time_machine.travel(at(2026, 9, 18, 10, 0), tick=False)
def test_a_调休_sunday_is_a_working_day_for_promises(agent):
    case = log_case(agent)
    promise = promise_make(case=case, actor=agent, data=promise_data(at(2026, 9, 20, 10, 0)))
    assert promise.customer_chose_time is False
    with pytest.raises(InvalidInput) as exc:
        promise_make(case=case, actor=agent, data=promise_data(at(2026, 10, 11, 10, 0)))  # an ordinary one
    assert "2026-10-12 09:00" in str(exc.value.fields["due_at"][0])


@time_machine.travel(at(2026, 11, 24, 10, 0), tick=False)
def test_a_local_closure_refuses_its_day_from_the_commit_on_and_reopens_it_when_deleted(
    agent, django_capture_on_commit_callbacks, django_assert_num_queries
):
    case = log_case(agent)
    wednesday = at(2026, 11, 25, 10, 0)
    assert bc.is_working_day(wednesday.date())
    closure = add_closure(wednesday.date(), django_capture_on_commit_callbacks)
    assert not bc.is_working_day(wednesday.date())
    with django_assert_num_queries(0):  # cached: a promised time costs no query
        assert bc.next_business_slot(wednesday) == at(2026, 11, 26, 9, 0)
    with pytest.raises(InvalidInput) as exc:
        promise_make(case=case, actor=agent, data=promise_data(wednesday))
    assert "2026-11-26 09:00" in str(exc.value.fields["due_at"][0])
    closure_id = closure.pk
    with django_capture_on_commit_callbacks(execute=True):
        closure.delete()
    promise_make(case=case, actor=agent, data=promise_data(wednesday))
    assert LocalClosure.history.filter(id=closure_id).count() == 2  # added and deleted, on the record


@time_machine.travel(at(2026, 11, 24, 10, 0), tick=False)
def test_a_reschedule_outside_business_hours_needs_the_customer_to_have_asked(agent):
    case = log_case(agent)
    promise = promise_make(case=case, actor=agent, data=promise_data(at(2026, 11, 24, 15, 0)))
    evening = {"due_at": at(2026, 11, 24, 20, 0).isoformat(), "reason": "客户下班后方便"}
    with pytest.raises(InvalidInput) as exc:
        promise_reschedule(promise=promise, actor=agent, data=evening)
    assert "The customer asked for the new time" in str(exc.value.fields["due_at"][0])
    new = promise_reschedule(promise=promise, actor=agent, data={**evening, "by_customer": True})
    assert new.customer_chose_time is True and new.due_at == at(2026, 11, 24, 20, 0)


@time_machine.travel(at(2026, 11, 24, 10, 0), tick=False)
def test_the_agreed_follow_up_call_is_inside_business_hours_unless_the_customer_chose_it(agent):
    case = case_in_state("alternatives_offered", owner=agent)
    data = {**evidence("agree"), "next_callback_at": at(2026, 11, 28, 10, 0).isoformat()}  # a Saturday
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="agree", actor=agent, data=data)
    assert "2026-11-30 09:00" in str(exc.value.fields["next_callback_at"][0])
    case.refresh_from_db()
    assert case.state == "alternatives_offered" and not case.promises.exists()
    case_transition(case=case, name="agree", actor=agent, data={**data, "callback_time_chosen_by_customer": True})
    follow_up = case.promises.get(kind="follow_up")
    assert follow_up.customer_chose_time is True and follow_up.due_at == at(2026, 11, 28, 10, 0)
    assert case.promises.get(kind="commitment").customer_chose_time is False


@time_machine.travel(at(2026, 11, 24, 10, 0), tick=False)
def test_a_thing_we_promise_to_do_is_due_when_the_team_works_whatever_the_tick(agent):
    case = case_in_state("alternatives_offered", owner=agent)
    data = {
        **evidence("agree"),
        "commitments": [{"description": "退费", "due_at": at(2026, 11, 24, 20, 0).isoformat()}],
        "callback_time_chosen_by_customer": True,
    }
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="agree", actor=agent, data=data)
    [message] = exc.value.fields["commitments"]
    assert str(message).startswith("Commitment 1 — Due: Outside business hours")
    assert "nobody would be there" in str(message) and "2026-11-25 09:00" in str(message)


@pytest.mark.parametrize(
    "now, proposed",
    [
        (at(2026, 11, 24, 10, 5), at(2026, 11, 24, 12, 15)),  # two hours on, up to the quarter hour
        (at(2026, 11, 27, 17, 0), at(2026, 11, 30, 9, 0)),  # Friday late afternoon → Monday
        (at(2026, 9, 30, 2, 30), at(2026, 9, 30, 9, 0)),  # night → opening
    ],
)
def test_the_forms_propose_the_next_business_slot(now, proposed):
    with time_machine.travel(now, tick=False):
        assert proposed_time() == proposed


def test_the_retry_hint_waits_for_the_next_slot_unless_the_customer_chose_an_evening_time(agent):
    with time_machine.travel(at(2026, 11, 27, 9, 0), tick=False):
        case = log_case(agent)
        office = promise_make(case=case, actor=agent, data=promise_data(at(2026, 11, 27, 17, 45)))
        evening = promise_make(
            case=case, actor=agent, data=promise_data(at(2026, 11, 27, 19, 0), customer_chose_time=True)
        )
    with time_machine.travel(at(2026, 11, 27, 17, 45), tick=False):
        promise_call(promise=office, actor=agent, data={"reached": False, "outcome": "无人接听"})
    with time_machine.travel(at(2026, 11, 27, 19, 0), tick=False):
        promise_call(promise=evening, actor=agent, data={"reached": False, "outcome": "无人接听"})
    office.refresh_from_db()
    evening.refresh_from_db()
    assert "Call again from 2026-11-30 09:00" in retry_message(office)
    assert "Call again from 19:30" in retry_message(evening)


# --- a year the package does not know --------------------------------------------------------------


def test_a_year_without_data_counts_monday_to_friday():
    assert not bc.has_data(2099)
    assert bc.is_working_day(dt.date(2099, 1, 1))  # a Thursday: New Year unknown, worked
    assert not bc.is_working_day(dt.date(2099, 1, 3))  # Saturday
    assert bc.next_business_slot(at(2099, 1, 2, 18, 30)) == at(2099, 1, 5, 9, 0)


@pytest.mark.parametrize(
    "today, warnings",
    [
        (at(2025, 6, 1, 12, 0), []),  # 2025 and 2026 known
        (at(2026, 12, 1, 12, 0), ["cases.W002"]),  # 2027 not yet
        (at(2098, 6, 1, 12, 0), ["cases.W001", "cases.W002"]),
    ],
)
def test_the_system_check_warns_when_this_year_or_the_next_has_no_data(today, warnings, monkeypatch):
    if today.year == 2026:
        # The warning for next year holds until chinesecalendar ships it; pin what the package knows.
        monkeypatch.setattr(bc, "has_data", lambda year: 2004 <= year <= 2026)
        monkeypatch.setattr("cases.checks.has_data", bc.has_data)
    with time_machine.travel(today, tick=False):
        found = calendar_years()
        assert [m.id for m in found] == warnings
        assert all(m.level == checks.WARNING for m in found)
        assert [m.id for m in checks.run_checks() if m.id in ("cases.W001", "cases.W002")] == warnings


# --- on the page ----------------------------------------------------------------------------------


@time_machine.travel(at(2026, 11, 27, 16, 50), tick=False)
def test_the_page_proposes_a_slot_and_explains_a_refused_time_in_chinese(agent):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(agent)
    case = case_in_state("alternatives_offered", owner=agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    # Two hours from Friday 16:50 is after the close: Monday's opening, on both forms.
    assert html.count('value="2026-11-30T09:00"') >= 2
    assert 'name="callback_time_chosen_by_customer"' in html and "回访时间由客户指定" in html
    response = client.post(
        f"/cases/{case.number}/promises/",
        {"kind": "progress_update", "due_at": "2026-11-28T10:00", "description": "进展"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "不在营业时间内（工作日 09:00–18:00）。下一个可约时段是 2026-11-30 09:00——或勾选“客户指定的时间”。" in html


def _business_time_day_by_day(start, end):
    """The definition, one day at a time: the overlap of [start, end) with each working day's hours."""
    start, end = start.astimezone(SH), end.astimezone(SH)
    total, day = dt.timedelta(0), start.date()
    while day <= end.date():
        if bc._works(day):  # the day's own rule, not the per-year table under test
            opens = dt.datetime.combine(day, dt.time(9), tzinfo=SH)
            closes = dt.datetime.combine(day, dt.time(18), tzinfo=SH)
            total += max(min(end, closes) - max(start, opens), dt.timedelta(0))
        day += dt.timedelta(days=1)
    return total


def test_business_time_over_long_spans_is_the_sum_of_each_working_days_hours(django_capture_on_commit_callbacks):
    add_closure(dt.date(2026, 3, 16), django_capture_on_commit_callbacks)
    rng = random.Random(8)
    base = at(2024, 12, 20, 0, 0)
    for _ in range(300):
        start = base + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        end = start + dt.timedelta(minutes=rng.choice([rng.randrange(600), rng.randrange(2 * 365 * 24 * 60)]))
        assert bc.business_time_between(start, end) == _business_time_day_by_day(start, end), (start, end)
        assert bc.business_time_between(end, start) == -_business_time_day_by_day(start, end)
