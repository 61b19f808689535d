"""The promises on the case page (issue 8): listed with state and time left, overdue ones marked,
and made, called, rescheduled and cancelled from the page with errors shown where they belong."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.factories import case_in_state, log_case

# Promised times must be inside business hours: the clock stands on a working-day morning.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def local(delta):
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def promise_rows(html):
    return re.findall(r'<tr class="promise ([^"]*)" data-promise="(\d+)" data-state="(\w+)"', html)


def test_the_agreement_promises_are_listed_and_an_overdue_one_stands_out(agent, client):
    case = case_in_state("agreed", owner=agent)
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    rows = promise_rows(html)
    assert len(rows) == 2 and all(state == "scheduled" for _cls, _pk, state in rows)
    assert not any("overdue" in cls for cls, _pk, _state in rows) and "in " in html
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        html = client.get(f"/cases/{case.number}/").content.decode()
    assert all("overdue" in cls for cls, _pk, _state in promise_rows(html))
    assert "overdue by" in html


def test_a_promise_made_on_the_page_and_a_refused_one_keeps_what_was_typed(agent, client):
    case = log_case(agent)
    client.force_login(agent)
    url = f"/cases/{case.number}/promises/"
    refused = client.post(url, {"kind": "progress_update", "due_at": local(-timedelta(hours=1)), "description": "进展"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-field="due_at"' in html and "Promise a time in the future." in html and "进展" in html
    assert re.search(r'<details class="side-action" open><summary>Promise a callback', html)
    assert not case.promises.exists()
    made = client.post(url, {"kind": "progress_update", "due_at": local(timedelta(hours=3)), "description": "进展"})
    assert made.status_code == 302
    assert case.promises.get().description == "进展"


def test_an_unreached_call_tells_the_agent_the_retry_rule(agent, client):
    case = case_in_state("agreed", owner=agent)
    follow_up = case.promises.get(kind="follow_up")
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.number}/promises/{follow_up.pk}/call/", {"reached": "false", "outcome": "无人接听"}, follow=True
    )
    html = response.content.decode()
    assert "Not reached: attempt 1 of 3" in html
    follow_up.refresh_from_db()
    assert follow_up.state == "scheduled" and follow_up.attempts == 1


def test_a_call_without_saying_whether_the_customer_was_reached_is_refused(agent, client):
    case = case_in_state("agreed", owner=agent)
    follow_up = case.promises.get(kind="follow_up")
    client.force_login(agent)
    response = client.post(f"/cases/{case.number}/promises/{follow_up.pk}/call/", {"reached": "", "outcome": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say whether the customer was reached." in html
    assert f'id="id_promise{follow_up.pk}_call_reached"' in html


def test_each_form_on_the_page_has_its_own_field_ids(agent, client):
    case = case_in_state("agreed", owner=agent)
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_an_auditor_reads_the_promises_but_gets_no_form(agent, auditor, client):
    case = case_in_state("agreed", owner=agent)
    client.force_login(auditor)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert len(promise_rows(html)) == 2
    assert "data-promise-action" not in html and 'data-testid="promise-make"' not in html
    promise = case.promises.first()
    response = client.post(f"/cases/{case.number}/promises/{promise.pk}/call/", {"reached": "true", "outcome": "x"})
    assert response.status_code == 403
    promise.refresh_from_db()
    assert promise.state == "scheduled"
