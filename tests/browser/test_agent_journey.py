"""An agent logs a Chinese customer's complaint and walks it through the 7A steps in chromium.

Everything goes through the pages as a user would: typing, ticking, choosing and pressing the
submit buttons. Date-times are typed in the agent's zone (Asia/Shanghai, the default).
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from cases.choices import CaseState
from cases.models import Case, CaseEvent
from tests.browser.steps import work_the_case_to_closure
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A picture of the closed case for people to look at; written outside the repository.
SCREENSHOT = Path(os.environ.get("JOURNEY_SCREENSHOT", Path(tempfile.gettempdir()) / "journey-final.png"))
CASE_URL = re.compile(r"/cases/(?P<number>[^/]+)/$")
EXPECTED_EVENTS = [
    "logged",
    "accept",
    "apologize",
    "acknowledge",
    "analyze",
    "offer_alternatives",
    "agree",
    "promise_kept",
    "promise_kept",
    "letter_generated",
    "letter_sent",
    "assure",
    "close",
]


def test_agent_walks_a_chinese_complaint_through_the_seven_steps(page: Page):
    UserFactory(username="agent_a", role="agent")

    # 1. Log in by typing.
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill("agent_a")
    page.locator('input[name="password"]').fill("pw-for-tests-123")
    page.locator('main form button[type="submit"]').click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # 2. Log the complaint.
    page.goto("/complaints/new/")
    intake = page.locator("form.intake")
    intake.locator('[name="customer_phone"]').fill("13800138000")
    intake.locator('[name="customer_name"]').fill("王小明")
    intake.locator('[name="channel"]').select_option("phone")
    intake.locator('[name="summary"]').fill("话费多扣两百元")
    intake.locator('[name="what_happened"]').fill("本月账单比平时多了两百元，客户说没有开通任何增值业务。")
    intake.locator("button.primary[type=submit]").click()
    page.wait_for_url(CASE_URL)
    number = CASE_URL.search(page.url).group("number")

    # 3–4. First contact, Analyze, Alternatives, Agreement, the promises kept, Assure, Close.
    work_the_case_to_closure(page)

    # 5. What the agent sees: still on the case page, closed, all seven steps done, every event shown.
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(number)}/$"))
    badge = page.get_by_test_id("case-state")
    expect(badge).to_have_class(re.compile(r"\bs-closed\b"))
    with translation.override("zh-hans"):
        closed_label = str(CaseState.CLOSED.label)
    expect(badge).to_have_text(closed_label)
    expect(page.locator(".stepper li")).to_have_count(7)
    expect(page.locator(".stepper li.done")).to_have_count(7)
    expect(page.get_by_test_id("timeline").locator("> li")).to_have_count(len(EXPECTED_EVENTS))
    expect(page.locator(".evidence-list")).to_contain_text("退费并赠送10GB流量包")
    page.screenshot(path=SCREENSHOT, full_page=True)

    case = Case.objects.get(number=number)
    assert case.state == CaseState.CLOSED
    assert case.customer_name == "王小明"
    assert case.chosen_option.position == 2
    # The letter the agent generated and marked as sent, named by Assure, exactly as stored.
    assert (case.resolution_letter.version, case.resolution_letter.state) == (1, "sent")
    assert list(CaseEvent.objects.filter(case=case).order_by("created_at", "id").values_list("kind", flat=True)) == (
        EXPECTED_EVENTS
    )
