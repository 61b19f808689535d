"""Migration 0030 gives every existing event the owner its case has (the owner at the time was not
recorded), on SQLite and PostgreSQL, past the triggers that refuse to rewrite an event."""

import pytest
from django.utils import timezone

from tests.cases.test_promise_migration import _case, _migrate, back_to_latest  # noqa: F401 - a fixture

BEFORE = [("cases", "0029_step_waited_seconds")]
AFTER = [("cases", "0030_event_owner")]


@pytest.mark.django_db(transaction=True)
def test_existing_events_take_their_cases_owner(agent, other_agent, back_to_latest):  # noqa: F811
    apps = _migrate(BEFORE)
    mine = _case(apps, agent, "C-2026-900002", "accepted")
    theirs = _case(apps, other_agent, "C-2026-900003", "accepted")
    event_model = apps.get_model("cases", "CaseEvent")
    for case in (mine, theirs):
        for seq, kind in enumerate(["logged", "accept"], start=1):
            event_model.objects.create(
                case_id=case.pk, kind=kind, actor_id=agent.pk, created_at=timezone.now(), payload={}, seq=seq,
                prev_hash="", hash=f"{seq:064d}",
            )  # fmt: skip
    apps = _migrate(AFTER)
    owners = apps.get_model("cases", "CaseEvent").objects.values_list("case_id", "owner_id")
    assert sorted(owners) == sorted([(mine.pk, agent.pk)] * 2 + [(theirs.pk, other_agent.pk)] * 2)
