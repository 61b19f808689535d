import datetime as dt
import zoneinfo

import pytest
import time_machine

from tests.factories import UserFactory

# A Tuesday morning on an ordinary working week, in the team's zone (cases/business_calendar.py).
OFFICE_HOURS = dt.datetime(2026, 11, 24, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def agent(db):
    return UserFactory(username="agent_a", first_name="伟", last_name="张", role="agent")


@pytest.fixture
def other_agent(db):
    return UserFactory(username="agent_b", role="agent")


@pytest.fixture
def desk(db):
    return UserFactory(username="desk", role="escalation_desk")


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor", role="supervisor")


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role="auditor")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin")


@pytest.fixture(autouse=True)
def english_messages():
    """Service-level messages are read in English here; pages and the API pick the language per
    request (tests that check Chinese say so explicitly)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test's data is rolled back, so nothing cached from it may outlive it (user ids repeat)."""
    from django.core.cache import cache

    from accounts.people import forget_supervisors
    from cases.reference import forget_local_rows

    cache.clear()
    forget_local_rows()
    forget_supervisors()
    yield


@pytest.fixture
def office_hours():
    """Time stands still on a working-day morning, so "in two hours" is inside business hours
    whatever the hour the suite runs at. Tests move it further with time_machine.travel."""
    with time_machine.travel(OFFICE_HOURS, tick=False) as traveller:
        yield traveller
