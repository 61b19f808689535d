"""Live pages in two browsers: a supervisor reassigns a case and the agent's open pages follow at once.

Runs under daphne in a forked child (tests/browser/live_server.py says how and why).
"""

import os
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from cases import events as case_events
from cases.models import Case, CaseEvent
from notifications.services import notify
from tests.browser.live_server import LIVE_WITHIN_MS, DaphneLiveServerTestCase, chromium
from tests.factories import UserFactory, log_case

pytestmark = pytest.mark.browser

SCREENSHOT = Path(os.environ.get("LIVE_BELL_SCREENSHOT", Path(tempfile.gettempdir()) / "live-bell.png"))
AGENT_ZONE = ZoneInfo("Asia/Shanghai")


class AssignedCaseTests(DaphneLiveServerTestCase):
    def test_the_agent_sees_a_case_assigned_to_them_within_a_second(self):
        supervisor = UserFactory(username="sup_live", first_name="强", last_name="王", role="supervisor")
        agent = UserFactory(username="agent_live", first_name="娜", last_name="李", role="agent")
        previous_owner = UserFactory(username="agent_prev", role="agent")
        own_case = log_case(agent, customer_phone="13700000001", customer_name="赵敏")
        case = log_case(previous_owner, customer_phone="13700000002", customer_name="陈晓红")
        notify("message", recipients=[agent], text="班组会议改到下午三点", key="live-test-message")

        with chromium() as browser:
            agent_page = self._logged_in(browser, "agent_live")
            supervisor_page = self._logged_in(browser, "sup_live")
            self._walk_through(agent_page, supervisor_page, case, own_case)

        case.refresh_from_db()
        assert case.owner == agent
        assert CaseEvent.objects.filter(case=case, kind=case_events.ASSIGNED.code, actor=supervisor).count() == 1
        assert Case.objects.get(pk=own_case.pk).owner == agent

    def _walk_through(self, agent_page: Page, supervisor_page: Page, case, own_case):
        badge = agent_page.get_by_test_id("bell-count")

        # The agent's "My cases": their own case only, one unread message, the socket open.
        agent_page.goto("/cases/?scope=mine")
        queue_links = agent_page.get_by_test_id("queue").get_by_role("link")
        expect(queue_links).to_have_text([own_case.number])
        expect(badge).to_have_text("1")
        expect(agent_page.locator("body")).to_have_attribute("data-live", "connected")
        agent_page.evaluate("window.notReloaded = true")

        # The supervisor gives the other agent's case to this agent through the case page.
        supervisor_page.goto(f"/cases/{case.number}/")
        expect(supervisor_page.locator("body")).to_have_attribute("data-live", "connected")
        form = supervisor_page.get_by_test_id("assign-form")
        form.locator('select[name="owner"]').select_option(label="李娜 · agent_live")
        with supervisor_page.expect_navigation():
            form.locator('button[type="submit"]').click()
        expect(supervisor_page.locator(".messages li.success")).to_have_count(1)
        expect(supervisor_page.get_by_test_id("live-banner")).to_be_empty()  # their own change

        # Within a second and without a reload: the case is in the agent's queue, the bell counts it.
        expect(queue_links.filter(has_text=case.number)).to_be_visible(timeout=LIVE_WITHIN_MS)
        expect(badge).to_have_text("2", timeout=LIVE_WITHIN_MS)
        expect(agent_page.get_by_test_id("queue-count")).to_contain_text("2", timeout=LIVE_WITHIN_MS)
        assert agent_page.evaluate("window.notReloaded") is True

        # The inbox lists it; opening the item marks it read and goes to the case.
        agent_page.get_by_test_id("bell").click()
        expect(agent_page.get_by_test_id("bell")).to_have_attribute("aria-expanded", "true")
        item = agent_page.get_by_test_id("bell-list").locator("li.unread a").filter(has_text=case.number)
        expect(item).to_be_visible()
        expect(item).to_contain_text("工单已分派给您")
        agent_page.screenshot(path=SCREENSHOT)
        agent_page.keyboard.press("Escape")
        expect(agent_page.locator("#bell-panel")).to_be_hidden()
        agent_page.get_by_test_id("bell").click()
        with agent_page.expect_navigation():
            agent_page.get_by_test_id("bell-list").locator("a").filter(has_text=case.number).click()
        expect(agent_page).to_have_url(re.compile(rf"/cases/{re.escape(case.number)}/$"))
        expect(badge).to_have_text("1")  # the server's count, read after the item was marked read
        expect(agent_page.locator("body")).to_have_attribute("data-live", "connected")

        # The supervisor records first contact on the case the agent is reading: the agent is told
        # who changed it and offered a reload; the page does not reload by itself.
        agent_page.evaluate("window.notReloaded = true")
        first = supervisor_page.locator('form[data-step="first_contact"]')
        first.locator('[name="first_contact_at"]').fill(
            (datetime.now(AGENT_ZONE) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M")
        )
        first.locator('[name="customer_words"]').fill("为什么我的工单换人了？")
        first.locator('[name="apology_text"]').fill("非常抱歉让您久等了。")
        first.locator('[name="restated_problem"]').fill("您是说工单转交后还没有人联系您。")
        first.locator('input[name="emotional_needs"][value="be_heard"]').check()
        with supervisor_page.expect_navigation():
            first.locator('button[type="submit"]').click()
        expect(supervisor_page.locator(".messages li.success")).to_have_count(1)
        banner = agent_page.get_by_test_id("live-banner")
        expect(banner).to_contain_text("王强", timeout=LIVE_WITHIN_MS)
        # First contact is three steps, one notification each: the badge shows the server's count.
        # (Asked over HTTP: inside Playwright's event loop the ORM may be handed another connection.)
        unread = agent_page.request.get("/api/notifications/?unread=true").json()["unread_count"]
        assert unread > 1
        expect(badge).to_have_text(str(unread), timeout=LIVE_WITHIN_MS)
        assert agent_page.evaluate("window.notReloaded") is True
        with agent_page.expect_navigation():
            banner.get_by_role("button").click()
        expect(agent_page.get_by_test_id("live-banner")).to_be_empty()
        expect(agent_page.locator('form[data-step="analyze"]')).to_be_visible()


class ReconnectTests(DaphneLiveServerTestCase):
    def test_a_page_that_lost_its_socket_catches_up_when_it_reconnects(self):
        UserFactory(username="sup_live", role="supervisor")
        agent = UserFactory(username="agent_live", first_name="娜", last_name="李", role="agent")
        case = log_case(UserFactory(username="agent_prev", role="agent"), customer_name="陈晓红")

        with chromium() as browser:
            agent_page = self._logged_in(browser, "agent_live")
            supervisor_page = self._logged_in(browser, "sup_live")
            # Between the agent's page and daphne sits Playwright, which can lose messages on purpose.
            links = []
            lossy = {"on": False}

            def relay(page_side):
                server_side = page_side.connect_to_server()
                server_side.on_message(lambda message: None if lossy["on"] else page_side.send(message))
                links.append((page_side, server_side))

            agent_page.route_web_socket(re.compile(r"/ws/notifications/$"), relay)
            agent_page.goto("/cases/?scope=mine")
            expect(agent_page.get_by_test_id("queue-empty")).to_be_visible()
            expect(agent_page.locator("body")).to_have_attribute("data-live", "connected")
            expect(agent_page.get_by_test_id("bell-count")).to_be_hidden()
            agent_page.evaluate("window.notReloaded = true")

            # The network loses what the server says while the supervisor assigns the case ...
            lossy["on"] = True
            supervisor_page.goto(f"/cases/{case.number}/")
            form = supervisor_page.get_by_test_id("assign-form")
            form.locator('select[name="owner"]').select_option(str(agent.pk))
            with supervisor_page.expect_navigation():
                form.locator('button[type="submit"]').click()
            expect(supervisor_page.locator(".messages li.success")).to_have_count(1)

            # ... then the connection drops. The page reconnects by itself and asks what it missed.
            lossy["on"] = False
            page_side, server_side = links[-1]
            server_side.close()
            page_side.close(code=1012, reason="service restart")
            expect(agent_page.locator("body")).to_have_attribute("data-live", "offline")
            expect(agent_page.locator("body")).to_have_attribute("data-live", "connected")
            assert len(links) == 2
            expect(agent_page.get_by_test_id("bell-count")).to_have_text("1")
            expect(agent_page.get_by_test_id("queue").get_by_role("link", name=case.number)).to_be_visible()
            assert agent_page.evaluate("window.notReloaded") is True
