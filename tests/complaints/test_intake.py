import re

import pytest

from cases.models import Case, CaseEvent
from complaints.models import Complaint, Customer
from complaints.services import complaint_log
from core.errors import InvalidInput, NotAllowed
from tests.factories import intake_data, log_case

pytestmark = pytest.mark.django_db


def test_logging_creates_customer_complaint_and_case_owned_by_the_agent(agent):
    complaint, created = complaint_log(actor=agent, data=intake_data())
    case = complaint.case
    assert created
    assert re.fullmatch(r"C-\d{4}-\d{6}", case.number)
    assert case.owner == agent and case.state == "new" and case.is_open
    assert case.customer_name == "王小明"
    assert complaint.customer.phone == "13800138000"
    event = case.events.get()
    assert event.kind == "logged" and event.actor == agent
    assert complaint.history.get().history_user == agent
    assert case.history.get().history_user == agent


def test_case_numbers_are_sequential_within_the_year(agent):
    first = log_case(agent)
    second = log_case(agent, customer_phone="13900000000")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert first.number[2:6] == second.number[2:6]


@pytest.mark.parametrize(
    ("tier", "channel", "priority"),
    [
        ("vip", "phone", 1),
        ("standard", "legal", 2),
        ("gold", "phone", 2),
        ("standard", "phone", 3),
        ("standard", "informal", 4),
        ("vip", "regulator", 1),
    ],
)
def test_priority_comes_from_tier_and_channel(agent, tier, channel, priority):
    case = log_case(agent, tier=tier, channel=channel)
    assert case.priority == priority


def test_the_same_phone_links_the_customer_and_never_renames_or_re_tiers_it(agent):
    log_case(agent, tier="silver")
    complaint, created = complaint_log(
        actor=agent, data=intake_data(customer_name="王大明", tier="standard", preferred_language="en")
    )
    assert not created
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert (customer.name, customer.tier, customer.preferred_language) == ("王小明", "silver", "zh-hans")
    assert customer.history.count() == 1  # nothing about the record changed
    assert complaint.case.customer_tier == "silver"  # the new case is prioritised as the customer is
    assert "王大明" in complaint.intake_warnings["customer_name"]


def test_intake_fills_only_what_the_record_does_not_have_yet(agent):
    log_case(agent, account_number="")
    complaint_log(actor=agent, data=intake_data(account_number="ACC-1"))
    complaint_log(actor=agent, data=intake_data(account_number="ACC-2"))
    customer = Customer.objects.get()
    assert customer.account_number == "ACC-1"
    assert customer.history.count() == 2


def test_the_api_tells_the_agent_what_was_not_taken(agent):
    from rest_framework.test import APIClient

    log_case(agent)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(agent)
    body = client.post("/api/complaints/", intake_data(customer_name="王大明"), format="json").json()
    assert [w["field"] for w in body["warnings"]] == ["customer_name"]
    assert "was not saved" in body["warnings"][0]["message"]


def test_a_complaint_can_be_attached_to_an_open_case_of_the_same_customer(agent):
    case = log_case(agent)
    complaint, _ = complaint_log(actor=agent, data=intake_data(summary="又多扣了", attach_to_case=case.number))
    assert complaint.case_id == case.pk
    assert Case.objects.count() == 1
    assert case.events.filter(kind="complaint_attached").count() == 1


def test_attaching_to_another_customers_case_is_refused_and_saves_nothing(agent):
    other = log_case(agent, customer_phone="13999999999", customer_name="李华")
    before = (Customer.objects.count(), Complaint.objects.count(), CaseEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        complaint_log(actor=agent, data=intake_data(customer_phone="13711112222", attach_to_case=other.number))
    assert "attach_to_case" in exc.value.fields
    assert (Customer.objects.count(), Complaint.objects.count(), CaseEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_phone", "abc"),
        ("customer_name", ""),
        ("channel", "pigeon"),
        ("summary", ""),
        ("disputed_amount", "-3"),
        ("tier", "platinum"),
    ],
)
def test_bad_intake_names_the_field_and_writes_nothing(agent, field, value):
    with pytest.raises(InvalidInput) as exc:
        complaint_log(actor=agent, data=intake_data(**{field: value}))
    assert field in exc.value.fields
    assert not Customer.objects.exists() and not Case.objects.exists()


def test_auditors_cannot_log_complaints(auditor):
    with pytest.raises(NotAllowed):
        complaint_log(actor=auditor, data=intake_data())
