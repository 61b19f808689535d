"""Steps several browser journeys share."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from cases.business_calendar import next_business_slot

AGENT_ZONE = ZoneInfo("Asia/Shanghai")


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill("pw-for-tests-123")
    page.locator('main form button[type="submit"]').click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def local_input(delta: timedelta) -> str:
    """What an agent types into <input type="datetime-local">: local wall-clock time, minutes."""
    return (datetime.now(AGENT_ZONE) + delta).strftime("%Y-%m-%dT%H:%M")


def business_slot_input(delta: timedelta) -> str:
    """A promised time as an agent would pick it: the first slot inside business hours after `delta`
    from now (the server refuses others), whatever the hour the suite runs at."""
    return next_business_slot(datetime.now(AGENT_ZONE) + delta).astimezone(AGENT_ZONE).strftime("%Y-%m-%dT%H:%M")


def submit_step(page: Page, step: str, next_step: str | None) -> None:
    """Press the step's own submit button and check the page that comes back: a success message,
    no error, and the next step's form (or, once closed, no step form at all)."""
    with page.expect_navigation():
        page.locator(f'form[data-step="{step}"] button[type="submit"]').click()
    problems = page.locator('[role="alert"], .messages li.error')
    assert problems.count() == 0, f"{step}: {problems.all_inner_texts()}"
    expect(page.locator(".messages li.success")).to_have_count(1)
    if next_step:
        expect(page.locator(f'form[data-step="{next_step}"]')).to_be_visible()
    else:
        # Side actions (e.g. reopen) sit in <details>; the main step forms are gone.
        expect(page.locator("section.work > form.step-form")).to_have_count(0)


def work_the_case_to_closure(page: Page) -> None:
    """On a new case's page: every step from first contact to Close, through the forms, with
    compensation within an agent's authority (no approval needed)."""
    # First contact: Accept + Apologize + Acknowledge in one form.
    first = page.locator('form[data-step="first_contact"]')
    expect(first).to_be_visible()
    first.locator('[name="first_contact_at"]').fill(local_input(-timedelta(minutes=3)))
    first.locator('[name="customer_words"]').fill("你们凭什么多扣我两百块！我要投诉！")
    first.locator('[name="apology_text"]').fill("王先生，非常抱歉给您添麻烦了。")
    first.locator('[name="restated_problem"]').fill("您是说本月话费多扣了两百元，而您没有开通任何业务。")
    first.locator('input[name="emotional_needs"][value="be_heard"]').check()
    first.locator('input[name="emotional_needs"][value="be_taken_seriously"]').check()
    submit_step(page, "first_contact", "analyze")

    # Analyze.
    analyze = page.locator('form[data-step="analyze"]')
    analyze.locator('[name="fact_what"]').fill("本月多扣话费两百元")
    analyze.locator('[name="fact_when"]').fill("本月账单")
    analyze.locator('[name="fact_who"]').fill("客户本人，计费系统")
    analyze.locator('[name="root_cause"]').fill("增值业务到期后被自动续订")
    analyze.locator('[name="category"]').select_option(label="话费争议")
    analyze.locator('[name="responsible_unit"]').select_option(label="计费中心")
    analyze.locator('[name="desired_outcome"]').fill("退还多扣的两百元")
    submit_step(page, "analyze", "offer_alternatives")

    # Alternatives: two options.
    options = page.locator('form[data-step="offer_alternatives"]')
    options.locator('[name="options-0-action"]').fill("退还本月多扣的费用")
    options.locator('[name="options-0-benefit"]').fill("多扣的两百元原路退回")
    options.locator('[name="options-0-compensation"]').fill("0")
    options.locator('[name="options-1-action"]').fill("退费并赠送10GB流量包")
    options.locator('[name="options-1-benefit"]').fill("退费之外再补偿流量")
    options.locator('[name="options-1-compensation"]').fill("50")
    submit_step(page, "offer_alternatives", "agree")

    # Agreement: the customer picks option 2.
    agree = page.locator('form[data-step="agree"]')
    agree.locator('input[name="chosen_option"][value="2"]').check()
    agree.locator('input[name="customer_confirmed"]').check()
    agree.locator('[name="commitments-0-description"]').fill("三个工作日内退费并开通流量包")
    agree.locator('[name="commitments-0-due_at"]').fill(business_slot_input(timedelta(days=3)))
    agree.locator('[name="next_callback_at"]').fill(business_slot_input(timedelta(days=3, hours=2)))
    submit_step(page, "agree", "assure")

    # Keep what was promised: the refund done, then the follow-up call made (Assure needs it).
    promises = page.get_by_test_id("promises")
    expect(promises.locator("tr.promise[data-state='scheduled']")).to_have_count(2)
    for outcome in ("退费已到账，流量包已开通", "已回访，客户确认收到退款"):
        row = promises.locator("tr.promise-actions").first
        row.locator("details", has=page.locator('form[data-promise-action="call"]')).locator("summary").click()
        call = row.locator('form[data-promise-action="call"]')
        call.locator('select[name="reached"]').select_option("true")  # Yes
        call.locator('[name="outcome"]').fill(outcome)
        with page.expect_navigation():
            call.locator('button[type="submit"]').click()
        expect(page.locator(".messages li.success")).to_have_count(1)
    expect(promises.locator("tr.promise[data-state='kept']")).to_have_count(2)

    # The resolution letter, in the customer's language: generated, previewed, marked as sent.
    letters = page.get_by_test_id("letters")
    with page.expect_navigation():
        letters.get_by_test_id("letter-generate").locator('button[type="submit"]').click()
    preview = page.get_by_test_id("letter-preview")
    expect(preview).to_have_count(1)
    pdf = page.request.get(preview.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    page.once("dialog", lambda dialog: dialog.accept())  # "It can never change afterwards."
    with page.expect_navigation():
        page.get_by_test_id("letter-send").locator('button[type="submit"]').click()
    expect(page.get_by_test_id("letters").locator("tr[data-state='sent']")).to_have_count(1)

    # Assure, naming the letter that was sent.
    assure = page.locator('form[data-step="assure"]')
    assure.locator('select[name="resolution_letter"]').select_option(index=1)
    assure.locator('input[name="follow_up_done"]').check()
    assure.locator('select[name="satisfaction"]').select_option("5")
    assure.locator('input[name="thanked"]').check()
    assure.locator('[name="follow_up_note"]').fill("客户确认已收到退款，表示满意。")
    submit_step(page, "assure", "close")

    # Close.
    page.locator('form[data-step="close"] [name="closing_note"]').fill("问题已解决，客户满意。")
    submit_step(page, "close", None)
