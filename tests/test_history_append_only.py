"""History is append-only in the database (core/append_only.py) and always names who made a change.

Every history table of every app is covered — found from the models, not listed by hand — and a row
without a user is refused, so "who changed this?" always has an answer: a person, or the system
account for sweeps, rules and commands."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.models import Case, Promise
from cases.services import promise_make
from cases.services.promise_sweeps import promises_miss_overdue
from complaints.models import Customer
from core.append_only import history_tables
from core.history import SYSTEM_USERNAME
from tests.factories import log_case

pytestmark = pytest.mark.django_db


def triggers_on(table):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE c.relname = %s AND NOT t.tgisinternal",
                [table],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def test_every_history_table_of_every_app_is_protected():
    tables = history_tables()
    # Not a hand-kept list: the cases, complaints, escalation and accounts apps all keep history.
    assert {"cases_historicalcase", "complaints_historicalcustomer", "escalation_historicalescalation"} <= set(tables)
    expected = (
        {"history_no_rewrite", "history_no_truncate", "history_user_required"}
        if connection.vendor == "postgresql"
        else None
    )
    for table in tables:
        names = triggers_on(table)
        if expected is not None:
            assert expected <= names, table
        else:
            assert {f"{table}_no_update", f"{table}_no_delete", f"{table}_user_required"} <= names, table


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_historicalcase SET summary = 'rewritten'",
        "DELETE FROM cases_historicalcase",
        "UPDATE complaints_historicalcustomer SET name = 'someone else'",
        "DELETE FROM complaints_historicalcustomer",
    ],
)
def test_the_database_refuses_to_rewrite_history(agent, sql):
    case = log_case(agent)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert case.history.count() == 1
    assert Customer.history.filter(name=case.customer_name).exists()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="SQLite has no TRUNCATE"
)
@pytest.mark.parametrize("table", ["cases_caseevent", "cases_historicalcase"])
def test_postgresql_refuses_to_truncate_the_timeline_or_history(agent, table):
    log_case(agent)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as after a commit: no deferred check pending
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Case.history.exists()


def test_a_history_row_without_a_user_is_refused(agent):
    case = log_case(agent)
    row = case.history.get()
    with pytest.raises(DatabaseError, match="user"), transaction.atomic():
        fields = [f for f in Case.history.model._meta.concrete_fields if not f.primary_key]
        values = {f.attname: getattr(row, f.attname) for f in fields}
        Case.history.model.objects.create(**values | {"history_user_id": None})


def test_a_change_no_person_made_is_signed_by_the_system(agent, office_hours):
    case = log_case(agent)
    promise = promise_make(
        case=case,
        actor=agent,
        data={"kind": "progress_update", "due_at": (timezone.now() + timedelta(hours=1)).isoformat(),
              "description": "告知进展"},
    )  # fmt: skip
    grace = timedelta(minutes=settings.PROMISE_GRACE_MINUTES)
    with time_machine.travel(promise.due_at + grace + timedelta(minutes=1), tick=False):
        assert promises_miss_overdue() == 1
    missed = Promise.history.filter(id=promise.pk).latest("history_date")
    assert missed.state == "missed"
    assert missed.history_user.username == SYSTEM_USERNAME
    assert not missed.history_user.is_active and not missed.history_user.has_usable_password()
    made = Promise.history.filter(id=promise.pk).earliest("history_date")
    assert made.history_user == agent


def test_a_change_through_the_api_names_the_caller(agent, client):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(agent)
    case = log_case(agent)
    response = api.post(
        f"/api/cases/{case.pk}/transitions/accept/",
        {"first_contact_at": timezone.now().isoformat(), "customer_words": "我要投诉"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert case.history.latest("history_date").history_user == agent
