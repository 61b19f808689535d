"""Priority follows the case (issue 9, item 6): a more serious complaint attached, or the customer's
tier corrected, recomputes the case's channel, tier and priority, with an event."""

import pytest
from rest_framework.test import APIClient

from cases.choices import Priority
from cases.services import case_reprioritize
from complaints.models import Customer
from complaints.services import complaint_log
from core.errors import InvalidInput
from tests.factories import case_in_state, intake_data, log_case

pytestmark = pytest.mark.django_db


def attach(case, agent, channel, summary="又来投诉"):
    complaint, _created = complaint_log(
        actor=agent, data=intake_data(summary=summary, channel=channel, attach_to_case=case.number)
    )
    return complaint


def test_a_legal_threat_attached_to_an_open_phone_case_makes_it_a_legal_case_with_higher_priority(agent):
    case = case_in_state("accepted", owner=agent)
    assert (case.channel, case.priority) == ("phone", Priority.NORMAL)
    attach(case, agent, "legal", summary="客户说要去法院起诉")
    case.refresh_from_db()
    assert (case.channel, case.priority) == ("legal", Priority.HIGH)
    attached, changed = case.events.filter(kind__in=("complaint_attached", "priority_changed")).order_by("id")
    assert (attached.kind, changed.kind) == ("complaint_attached", "priority_changed")
    assert changed.payload == {
        "old_channel": "phone",
        "new_channel": "legal",
        "old_tier": "standard",
        "new_tier": "standard",
        "old_priority": Priority.NORMAL,
        "new_priority": Priority.HIGH,
    }
    assert changed.actor == agent and "Legal threat / court" in changed.reason
    assert case.history.latest().history_user == agent


def test_a_milder_complaint_never_downgrades_the_case(agent):
    case = log_case(agent, channel="regulator")
    attach(case, agent, "informal")
    attach(case, agent, "phone")
    case.refresh_from_db()
    assert (case.channel, case.priority) == ("regulator", Priority.HIGH)
    assert not case.events.filter(kind="priority_changed").exists()


def test_a_complaint_of_the_same_weight_changes_nothing(agent):
    case = log_case(agent, channel="phone")
    attach(case, agent, "letter")
    case.refresh_from_db()
    assert case.channel == "phone" and not case.events.filter(kind="priority_changed").exists()


def test_a_tier_correction_recomputes_the_priority_of_each_open_case_of_the_customer(agent, desk):
    first = log_case(agent, tier="silver", channel="regulator")  # silver 1 + regulator 3: urgent
    second = log_case(agent, summary="另一件事", channel="phone")
    ended = case_in_state("withdrawn", owner=agent)
    assert (first.priority, second.priority) == (Priority.URGENT, Priority.NORMAL)
    customer = Customer.objects.get()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(desk)
    response = client.post(
        f"/api/customers/{customer.pk}/correct/", {"tier": "gold", "reason": "金卡核实"}, format="json"
    )
    assert response.status_code == 200
    for case in (first, second, ended):
        case.refresh_from_db()
    assert (second.customer_tier, second.priority) == ("gold", Priority.HIGH)
    event = second.events.get(kind="priority_changed")
    assert (event.payload["old_tier"], event.payload["new_tier"]) == ("silver", "gold")
    assert (event.payload["old_priority"], event.payload["new_priority"]) == (Priority.NORMAL, Priority.HIGH)
    assert event.reason == "金卡核实" and event.actor == desk
    # Already urgent: the tier snapshot follows, the priority stays; an ended case keeps its snapshot.
    assert (first.customer_tier, first.priority) == ("gold", Priority.URGENT)
    assert first.events.get(kind="priority_changed").payload["new_priority"] == Priority.URGENT
    assert ended.customer_tier == "silver" and not ended.events.filter(kind="priority_changed").exists()


def test_a_name_correction_leaves_the_priority_alone(agent, desk):
    case = log_case(agent, tier="silver")
    customer = Customer.objects.get()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(desk)
    client.post(f"/api/customers/{customer.pk}/correct/", {"name": "王晓明", "reason": "证件为准"}, format="json")
    assert not case.events.filter(kind="priority_changed").exists()


def test_unknown_codes_are_refused_naming_the_field(agent):
    case = log_case(agent)
    with pytest.raises(InvalidInput) as channel_error:
        case_reprioritize(case, channel="pigeon", actor=agent, reason="x")
    with pytest.raises(InvalidInput) as tier_error:
        case_reprioritize(case, tier="platinum", actor=agent, reason="x")
    assert "channel" in channel_error.value.fields and "tier" in tier_error.value.fields
    assert not case.events.filter(kind="priority_changed").exists()
