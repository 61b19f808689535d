"""In chromium: what a new agent hit in the intake form (issue 7).

Item 13: a paste longer than a field's limit is kept whole, with a visible counter and a message
naming the limit, and the form is not sent until it is shortened (the browser's own `maxlength`
would have cut it without a word). Item 15: switching the language mid-form keeps what was typed,
in text fields, the textarea and the selects alike, and the kept draft does not come back later.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case
from tests.browser.steps import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CASE_URL = re.compile(r"/cases/(?P<number>[^/]+)/$")
INTAKE_URL = re.compile(r"/complaints/new/$")
SUMMARY_LIMIT = 200  # IntakeForm.summary


def test_a_paste_over_the_limit_is_kept_counted_and_named_until_shortened(page: Page):
    UserFactory(username="agent_a", role="agent")
    log_in(page, "agent_a")
    page.goto("/complaints/new/")
    intake = page.locator("form.intake")
    intake.locator('[name="customer_phone"]').fill("13800138000")
    intake.locator('[name="customer_name"]').fill("王小明")
    intake.locator('[name="what_happened"]').fill("宽带本周断了三次。")

    summary = intake.locator('[name="summary"]')
    counter = summary.locator("xpath=following-sibling::*[1][contains(@class, 'counter')]")
    pasted = "宽带断网" * 60  # 240 characters, 40 over the limit
    summary.fill(pasted)  # typed as one insertion, like a paste: a `maxlength` would cut it at 200

    expect(summary).to_have_value(pasted)
    expect(counter).to_be_visible()
    expect(counter).to_have_class(re.compile(r"\berror\b"))
    expect(counter).to_have_text(f"超出 40 字（上限 {SUMMARY_LIMIT} 字），请删减后再保存。")
    expect(summary).to_have_attribute("aria-invalid", "true")

    # Sending is refused in the page: the agent is taken back to the field, nothing is logged.
    intake.locator("button.primary[type=submit]").click()
    expect(summary).to_be_focused()
    expect(page).to_have_url(INTAKE_URL)
    expect(summary).to_have_value(pasted)
    assert not Case.objects.exists()

    # Shortened to the limit: the message goes, the counter stays as a plain count.
    summary.fill(pasted[:SUMMARY_LIMIT])
    expect(counter).not_to_have_class(re.compile(r"\berror\b"))
    expect(counter).to_have_text(f"{SUMMARY_LIMIT} / {SUMMARY_LIMIT} 字")
    expect(page.get_by_text("请删减后再保存")).to_have_count(0)
    expect(summary).to_have_attribute("aria-invalid", "false")
    intake.locator("button.primary[type=submit]").click()
    page.wait_for_url(CASE_URL)
    assert Case.objects.get().complaints.get().summary == pasted[:SUMMARY_LIMIT]


def test_switching_language_keeps_the_typed_form_and_the_draft_does_not_come_back(page: Page):
    UserFactory(username="agent_a", role="agent")
    log_in(page, "agent_a")
    page.goto("/complaints/new/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登记投诉")

    typed = {
        "customer_phone": "13800138000",
        "customer_name": "王小明",
        "summary": "话费多扣两百元",
        "what_happened": "本月账单比平时多了两百元，\n客户说没有开通任何增值业务。",  # the textarea
    }
    chosen = {"channel": "web", "tier": "gold"}  # selects, each changed from its default
    intake = page.locator("form.intake")
    for name, value in typed.items():
        intake.locator(f'[name="{name}"]').fill(value)
    for name, value in chosen.items():
        intake.locator(f'[name="{name}"]').select_option(value)

    with page.expect_navigation():
        page.locator("select[data-language-switch]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log a complaint")
    intake = page.locator("form.intake")
    for name, value in {**typed, **chosen}.items():
        expect(intake.locator(f'[name="{name}"]')).to_have_value(value)

    intake.locator("button.primary[type=submit]").click()
    page.wait_for_url(CASE_URL)
    complaint = Case.objects.get().complaints.get()
    assert (complaint.channel, complaint.customer.tier) == ("web", "gold")

    # A new complaint starts from an empty form: nothing of the last one is kept in the tab.
    page.goto("/complaints/new/")
    intake = page.locator("form.intake")
    for name in typed:
        expect(intake.locator(f'[name="{name}"]')).to_have_value("")
    expect(intake.locator('[name="channel"]')).to_have_value("phone")
    expect(intake.locator('[name="tier"]')).to_have_value("standard")
    assert page.evaluate("Object.keys(sessionStorage).filter(key => key.startsWith('draft:'))") == []
