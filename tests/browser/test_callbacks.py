"""My callbacks in chromium (issue 8): an overdue promise stands out on the agent's list; the call is
logged on the case page, and the list no longer owes it while the case shows it kept."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Promise
from cases.services import promise_make
from tests.factories import UserFactory, log_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_overdue_callback_is_logged_from_the_case_page_and_leaves_my_callbacks(page: Page):
    agent = UserFactory(username="agent_a", role="agent")
    case = log_case(agent, customer_name="韩梅梅")
    due = timezone.now() - timedelta(hours=3)
    with time_machine.travel(due - timedelta(hours=1), tick=False):  # promised then, for a time now past
        promise = promise_make(
            case=case,
            actor=agent,
            # The customer's own time: this runs at any hour, business hours or not.
            data={"kind": "progress_update", "due_at": due, "description": "告知维修进度", "customer_chose_time": True},
        )

    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill("agent_a")
    page.locator('input[name="password"]').fill("pw-for-tests-123")
    page.locator('main form button[type="submit"]').click()
    page.get_by_test_id("nav-callbacks").click()
    expect(page.locator("h1")).to_have_text("我的回访")

    row = page.get_by_test_id("callbacks-overdue").locator(f'tr[data-promise="{promise.pk}"]')
    expect(row).to_have_class("callback promise-scheduled overdue")
    expect(row.locator(".time-left")).to_contain_text("逾期")
    expect(row).to_contain_text("韩梅梅")
    expect(row).to_contain_text("告知维修进度")
    expect(row.locator(f'a[href="tel:{case.customer_phone}"]')).to_be_visible()

    row.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.number}/#promises")
    call = page.locator(f'form[action$="/promises/{promise.pk}/call/"]')
    call.locator("xpath=ancestor::details[1]/summary").click()
    call.locator('select[name="reached"]').select_option("true")
    call.locator('[name="outcome"]').fill("客户已知悉维修进度")
    with page.expect_navigation():
        call.locator('button[type="submit"]').click()
    expect(page.locator(f'tr.promise[data-promise="{promise.pk}"]')).to_have_attribute("data-state", "kept")

    page.get_by_test_id("nav-callbacks").click()
    expect(page.get_by_test_id("callbacks-empty")).to_be_visible()
    expect(page.locator(f'tr[data-promise="{promise.pk}"]')).to_have_count(0)
    assert Promise.objects.get(pk=promise.pk).state == "kept"
