"""The promise-kept rate per agent and team, and late callbacks (issue 8, item 7)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import Profile
from cases.business_calendar import next_business_slot
from cases.promise_measures import promise_record_overall, promise_record_per_agent, promise_record_per_team
from cases.services import promise_call, promise_cancel, promise_make, promise_reschedule
from cases.services.promise_sweeps import promises_sweep
from tests.factories import log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]
GRACE = timedelta(minutes=settings.PROMISE_GRACE_MINUTES)


def promise(case, actor, hours):
    return promise_make(
        case=case,
        actor=actor,
        data={"kind": "progress_update", "due_at": (timezone.now() + timedelta(hours=hours)).isoformat(),
              "description": "进展", "customer_chose_time": True},
    )  # fmt: skip


def call(p, actor, at):
    with time_machine.travel(at, tick=False):
        promise_call(promise=p, actor=actor, data={"reached": True, "outcome": "已回访"})


def test_kept_rate_counts_what_was_decided_and_leaves_out_what_the_customer_moved(agent, other_agent, supervisor):
    Profile.objects.update_or_create(user=agent, defaults={"supervisor": supervisor})
    start = timezone.now()
    mine, theirs = log_case(agent), log_case(other_agent)
    kept = promise(mine, agent, 1)
    call(kept, agent, kept.due_at)  # kept in time
    late = promise(mine, agent, 2)
    missed = promise(mine, agent, 3)
    moved_by_customer = promise(mine, agent, 4)
    moved_by_us = promise(mine, agent, 5)
    cancelled = promise(mine, agent, 6)
    still_open = promise(theirs, other_agent, 30)
    promise_reschedule(
        promise=moved_by_customer, actor=agent,
        data={"due_at": next_business_slot(start + timedelta(days=2)).isoformat(), "by_customer": True,
              "reason": "客户要求"},
    )  # fmt: skip
    promise_reschedule(
        promise=moved_by_us, actor=agent,
        data={"due_at": next_business_slot(start + timedelta(days=2, hours=1)).isoformat(), "by_customer": False,
              "reason": "我方排班"},
    )  # fmt: skip
    promise_cancel(promise=cancelled, actor=agent, data={"reason": "客户已来电"})
    with time_machine.travel(missed.due_at + GRACE + timedelta(minutes=1), tick=False):
        promises_sweep()  # misses `late` and `missed`
    call(late, agent, missed.due_at + GRACE * 2)

    window = {"since": start, "until": start + timedelta(hours=12)}
    per_agent = {r.key: r for r in promise_record_per_agent(**window)}
    # kept, late (kept after missed), missed, moved by us: 4 decided; 1 kept in time; 1 kept late.
    assert (per_agent[agent.pk].counted, per_agent[agent.pk].kept, per_agent[agent.pk].late) == (4, 1, 1)
    assert per_agent[agent.pk].kept_rate == 0.25
    assert other_agent.pk not in per_agent  # an open promise not yet due is not decided
    per_team = {r.key: r for r in promise_record_per_team(**window)}
    assert per_team[supervisor.pk].counted == 4
    assert promise_record_overall(**window).counted == 4
    assert still_open.state == "scheduled"
