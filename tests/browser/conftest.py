"""Playwright fixtures: Debian's chromium, headless, no network, one fresh page per test.

Playwright's sync API keeps an event loop running in the test thread, so Django's ORM (used by the
test to create users and check the database) would refuse to run there. DJANGO_ALLOW_ASYNC_UNSAFE
is the documented way out; it is set only while a browser test runs (monkeypatch undoes it).
"""

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a loaded CI machine, short enough that a missing element fails the test quickly.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module", autouse=True)
def _reference_data_put_back(django_db_setup, django_db_blocker):
    """A live server needs committed data, so these tests run in real transactions and the database
    is flushed after each one, taking the rows data migrations created (role groups, categories)
    with it. Put them back, as Django's serialized rollback would, so tests that run later and rely
    on them still find them. (The browser tests themselves use serialized_rollback=True.)"""
    yield
    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's event loop runs, Django's asgiref-local connection handler gives
            # the test its own connection; close it or it outlives the test and, on PostgreSQL,
            # keeps the test database from being dropped at the end of the session.
            connections.close_all()


@pytest.fixture
def page(browser, live_server):
    # A Chinese agent's browser in China: Accept-Language picks the Chinese UI, dates are local.
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
