"""The escalation desk in two browsers (issue 9): an agent tags a case "legal type"; the rule puts it
in the desk's open queue page, which shows it within a second without a reload; the desk accepts it
there, owns the case, and finishes the 7A steps on it.

Runs under daphne (HTTP and the notifications WebSocket), as tests/browser/test_live_assign.py
explains; its base class is used through the module so pytest does not collect it twice.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case
from escalation.models import Escalation, RuleFiring
from tests.browser import test_live_assign as live
from tests.browser.steps import work_the_case_to_closure
from tests.factories import UserFactory, log_case

pytestmark = pytest.mark.browser


class LegalTypeToTheDeskTests(live.DaphneLiveServerTestCase):
    def test_a_legal_type_case_reaches_the_desk_live_and_the_desk_takes_it_to_closure(self):
        agent = UserFactory(username="agent_live", first_name="娜", last_name="李", role="agent")
        desk = UserFactory(username="desk_live", first_name="强", last_name="王", role="escalation_desk")
        case = log_case(agent, customer_phone="13700000001", customer_name="赵敏", summary="客户说要找律师")

        with live.chromium() as browser:
            desk_page = self._logged_in(browser, "desk_live")
            agent_page = self._logged_in(browser, "agent_live")
            self._walk_through(agent_page, desk_page, case)

        case.refresh_from_db()
        escalation = Escalation.objects.get(case=case)
        assert (case.state, case.owner, escalation.state, escalation.accepted_by) == ("closed", desk, "accepted", desk)
        assert escalation.trigger == "rule:legal_customer" and escalation.requested_by is None
        assert RuleFiring.objects.get(case=case).actor == agent
        kinds = list(case.events.order_by("created_at", "id").values_list("kind", flat=True))
        assert kinds.index("customer_type_tagged") < kinds.index("escalation_requested") < kinds.index("assigned")

    def _walk_through(self, agent_page: Page, desk_page: Page, case: Case):
        # The desk's queue is empty and listening.
        desk_page.goto("/escalation/")
        expect(desk_page.get_by_test_id("desk-empty")).to_be_visible()
        expect(desk_page.locator("body")).to_have_attribute("data-live", "connected")
        desk_page.evaluate("window.notReloaded = true")

        # The agent confirms the suggested type (the customer spoke of a lawyer): "法律型".
        agent_page.goto(f"/cases/{case.number}/")
        suggestion = agent_page.locator('form.suggestion[data-suggested-type="legal"]')
        with agent_page.expect_navigation():
            suggestion.locator('button[type="submit"]').click()
        expect(agent_page.locator('article.playbook[data-customer-type="legal"]')).to_be_visible()
        expect(agent_page.locator("[data-escalation-state]")).to_have_attribute("data-escalation-state", "requested")

        # The desk's page shows the case within a second, without a reload.
        row = desk_page.locator("tr[data-escalation]").filter(has_text=case.number)
        expect(row).to_be_visible(timeout=live.LIVE_WITHIN_MS)
        expect(row.locator('[data-type="legal"]')).to_be_visible()
        assert desk_page.evaluate("window.notReloaded") is True

        # The desk accepts it from the queue and lands on the case, which is now theirs.
        with desk_page.expect_navigation():
            row.locator('button[type="submit"]').click()
        expect(desk_page).to_have_url(re.compile(rf"/cases/{re.escape(case.number)}/"))
        expect(desk_page.locator("[data-escalation-state]")).to_have_attribute("data-escalation-state", "accepted")

        # The agent can no longer work it: the step forms are gone from their page.
        agent_page.reload()
        expect(agent_page.locator('form[data-step="first_contact"]')).to_have_count(0)

        # The desk finishes the 7A steps.
        work_the_case_to_closure(desk_page)
        expect(desk_page.get_by_test_id("case-state")).to_have_class(re.compile(r"\bs-closed\b"))
