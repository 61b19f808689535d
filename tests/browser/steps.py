"""Steps several browser journeys share."""

import re

from playwright.sync_api import Page, expect


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill("pw-for-tests-123")
    page.locator('main form button[type="submit"]').click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
