"""Migrations 0010–0012 carry the Agreement's commitments and next-callback times over into promises
without claiming what is not known (issue 8)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("cases", "0009_verbose_names_for_the_admin")]
AFTER = [("cases", "0012_promises_from_commitments")]


@pytest.fixture
def back_to_latest():
    """The test moves the schema back and forth; every later test needs the latest one."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _case(apps, owner, number, state, *, is_open=True, **fields):
    now = timezone.now()
    Case = apps.get_model("cases", "Case")
    return Case.objects.create(
        number=number, state=state, is_open=is_open, owner_id=owner.pk, summary="话费多扣", channel="phone",
        customer_name="王小明", customer_phone="13800138000", customer_tier="standard", customer_language="zh-hans",
        priority=3, created_at=now, updated_at=now, **fields,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_commitments_and_next_callbacks_become_promises(agent, back_to_latest):
    old = _migrate(BEFORE)
    now = timezone.now()
    agreed = _case(old, agent, "C-2026-000001", "agreed", agreed_at=now, next_callback_at=now + timedelta(days=2))
    assured = _case(
        old, agent, "C-2026-000002", "closed", is_open=False, agreed_at=now, assured_at=now + timedelta(days=1),
        closed_at=now + timedelta(days=1), next_callback_at=now + timedelta(days=1), follow_up_note="客户满意",
    )  # fmt: skip
    withdrawn = _case(
        old, agent, "C-2026-000003", "withdrawn", is_open=False, agreed_at=now, closed_at=now,
        next_callback_at=now + timedelta(days=1),
    )  # fmt: skip
    Commitment = old.get_model("cases", "Commitment")
    Commitment.objects.create(case_id=agreed.pk, description="退费", due_at=now + timedelta(days=1), created_at=now)
    Commitment.objects.create(case_id=assured.pk, description="退费", due_at=now, done_at=now, created_at=now)
    Commitment.objects.create(case_id=withdrawn.pk, description="退费", due_at=now, created_at=now)

    new = _migrate(AFTER)
    Promise, Case = new.get_model("cases", "Promise"), new.get_model("cases", "Case")
    got = {(p.case_id, p.kind): p for p in Promise.objects.all()}
    assert len(got) == 6
    assert got[(agreed.pk, "follow_up")].state == "scheduled" and got[(agreed.pk, "commitment")].state == "scheduled"
    assert got[(agreed.pk, "follow_up")].keeper_id == agent.pk and got[(agreed.pk, "follow_up")].phone == "13800138000"
    assert got[(assured.pk, "follow_up")].state == "kept" and got[(assured.pk, "follow_up")].outcome == "客户满意"
    assert got[(assured.pk, "commitment")].state == "kept"
    # Ended without the promise marked done: cancelled with that said, never counted as kept.
    assert got[(withdrawn.pk, "follow_up")].state == got[(withdrawn.pk, "commitment")].state == "cancelled"
    assert "before promises were tracked" in got[(withdrawn.pk, "commitment")].closed_reason
    # The case's next promise is the earliest still open.
    assert Case.objects.get(pk=agreed.pk).next_callback_at == now + timedelta(days=1)
    assert Case.objects.get(pk=assured.pk).next_callback_at is None
