"""Reassigning a case from its page."""

import pytest
from django.utils import translation

from cases.models import Case, CaseEvent, CaseEventKind
from cases.services.assignment import MSG_SAME_OWNER
from notifications.models import Notification
from tests.factories import log_case

pytestmark = pytest.mark.django_db


def test_the_assign_form_is_for_the_escalation_desk_and_supervisors_only(
    client, agent, other_agent, supervisor, desk, auditor
):
    case = log_case(agent)
    for user, shown in ((supervisor, True), (desk, True), (agent, False), (other_agent, False), (auditor, False)):
        client.force_login(user)
        html = client.get(f"/cases/{case.number}/").content.decode()
        assert ('data-testid="assign-form"' in html) is shown, user.username
    client.force_login(supervisor)
    html = client.get(f"/cases/{case.number}/").content.decode()
    form = html[html.index('data-testid="assign-form"') :]
    form = form[: form.index("</form>")]
    assert f'value="{other_agent.pk}"' in form and f'value="{desk.pk}"' in form
    assert f'value="{agent.pk}"' not in form  # the current owner
    assert f'value="{auditor.pk}"' not in form  # auditors do not work cases


def test_an_agent_cannot_assign_even_by_posting(client, agent, other_agent):
    case = log_case(agent)
    client.force_login(agent)
    response = client.post(f"/cases/{case.number}/assign/", {"owner": other_agent.pk})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).owner == agent
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.ASSIGNED).exists()


def test_a_supervisor_assigns_a_case_from_its_page(client, agent, other_agent, supervisor):
    case = log_case(agent)
    client.force_login(supervisor)
    client.cookies["django_language"] = "en"
    response = client.post(f"/cases/{case.number}/assign/", {"owner": other_agent.pk})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert Case.objects.get(pk=case.pk).owner == other_agent
    assert Notification.objects.get(recipient=other_agent).event == "case_assigned"
    html = client.get(response["Location"]).content.decode()
    assert "Case assigned to agent_b." in html


def test_a_wrong_choice_shows_the_form_again_with_the_reason(client, agent, supervisor):
    case = log_case(agent)
    client.force_login(supervisor)
    client.cookies["django_language"] = "en"
    response = client.post(f"/cases/{case.number}/assign/", {"owner": agent.pk})
    assert response.status_code == 400
    with translation.override("en"):
        assert str(MSG_SAME_OWNER) in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).owner == agent


def test_assign_is_post_only(client, agent, supervisor):
    case = log_case(agent)
    client.force_login(supervisor)
    assert client.get(f"/cases/{case.number}/assign/").status_code == 405
