"""A live server that speaks WebSockets, for browser tests of live pages.

pytest-django's `live_server` is a WSGI server with no WebSockets, so these tests run the real
ASGI application (config.asgi: HTTP and the notifications WebSocket) under daphne with Channels'
ChannelsLiveServerTestCase. Daphne runs in a *forked child process* (channels.testing.live), which
decides the rest:

- Database: the child must reach the test database through its own connection. On PostgreSQL it is
  the test database itself (TEST.NAME is pinned to it, working around django/channels#2176, which
  would otherwise prefix "test_" a second time). SQLite's test database lives in memory, which no
  other process can open, so for this class it is copied to a temporary file that both processes use;
  the in-memory database is left untouched and is in use again afterwards.
- Channel layer: a request (which pushes) and a page's socket (which listens) are both served by that
  same child, so the in-memory layer works locally; with REDIS_URL (CI) the Redis layer is used, under
  a prefix of its own so that other test runs sharing the Redis database cannot reach these sockets.
- Settings reach the child by fork (Linux's default start method), as do the overrides below and
  anything a test class patches before `super().setUpClass()`.
"""

import os
import re
import sqlite3
import tempfile
import unittest
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from channels.testing import ChannelsLiveServerTestCase
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from playwright.sync_api import Page, expect, sync_playwright

from cases.reference import forget_local_rows
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.channel_layers import channel_layers_under_prefix

LIVE_WITHIN_MS = 1000  # what "live" promises: the other person's page follows within a second


@contextmanager
def chromium():
    """Playwright's sync API keeps an event loop running in this thread, so Django refuses ORM calls
    here while it runs unless told that this is intended (as tests/browser/conftest.py does)."""
    with mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # the connection Playwright's loop was given (see conftest.py)


@override_settings(CHANNEL_LAYERS=channel_layers_under_prefix(f"live-test-{os.getpid()}"))
class DaphneLiveServerTestCase(ChannelsLiveServerTestCase):
    """One daphne child per class: on SQLite a child that has served a test may not see the rows
    the next test writes (PostgreSQL is fine), so each class holds one test."""

    host = "127.0.0.1"  # in the default ALLOWED_HOSTS, so the WebSocket origin check passes
    serialized_rollback = True  # the flush after the test takes the data migrations' rows along

    @classmethod
    def setUpClass(cls):
        if not CHROMIUM.exists():
            raise unittest.SkipTest(
                f"chromium not found at {CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)"
            )
        cls._database_both_processes_can_open()
        # Nothing the child inherits may be in use: an open connection would be shared by two
        # processes, and cached roles or reference rows could belong to an earlier test's users.
        connections.close_all()
        cache.clear()
        forget_local_rows()
        try:
            super().setUpClass()
        except BaseException:
            cls._database_restored()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls._database_restored()

    @classmethod
    def _database_both_processes_can_open(cls):
        connection = connections["default"]
        cls._saved_names = (connection.settings_dict["NAME"], connection.settings_dict["TEST"].get("NAME"))
        cls._sqlite_file = cls._memory_keeper = None
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            memory_name = connection.settings_dict["NAME"]
            fd, path = tempfile.mkstemp(prefix="live-test-", suffix=".sqlite3")
            os.close(fd)
            connection.ensure_connection()
            copy = sqlite3.connect(path)
            connection.connection.backup(copy)
            copy.close()
            # A shared-cache memory database lives while one connection to it is open.
            cls._memory_keeper = sqlite3.connect(memory_name, uri=True)
            cls._sqlite_file = path
            connection.settings_dict["NAME"] = path
            connection.close()  # closes the in-memory connection now that NAME names the file
        # channels' child sets NAME from TEST.NAME: make that the database this process uses.
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"]

    @classmethod
    def _database_restored(cls):
        connection = connections["default"]
        connection.close()
        connection.settings_dict["NAME"], connection.settings_dict["TEST"]["NAME"] = cls._saved_names
        if cls._memory_keeper is not None:
            connection.ensure_connection()
            cls._memory_keeper.close()
        if cls._sqlite_file:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(cls._sqlite_file + suffix).unlink(missing_ok=True)

    def _logged_in(self, browser, username) -> Page:
        context = browser.new_context(
            base_url=self.live_server_url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator('input[name="username"]').fill(username)
        page.locator('input[name="password"]').fill("pw-for-tests-123")
        page.locator('main form button[type="submit"]').click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return page
