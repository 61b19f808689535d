"""Migration 0029 fills each existing 7A step's wait with one statement per database (the seconds
between two times is the one thing the ORM cannot say on both); the same events give the same seconds
on SQLite and PostgreSQL, counted from the event after which the step was due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cases.test_promise_migration import _case, _migrate, back_to_latest  # noqa: F401 - a fixture

BEFORE = [("cases", "0028_dashboard_indexes")]
AFTER = [("cases", "0029_step_waited_seconds")]


@pytest.mark.django_db(transaction=True)
def test_existing_steps_get_the_seconds_they_waited(agent, back_to_latest):  # noqa: F811
    apps = _migrate(BEFORE)
    case = _case(apps, agent, "C-2026-900001", "apologized")
    event_model = apps.get_model("cases", "CaseEvent")
    start = timezone.now() - timedelta(days=1)
    for seq, (kind, minutes) in enumerate(
        [("logged", 0), ("accept", 3), ("escalation_triggered", 13), ("apologize", 28)], start=1
    ):
        event_model.objects.create(
            case_id=case.pk, kind=kind, actor_id=agent.pk, created_at=start + timedelta(minutes=minutes),
            payload={}, seq=seq, prev_hash="", hash=f"{seq:064d}",
        )  # fmt: skip
    apps = _migrate(AFTER)
    waited = dict(apps.get_model("cases", "CaseEvent").objects.values_list("kind", "waited_seconds"))
    assert waited == {"logged": None, "accept": 3 * 60, "escalation_triggered": None, "apologize": 25 * 60}
