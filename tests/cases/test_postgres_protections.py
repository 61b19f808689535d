import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import log_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only; CI runs this on PostgreSQL")


@pytest.mark.parametrize("sql", ["UPDATE cases_caseevent SET reason = 'rewritten'", "DELETE FROM cases_caseevent"])
def test_the_database_refuses_to_rewrite_case_events(agent, sql):
    log_case(agent)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
