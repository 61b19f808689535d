"""Suggested customer types (issue 9, item 6): a repeat complainant suggests the chronic complainer,
shown for the agent to confirm, never applied silently; confirming is a tag on the record."""

import pytest
from django.test import Client

from escalation.models import CaseCustomerType
from escalation.suggestions import suggestions_for
from tests.factories import case_in_state, log_case

pytestmark = pytest.mark.django_db


def html_of(client, case):
    return client.get(f"/cases/{case.number}/").content.decode()


def test_three_complaints_in_30_days_suggest_the_chronic_complainer_and_confirming_tags_it(agent):
    log_case(agent, summary="第一件")
    log_case(agent, summary="第二件")
    case = case_in_state("accepted", owner=agent)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    html = html_of(client, case)
    assert 'data-suggested-type="chronic_complainer"' in html
    assert "3 complaints from this customer in the last 30 days, on any case." in html
    assert not CaseCustomerType.objects.filter(case=case).exists()  # suggested, never applied silently
    note = "Confirmed the system's suggestion: 3 complaints from this customer in the last 30 days, on any case."
    client.post(f"/escalation/cases/{case.number}/types/", {"customer_type": "chronic_complainer", "note": note})
    tag = CaseCustomerType.objects.get(case=case)
    assert (tag.customer_type.code, tag.tagged_by, tag.note) == ("chronic_complainer", agent, note)
    event = case.events.get(kind="customer_type_tagged")
    assert (event.actor, event.payload["customer_type"]) == (agent, "chronic_complainer")
    assert 'data-suggested-type="chronic_complainer"' not in html_of(client, case)


def test_two_complaints_suggest_nothing(agent):
    log_case(agent, summary="第一件")
    case = log_case(agent, summary="第二件")
    assert suggestions_for(case, set()) == []


def test_a_case_already_tagged_gets_no_second_suggestion(agent):
    for summary in ("一", "二", "三"):
        case = log_case(agent, summary=summary)
    assert [s.code for s in suggestions_for(case, set())] == ["chronic_complainer"]
    assert suggestions_for(case, {"chronic_complainer"}) == []


def test_an_auditor_sees_no_suggestion_to_confirm(agent, auditor):
    for summary in ("一", "二", "三"):
        case = log_case(agent, summary=summary)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(auditor)
    assert "data-suggested-type" not in html_of(client, case)
