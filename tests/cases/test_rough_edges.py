"""What a new agent hit in the browser (issue 7, items 11, 12, 14, 16 and the auditor's menu)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Profile
from cases.services import case_assign, case_transition
from notifications.models import Notification
from tests.factories import UserFactory, case_in_state, evidence, log_case

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


def _withdraw_on_the_page(client, case, **changes):
    local = timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")  # a minute field, as typed
    data = {
        "withdrawn_at": local,
        "withdrawal_channel": "phone",
        "withdrawal_words": "算了，网络已经好了，不用再处理。",
        "reason": "Fault cleared by itself",
        "expected_state": case.state,
        **changes,
    }
    return client.post(f"/cases/{case.number}/steps/withdraw/", data)


def test_a_withdrawal_records_when_how_and_the_customers_words(agent, client):
    case = log_case(agent)
    client.force_login(agent)
    html = page_of(client, agent, case)
    assert 'name="withdrawn_at"' in html and 'name="withdrawal_words"' in html
    response = _withdraw_on_the_page(client, case)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "withdrawn" and case.withdrawal_channel == "phone"
    assert timezone.now() - timedelta(minutes=2) < case.withdrawn_at <= timezone.now()
    event = case.events.get(kind="withdraw")
    assert event.reason == "Fault cleared by itself"
    assert event.payload["withdrawal_words"] == "算了，网络已经好了，不用再处理。"
    assert event.payload["withdrawal_channel"] == "phone" and event.payload["withdrawn_at"]
    shown = page_of(client, agent, case)
    withdrawal = re.search(r'data-testid="withdrawal">(.*?)</dl>', shown, re.S).group(1)
    assert "Phone hotline" in withdrawal and "算了，网络已经好了，不用再处理。" in withdrawal
    api = client.get(f"/api/cases/{case.pk}/").json()
    assert api["withdrawal_words"] == "算了，网络已经好了，不用再处理。" and api["withdrawal_channel"] == "phone"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"withdrawal_words": "  "}, "withdrawal_words", "This field is required."),
        ({"withdrawal_channel": ""}, "withdrawal_channel", "This field is required."),
        ({"withdrawn_at": "2099-01-01T10:00"}, "withdrawn_at", "This time is in the future."),
        ({"withdrawn_at": "2020-01-01T10:00"}, "withdrawn_at", "This is before the complaint was logged."),
    ],
)
def test_a_withdrawal_without_its_record_is_refused_and_says_why(agent, client, changes, field, message):
    case = log_case(agent)
    client.force_login(agent)
    response = _withdraw_on_the_page(client, case, **changes)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}"' in html and message in html
    case.refresh_from_db()
    assert case.state == "new" and not case.events.filter(kind="withdraw").exists()


def _told(user):
    return Notification.objects.filter(recipient=user, event="case_withdrawn_in_team")


def test_the_owners_supervisor_is_told_of_a_withdrawal_with_the_customers_words(agent, supervisor):
    other_supervisor = UserFactory(username="supervisor_2", role="supervisor")
    Profile.objects.update_or_create(user=agent, defaults={"supervisor": supervisor})
    case = log_case(agent)
    case_transition(case=case, name="withdraw", actor=agent, data=evidence("withdraw"))
    told = _told(supervisor).get()
    assert told.subject_ref == case.number and "算了，不用处理了。" in told.text
    assert not _told(other_supervisor).exists() and not _told(agent).exists()


def test_without_a_supervisor_on_the_profile_every_supervisor_is_told_but_not_the_one_who_withdrew(agent, supervisor):
    other_supervisor = UserFactory(username="supervisor_2", role="supervisor")
    case = log_case(agent)
    case_transition(case=case, name="withdraw", actor=supervisor, data=evidence("withdraw"))
    assert _told(other_supervisor).count() == 1
    assert not _told(supervisor).exists()


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
