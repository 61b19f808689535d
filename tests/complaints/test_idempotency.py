"""A CTI system that retries a timed-out intake gets the first case back, never a second."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.models import Case
from complaints.models import Complaint
from tests.factories import intake_data

pytestmark = pytest.mark.django_db


def client_for(user, key=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    if key is not None:
        client.credentials(HTTP_IDEMPOTENCY_KEY=key)
    return client


def test_a_retry_with_the_same_key_answers_the_first_case(agent):
    client = client_for(agent, "cti-call-20261201-0001")
    first = client.post("/api/complaints/", intake_data(), format="json")
    again = client.post("/api/complaints/", intake_data(), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["case_number"] == first.json()["case_number"]
    assert Case.objects.count() == 1 and Complaint.objects.count() == 1


def test_another_key_or_no_key_logs_another_complaint(agent):
    client_for(agent, "k-1").post("/api/complaints/", intake_data(), format="json")
    client_for(agent, "k-2").post("/api/complaints/", intake_data(), format="json")
    client_for(agent).post("/api/complaints/", intake_data(), format="json")
    assert Complaint.objects.count() == 3


def test_keys_belong_to_their_user(agent, other_agent):
    client_for(agent, "shared").post("/api/complaints/", intake_data(), format="json")
    response = client_for(other_agent, "shared").post("/api/complaints/", intake_data(), format="json")
    assert response.status_code == 201 and Complaint.objects.count() == 2


def test_the_same_key_with_another_complaint_is_a_409(agent):
    client = client_for(agent, "k-1")
    client.post("/api/complaints/", intake_data(), format="json")
    response = client.post("/api/complaints/", intake_data(summary="另一件事"), format="json")
    assert response.status_code == 409 and "Idempotency-Key" in response.json()["fields"]
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 101, "有中文", "a b"])
def test_a_malformed_key_is_a_400_naming_the_header(agent, key):
    response = client_for(agent, key).post("/api/complaints/", intake_data(), format="json")
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["fields"]
    assert not Complaint.objects.exists()


def test_a_failed_intake_leaves_the_key_free_for_the_corrected_retry(agent):
    client = client_for(agent, "k-1")
    assert client.post("/api/complaints/", intake_data(summary=""), format="json").status_code == 400
    assert client.post("/api/complaints/", intake_data(), format="json").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_case(agent):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (CI runs it there)")
    barrier = threading.Barrier(6)
    answers = []

    def send():
        try:
            barrier.wait()
            answers.append(client_for(agent, "same-call").post("/api/complaints/", intake_data(), format="json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["case_number"] for a in answers}) == 1
    assert Case.objects.count() == 1
