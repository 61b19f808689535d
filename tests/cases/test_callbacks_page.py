"""My callbacks (issue 8): the logged-in user's open promises, overdue first, then later today, then
upcoming in pages; in the user's time zone; a fixed number of queries."""

import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from cases.promise_selectors import CALLBACK_GROUP_CAP
from cases.services import promise_call, promise_make
from notifications.services import user_group
from tests.factories import log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]
NOW = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)  # 04:00 on 11 June in Shanghai, 13:00 on 10 June in Los Angeles


def make(case, actor, due_at, kind="progress_update", description="告知处理进展"):
    with time_machine.travel(due_at - timedelta(hours=1), tick=False):
        data = {"kind": kind, "due_at": due_at, "description": description, "customer_chose_time": True}
        return promise_make(case=case, actor=actor, data=data)


def page(user, query="", zone=None):
    if zone:
        Profile.objects.update_or_create(user=user, defaults={"time_zone": zone})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.post("/accounts/login/", {"username": user.username, "password": "pw-for-tests-123"})
    response = client.get(f"/cases/callbacks/{query}")
    assert response.status_code == 200
    return response.content.decode()


def groups(html):
    """group → promise ids, in the order shown."""
    found = {}
    for key in ("overdue", "today", "upcoming"):
        table = re.search(rf'data-testid="callbacks-{key}".*?</table>', html, re.S)
        found[key] = [int(pk) for pk in re.findall(r'data-promise="(\d+)"', table[0])] if table else []
    return found


@pytest.fixture
def mine(agent, other_agent):
    case = log_case(agent, customer_name="李雷")
    theirs = log_case(other_agent, customer_phone="13900000009")
    promises = {
        "late2": make(case, agent, NOW - timedelta(hours=2)),
        "late5": make(case, agent, NOW - timedelta(hours=5), kind="commitment", description="退还月费"),
        "today": make(case, agent, NOW + timedelta(hours=14)),  # 18:00 in Shanghai, 03:00 tomorrow in LA
        "soon": make(case, agent, NOW + timedelta(hours=1)),
        "next_week": make(case, agent, NOW + timedelta(days=7)),
        "theirs": make(theirs, other_agent, NOW - timedelta(hours=1)),
    }
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        done = make(case, agent, NOW - timedelta(hours=1))
        promise_call(promise=done, actor=agent, data={"reached": True, "outcome": "已告知"})
    return case, promises


def test_the_groups_overdue_oldest_first_then_today_then_upcoming(agent, mine):
    case, p = mine
    with time_machine.travel(NOW, tick=False):
        html = page(agent)
    assert groups(html) == {
        "overdue": [p["late5"].pk, p["late2"].pk],
        "today": [p["soon"].pk, p["today"].pk],
        "upcoming": [p["next_week"].pk],
    }
    row = re.search(rf'<tr class="callback[^"]*" data-promise="{p["late5"].pk}".*?</tr>', html, re.S)[0]
    assert "overdue" in row.split('"')[1] and "overdue by 5 h 00 min" in row
    assert f'href="/cases/{case.number}/#promises"' in row and "李雷" in row and "Other commitment" in row
    assert "退还月费" in row and "<td>0</td>" in row
    assert f"tel:{case.customer_phone}" in re.search(rf'data-promise="{p["late2"].pk}".*?</tr>', html, re.S)[0]
    assert "in 1 h 00 min" in html
    assert "2026-06-10 23:00" in html  # late5 at 15:00 UTC, in Shanghai (the default zone)


def test_today_is_the_users_day_in_their_time_zone(agent, mine):
    _case, p = mine
    with time_machine.travel(NOW, tick=False):
        html = page(agent, zone="America/Los_Angeles")
    assert groups(html)["today"] == [p["soon"].pk]
    assert groups(html)["upcoming"] == [p["today"].pk, p["next_week"].pk]
    assert "2026-06-11 03:00" in html  # the promise at 10:00 UTC, in Los Angeles


def test_attempts_are_counted_and_a_kept_promise_leaves_the_page(agent, mine):
    _case, p = mine
    with time_machine.travel(NOW, tick=False):
        promise_call(promise=p["late2"], actor=agent, data={"reached": False, "outcome": "无人接听"})
        html = page(agent)
        row = re.search(rf'data-promise="{p["late2"].pk}".*?</tr>', html, re.S)[0]
        assert "<td>1</td>" in row
        promise_call(promise=p["late5"], actor=agent, data={"reached": True, "outcome": "已退费"})
        assert p["late5"].pk not in groups(page(agent))["overdue"]


def test_an_empty_state_and_the_nav_link(agent, supervisor, auditor):
    html = page(agent)
    assert 'data-testid="callbacks-empty"' in html and "You have no open promises to keep." in html
    assert 'data-testid="nav-callbacks" aria-current="page"' in html
    assert 'data-testid="nav-callbacks"' in page(supervisor)
    assert 'data-testid="nav-callbacks"' not in page(auditor)


def test_upcoming_pages_by_cursor(agent):
    case = log_case(agent)
    with time_machine.travel(NOW, tick=False):
        upcoming = [make(case, agent, NOW + timedelta(days=2, hours=i)).pk for i in range(30)]
        first = page(agent)
        assert groups(first)["upcoming"] == upcoming[:25]
        cursor = re.search(r'rel="next" href="\?after=([^"]+)"', first)[1]
        second = page(agent, f"?after={cursor}")
        assert groups(second)["upcoming"] == upcoming[25:]
        assert "This page link is no longer valid" in page(agent, "?after=%25%25garbage")


def test_the_page_is_live(agent):
    html = page(agent)
    assert re.search(r'<section class="callbacks" id="callbacks-results" data-live-queue data-live-part', html)


def test_the_page_runs_a_fixed_number_of_queries(agent):
    case = log_case(agent)
    counts = []
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(agent)
        for n in (1, 20):
            while case.promises.count() < n * 3:
                i = case.promises.count()
                make(case, agent, NOW + timedelta(hours=[-2, 1, 30][i % 3], minutes=i))
            cache.clear()
            client.get("/cases/callbacks/")  # warm: roles cached, as on every request after the first
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/cases/callbacks/").status_code == 200
            counts.append(len(ctx.captured_queries))
    # session, user, unread notifications, then overdue, today and one page of upcoming
    assert counts == [6, 6], [q["sql"][:90] for q in ctx.captured_queries]


def test_a_logged_call_tells_the_keepers_live_pages(agent, mine):
    """The page refreshes on `case.changed` pushed to the user's group (static/js/live.js,
    [data-live-queue]); a promise event is a case event, so the keeper (the owner) is told."""
    _case, p = mine
    with mock.patch("cases.notify.broadcast") as broadcast:
        promise_call(promise=p["late2"], actor=agent, data={"reached": True, "outcome": "已告知"})
    (call,) = broadcast.call_args_list
    assert user_group(agent.pk) in call.kwargs["groups"] and call.kwargs["message"]["type"] == "case.changed"
    assert call.kwargs["message"]["event"] == "promise_kept"


def test_the_page_speaks_chinese_by_default(agent, mine):
    client = Client()
    client.force_login(agent)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/cases/callbacks/").content.decode()
    for chinese in ("我的回访", "已逾期", "今天稍后", "之后", "未接通次数", "回访号码"):
        assert chinese in html
    for english in ("My callbacks", "Later today", "Upcoming", "Attempts", "overdue by", "Number to call"):
        assert english not in html


def test_a_long_overdue_list_shows_the_oldest_first_and_says_more_follow(agent):
    case = log_case(agent)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        made = [make(case, agent, NOW - timedelta(days=2, minutes=i)) for i in range(CALLBACK_GROUP_CAP + 3)]
    with time_machine.travel(NOW, tick=False):
        html = page(agent)
    shown = groups(html)["overdue"]
    oldest = sorted(made, key=lambda p: p.due_at)[:CALLBACK_GROUP_CAP]
    assert shown == [p.pk for p in oldest]
    assert f"({CALLBACK_GROUP_CAP}+)" in html and f"Only the first {CALLBACK_GROUP_CAP} are shown." in html
