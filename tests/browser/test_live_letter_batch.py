"""A batch of letters followed live: an agent ticks three cases on the queue, and on the batch's page
the bar moves letter by letter to the end and the zip link appears, without a reload.

Runs under daphne in a forked child (tests/browser/live_server.py). With tasks inline (the test
settings) the batch would be rendered inside the request that starts it, before its page is shown.
Here it runs beside the server, as on a Celery worker: the child's `_queue` (patched before the fork)
waits for the test to open a gate, so the page is open and its socket connected when the first letter
is rendered. The task's body then runs on the server's loop's executor, as any sync code a request
starts does (asgiref's sync_to_async), so its pushes reach the in-memory layer's consumers there.
"""

import asyncio
import io
import multiprocessing
import re
import zipfile
from functools import partial
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from playwright.sync_api import expect

from cases.services.letter_batches import letter_batch_run
from notifications.push import _server_loop
from tests.browser.live_server import DaphneLiveServerTestCase, chromium
from tests.factories import UserFactory, case_in_state

pytestmark = pytest.mark.browser

GATE_SECONDS = 60


def _run_batch(batch_id):
    try:
        letter_batch_run(batch_id)
    finally:
        connections.close_all()  # this executor thread's own connection


async def _run_behind_gate(gate, batch_id):
    loop = asyncio.get_running_loop()
    if await loop.run_in_executor(None, gate.wait, GATE_SECONDS):
        await sync_to_async(_run_batch, thread_sensitive=False)(batch_id)


def _queue_behind_gate(gate, batch_id, count):
    """In the child, after the batch's commit, on the request's thread: schedule the run on daphne's
    loop and return at once, as handing the task to a broker would."""
    asyncio.run_coroutine_threadsafe(_run_behind_gate(gate, batch_id), _server_loop())


class LetterBatchTests(DaphneLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.gate = multiprocessing.Event()  # made before the fork: the child shares it
        cls.queue_patch = mock.patch("cases.services.letter_batches._queue", partial(_queue_behind_gate, cls.gate))
        cls.queue_patch.start()
        try:
            super().setUpClass()
        except BaseException:
            cls.queue_patch.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.queue_patch.stop()

    def test_the_bar_follows_each_letter_and_the_zip_link_appears_without_a_reload(self):
        agent = UserFactory(username="agent_live", first_name="娜", last_name="李", role="agent")
        cases = [case_in_state("agreed", owner=agent) for _ in range(3)]

        with chromium() as browser:
            page = self._logged_in(browser, "agent_live")
            page.goto("/cases/?scope=mine")
            for case in cases:
                page.locator(f'input[name="case"][value="{case.pk}"]').check()
            with page.expect_navigation():
                page.get_by_test_id("letter-batch-start").get_by_role("button").click()
            expect(page).to_have_url(re.compile(r"/cases/letters/batches/\d+/$"))

            bar = page.get_by_test_id("batch-progress")
            expect(bar).to_have_attribute("max", "3")
            expect(bar).to_have_attribute("value", "0")
            expect(page.locator("body")).to_have_attribute("data-live", "connected")
            expect(page.get_by_test_id("batch-zip")).to_have_count(0)
            # Every value the bar takes from now on (the section may also be swapped for the server's
            # rendering once, when the socket opens), and proof that the page is never reloaded.
            page.evaluate(
                """() => {
                  window.notReloaded = true;
                  window.barValues = [];
                  const section = document.querySelector("[data-testid=letter-batch]");
                  new MutationObserver(() => {
                    const value = section.querySelector("progress").value;
                    if (window.barValues.at(-1) !== value) window.barValues.push(value);
                  }).observe(section, {attributes: true, childList: true, subtree: true});
                }"""
            )

            self.gate.set()
            zip_link = page.get_by_test_id("batch-zip")
            expect(zip_link).to_be_visible()
            expect(bar).to_have_attribute("value", "3")
            expect(page.locator("[data-batch-count]")).to_have_text("已生成 3 / 3 份告知函")
            expect(page.locator("tr[data-state='ready']")).to_have_count(3)
            expect(page.locator("[data-batch-running]")).to_be_hidden()
            assert page.evaluate("window.notReloaded") is True
            seen = page.evaluate("window.barValues")
            assert seen == sorted(seen) and {1, 2, 3} <= set(seen), seen  # one push per letter, in order

            download = page.request.get(zip_link.get_attribute("href"))
            assert download.ok
            names = sorted(zipfile.ZipFile(io.BytesIO(download.body())).namelist())
            assert names == sorted(f"{case.number}-v1.pdf" for case in cases)
