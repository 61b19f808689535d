"""The history page shows what changed, field by field (old → new), and why, as the API does."""

import re

import pytest
from django.test import Client

from cases.services import case_transition
from tests.factories import case_in_state, evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English here, so messages can be read as written in the code."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_the_page_shows_old_and_new_values_and_the_reason(agent, client):
    case = case_in_state("assured", owner=agent)
    case_transition(case=case, name="close", actor=agent, data={"closing_note": "客户确认已退费，满意"})
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/history/").content.decode()
    note = re.search(
        r'<dd data-field="closing_note"><span class="old">(.*?)</span> → <span class="new">(.*?)</span>', html
    )
    assert note and note.groups() == ("—", "客户确认已退费，满意")
    state = re.search(r'<dd data-field="state"><span class="old">(.*?)</span> → <span class="new">(.*?)</span>', html)
    assert state.groups() == ("assured", "closed")


def test_a_withdrawal_shows_its_reason(agent, client):
    case = case_in_state("accepted", owner=agent)
    case_transition(case=case, name="withdraw", actor=agent, data={**evidence("withdraw"), "reason": "客户来电撤诉"})
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/history/").content.decode()
    assert "客户来电撤诉" in html and 'data-field="end_reason"' in html


def test_the_page_and_the_api_report_the_same_changes(agent, client):
    case = case_in_state("accepted", owner=agent)
    client.force_login(agent)
    api = client.get(f"/api/cases/{case.pk}/history/").json()
    html = client.get(f"/cases/{case.number}/history/").content.decode()
    page_fields = set(re.findall(r'<dd data-field="(\w+)">', html))
    assert page_fields == {field for record in api for field in record["changes"]}
