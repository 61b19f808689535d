"""The queue and the next promise to the customer (issue 8): sorted by it (cases owing nothing last,
page after page), filtered to the overdue ones, and an overdue one marked on the page."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case
from cases.selectors import SORTS, QueueFilters, case_queue, case_queue_queryset
from cases.services import promise_make
from tests.factories import log_case

pytestmark = pytest.mark.django_db


def promise_at(case, actor, due_at):
    """A promise due at `due_at`, made an hour before it (so a past due time can be made)."""
    with time_machine.travel(due_at - timedelta(hours=1), tick=False):
        data = {"kind": "progress_update", "due_at": due_at, "description": "进展", "customer_chose_time": True}
        promise_make(case=case, actor=actor, data=data)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(agent):
    now = timezone.now()
    overdue = promise_at(log_case(agent, customer_phone="13500000001"), agent, now - timedelta(hours=3))
    soon = promise_at(log_case(agent, customer_phone="13500000002"), agent, now + timedelta(hours=2))
    later = promise_at(log_case(agent, customer_phone="13500000003"), agent, now + timedelta(days=2))
    nothing = [log_case(agent, customer_phone=f"1350000001{i}") for i in range(3)]
    return {"overdue": overdue, "soon": soon, "later": later, "nothing": nothing}


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_sorting_by_the_next_promise_puts_cases_owing_nothing_last_across_pages(cases, supervisor):
    expected = [cases["overdue"].number, cases["soon"].number, cases["later"].number] + [
        c.number for c in sorted(cases["nothing"], key=lambda c: c.pk)
    ]
    seen, url = [], "/api/cases/?sort=next_promise&page_size=2"
    while url:
        body = api(supervisor).get(url).json()
        seen += [row["number"] for row in body["results"]]
        url = body["next"]
    assert seen == expected
    # and back: page 3 (owing nothing) → page 2 (a promise and nothing) → page 1
    filters = QueueFilters(sort="next_promise")
    third = case_queue(
        filters, after=case_queue(filters, after=case_queue(filters, size=2).next_cursor, size=2).next_cursor, size=2
    )
    second = case_queue(filters, before=third.prev_cursor, size=2)
    first = case_queue(filters, before=second.prev_cursor, size=2)
    assert [c.number for c in second.items] == expected[2:4] and [c.number for c in first.items] == expected[:2]


def test_the_overdue_filter_lists_open_cases_whose_next_promise_is_past_due(cases, supervisor):
    body = api(supervisor).get("/api/cases/?promise=overdue").json()
    assert [row["number"] for row in body["results"]] == [cases["overdue"].number] and body["count"] == 1
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        body = api(supervisor).get("/api/cases/?promise=overdue&sort=next_promise").json()
    assert [row["number"] for row in body["results"]] == [cases["overdue"].number, cases["soon"].number]


def test_an_unknown_promise_filter_is_a_400_naming_it(supervisor):
    response = api(supervisor).get("/api/cases/?promise=late")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["promise"]


def test_the_queue_page_marks_an_overdue_promise_and_filters_by_it(cases, supervisor):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(supervisor)
    client.cookies["django_language"] = "en"
    html = client.get("/cases/", {"scope": "all", "sort": "next_promise"}).content.decode()
    assert html.count('data-testid="promise-overdue"') == 1 and html.count("promise-overdue") == 2
    assert html.index(cases["overdue"].number) < html.index(cases["soon"].number) < html.index(cases["later"].number)
    assert '<option value="next_promise" selected>' in html
    filtered = client.get("/cases/", {"scope": "all", "promise": "overdue"}).content.decode()
    assert cases["overdue"].number in filtered and cases["soon"].number not in filtered
    assert '<option value="overdue" selected>' in filtered


def test_the_queue_sorted_by_the_next_promise_runs_a_fixed_number_of_queries(cases, supervisor):
    counts = []
    for size in (2, 6):
        cache.clear()  # both start cold: the roles are read once
        client = api(type(supervisor).objects.get(pk=supervisor.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"/api/cases/?sort=next_promise&page_size={size}").json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_postgresql_walks_the_next_promise_index_for_the_sort_and_the_overdue_filter(cases):
    for filters in (QueueFilters(sort="next_promise"), QueueFilters(promise="overdue", sort="next_promise")):
        sort = SORTS["next_promise"]
        qs = sort.annotate(case_queue_queryset(filters)).order_by(*sort.order_by())[:25]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            plan = qs.explain()
        assert "case_open_next_promise" in plan, plan
    assert Case.objects.count() == 6
