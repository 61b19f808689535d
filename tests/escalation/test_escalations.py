"""Escalations beside the 7A lifecycle (issue 9, item 3, first part): requested by a trigger or an
agent, accepted by the desk (who then owns the case and its promises), resolved, returned with
guidance or declined with a reason — each by the right people, in the right state, on the record."""

import datetime as dt
import re
import zoneinfo
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from cases.services import promise_make
from cases.services.deadline_sweeps import deadlines_breach
from cases.services.promise_sweeps import promises_miss_overdue
from core.errors import Conflict, InvalidInput, NotAllowed
from escalation.escalations import (
    escalation_accept,
    escalation_decline,
    escalation_request,
    escalation_resolve,
    escalation_return,
)
from escalation.models import Escalation
from tests.api.test_api import client_for
from tests.factories import case_in_state, log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]
WHY = {"level": 2, "reason": "客户要求找负责人处理"}


def test_an_agent_requests_the_desk_with_a_reason_once(agent):
    case = log_case(agent)
    with pytest.raises(InvalidInput) as refused:
        escalation_request(case=case, actor=agent, data={"level": 2, "reason": ""})
    assert "reason" in refused.value.fields
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    assert (escalation.state, escalation.level, escalation.requested_by) == ("requested", 2, agent)
    assert case.events.get(kind="escalation_requested").payload == {
        "escalation": escalation.pk,
        "level": 2,
        "trigger": "",
    }
    with pytest.raises(Conflict):
        escalation_request(case=case, actor=agent, data=WHY)


def test_the_desk_accepts_and_owns_the_case_and_its_promises_then_resolves(agent, desk):
    case = case_in_state("agreed", owner=agent)
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    with pytest.raises(NotAllowed):
        escalation_accept(escalation=escalation, actor=agent)
    escalation = escalation_accept(escalation=escalation, actor=desk)
    case.refresh_from_db()
    assert (escalation.state, escalation.accepted_by, case.owner) == ("accepted", desk, desk)
    assert set(case.promises.filter(state="scheduled").values_list("keeper_id", flat=True)) == {desk.pk}
    escalation = escalation_resolve(escalation=escalation, actor=desk, data={"outcome": "已与客户达成一致"})
    assert (escalation.state, escalation.outcome) == ("resolved", "已与客户达成一致")
    assert case.events.filter(kind__in=("escalation_accepted", "escalation_resolved")).count() == 2
    assert case.state == "agreed"  # the 7A progress is untouched


def test_returned_to_the_agent_with_guidance(agent, desk):
    case = log_case(agent)
    escalation = escalation_accept(escalation=escalation_request(case=case, actor=agent, data=WHY), actor=desk)
    escalation = escalation_return(escalation=escalation, actor=desk, data={"outcome": "先核实账单再回电"})
    case.refresh_from_db()
    assert (escalation.state, case.owner) == ("returned", agent)
    assert case.events.get(kind="escalation_returned").reason == "先核实账单再回电"


def test_an_unjustified_request_is_declined_with_a_reason_and_the_case_stays(agent, desk):
    case = log_case(agent)
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    with pytest.raises(InvalidInput):
        escalation_decline(escalation=escalation, actor=desk, data={"outcome": ""})
    escalation = escalation_decline(escalation=escalation, actor=desk, data={"outcome": "一线可以处理"})
    case.refresh_from_db()
    assert (escalation.state, case.owner) == ("declined", agent)
    with pytest.raises(Conflict):  # a declined request cannot be accepted
        escalation_accept(escalation=escalation, actor=desk)
    escalation_request(case=case, actor=agent, data=WHY)  # a new request may follow


def test_a_second_missed_promise_puts_the_case_in_the_desks_queue(agent):
    case = log_case(agent)
    due = [timezone.now() + timedelta(hours=h) for h in (1, 2)]
    for at in due:
        promise_make(
            case=case, actor=agent, data={"kind": "progress_update", "due_at": at.isoformat(), "description": "进展"}
        )
    with time_machine.travel(due[-1] + timedelta(minutes=settings.PROMISE_GRACE_MINUTES + 1), tick=False):
        promises_miss_overdue()
    escalation = Escalation.objects.get(case=case)
    assert (escalation.state, escalation.trigger, escalation.requested_by, escalation.level) == (
        "requested", "rule:two_missed_promises", None, 2,
    )  # fmt: skip


def test_a_breached_deadline_escalates_once_however_many_triggers(agent, office_hours):
    case = log_case(agent, tier="vip")
    office_hours.move_to(dt.datetime(2026, 12, 4, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")))
    assert Escalation.objects.get(case=case).level == 1  # a VIP complaint: a supervisor looks after it
    assert deadlines_breach() == 2  # first response and resolution, both past
    escalation = Escalation.objects.get(case=case)  # still one: raised to the desk's level, once
    assert (escalation.trigger, escalation.level) == ("rule:vip_customer", 2)
    assert case.events.filter(kind="escalation_raised").count() == 1
    assert case.rule_firings.get(rule__code="deadline_breached").moment == "deadline_breached"


def test_an_ended_case_is_not_escalated(agent):
    case = case_in_state("closed", owner=agent)
    with pytest.raises(Conflict):
        escalation_request(case=case, actor=agent, data=WHY)


def test_the_api_requests_accepts_and_returns_with_the_core_error_format(agent, desk):
    case = log_case(agent)
    api = client_for(agent)
    missing = api.post(f"/api/cases/{case.pk}/escalations/", {"level": 2}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    made = api.post(f"/api/cases/{case.pk}/escalations/", WHY, format="json")
    assert made.status_code == 201 and made.json()["state"] == "requested"
    pk = made.json()["id"]
    assert api.post(f"/api/escalations/{pk}/accept/").status_code == 403  # agents do not accept
    accepted = client_for(desk).post(f"/api/escalations/{pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["accepted_by"] == desk.username
    assert client_for(desk).post(f"/api/escalations/{pk}/decline/", {"outcome": "x"}, format="json").status_code == 409
    back = client_for(desk).post(f"/api/escalations/{pk}/return/", {"outcome": "先核实账单"}, format="json")
    assert back.status_code == 200 and back.json()["state"] == "returned"
    listed = api.get(f"/api/cases/{case.pk}/escalations/").json()
    assert [e["state"] for e in listed] == ["returned"]


def test_from_the_case_page_the_agent_asks_and_the_desk_accepts_and_returns(agent, desk):
    case = log_case(agent)
    mine = Client(HTTP_ACCEPT_LANGUAGE="en")
    mine.force_login(agent)
    html = mine.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="escalation-request"' in html and "Not escalated." not in html
    done = mine.post(
        f"/escalation/cases/{case.number}/escalate/", {"level": "2", "reason": "客户坚持要找负责人"}, follow=True
    )
    assert "Escalation requested" in done.content.decode()
    escalation = Escalation.objects.get(case=case)
    assert 'data-testid="escalation-accept"' not in done.content.decode()  # agents do not accept
    theirs = Client(HTTP_ACCEPT_LANGUAGE="en")
    theirs.force_login(desk)
    assert 'data-testid="escalation-accept"' in theirs.get(f"/cases/{case.number}/").content.decode()
    theirs.post(f"/escalation/{escalation.pk}/accept/")
    case.refresh_from_db()
    assert case.owner == desk
    theirs.post(f"/escalation/{escalation.pk}/end/", {"action": "return", "outcome": "先核实账单再回电"})
    case.refresh_from_db()
    escalation.refresh_from_db()
    assert (escalation.state, case.owner) == ("returned", agent)
    assert mine.post(f"/escalation/{escalation.pk}/accept/").status_code == 302  # refused with a message
    assert Escalation.objects.get(pk=escalation.pk).state == "returned"


def test_the_desks_queue_lists_open_escalations_most_urgent_first_with_counts(agent, desk, auditor):
    waiting = escalation_request(case=log_case(agent, customer_phone="13800000001"), actor=agent, data=WHY)
    legal = escalation_request(
        case=log_case(agent, customer_phone="13800000002"), actor=agent, data={"level": 3, "reason": "客户已起诉"}
    )
    done = escalation_request(case=log_case(agent, customer_phone="13800000003"), actor=agent, data=WHY)
    escalation_decline(escalation=done, actor=desk, data={"outcome": "一线可处理"})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(desk)
    html = client.get("/escalation/").content.decode()
    rows = [int(pk) for pk in re.findall(r'data-escalation="(\d+)"', html)]
    assert rows == [legal.pk, waiting.pk]  # L3 first; the declined one is not open
    assert re.search(r'data-level-count="2">[^<]*<strong>1</strong>', html)
    assert html.count('data-testid="desk-queue"') == 1 and "Accept" in html
    only_l2 = client.get("/escalation/?level=2").content.decode()
    assert re.findall(r'data-escalation="(\d+)"', only_l2) == [str(waiting.pk)]
    reader = Client(HTTP_ACCEPT_LANGUAGE="en")
    reader.force_login(auditor)
    page = reader.get("/escalation/")
    assert page.status_code == 200 and "<button" not in page.content.decode().split('data-testid="desk-queue"')[1]
    mine = Client()
    mine.force_login(agent)
    assert mine.get("/escalation/").status_code == 403


def test_the_desks_queue_runs_the_same_queries_however_many_rows(agent, desk, django_assert_max_num_queries):
    client = Client()
    client.force_login(desk)
    client.get("/escalation/")
    for i in range(3):
        escalation_request(case=log_case(agent, customer_phone=f"1390000000{i}"), actor=agent, data=WHY)
    with django_assert_max_num_queries(7):  # session, user, rows, counts, the bell (two), roles
        client.get("/escalation/")
