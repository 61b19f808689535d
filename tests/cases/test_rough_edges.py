"""What a new agent hit in the browser (issue 7, items 11, 12, 14, 16 and the auditor's menu)."""

import re

import pytest
from django.test import Client

from cases.services import case_assign
from notifications.models import Notification
from tests.factories import case_in_state, log_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English here, so messages can be read as written in the code."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def page_of(client, user, case):
    client.force_login(user)
    return client.get(f"/cases/{case.number}/").content.decode()


def test_withdrawing_without_a_reason_shows_the_error_in_an_open_section(agent, client):
    case = log_case(agent)
    client.force_login(agent)
    response = client.post(f"/cases/{case.number}/steps/withdraw/", {"reason": "   ", "expected_state": "new"})
    assert response.status_code == 400
    html = response.content.decode()
    section = re.search(r'<details class="side-action"([^>]*)>\s*<summary>Withdraw', html)
    assert section and "open" in section.group(1)
    assert 'data-field="reason"' in html
    case.refresh_from_db()
    assert case.state == "new"


def test_satisfaction_has_no_default_and_skipping_it_is_refused(agent, client):
    case = case_in_state("agreed", owner=agent)
    html = page_of(client, agent, case)
    select = re.search(r'<select name="satisfaction"[^>]*>(.*?)</select>', html, re.S).group(1)
    first = re.search(r"<option([^>]*)>", select).group(1)
    assert 'value=""' in first and "selected" in first
    response = client.post(
        f"/cases/{case.number}/steps/assure/",
        {"follow_up_done": "on", "thanked": "on", "satisfaction": "", "expected_state": "agreed"},
    )
    assert response.status_code == 400
    assert "Ask the customer for a score from 1 to 5." in response.content.decode()
    case.refresh_from_db()
    assert case.state == "agreed" and case.satisfaction is None


def test_emotional_needs_carry_the_required_marker(agent, client):
    case = case_in_state("apologized", owner=agent)
    html = page_of(client, agent, case)
    field = re.search(r'<div class="field([^"]*)">\s*<fieldset><legend>Emotional needs noted', html)
    assert field and "required" in field.group(1)


def test_the_owner_a_case_is_taken_from_is_told(agent, other_agent, supervisor):
    case = log_case(agent)
    case_assign(case=case, owner_id=other_agent.pk, actor=supervisor)
    told = Notification.objects.get(recipient=agent)
    assert told.event == "case_assigned_away" and told.subject_ref == case.number and told.actor == supervisor
    assert Notification.objects.get(recipient=other_agent).event == "case_assigned"


def test_nobody_is_told_that_they_gave_their_own_case_away(desk, other_agent):
    case = log_case(desk)
    case_assign(case=case, owner_id=other_agent.pk, actor=desk)
    assert not Notification.objects.filter(recipient=desk).exists()


def test_auditors_have_no_my_cases_link_and_agents_do(auditor, agent, client):
    client.force_login(auditor)
    assert "My cases" not in client.get("/cases/?scope=all").content.decode()
    client.force_login(agent)
    assert "My cases" in client.get("/cases/").content.decode()
