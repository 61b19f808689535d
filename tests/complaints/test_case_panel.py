"""The complaints behind a case, on the case page, through the panel complaints/ registers."""

import pytest

from cases.panels import unregister_panel
from complaints.panels import COMPLAINTS_PANEL, register_case_panels
from complaints.services import complaint_log
from tests.factories import case_in_state, intake_data, log_case

pytestmark = pytest.mark.django_db


def page_of(client, user, case):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(f"/cases/{case.number}/").content.decode()


def attach(case, agent, summary, **fields):
    complaint_log(actor=agent, data=intake_data(summary=summary, attach_to_case=case.number, **fields))


def test_the_case_page_shows_every_complaint_newest_first_with_its_details(client, agent):
    case = log_case(agent, summary="第一次投诉")
    attach(case, agent, "第二次投诉", disputed_item="流量费", disputed_amount="35.50", desired_resolution="退还流量费")
    page = page_of(client, agent, case)
    evidence = page.split('<section class="evidence">')[1]
    assert evidence.index("<h2>Customer</h2>") < evidence.index("<h2>Complaints</h2>")
    assert evidence.index("<h2>Complaints</h2>") < evidence.index("<h2>Evidence recorded</h2>")
    assert evidence.index("<h3>第二次投诉</h3>") < evidence.index("<h3>第一次投诉</h3>")
    assert "流量费 · 35.50" in evidence and "退还流量费" in evidence
    assert "<dt>Logged</dt>" in evidence and "张伟" in evidence  # who logged it, by display name


def test_cases_shows_complaints_only_through_the_panel(client, agent):
    case = log_case(agent, summary="只在面板里")
    unregister_panel(COMPLAINTS_PANEL)
    try:
        page = page_of(client, agent, case)
    finally:
        register_case_panels()
    assert "<h2>Complaints</h2>" not in page and "<h3>只在面板里</h3>" not in page
    assert "<h3>只在面板里</h3>" in page_of(client, agent, case)


def test_the_case_page_runs_the_same_queries_however_many_complaints(client, agent, django_assert_max_num_queries):
    one, three = case_in_state("agreed", owner=agent), case_in_state("agreed", owner=agent)
    attach(three, agent, "再次投诉")
    attach(three, agent, "第三次投诉")
    page_of(client, agent, one)  # logs in and warms the role cache the first request fills
    counts = []
    for case in (one, three):
        # session, user, case, options, promises, deadlines, events, the bell, the complaints,
        # escalation's two panels (the open escalation, the customer types), the letters' panel and
        # the Assure form's choice of the letter sent (the reasons for none come from the cache)
        with django_assert_max_num_queries(13) as ctx:
            client.get(f"/cases/{case.number}/")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
