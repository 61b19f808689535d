"""Looking a number up fills the form from the customer's record and says what intake will do."""

import pytest
from django.test import Client

from tests.factories import log_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_the_no_script_lookup_fills_name_and_tier_from_the_record(agent, client):
    log_case(agent, tier="silver", customer_name="王小明")
    client.force_login(agent)
    response = client.post(
        "/complaints/new/",
        {
            "customer_phone": "138 0013 8000",
            "customer_name": "",
            "tier": "standard",
            "summary": "又多扣",
            "lookup": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="customer_name" value="王小明"' in html.replace("  ", " ") or 'value="王小明"' in html
    assert '<option value="silver" selected>' in html
    assert "又多扣" in html  # what was typed is kept
    assert "1 complaint in the last 30 days." in html
    assert "intake never changes their name or tier" in html


def test_the_fragment_shows_the_record_open_cases_and_recent_complaints(agent, client):
    case = log_case(agent, tier="gold")
    log_case(agent, summary="第二次投诉")
    client.force_login(agent)
    html = client.get("/complaints/customer-lookup/", {"phone": "13800138000"}).content.decode()
    assert 'data-tier="gold"' in html and case.number in html
    assert "2 complaints in the last 30 days." in html


def test_a_different_name_typed_at_intake_is_a_visible_warning(agent, client):
    log_case(agent)
    client.force_login(agent)
    response = client.post(
        "/complaints/new/",
        {
            "customer_phone": "13800138000",
            "customer_name": "王大明",
            "channel": "phone",
            "summary": "又多扣了",
            "what_happened": "本月又多扣了。",
        },
        follow=True,
    )
    assert "the name typed (王大明) was not saved" in response.content.decode()
