"""The escalation state machine × role matrix (issue 9): every step, from every state, by every role,
over the API — allowed (2xx), not allowed for the role (403), or not possible in that state (409)."""

import pytest

from escalation.escalations import escalation_accept, escalation_decline, escalation_request, escalation_resolve
from escalation.models import Escalation
from tests.api.test_api import client_for
from tests.factories import UserFactory, log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]

ROLES = ["owner", "other_agent", "escalation_desk", "supervisor", "auditor", "admin"]
DESK = {"escalation_desk", "supervisor"}
WHY = {"level": 2, "reason": "客户要求找负责人"}

# step → (the states it starts from, its body)
STEPS = {
    "accept": (("requested",), None),
    "decline": (("requested",), {"outcome": "一线可以处理"}),
    "resolve": (("accepted",), {"outcome": "已和客户达成一致"}),
    "return": (("accepted",), {"outcome": "先核实账单再回电"}),
    "raise": (("requested", "accepted"), {"level": 3, "reason": "客户已起诉"}),
}
STATES = ["requested", "accepted", "resolved", "declined"]


@pytest.fixture
def people(agent):
    return {
        "owner": agent,
        "other_agent": UserFactory(username="agent_b", role="agent"),
        "escalation_desk": UserFactory(username="desk_m", role="escalation_desk"),
        "supervisor": UserFactory(username="sup_m", role="supervisor"),
        "auditor": UserFactory(username="aud_m", role="auditor"),
        "admin": UserFactory(username="adm_m", role="admin"),
    }


def escalation_in(state, people) -> Escalation:
    owner, desk = people["owner"], people["escalation_desk"]
    escalation = escalation_request(case=log_case(owner), actor=owner, data=WHY)
    if state in ("accepted", "resolved"):
        escalation = escalation_accept(escalation=escalation, actor=desk)
    if state == "resolved":
        escalation = escalation_resolve(escalation=escalation, actor=desk, data={"outcome": "已解决"})
    if state == "declined":
        escalation = escalation_decline(escalation=escalation, actor=desk, data={"outcome": "一线可以处理"})
    return escalation


def expected(step, state, role) -> int:
    """As for the case's own steps: roles that change no case at all are refused at the door (403);
    then a step the state does not allow is a conflict (409) before the role is asked (403)."""
    sources, _body = STEPS[step]
    if role in ("auditor", "admin"):
        return 403
    if state not in sources:
        return 409
    return 200 if role in DESK else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_by_each_role_from_each_state(step, state, role, people):
    escalation = escalation_in(state, people)
    _sources, body = STEPS[step]
    answer = client_for(people[role]).post(f"/api/escalations/{escalation.pk}/{step}/", body, format="json")
    assert answer.status_code == expected(step, state, role), answer.content
    after = Escalation.objects.get(pk=escalation.pk)
    if answer.status_code != 200:
        assert (after.state, after.level) == (escalation.state, escalation.level)  # nothing written


@pytest.mark.parametrize("role", ROLES)
def test_who_may_ask_for_the_desk(role, people):
    case = log_case(people["owner"])
    answer = client_for(people[role]).post(f"/api/cases/{case.pk}/escalations/", WHY, format="json")
    allowed = {"owner", "escalation_desk", "supervisor"}
    assert answer.status_code == (201 if role in allowed else 403)
    assert Escalation.objects.filter(case=case).exists() == (role in allowed)
