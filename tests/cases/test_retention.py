"""The retention flag (issue 9, item 7): ticked at intake, flagged by the agent, or suggested by churn
words in what the customer said and confirmed by the agent — never silently; once flagged the case
shows retention guidance, and the flag is on the record."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case
from cases.retention import churn_words
from cases.services import case_flag_churn
from complaints.services import complaint_log
from core.errors import InvalidInput
from tests.factories import case_in_state, intake_data, log_case

pytestmark = pytest.mark.django_db


def browser(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def flag_events(case):
    return list(case.events.filter(kind="churn_flagged"))


@pytest.mark.parametrize(
    ("said", "found"),
    [
        ("我要携号转网，不用你们了", ["携号转网"]),
        ("再这样我就销户、拆机", ["销户", "拆机"]),
        ("I will cancel my contract and port my number out.", ["cancel", "port my number out"]),
        ("I'm closing my account tomorrow", ["closing my account"]),
        ("This is important: the portal was cancelled twice", ["cancelled"]),
        ("It is an important report on my account balance", []),
    ],
)
def test_churn_words_are_found_in_what_the_customer_said(agent, said, found):
    case = log_case(agent)
    case.customer_words = said
    assert churn_words(case) == found


def test_the_intake_checkbox_flags_the_new_case_in_the_same_step(agent):
    complaint, _created = complaint_log(actor=agent, data=intake_data(customer_wants_to_leave="on"))
    case = Case.objects.get(pk=complaint.case_id)
    assert (case.churn_flagged_at is not None, case.churn_flagged_by) == (True, agent)
    (event,) = flag_events(case)
    assert event.payload == {"source": "intake_checkbox", "words": ""} and event.actor == agent
    assert case.history.latest().churn_flagged_by_id == agent.pk
    assert log_case(agent, summary="没有要走").churn_flagged_at is None


def test_the_intake_checkbox_flags_the_case_a_complaint_is_attached_to_whoever_owns_it(agent, other_agent):
    case = log_case(agent)
    complaint_log(
        actor=other_agent,
        data=intake_data(summary="还是没解决", attach_to_case=case.number, customer_wants_to_leave=True),
    )
    case.refresh_from_db()
    assert case.churn_flagged_by == other_agent and len(flag_events(case)) == 1


def test_churn_words_suggest_the_flag_and_the_agent_confirms_it_on_the_record(agent):
    case = case_in_state("accepted", owner=agent)
    Case.objects.filter(pk=case.pk).update(customer_words="你们再不退钱我就携号转网！")
    client = browser(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="churn-suggestion"' in html and "携号转网" in html
    assert 'data-testid="churn-badge"' not in html
    case.refresh_from_db()
    assert case.churn_flagged_at is None and not flag_events(case)  # suggested, never applied silently
    response = client.post(f"/cases/{case.number}/retention/", {"source": "customer_words"})
    assert response.status_code == 302 and response.url.endswith("#retention")
    case.refresh_from_db()
    assert case.churn_flagged_by == agent
    (event,) = flag_events(case)
    assert event.payload == {"source": "customer_words", "words": "携号转网"}
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="churn-badge"' in html and 'data-testid="churn-suggestion"' not in html
    assert "Find the real reason" in html and "Hand over to the desk" in html  # the guidance


def test_flagging_twice_records_one_flag(agent, desk):
    case = log_case(agent)
    assert case_flag_churn(case, actor=agent, source="agent") is True
    first = Case.objects.get(pk=case.pk).churn_flagged_at
    assert case_flag_churn(Case.objects.get(pk=case.pk), actor=desk, source="agent") is False
    case.refresh_from_db()
    assert (case.churn_flagged_at, case.churn_flagged_by) == (first, agent) and len(flag_events(case)) == 1


def test_the_api_flags_a_case_and_answers_with_it(agent):
    case = log_case(agent)
    response = api(agent).post(f"/api/cases/{case.pk}/churn-flag/", {"source": "agent"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["churn_flagged_at"] and body["churn_flagged_by"] == agent.username
    assert flag_events(case)[0].payload == {"source": "agent", "words": ""}
    again = api(agent).post(f"/api/cases/{case.pk}/churn-flag/", {}, format="json")
    assert again.status_code == 200 and len(flag_events(case)) == 1


def test_the_api_refuses_what_it_cannot_flag_naming_the_problem(agent, other_agent, auditor):
    case = log_case(agent, summary="网速慢")
    url = f"/api/cases/{case.pk}/churn-flag/"
    response = api(agent).post(url, {"source": "customer_words"}, format="json")
    assert response.status_code == 400 and "source" in response.json()["fields"]
    response = api(agent).post(url, {"source": "intake_checkbox"}, format="json")
    assert response.status_code == 400 and "source" in response.json()["fields"]
    assert api(other_agent).post(url, {"source": "agent"}, format="json").status_code == 403
    assert api(auditor).post(url, {"source": "agent"}, format="json").status_code == 403
    ended = case_in_state("withdrawn", owner=agent)
    assert api(agent).post(f"/api/cases/{ended.pk}/churn-flag/", {}, format="json").status_code == 409
    assert not Case.objects.filter(churn_flagged_at__isnull=False).exists()


def test_the_service_refuses_an_unknown_source(agent):
    case = log_case(agent)
    with pytest.raises(InvalidInput) as error:
        case_flag_churn(case, actor=agent, source="rumour")
    assert "source" in error.value.fields


def test_the_queue_marks_flagged_cases(agent):
    flagged = log_case(agent, summary="要销户")
    log_case(agent, summary="普通投诉")
    case_flag_churn(flagged, actor=agent, source="agent")
    html = browser(agent).get("/cases/").content.decode()
    assert html.count('data-testid="churn-badge"') == 1


def test_an_auditor_sees_the_flag_but_no_button(agent, auditor):
    case = log_case(agent, summary="我要销户")
    html = browser(auditor).get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="retention"' not in html
    case_flag_churn(case, actor=agent, source="agent")
    html = browser(auditor).get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="churn-flagged"' in html and 'data-testid="churn-flag"' not in html


def test_the_retention_guidance_is_in_chinese_for_a_chinese_page(agent):
    case = log_case(agent, summary="客户要拆机")
    case_flag_churn(case, actor=agent, source="agent")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(agent)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "流失风险" in html and "找到真正的原因" in html and "转交升级处理台" in html
    assert "Find the real reason" not in html
