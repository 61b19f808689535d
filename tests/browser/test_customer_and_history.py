"""In chromium: looking a known number up fills the form from the record and intake leaves the record
alone (issue 7, item 1); the history page shows what changed, field by field (item 17)."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.services import case_transition
from complaints.models import Customer
from tests.browser.steps import log_in
from tests.factories import UserFactory, case_in_state, log_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CASE_URL = re.compile(r"/cases/(?P<number>[^/]+)/$")


def test_the_lookup_fills_the_form_and_intake_never_re_tiers_the_customer(page: Page):
    agent = UserFactory(username="agent_a", role="agent")
    earlier = log_case(agent, tier="silver", customer_name="王小明")
    log_in(page, "agent_a")

    page.goto("/complaints/new/")
    intake = page.locator("form.intake")
    intake.locator('[name="customer_phone"]').fill("138 0013 8000")
    intake.locator('[name="customer_phone"]').blur()
    known = page.locator(".known-customer")
    expect(known).to_be_visible()
    expect(known).to_contain_text("王小明")
    expect(known).to_contain_text(earlier.number)  # the open case, to attach to if it is the same issue
    expect(intake.locator('[name="customer_name"]')).to_have_value("王小明")
    expect(intake.locator('[name="tier"]')).to_have_value("silver")

    # The agent mistypes the name anyway; the record stays as it is and the page says so.
    intake.locator('[name="customer_name"]').fill("王大明")
    intake.locator('[name="channel"]').select_option("phone")
    intake.locator('[name="summary"]').fill("宽带又断了")
    intake.locator('[name="what_happened"]').fill("宽带本周断了三次。")
    intake.locator("button.primary[type=submit]").click()
    page.wait_for_url(CASE_URL)
    expect(page.locator(".messages li.warning")).to_contain_text("王大明")
    customer = Customer.objects.get()
    assert (customer.name, customer.tier) == ("王小明", "silver")
    assert customer.complaints.count() == 2


def test_the_history_page_shows_old_and_new_values(page: Page):
    agent = UserFactory(username="agent_a", role="agent")
    case = case_in_state("assured", owner=agent)
    case_transition(case=case, name="close", actor=agent, data={"closing_note": "客户确认已退费"})
    log_in(page, "agent_a")
    page.goto(f"/cases/{case.number}/history/")
    closing = page.locator('dd[data-field="closing_note"]')
    expect(closing.locator(".new")).to_have_text("客户确认已退费")
    expect(closing.locator(".old")).to_have_text("—")
    expect(page.get_by_test_id("history").locator("tbody tr")).to_have_count(case.history.count())
