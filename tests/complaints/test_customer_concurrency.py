"""One customer per phone number, however many intakes for a new number arrive at once."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from complaints.models import Complaint, Customer
from complaints.services import complaint_log
from tests.factories import intake_data, log_case

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_customer_with_the_same_number(agent):
    log_case(agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(name="重复", phone="13800138000")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_intakes_for_one_new_number_make_one_customer(agent):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (CI runs it there)")
    barrier = threading.Barrier(10)
    errors = []

    def log(n):
        try:
            barrier.wait()
            complaint_log(actor=agent, data=intake_data(customer_phone="13912345678", summary=f"第{n}次"))
        except Exception as exc:  # a failed intake is what this test looks for
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=log, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Customer.objects.filter(phone="13912345678").count() == 1
    assert Complaint.objects.filter(customer__phone="13912345678").count() == 10
