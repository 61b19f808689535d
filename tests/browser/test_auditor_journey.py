"""An auditor in chromium (issue 11, "done when"): finds a case, reads who did what to it and whether its
timeline is intact, exports the search for a regulator, sees the KPIs as pictures and opens the month's
quality review — and the pages offer nothing that changes a case."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import log_in
from tests.factories import UserFactory, case_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_auditor_reads_exports_and_reviews_without_changing_anything(page: Page):
    agent = UserFactory(username="agent_a", first_name="娜", last_name="李", role="agent")
    UserFactory(username="auditor_a", role="auditor")
    case = case_in_state("agreed", owner=agent)
    log_in(page, "auditor_a")

    # The menu leads to the workspace, the workspace to the search, the search to the case's timeline.
    page.goto("/")
    page.locator('nav a[href="/audit/"]').click()
    page.locator('a[href="/audit/cases/"]').click()
    row_link = page.get_by_test_id("timeline-link").filter(has_text=case.number)
    row_link.click()
    timeline = page.get_by_test_id("audit-timeline")
    expect(timeline).to_contain_text("李娜")  # who did it, by name
    hashes = page.get_by_test_id("event-hash")
    expect(hashes.first).to_have_text(case.events.get(seq=1).hash)  # each event's place in the chain
    expect(page.locator('main form[method="post"]')).to_have_count(0)  # nothing here writes

    # The search exported as CSV names the case, with the agent as owner.
    page.goto("/audit/cases/")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any(case.number in row and "李娜" in row for row in rows[1:])

    # The KPIs as charts, with their figures as text; the month's quality review opens.
    page.goto("/audit/dashboard/")
    expect(page.locator("svg.chart").first).to_be_visible()
    assert page.locator("svg.chart").count() >= 9
    page.goto("/audit/quality/")
    expect(page.locator("h1")).to_be_visible()
