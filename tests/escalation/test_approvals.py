"""Compensation approvals (issue 9, item 5): an option above the proposer's authority needs an approval
before the customer may agree to it; deciders need enough authority and cannot decide their own
request; limits per role are edited in the admin and change the outcome at once."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from cases.services import case_transition
from core.errors import Conflict, InvalidInput, NotAllowed
from escalation.approvals import (
    MSG_ABOVE_LIMIT,
    MSG_AGREE_MISSING,
    MSG_AGREE_PENDING,
    MSG_AGREE_REJECTED,
    MSG_NOT_NEEDED,
    MSG_OWN_REQUEST,
    approval_decide,
    approval_request,
)
from escalation.authority import authority_limit_of
from escalation.models import AuthorityLimit, CompensationApproval
from notifications.models import Notification
from tests.api.test_api import client_for
from tests.factories import UserFactory, case_in_state, evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]
APPROVE = {"decision": "approve", "reason": "客户损失属实，同意补偿"}
REJECT = {"decision": "reject", "reason": "超出标准，先提供较低方案"}


def offered(owner, *amounts, by=None):
    """A case of `owner` with options of these compensations offered (by `by`, else the owner)."""
    case = case_in_state("analyzed", owner=owner)
    options = [
        {"action": f"方案{i}", "benefit": "减少客户损失", "compensation": str(amount)}
        for i, amount in enumerate(amounts, start=1)
    ]
    case_transition(case=case, name="offer_alternatives", actor=by or owner, data={"options": options})
    case.refresh_from_db()
    return case


def agree(case, actor, position):
    case_transition(case=case, name="agree", actor=actor, data={**evidence("agree"), "chosen_option": position})
    case.refresh_from_db()
    return case


def refused_agreement(case, actor, position) -> str:
    with pytest.raises(InvalidInput) as refused:
        agree(case, actor, position)
    assert list(refused.value.fields) == ["chosen_option"]
    return refused.value.fields["chosen_option"][0]


def test_the_default_limits_are_seeded_and_a_user_has_the_highest_of_their_roles(agent, supervisor, desk, auditor):
    limits = dict(AuthorityLimit.objects.values_list("role", "limit"))
    assert limits == {"agent": 50, "supervisor": 500, "escalation_desk": 5000, "auditor": 0, "admin": 0}
    assert [authority_limit_of(u) for u in (agent, supervisor, desk, auditor)] == [50, 500, 5000, 0]
    both = UserFactory(username="lead", role="agent")
    both.groups.add(supervisor.groups.get())
    assert authority_limit_of(UserFactory._meta.model.objects.get(pk=both.pk)) == 500
    assert authority_limit_of(UserFactory(username="nobody")) == 0


def test_offering_above_the_agents_authority_opens_a_request_and_tells_a_decider(agent, supervisor):
    case = offered(agent, 20, 300)
    approval = CompensationApproval.objects.get(case=case)
    assert (approval.option.position, approval.amount, approval.state) == (2, Decimal("300.00"), "requested")
    assert (approval.requested_by, approval.automatic) == (agent, True)
    assert "above the authority" in approval.reason
    event = case.events.get(kind="compensation_approval_requested")
    assert event.payload == {"approval": approval.pk, "round": 1, "option": 2, "amount": "300.00", "automatic": True}
    assert Notification.objects.filter(recipient=supervisor, event="compensation_approval_needed").count() == 1


def test_agreement_is_blocked_until_someone_with_authority_approves(agent, supervisor):
    case = offered(agent, 20, 300)
    assert refused_agreement(case, agent, 2) == MSG_AGREE_PENDING % {"amount": Decimal("300.00")}
    approval = approval_decide(approval=CompensationApproval.objects.get(case=case), actor=supervisor, data=APPROVE)
    assert (approval.state, approval.decided_by, approval.decision_reason) == (
        "approved",
        supervisor,
        APPROVE["reason"],
    )
    assert approval.decided_at is not None
    assert Notification.objects.filter(recipient=agent, event="compensation_approval_decided").count() == 1
    assert agree(case, agent, 2).state == "agreed"
    assert case.events.filter(kind="compensation_approved").get().actor == supervisor


def test_a_rejected_compensation_stays_blocked_and_a_lower_option_may_be_agreed(agent, supervisor):
    case = offered(agent, 20, 300)
    approval_decide(approval=CompensationApproval.objects.get(case=case), actor=supervisor, data=REJECT)
    assert refused_agreement(case, agent, 2) == MSG_AGREE_REJECTED % {"amount": Decimal("300.00")}
    assert case.events.get(kind="compensation_rejected").reason == REJECT["reason"]
    assert agree(case, agent, 1).state == "agreed"


def test_no_one_approves_above_their_own_limit_or_their_own_request(agent, other_agent, supervisor, desk):
    case = offered(agent, 20, 800)
    approval = CompensationApproval.objects.get(case=case)
    for actor, message in (
        (agent, MSG_OWN_REQUEST),
        (other_agent, MSG_ABOVE_LIMIT % {"amount": Decimal("800.00"), "limit": Decimal("50.00")}),
        (supervisor, MSG_ABOVE_LIMIT % {"amount": Decimal("800.00"), "limit": Decimal("500.00")}),
    ):
        with pytest.raises(NotAllowed) as refused:
            approval_decide(approval=approval, actor=actor, data=APPROVE)
        assert refused.value.message == message
    assert CompensationApproval.objects.get(pk=approval.pk).state == "requested"
    assert approval_decide(approval=approval, actor=desk, data=APPROVE).state == "approved"
    with pytest.raises(Conflict):  # decided once
        approval_decide(approval=approval, actor=desk, data=REJECT)


def test_a_supervisors_own_offer_needs_someone_else(agent, supervisor, desk):
    case = offered(agent, 20, 800, by=supervisor)
    approval = CompensationApproval.objects.get(case=case)
    assert approval.requested_by == supervisor
    with pytest.raises(NotAllowed):
        approval_decide(approval=approval, actor=supervisor, data=APPROVE)
    assert Notification.objects.filter(recipient=desk, event="compensation_approval_needed").exists()
    assert not Notification.objects.filter(recipient=supervisor, event="compensation_approval_needed").exists()


def test_the_proposers_authority_counts_not_the_owners(agent, desk):
    case = offered(agent, 20, 3000, by=desk)  # the desk may offer up to 5,000 on the agent's case
    assert not CompensationApproval.objects.filter(case=case).exists()
    assert agree(case, agent, 2).state == "agreed"


def test_the_limits_are_edited_and_change_the_outcome(agent, supervisor):
    row = AuthorityLimit.objects.get(role="agent")
    row.limit = Decimal("500")
    row.save()
    case = offered(agent, 20, 300)
    assert not CompensationApproval.objects.filter(case=case).exists()
    row.limit = Decimal("10")
    row.save()  # lowered after the offer: option 1 is now above the agent's authority too
    assert refused_agreement(case, agent, 1) == MSG_AGREE_MISSING % {"amount": Decimal("20.00")}
    approval = approval_request(case=case, actor=agent, data={"option": 1, "reason": "退还本月多扣费用"})
    assert (approval.automatic, approval.amount) == (False, Decimal("20.00"))
    approval_decide(approval=approval, actor=supervisor, data=APPROVE)
    assert agree(case, agent, 1).state == "agreed"


def test_a_request_names_its_problem(agent, other_agent, supervisor):
    case = offered(agent, 20, 300)
    for data, field in (
        ({"option": 1}, "reason"),
        ({"option": 9, "reason": "x"}, "option"),
        ({"option": "二", "reason": "x"}, "option"),
        ([1, 2], "option"),
    ):
        with pytest.raises(InvalidInput) as refused:
            approval_request(case=case, actor=agent, data=data)
        assert field in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        approval_request(case=case, actor=agent, data={"option": 1, "reason": "x"})
    assert refused.value.fields == {"option": [MSG_NOT_NEEDED]}
    with pytest.raises(Conflict):  # already awaiting a decision
        approval_request(case=case, actor=agent, data={"option": 2, "reason": "x"})
    with pytest.raises(NotAllowed):  # not their case
        approval_request(case=case, actor=other_agent, data={"option": 2, "reason": "x"})
    with pytest.raises(InvalidInput) as refused:
        approval_decide(
            approval=CompensationApproval.objects.get(case=case), actor=supervisor, data={"decision": "maybe"}
        )
    assert set(refused.value.fields) == {"decision", "reason"}


def test_a_rejected_option_may_be_asked_again_with_a_better_reason(agent, supervisor):
    case = offered(agent, 20, 300)
    approval_decide(approval=CompensationApproval.objects.get(case=case), actor=supervisor, data=REJECT)
    again = approval_request(case=case, actor=agent, data={"option": 2, "reason": "客户为VIP，三次投诉同一问题"})
    assert refused_agreement(case, agent, 2) == MSG_AGREE_PENDING % {"amount": Decimal("300.00")}
    approval_decide(approval=again, actor=supervisor, data=APPROVE)
    assert agree(case, agent, 2).state == "agreed"
    with pytest.raises(Conflict):  # nothing to ask once the customer agreed
        approval_request(case=case, actor=agent, data={"option": 2, "reason": "x"})


def test_leaving_alternatives_offered_supersedes_the_open_requests(agent, supervisor):
    case = offered(agent, 20, 300, 400)
    assert CompensationApproval.objects.filter(case=case, state="requested").count() == 2
    agree(case, agent, 1)
    approvals = CompensationApproval.objects.filter(case=case)
    assert {a.state for a in approvals} == {"superseded"}
    assert all(a.history.first().history_user == agent for a in approvals)
    with pytest.raises(Conflict):
        approval_decide(approval=approvals.first(), actor=supervisor, data=APPROVE)
    withdrawn = offered(agent, 20, 300)
    case_transition(case=withdrawn, name="withdraw", actor=agent, data=evidence("withdraw"))
    assert CompensationApproval.objects.get(case=withdrawn).state == "superseded"


def test_deciding_writes_a_fixed_number_of_queries(agent, supervisor, django_assert_num_queries):
    case = offered(agent, 20, 300)
    approval = CompensationApproval.objects.get(case=case)
    authority_limit_of(supervisor)  # the limits and roles are cached, as in real use
    # savepoint ×2; lock the case, then the approval with its case, owner, option and requester; UPDATE
    # + history; the event and its chain link; one notice to the requester who owns the case (existing
    # keys, insert, e-mail preferences)
    with django_assert_num_queries(11):
        approval_decide(approval=approval, actor=supervisor, data=APPROVE)


def test_asking_writes_a_fixed_number_of_queries(agent, supervisor, django_assert_num_queries):
    case = offered(agent, 20, 30)
    row = AuthorityLimit.objects.get(role="agent")
    row.limit = Decimal("10")
    row.save()
    authority_limit_of(agent), authority_limit_of(supervisor)  # limits, roles cached as in real use
    # the option; who offered it; savepoint ×2; open or approved requests; savepoint ×2 (one open
    # request per option); INSERT + history; the event and its chain link; the agent's supervisor
    # (profile, then every supervisor); the notice (existing keys, insert, e-mail preferences)
    with django_assert_num_queries(16):
        approval_request(case=case, actor=agent, data={"option": 2, "reason": "客户损失较大"})


def test_the_api_lists_asks_and_decides_with_the_core_errors(agent, other_agent, supervisor, auditor):
    case = offered(agent, 20, 300)
    listed = client_for(auditor).get(f"/api/cases/{case.pk}/approvals/")
    assert listed.status_code == 200
    [row] = listed.json()
    assert (row["option"], row["amount"], row["state"], row["automatic"]) == (2, "300.00", "requested", True)
    decide = f"/api/approvals/{row['id']}/decide/"
    assert client_for(supervisor).post(decide, {"decision": "approve"}, format="json").json()["fields"].keys() == {
        "reason"
    }
    assert client_for(agent).post(decide, APPROVE, format="json").status_code == 403  # their own request
    above = client_for(other_agent).post(decide, APPROVE, format="json")
    assert above.status_code == 403 and "above your authority" in above.json()["detail"]
    assert client_for(auditor).post(decide, APPROVE, format="json").status_code == 403  # reads only
    assert client_for(supervisor).post("/api/approvals/999999/decide/", APPROVE, format="json").status_code == 404
    done = client_for(supervisor).post(decide, REJECT, format="json")
    assert done.status_code == 200 and (done.json()["state"], done.json()["decided_by"]) == ("rejected", "supervisor")
    assert client_for(supervisor).post(decide, APPROVE, format="json").status_code == 409
    ask = f"/api/cases/{case.pk}/approvals/"
    assert client_for(agent).post(ask, {"option": 1, "reason": "x"}, format="json").status_code == 400  # not needed
    assert client_for(other_agent).post(ask, {"option": 2, "reason": "x"}, format="json").status_code == 403
    made = client_for(agent).post(ask, {"option": 2, "reason": "客户坚持"}, format="json")
    assert made.status_code == 201 and made.json()["automatic"] is False
    assert client_for(agent).post(ask, {"option": 2, "reason": "再问"}, format="json").status_code == 409
    assert client_for(agent).post("/api/cases/999999/approvals/", {}, format="json").status_code == 404
    limits = client_for(agent).get("/api/authority-limits/").json()
    assert [(r["role"], r["limit"]) for r in limits][-1] == ("escalation_desk", "5000.00")


def test_agreement_over_the_api_names_the_chosen_option(agent, supervisor):
    case = offered(agent, 20, 300)
    answer = client_for(agent).post(
        f"/api/cases/{case.pk}/transitions/agree/", {**evidence("agree"), "chosen_option": 2}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["fields"] == {"chosen_option": [str(MSG_AGREE_PENDING % {"amount": Decimal("300.00")})]}


def page(user, case):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client, client.get(f"/cases/{case.number}/").content.decode()


def test_the_case_page_shows_each_approval_and_lets_only_a_decider_decide(agent, supervisor):
    case = offered(agent, 300, 20, 100)
    mine, html = page(agent, case)
    panel = html.split('data-testid="approvals"')[1].split("</section>")[0]
    assert 'data-option="1" data-approval-state="requested"' in panel and 'data-option="3"' in panel
    assert 'data-option="2"' not in panel  # ¥20 is within the agent's authority
    assert 'data-testid="approval-decide"' not in panel  # their own requests
    # cheapest first in the evidence, each keeping its position; option 1 was the largest: a warning
    alternatives = html.split('data-testid="alternatives"')[1].split("</ol>")[0]
    assert re.findall(r'<li value="(\d)"', alternatives) == ["2", "3", "1"]
    assert 'data-testid="start-low"' in html
    theirs, html = page(supervisor, case)
    assert html.count('data-testid="approval-decide"') == 2
    approval = CompensationApproval.objects.get(case=case, option__position=1)
    theirs.post(f"/escalation/approvals/{approval.pk}/decide/", {"decision": "reject", "reason": "先从低方案谈起"})
    approval.refresh_from_db()
    assert (approval.state, approval.decided_by) == ("rejected", supervisor)
    html = mine.get(f"/cases/{case.number}/").content.decode()
    assert 'data-approval-state="rejected"' in html and "先从低方案谈起" in html
    done = mine.post(
        f"/escalation/cases/{case.number}/approvals/", {"option": "1", "reason": "客户损失较大"}, follow=True
    )
    assert "Approval requested" in done.content.decode()
    assert CompensationApproval.objects.filter(case=case, option__position=1, state="requested").count() == 1


def test_an_agent_refused_a_decision_sees_why(agent, other_agent):
    case = offered(agent, 20, 300)
    approval = CompensationApproval.objects.get(case=case)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(other_agent)
    answer = client.post(f"/escalation/approvals/{approval.pk}/decide/", {"decision": "approve", "reason": "好"})
    assert answer.status_code == 403
    assert CompensationApproval.objects.get(pk=approval.pk).state == "requested"


def test_no_warning_when_the_offer_starts_low(agent):
    _client, html = page(agent, offered(agent, 20, 300))
    assert 'data-testid="start-low"' not in html


def test_the_case_page_with_approvals_runs_a_fixed_number_of_queries(
    agent, supervisor, client, django_assert_max_num_queries
):
    case = offered(agent, 20, 300, 400)
    client.force_login(supervisor)
    client.get(f"/cases/{case.number}/")  # warms the roles and limits caches
    # the page's own 11 (tests/complaints/test_case_panel.py), the colleagues a supervisor may assign to,
    # the round's approvals, who offered it
    with django_assert_max_num_queries(14):
        assert client.get(f"/cases/{case.number}/").content.decode().count('data-testid="approval-decide"') == 2


def test_an_administrator_edits_a_limit_in_the_admin_and_it_counts_at_once(agent, supervisor):
    case = offered(agent, 20, 600)
    approval = CompensationApproval.objects.get(case=case)
    with pytest.raises(NotAllowed):
        approval_decide(approval=approval, actor=supervisor, data=APPROVE)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    row = AuthorityLimit.objects.get(role="supervisor")
    answer = client.post(f"/admin/escalation/authoritylimit/{row.pk}/change/", {"limit": "1000"})
    assert answer.status_code == 302
    assert row.history.latest().history_user == root
    assert approval_decide(approval=approval, actor=supervisor, data=APPROVE).state == "approved"
