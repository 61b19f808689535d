"""The case carries its open escalation's state and the escalation its case's channel (copies the
desk's queue reads on an index): each follows every step, and the desk's channel filter and deadline
order give what a join would."""

import pytest
from django.db import transaction
from django.test import Client

from cases.models import Case
from cases.services import case_reprioritize, case_transition
from escalation.escalations import (
    escalation_accept,
    escalation_decline,
    escalation_hand_over,
    escalation_request,
    escalation_resolve,
    escalation_return,
)
from tests.api.test_api import client_for
from tests.factories import evidence, log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]
WHY = {"level": 2, "reason": "客户要求找负责人处理"}
DONE = {"outcome": "已与客户达成一致"}


def status(case):
    return Case.objects.get(pk=case.pk).escalation_status


@pytest.mark.parametrize("ending", [escalation_resolve, escalation_return])
def test_the_case_shows_its_escalation_from_request_to_its_end(agent, desk, ending):
    case = log_case(agent)
    assert status(case) == ""
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    assert status(case) == "requested"
    escalation = escalation_accept(escalation=escalation, actor=desk)
    assert status(case) == "accepted"
    ending(escalation=escalation, actor=desk, data=DONE)
    assert status(case) == ""
    change = Case.history.filter(id=case.pk).order_by("-history_id").first()
    assert (change.escalation_status, change.history_user) == ("", desk)


def test_a_declined_request_and_one_handed_to_a_desk_member(agent, desk, supervisor):
    declined = log_case(agent, customer_phone="13800000001")
    escalation_decline(escalation=escalation_request(case=declined, actor=agent, data=WHY), actor=desk, data=DONE)
    assert status(declined) == ""
    given = log_case(agent, customer_phone="13800000002")
    escalation = escalation_request(case=given, actor=agent, data=WHY)
    escalation_hand_over(escalation=escalation, actor=supervisor, data={"to": desk.pk, "note": "你来跟进"})
    assert status(given) == "accepted"


def test_the_escalation_follows_its_case_to_a_more_serious_channel(agent, desk):
    case = log_case(agent, customer_phone="13800000001", channel="phone")
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    assert escalation.channel == "phone"
    api = client_for(desk)
    assert api.get("/api/escalations/?channel=legal").json()["results"] == []
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case_reprioritize(case, channel="legal", actor=agent, reason="客户来函称将起诉")
    escalation.refresh_from_db()
    assert escalation.channel == "legal"
    assert [row["id"] for row in api.get("/api/escalations/?channel=legal").json()["results"]] == [escalation.pk]
    assert api.get("/api/escalations/?channel=phone").json()["results"] == []


def test_the_deadline_order_pages_through_every_escalation_once_ended_cases_last(agent, desk):
    cases = [log_case(agent, customer_phone=f"1380000000{n}") for n in range(4)]
    for case in cases:
        escalation_request(case=case, actor=agent, data=WHY)
    # A withdrawn case has no running deadline; its escalation stays on the desk until it is ended.
    case_transition(case=cases[0], name="withdraw", actor=agent, data=evidence("withdraw"))
    api = client_for(desk)
    seen, url = [], "/api/escalations/?sort=deadline&page_size=1"
    while url:
        body = api.get(url).json()
        seen += [(row["case"], row["deadline_at"]) for row in body["results"]]
        url = body["next"]
    assert len(seen) == 4 and {case for case, _deadline in seen} == {case.pk for case in cases}
    running = [deadline for _case, deadline in seen[:3]]
    assert None not in running and running == sorted(running)
    assert seen[3] == (cases[0].pk, None)


def test_the_agent_sees_the_escalation_on_their_queue_and_in_the_api(agent, desk):
    case = log_case(agent)

    def queue(language, user=agent):
        page = Client(HTTP_ACCEPT_LANGUAGE=language)
        page.force_login(user)
        return page.get("/cases/").content.decode()

    assert 'data-testid="escalation-badge"' not in queue("en")
    escalation = escalation_request(case=case, actor=agent, data=WHY)
    assert "Escalation requested" in queue("en")
    escalation_accept(escalation=escalation, actor=desk)  # the case is now the desk member's
    assert "升级处理组已接手" in queue("zh-hans", desk)
    rows = client_for(desk).get("/api/cases/?scope=all").json()["results"]
    assert [row["escalation_status"] for row in rows if row["id"] == case.pk] == ["accepted"]
