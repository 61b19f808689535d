"""Repeat complainants (issue 9, item 6): three or more complaints in 30 days from one customer, on
any case, show at intake and on the case page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint, Customer
from complaints.selectors import customer_recent_complaint_count
from complaints.services import complaint_log
from tests.factories import intake_data, log_case

pytestmark = pytest.mark.django_db


def page_of(client, user, case):
    client.force_login(user)
    return client.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_count_covers_every_case_of_the_customer_within_30_days_only(agent):
    log_case(agent, summary="第一件")
    log_case(agent, summary="第二件")
    old = log_case(agent, summary="很久以前")
    Complaint.objects.filter(case=old).update(logged_at=timezone.now() - timedelta(days=31))
    other = log_case(agent, customer_phone="13900139000", customer_name="李四")
    wang, li = Customer.objects.get(phone="13800138000"), Customer.objects.get(phone="13900139000")
    nobody = Customer.objects.create(name="赵六", phone="13700137000")
    assert customer_recent_complaint_count([wang.pk, li.pk, nobody.pk]) == {wang.pk: 2, li.pk: 1, nobody.pk: 0}
    assert other.complaints.get().customer == li


def test_the_third_complaint_on_different_cases_shows_on_the_case_page(agent, client):
    first = log_case(agent, summary="第一件")
    log_case(agent, summary="第二件")
    assert 'data-testid="repeat-complainant"' not in page_of(client, agent, first)
    third = log_case(agent, summary="第三件")
    for case in (first, third):
        html = page_of(client, agent, case)
        assert 'data-testid="repeat-complainant"' in html
        assert "Repeat complainant: 王小明 made 3 complaints in the last 30 days, on any case." in html


def test_intake_warns_when_this_complaint_makes_the_customer_a_repeat_complainant(agent):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    log_case(agent, summary="第一件")
    html = client.get("/complaints/customer-lookup/", {"phone": "13800138000"}).content.decode()
    assert "1 complaint in the last 30 days." in html and 'data-testid="repeat-complainant"' not in html
    log_case(agent, summary="第二件")
    html = client.get("/complaints/customer-lookup/", {"phone": "13800138000"}).content.decode()
    assert "With this one, 3 complaints in 30 days: a repeat complainant" in html
    assert "consider the chronic-complainer type" in html


def test_a_customer_with_complaints_on_one_case_counts_them_all(agent, client):
    case = log_case(agent)
    for summary in ("又打来了", "第三次"):
        complaint_log(actor=agent, data=intake_data(summary=summary, attach_to_case=case.number))
    assert "made 3 complaints in the last 30 days" in page_of(client, agent, case)
