"""The auditors' search across cases: strict filters, newest first, keyset pages, a fixed query count,
and each row leading to the case's full timeline."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from escalation.escalations import escalation_request
from escalation.services import case_customer_type_tag
from tests.factories import case_in_state, log_case

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Session, user, roles; the case workers for the select (cached afterwards); rows, capped count,
# the page's customer types; the menu's unread count.
SEARCH_QUERIES = 12


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _search(client, user, query=""):
    client.force_login(user)
    return client.get(reverse("audit:search") + query)


def _numbers(response):
    return re.findall(r'<tr data-case="([^"]+)">', response.content.decode())


def bulk_cases(owner, n, **fields):
    """`n` cases inserted at once (search data, not a user's step: no events, no history)."""
    start = Case.objects.count()
    return Case.objects.bulk_create(
        Case(
            **{
                "number": f"C-2026-{900000 + start + i}",
                "owner": owner,
                "summary": f"测试 {i}",
                "channel": "phone",
                "customer_name": f"客户{i}",
                "customer_phone": f"1380000{i:04d}",
                "customer_tier": "standard",
                "customer_language": "zh-hans",
                **fields,
            }
        )
        for i in range(n)
    )


def test_each_filter_narrows_the_cases(agent, other_agent, auditor, client):
    mine = log_case(agent, channel="letter")
    theirs = case_in_state("accepted", owner=other_agent)
    case_customer_type_tag(case=theirs, actor=other_agent, data={"customer_type": "rambling"})
    escalation_request(case=theirs, actor=other_agent, data={"level": 2, "reason": "客户要求升级"})
    assert set(_numbers(_search(client, auditor))) == {mine.number, theirs.number}
    assert _numbers(_search(client, auditor, f"?agent={agent.pk}")) == [mine.number]
    assert _numbers(_search(client, auditor, "?channel=letter")) == [mine.number]
    assert _numbers(_search(client, auditor, "?state=accepted")) == [theirs.number]
    assert _numbers(_search(client, auditor, "?type=rambling")) == [theirs.number]
    assert _numbers(_search(client, auditor, "?escalated=yes")) == [theirs.number]
    assert _numbers(_search(client, auditor, "?escalated=no")) == [mine.number]
    assert _numbers(_search(client, auditor, f"?agent={agent.pk}&escalated=yes")) == []


def test_dates_are_the_readers_local_days(agent, auditor, client):
    late = bulk_cases(agent, 1, created_at=dt.datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI))[0]  # 23rd in UTC
    early = bulk_cases(agent, 1, created_at=dt.datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI))[0]
    assert _numbers(_search(client, auditor, "?from=2026-11-24&to=2026-11-24")) == [late.number]
    assert _numbers(_search(client, auditor, "?to=2026-11-23")) == [early.number]
    html = _search(client, auditor, "?from=2026-11-24").content.decode()
    assert '<time datetime="2026-11-24T00:30:00+08:00">2026-11-24 00:30</time>' in html


@pytest.mark.parametrize(
    "query, name",
    [
        ("?agent=abc", "agent"),
        ("?agent=999999", "agent"),
        ("?from=2026-13-01", "from"),
        ("?from=20261101", "from"),
        ("?to=1850-01-01", "to"),
        ("?from=2026-11-24&to=2026-11-01", "to"),
        ("?state=open", "state"),
        ("?type=nosuchtype", "type"),
        ("?channel=fax", "channel"),
        ("?escalated=maybe", "escalated"),
        ("?size=7", "size"),
        ("?state=new&state=closed", "state"),
        ("?after=not-a-cursor", "after"),
    ],
)
def test_a_bad_parameter_is_refused_by_name(auditor, client, query, name):
    response = _search(client, auditor, query)
    assert response.status_code == 400
    problems = re.search(r'data-testid="problems">(.*?)</ul>', response.content.decode(), re.S).group(1)
    assert f'<li class="error">{name}: ' in problems
    assert 'data-testid="audit-results"' not in response.content.decode()


def test_pages_follow_newest_first_and_rows_lead_to_the_timeline(agent, auditor, client):
    base = dt.datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)
    cases = [bulk_cases(agent, 1, created_at=base + dt.timedelta(hours=i))[0] for i in range(30)]
    first = _search(client, auditor)
    html = first.content.decode()
    assert _numbers(first) == [case.number for case in reversed(cases)][:25]
    assert "30 cases" in html
    assert f'href="{reverse("audit:timeline", args=[cases[-1].number])}"' in html
    after = re.search(r'rel="next" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    second = _search(client, auditor, "?" + after)
    assert _numbers(second) == [case.number for case in reversed(cases)][25:]


def test_the_exports_carry_the_same_filters(agent, auditor, client):
    html = _search(client, auditor, f"?agent={agent.pk}&channel=phone&size=50").content.decode()
    assert f'href="/audit/cases/export.csv?agent={agent.pk}&amp;channel=phone"' in html
    assert f'href="/audit/cases/export.xlsx?agent={agent.pk}&amp;channel=phone"' in html


def test_nothing_found_says_so(auditor, client):
    html = _search(client, auditor, "?channel=legal").content.decode()
    assert "No cases match these filters." in html
    assert "No cases yet." in _search(client, auditor).content.decode()


def test_the_query_count_does_not_grow_with_the_page(agent, auditor, client, django_assert_max_num_queries):
    bulk_cases(agent, 120)
    client.force_login(auditor)
    for size in (25, 100):
        with django_assert_max_num_queries(SEARCH_QUERIES):
            response = client.get(reverse("audit:search") + f"?size={size}")
        assert len(_numbers(response)) == size


@pytest.mark.parametrize("who, status", [("auditor", 200), ("supervisor", 200), ("agent", 403), ("admin_user", 403)])
def test_only_auditors_and_supervisors_search(request, client, who, status, db):
    assert _search(client, request.getfixturevalue(who)).status_code == status


def test_the_workspace_links_to_the_search(auditor, client):
    client.force_login(auditor)
    html = client.get(reverse("audit:workspace")).content.decode()
    assert f'href="{reverse("audit:search")}"' in html
