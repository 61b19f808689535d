import datetime as dt
import zoneinfo

import pytest
import time_machine

from tests.factories import case_in_state

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def closed_case_at(owner, when):
    """A case its owner walked through the 7A steps and closed at `when` (local time)."""
    with time_machine.travel(when, tick=False):
        return case_in_state("closed", owner=owner)


@pytest.fixture
def october(agent, other_agent):
    """October 2026: the agent closed three cases (peak, off-peak, night), the other agent one; the
    tests then run on 24 November (the office_hours morning), when October is over."""
    cases = [
        closed_case_at(agent, dt.datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI)),
        closed_case_at(agent, dt.datetime(2026, 10, 14, 12, 30, tzinfo=SHANGHAI)),
        closed_case_at(agent, dt.datetime(2026, 10, 15, 23, 0, tzinfo=SHANGHAI)),
        closed_case_at(other_agent, dt.datetime(2026, 10, 20, 15, 0, tzinfo=SHANGHAI)),
    ]
    return cases
