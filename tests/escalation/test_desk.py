"""The desk at work (issue 9, items 3 and 4): raising a level, claiming and handing over (each on the
record and told to the people concerned), the queue's filters, order and API, and an agent locked
out of a case the desk owns."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from cases.services import case_transition
from core.errors import Conflict, InvalidInput, NotAllowed
from escalation.escalations import (
    escalation_accept,
    escalation_hand_over,
    escalation_raise,
    escalation_request,
    escalation_resolve,
)
from escalation.selectors import COUNTS_GENERATION_KEY
from escalation.services import case_customer_type_tag
from notifications.models import Notification
from tests.api.test_api import client_for
from tests.factories import UserFactory, evidence, log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]
WHY = {"level": 2, "reason": "客户要求找负责人处理"}


@pytest.fixture
def desk2(db):
    return UserFactory(username="desk2", first_name="芳", last_name="李", role="escalation_desk")


def told(user, event):
    return Notification.objects.filter(recipient=user, event=event).count()


def test_the_desk_raises_a_level_with_a_reason_and_never_lowers_it(agent, desk):
    escalation = escalation_request(case=log_case(agent), actor=agent, data=WHY)
    with pytest.raises(NotAllowed):
        escalation_raise(escalation=escalation, actor=agent, data={"level": 3, "reason": "客户已起诉"})
    with pytest.raises(InvalidInput) as lower:
        escalation_raise(escalation=escalation, actor=desk, data={"level": 1, "reason": "x"})
    assert "level" in lower.value.fields
    with pytest.raises(InvalidInput) as no_reason:
        escalation_raise(escalation=escalation, actor=desk, data={"level": 3, "reason": ""})
    assert "reason" in no_reason.value.fields
    escalation = escalation_raise(escalation=escalation, actor=desk, data={"level": 3, "reason": "客户已起诉"})
    assert escalation.level == 3 and escalation.state == "requested"
    event = escalation.case.events.get(kind="escalation_raised")
    assert (event.actor, event.reason, event.payload["from_level"]) == (desk, "客户已起诉", 2)


def test_a_raised_escalation_moves_up_the_desks_queue(agent, desk):
    first = escalation_request(case=log_case(agent, customer_phone="13800000001"), actor=agent, data=WHY)
    second = escalation_request(case=log_case(agent, customer_phone="13800000002"), actor=agent, data=WHY)
    client = Client()
    client.force_login(desk)

    def order():
        return [int(pk) for pk in re.findall(r'data-escalation="(\d+)"', client.get("/escalation/").content.decode())]

    assert order() == [first.pk, second.pk]  # same level and tier: who waited longest
    escalation_raise(escalation=second, actor=desk, data={"level": 3, "reason": "客户已起诉"})
    assert order() == [second.pk, first.pk]


def test_the_customers_tier_orders_one_level(agent, desk):
    standard = escalation_request(case=log_case(agent, customer_phone="13800000001"), actor=agent, data=WHY)
    gold = escalation_request(case=log_case(agent, customer_phone="13800000002", tier="gold"), actor=agent, data=WHY)
    rows = client_for(desk).get("/api/escalations/").json()["results"]
    assert [row["id"] for row in rows] == [gold.pk, standard.pk]


def test_a_supervisor_gives_a_request_to_a_desk_member_who_then_owns_the_case(agent, desk, desk2, supervisor):
    case = log_case(agent)
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    with pytest.raises(NotAllowed):  # a desk member claims for themselves only
        escalation_hand_over(escalation=escalation, actor=desk, data={"to": desk2.pk})
    with pytest.raises(InvalidInput) as not_desk:
        escalation_hand_over(escalation=escalation, actor=supervisor, data={"to": agent.pk})
    assert "to" in not_desk.value.fields
    escalation = escalation_hand_over(escalation=escalation, actor=supervisor, data={"to": desk2.pk, "note": "你熟悉"})
    case.refresh_from_db()
    assert (escalation.state, escalation.accepted_by, case.owner) == ("accepted", desk2, desk2)
    handed = case.events.get(kind="escalation_handed_over")
    assert (handed.actor, handed.payload["from_user"], handed.payload["to_user"], handed.reason) == (
        supervisor, None, desk2.pk, "你熟悉",
    )  # fmt: skip
    assert told(desk2, "case_assigned") == 1 and told(agent, "case_assigned_away") == 1


def test_the_holder_passes_an_accepted_escalation_on_and_others_cannot(agent, desk, desk2):
    case = log_case(agent)
    escalation = escalation_accept(escalation=escalation_request(case=case, actor=agent, data=WHY), actor=desk)
    with pytest.raises(NotAllowed):
        escalation_hand_over(escalation=escalation, actor=desk2, data={"to": desk2.pk})
    with pytest.raises(InvalidInput):
        escalation_hand_over(escalation=escalation, actor=desk, data={"to": desk.pk})
    escalation = escalation_hand_over(escalation=escalation, actor=desk, data={"to": desk2.pk})
    case.refresh_from_db()
    assert (escalation.accepted_by, case.owner) == (desk2, desk2)
    assert told(desk2, "case_assigned") == 1
    escalation_resolve(escalation=escalation, actor=desk2, data={"outcome": "已解决"})
    with pytest.raises(Conflict):
        escalation_hand_over(escalation=escalation, actor=desk2, data={"to": desk.pk})


def test_an_agent_cannot_act_on_a_case_the_desk_owns(agent, desk):
    case = log_case(agent)
    escalation_accept(escalation=escalation_request(case=case, actor=agent, data=WHY), actor=desk)
    case.refresh_from_db()
    with pytest.raises(NotAllowed):
        case_transition(case=case, name="accept", actor=agent, data=evidence("accept", case))
    refused = client_for(agent).post(f"/api/cases/{case.pk}/transitions/accept/", evidence("accept"), format="json")
    assert refused.status_code == 403
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(agent)
    html = page.get(f"/cases/{case.number}/").content.decode()
    assert 'data-escalation-state="accepted"' in html  # the agent sees where the case is
    case_transition(case=case, name="accept", actor=desk, data=evidence("accept", case))  # the desk carries on
    case.refresh_from_db()
    assert case.state == "accepted"


def test_the_people_an_escalation_concerns_are_told(agent, desk, desk2, supervisor):
    l2 = escalation_request(case=log_case(agent, customer_phone="13800000001"), actor=agent, data=WHY)
    assert told(desk, "escalation_requested") == 1 and told(desk2, "escalation_requested") == 1
    assert told(supervisor, "escalation_requested") == 0
    escalation_request(
        case=log_case(agent, customer_phone="13800000002"), actor=agent, data={"level": 1, "reason": "客户情绪激动"}
    )
    assert told(supervisor, "escalation_requested") == 1 and told(desk, "escalation_requested") == 1
    escalation = escalation_accept(escalation=l2, actor=desk)
    escalation_raise(escalation=escalation, actor=desk, data={"level": 3, "reason": "已起诉"})
    assert told(desk2, "escalation_raised") == 1 and told(desk, "escalation_raised") == 0  # not told of own act
    escalation_resolve(escalation=escalation, actor=desk, data={"outcome": "已和解"})
    assert told(agent, "escalation_ended") == 1


def test_the_queue_filters_by_type_channel_level_and_sorts_by_deadline(agent, desk):
    legal = log_case(agent, customer_phone="13800000001")
    case_customer_type_tag(case=legal, actor=agent, data={"customer_type": "legal"})  # a rule escalates it
    regulator = log_case(agent, customer_phone="13800000002", channel="regulator")
    api = client_for(desk)
    by_type = api.get("/api/escalations/?type=legal").json()
    assert [row["case"] for row in by_type["results"]] == [legal.pk]
    assert by_type["results"][0]["customer_types"] == ["legal"]
    by_channel = api.get("/api/escalations/?channel=regulator").json()
    assert [row["case"] for row in by_channel["results"]] == [regulator.pk]
    everything = api.get("/api/escalations/?sort=deadline").json()
    assert {row["case"] for row in everything["results"]} == {legal.pk, regulator.pk}
    deadlines = [row["deadline_at"] for row in everything["results"]]
    assert deadlines == sorted(deadlines)
    assert everything["counts"] == {"1": 0, "2": 2, "3": 0} and everything["count"] == 2
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(desk)
    html = page.get("/escalation/?type=legal").content.decode()
    assert re.findall(r'data-escalation="(\d+)"', html) == [str(legal.escalations.get().pk)]
    assert 'data-type="legal"' in html


def test_unknown_queue_parameters_are_named(desk, agent):
    api = client_for(desk)
    answer = api.get("/api/escalations/?level=7&type=astrologer&sort=random&page_size=0")
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"level", "type", "sort", "page_size"}
    assert client_for(agent).get("/api/escalations/").status_code == 403
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(desk)
    shown = page.get("/escalation/?channel=moon").content.decode()
    assert "Unknown value" in shown and "moon" in shown


def test_the_desk_raises_and_hands_over_from_the_case_page_and_the_api(agent, desk, desk2):
    case = log_case(agent)
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(desk)
    html = page.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="escalation-raise"' in html and 'data-testid="escalation-hand-over"' not in html
    page.post(f"/escalation/{escalation.pk}/accept/")
    html = page.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="escalation-hand-over"' in html
    raised = page.post(f"/escalation/{escalation.pk}/raise/", {"level": "3", "reason": "客户已起诉"}, follow=True)
    assert "Escalation raised to" in raised.content.decode()
    api = client_for(desk)
    same = api.post(f"/api/escalations/{escalation.pk}/raise/", {"level": 3, "reason": "x"}, format="json")
    assert same.status_code == 400 and "level" in same.json()["fields"]
    moved = api.post(f"/api/escalations/{escalation.pk}/hand-over/", {"to": desk2.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["accepted_by"] == desk2.username
    firings = client_for(agent).get(f"/api/cases/{case.pk}/rule-firings/")
    assert firings.status_code == 200 and firings.json() == []
    rules = client_for(agent).get("/api/escalation-rules/").json()
    assert "legal_customer" in [rule["code"] for rule in rules]


def test_the_counts_per_level_follow_every_committed_escalation_write(agent, desk, django_capture_on_commit_callbacks):
    api = client_for(desk)

    def counts():
        return api.get("/api/escalations/").json()["counts"]

    assert counts() == {"1": 0, "2": 0, "3": 0}
    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_request(case=log_case(agent, customer_phone="13800000001"), actor=agent, data=WHY)
    assert counts() == {"1": 0, "2": 1, "3": 0}
    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_raise(escalation=escalation, actor=desk, data={"level": 3, "reason": "客户已起诉"})
        # Read before the raise commits: what everyone else sees until then, never shown afterwards.
        assert counts() == {"1": 0, "2": 1, "3": 0}
    assert counts() == {"1": 0, "2": 0, "3": 1}
    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_accept(escalation=escalation, actor=desk)
        escalation_resolve(escalation=escalation, actor=desk, data={"outcome": "已与客户和解"})
    assert counts() == {"1": 0, "2": 0, "3": 0}


def test_the_counts_are_never_an_earlier_generations_after_the_generation_is_evicted(
    agent, desk, django_capture_on_commit_callbacks
):
    """A cache culls entries (the embedded default's file cache among them): losing the generation
    number must not bring back counts cached before a write."""
    api = client_for(desk)
    assert api.get("/api/escalations/").json()["counts"]["2"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        escalation_request(case=log_case(agent, customer_phone="13800000002"), actor=agent, data=WHY)
    cache.delete(COUNTS_GENERATION_KEY)
    assert api.get("/api/escalations/").json()["counts"]["2"] == 1
