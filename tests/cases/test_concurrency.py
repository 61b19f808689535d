"""Ten agents press the same button at the same moment: exactly one wins.

Runs on PostgreSQL (CI); SQLite serialises writers at the file level, which proves nothing here.
"""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from tests.factories import UserFactory, evidence, log_case

THREADS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_accepts_give_one_200_and_nine_409s():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking; CI runs this with DATABASE_URL pointing at PostgreSQL")
    agent = UserFactory(username="racer", role="agent")
    case = log_case(agent)
    barrier = threading.Barrier(THREADS)
    statuses = []
    lock = threading.Lock()

    def press():
        try:
            client = APIClient()
            client.force_authenticate(agent)
            barrier.wait(timeout=30)
            response = client.post(f"/api/cases/{case.pk}/transitions/accept/", evidence("accept"), format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    assert CaseEvent.objects.filter(case=case, kind="accept").count() == 1
    assert Case.objects.get(pk=case.pk).state == "accepted"
    assert Case.history.filter(id=case.pk, state="accepted").count() == 1
