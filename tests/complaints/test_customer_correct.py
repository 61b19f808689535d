"""Changing a customer's name or tier is its own step: desk and supervisors, a reason, history, events."""

import pytest
from rest_framework.test import APIClient

from complaints.models import Customer
from tests.factories import log_case

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_a_supervisor_corrects_the_name_with_a_reason_and_every_open_case_shows_it(agent, supervisor):
    first = log_case(agent, tier="silver")
    second = log_case(agent, summary="另一件事")
    customer = Customer.objects.get()
    response = client_for(supervisor).post(
        f"/api/customers/{customer.pk}/correct/", {"name": "王晓明", "reason": "客户核实身份证姓名"}, format="json"
    )
    assert response.status_code == 200 and response.json()["name"] == "王晓明"
    customer.refresh_from_db()
    assert (customer.name, customer.tier) == ("王晓明", "silver")
    latest = customer.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (supervisor, "客户核实身份证姓名")
    for case in (first, second):
        event = case.events.get(kind="customer_corrected")
        assert event.payload == {"customer_id": customer.pk, "changes": {"name": {"old": "王小明", "new": "王晓明"}}}
        assert event.reason == "客户核实身份证姓名" and str(event.kind_label) == "Customer record corrected"


def test_agents_may_not_and_a_reason_is_required(agent, desk):
    log_case(agent)
    customer = Customer.objects.get()
    url = f"/api/customers/{customer.pk}/correct/"
    assert client_for(agent).post(url, {"tier": "gold", "reason": "x"}, format="json").status_code == 403
    response = client_for(desk).post(url, {"tier": "gold", "reason": "  "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = client_for(desk).post(url, {"tier": "platinum", "reason": "升级"}, format="json")
    assert response.status_code == 400 and "tier" in response.json()["fields"]
    assert Customer.objects.get().tier == "standard"


def test_an_unknown_customer_is_a_404(desk):
    assert (
        client_for(desk).post("/api/customers/999/correct/", {"tier": "gold", "reason": "x"}, format="json").status_code
        == 404
    )


def test_the_case_page_offers_the_correction_to_the_desk_only(agent, desk, client):
    case = log_case(agent)
    client.force_login(agent)
    assert "customers/" not in client.get(f"/cases/{case.number}/").content.decode()
    client.force_login(desk)
    html = client.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Correct the customer&#x27;s record" in html or "Correct the customer's record" in html
    customer = Customer.objects.get()
    response = client.post(
        f"/complaints/customers/{customer.pk}/correct/",
        {"name": customer.name, "tier": "vip", "reason": "VIP 资格核实", "next": f"/cases/{case.number}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    customer.refresh_from_db()
    assert customer.tier == "vip"
    assert case.events.get(kind="customer_corrected").payload["changes"] == {"tier": {"old": "standard", "new": "vip"}}


def test_the_page_form_without_a_reason_changes_nothing_and_says_why(agent, desk, client):
    case = log_case(agent)
    customer = Customer.objects.get()
    client.force_login(desk)
    response = client.post(
        f"/complaints/customers/{customer.pk}/correct/",
        {"name": "新名字", "tier": "standard", "reason": "", "next": f"/cases/{case.number}/"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Say why the record is corrected." in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "王小明"
