"""Deadlines where people see them (issue 8, items 4 and 6): time left on the case page and in the
queues (which sort by it), the clock paused and resumed from the page and the API, and the deadline
fields of the case resources. The clock stands on a working-day morning (office_hours)."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client

from cases.models import Deadline
from cases.services.deadlines import case_clock_pause
from tests.api.test_api import client_for
from tests.factories import log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def deadline_rows(html):
    return re.findall(r'<tr class="deadline [^"]*" data-deadline="(\w+)" data-status="(\w+)"', html)


def test_the_case_page_shows_each_deadline_with_its_time_left(agent, client):
    case = log_case(agent)  # standard phone at 10:00: 8 and 45 business hours
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert deadline_rows(html) == [("first_response", "running"), ("resolution", "running")]
    assert "8 h 00 min left" in html and "5 d 0 h left" in html
    assert 'data-testid="clock-pause"' in html


def test_the_page_speaks_chinese_by_default(agent):
    case = log_case(agent)
    client = Client()
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "首次响应" in html and "8 小时 00 分钟" in html and "暂停计时" in html


def test_pausing_from_the_page_needs_a_reason_and_freezes_the_clock(agent, client, office_hours):
    case = log_case(agent)
    client.force_login(agent)
    refused = client.post(f"/cases/{case.number}/clock/pause/", {"reason": ""})
    assert refused.status_code == 400
    assert 'id="id_clock_reason"' in refused.content.decode() and "This field is required." in refused.content.decode()
    assert not case.clock_pauses.exists()
    done = client.post(f"/cases/{case.number}/clock/pause/", {"reason": "等客户寄回旧设备"}, follow=True)
    html = done.content.decode()
    assert "Clock paused." in html and 'data-testid="clock-paused"' in html and "等客户寄回旧设备" in html
    assert deadline_rows(html)[0] == ("first_response", "paused")
    office_hours.move_to(dt.datetime(2026, 11, 24, 15, 0, tzinfo=SH))
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "8 h 00 min left" in html and "frozen while paused" in html  # nothing used while paused
    resumed = client.post(f"/cases/{case.number}/clock/resume/", follow=True).content.decode()
    assert "Clock resumed" in resumed and deadline_rows(resumed)[0] == ("first_response", "running")


def test_someone_who_does_not_work_the_case_sees_no_pause_form_and_is_refused(agent, other_agent, client):
    case = log_case(agent)
    client.force_login(other_agent)
    assert 'data-testid="clock-pause"' not in client.get(f"/cases/{case.number}/").content.decode()
    assert client.post(f"/cases/{case.number}/clock/pause/", {"reason": "等"}).status_code == 403
    assert not case.clock_pauses.exists()


def test_the_queue_shows_time_left_and_sorts_the_least_first(agent, client):
    standard = log_case(agent, customer_phone="13800000001")
    vip = log_case(agent, customer_phone="13800000002", tier="vip")
    client.force_login(agent)
    html = client.get("/cases/?sort=deadline").content.decode()
    order = re.findall(r'href="/cases/(C-[\d-]+)/"', html)
    assert order.index(vip.number) < order.index(standard.number)
    assert "1 h 00 min left" in html and "8 h 00 min left" in html
    newest_first = re.findall(r'href="/cases/(C-[\d-]+)/"', client.get("/cases/?sort=newest").content.decode())
    assert newest_first.index(vip.number) < newest_first.index(standard.number)
    oldest_first = re.findall(r'href="/cases/(C-[\d-]+)/"', client.get("/cases/?sort=oldest").content.decode())
    assert oldest_first.index(standard.number) < oldest_first.index(vip.number)  # the sort is what decides


def test_an_overdue_deadline_stands_out_in_the_queue(agent, client, office_hours):
    log_case(agent, tier="vip")
    office_hours.move_to(dt.datetime(2026, 11, 24, 11, 30, tzinfo=SH))
    client.force_login(agent)
    html = client.get("/cases/?sort=deadline").content.decode()
    assert 'data-testid="deadline-overdue"' in html and "overdue by 30 min" in html


# --- the API --------------------------------------------------------------------------------------


def test_the_case_resources_carry_the_deadlines(agent):
    case = log_case(agent, tier="vip")
    client = client_for(agent)
    detail = client.get(f"/api/cases/{case.pk}/").json()
    kinds = [(d["kind"], d["status"], d["business_minutes_left"], d["allowed_hours"]) for d in detail["deadlines"]]
    assert kinds == [("first_response", "running", 60, 1), ("resolution", "running", 18 * 60, 18)]
    assert detail["clock_paused_at"] is None
    listed = client.get("/api/cases/?sort=deadline").json()["results"][0]
    assert (listed["number"], listed["deadline_business_minutes_left"]) == (case.number, 60)
    assert listed["deadline_at"] == detail["deadlines"][0]["due_at"]


def test_the_clock_is_paused_and_resumed_through_the_api_with_the_core_error_format(agent):
    case = log_case(agent)
    client = client_for(agent)
    missing = client.post(f"/api/cases/{case.pk}/clock/pause/", {}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"code", "detail", "fields"}
    assert "reason" in missing.json()["fields"]
    paused = client.post(f"/api/cases/{case.pk}/clock/pause/", {"reason": "等客户提供发票"}, format="json")
    assert paused.status_code == 200 and paused.json()["clock_paused_at"] is not None
    assert {d["status"] for d in paused.json()["deadlines"]} == {"paused"}
    again = client.post(f"/api/cases/{case.pk}/clock/pause/", {"reason": "再暂停"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    resumed = client.post(f"/api/cases/{case.pk}/clock/resume/")
    assert resumed.status_code == 200 and resumed.json()["clock_paused_at"] is None
    assert client.post(f"/api/cases/{case.pk}/clock/resume/").status_code == 409


def test_an_auditor_cannot_pause_the_clock(agent, auditor):
    case = log_case(agent)
    response = client_for(auditor).post(f"/api/cases/{case.pk}/clock/pause/", {"reason": "试试"}, format="json")
    assert response.status_code == 403
    case_clock_pause(case=case, actor=agent, data={"reason": "等客户"})
    assert client_for(auditor).post(f"/api/cases/{case.pk}/clock/resume/").status_code == 403
    assert Deadline.objects.filter(case=case, paused_at__isnull=False).count() == 2
