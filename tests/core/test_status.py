"""/healthz for monitors and /status/ for the people who run the system: the business calendar's
missing year (issue 8) shows there with its hint, and a scheduler that stopped shows as late."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases import business_calendar
from cases.tasks import promises_sweep_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_a_login_and_tells_nothing_else():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_the_status_page_is_for_staff_only(agent):
    client = Client()
    client.force_login(agent)
    assert client.get("/status/").status_code == 302  # to the admin login


@pytest.fixture
def staff_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(UserFactory(is_staff=True))
    return client


def test_a_year_the_calendar_does_not_know_shows_with_its_hint(staff_client, monkeypatch):
    monkeypatch.setattr(business_calendar, "has_data", lambda year: year != timezone.localdate().year + 1)
    monkeypatch.setattr("cases.checks.has_data", business_calendar.has_data)
    html = staff_client.get("/status/").content.decode()
    assert "cases.W002" in html and "Upgrade chinesecalendar" in html
    assert "cases.W001" not in html


def test_a_periodic_job_shows_when_it_last_ran_and_is_late_when_it_stopped(staff_client):
    promises_sweep_task()
    html = staff_client.get("/status/").content.decode()
    row = html.split('data-job="promises-sweep"')[1].split("</tr>")[0]
    assert "late" not in row and timezone.localtime().strftime("%Y-%m-%d") in row
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        row = staff_client.get("/status/").content.decode().split('data-job="promises-sweep"')[1].split("</tr>")[0]
    assert "late: is the scheduler (Celery beat) running?" in row
