"""The pages' side of notifications: the bell in the top bar and reassigning a case from its page."""

import re

import pytest
from django.template import RequestContext, Template
from django.utils import translation

from cases import events as case_events
from cases.models import Case, CaseEvent
from cases.services.assignment import MSG_SAME_OWNER
from notifications.models import Notification
from notifications.services import notify
from tests.factories import log_case

pytestmark = pytest.mark.django_db


def bell_count(html):
    match = re.search(r'<span class="bell-count" data-testid="bell-count"( hidden)?>([^<]*)</span>', html)
    assert match, "the bell is missing"
    return match.group(2), bool(match.group(1))


def test_the_bell_shows_the_unread_count_on_every_page(client, agent, supervisor):
    for i in range(3):
        notify("message", recipients=[agent], text=f"note {i}", key=f"k{i}")
    Notification.objects.filter(key="k0").update(read_at="2026-01-01T00:00:00Z")
    client.force_login(agent)
    case = log_case(agent)
    for url in ("/cases/?scope=mine", f"/cases/{case.number}/", "/complaints/new/"):
        html = client.get(url).content.decode()
        assert bell_count(html) == ("2", False), url
        assert 'data-count="2"' in html and "js/live.js" in html
        assert f'data-user-id="{agent.pk}"' in html


def test_no_unread_notifications_hides_the_badge_and_costs_one_query(client, agent, django_assert_num_queries):
    client.force_login(agent)
    html = client.get("/cases/?scope=mine").content.decode()
    assert bell_count(html) == ("0", True)
    # The count is read lazily: rendering the page reads it once, however often the template uses it.
    request = client.get("/cases/").wsgi_request
    with django_assert_num_queries(1):
        Template("{{ unread_notifications }}{{ unread_notifications }}{% if unread_notifications %}{% endif %}").render(
            RequestContext(request)
        )


def test_anonymous_pages_have_no_bell(client):
    html = client.get("/accounts/login/").content.decode()
    assert "data-bell" not in html and "live.js" not in html


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
    assert not CaseEvent.objects.filter(case=case, kind=case_events.ASSIGNED.code).exists()


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
