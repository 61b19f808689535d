"""Case events are append-only in the database itself, on PostgreSQL (0003) and SQLite (0006):
not even a raw SQL session of the application's user can rewrite or delete the timeline."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from cases.models import AppendOnlyError, CaseEvent
from tests.factories import log_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_caseevent SET reason = 'rewritten'",
        "UPDATE cases_caseevent SET payload = '{}'",
        "DELETE FROM cases_caseevent",
    ],
)
def test_the_database_refuses_to_rewrite_case_events(agent, sql):
    case = log_case(agent)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert CaseEvent.objects.get(case=case).reason == ""


def test_the_model_refuses_too(agent):
    event = log_case(agent).events.get()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_a_case_with_events_cannot_be_deleted(agent):
    case = log_case(agent)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_case WHERE id = %s", [case.pk])
        # SQLite checks deferred foreign keys at commit; ask now, as a commit would.
        connection.check_constraints(table_names=["cases_caseevent"])
    assert CaseEvent.objects.filter(case=case).exists()
