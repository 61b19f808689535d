"""The auditors' timeline of one case: business events and field-level changes, merged in time order,
filterable by kind, in the reader's zone, read-only, with a query count that does not grow."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.timeline import GROUPS, TRACKED, case_timeline, event_group
from cases.events import LETTER_GENERATED, PROMISE_MADE, REJECT, event_kinds
from cases.models import CaseEvent
from cases.services import case_event_record
from escalation.escalations import escalation_request
from escalation.models import CaseCustomerType, CustomerType
from escalation.services import case_customer_type_tag
from tests.factories import case_in_state, log_case

pytestmark = pytest.mark.django_db

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
# The session, the user and their roles; the case, its events, ten history tables, the people
# named; the menu's unread count: the same for 5 events or 500.
TIMELINE_QUERIES = 17


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _page(client, user, case, query=""):
    client.force_login(user)
    return client.get(reverse("audit:timeline", args=[case.number]) + query)


def _letter_event(case, actor):
    return case_event_record(
        case=case,
        kind=LETTER_GENERATED,
        actor=actor,
        payload={
            "letter": 7,
            "version": 2,
            "language": "zh-hans",
            "sha256": SHA,
            "size": 48213,
            "template_version": "2026.1",
        },
    )


def test_events_and_field_changes_are_merged_in_time_order(agent, auditor, client):
    case = case_in_state("agreed", owner=agent)
    html = _page(client, auditor, case).content.decode()
    items = re.findall(r'<li data-group="(\w+)" data-source="(\w+)"><time datetime="([^"]+)">', html)
    times = [dt.datetime.fromisoformat(at) for _group, _source, at in items]
    assert times == sorted(times)
    assert {source for _group, source, _at in items} == {"event", "change"}
    # The Accept step: its event (who, from → to) and the case's row changing (old → new, who).
    assert '<b>Accepted</b> · <span data-testid="who">张伟</span>' in html
    assert "(New → Accepted)" in html
    state = re.findall(r'<dd data-field="state"><span class="old">(.*?)</span> → <span class="new">(.*?)</span>', html)
    assert ("New", "Accepted") in state and ("Alternatives offered", "Agreed") in state
    # The agreed promise is a record of its own, with its fields as created.
    assert "Promise #" in html and 'data-field="due_at"' in html


def test_a_letter_event_shows_its_sha256_and_the_filter_keeps_only_letters(agent, auditor, client):
    case = log_case(agent)
    _letter_event(case, agent)
    html = _page(client, auditor, case, "?kind=letters").content.decode()
    assert f'<code data-testid="sha256">{SHA}</code>' in html
    assert set(re.findall(r'<li data-group="(\w+)"', html)) == {"letters"}
    assert "Resolution letter prepared" in html and "48213" in html
    everything = _page(client, auditor, case).content.decode()
    assert {"letters", "steps", "changes"} <= set(re.findall(r'<li data-group="(\w+)"', everything))


def test_escalations_and_customer_types_are_on_the_timeline(agent, auditor, client):
    case = case_in_state("accepted", owner=agent)
    case_customer_type_tag(case=case, actor=agent, data={"customer_type": "rambling", "note": "说话很多"})
    escalation_request(case=case, actor=agent, data={"level": 2, "reason": "客户要求找负责人处理"})
    html = _page(client, auditor, case, "?kind=escalation&kind=changes").content.decode()
    assert "Escalation requested" in html and "Customer type tagged" in html
    assert "客户要求找负责人处理" in html and "L2 — escalation desk" in html
    assert "Escalation #" in html and "Customer type on a case #" in html
    assert set(re.findall(r'<li data-group="(\w+)"', html)) == {"escalation", "changes"}


def test_payloads_read_as_labels_and_local_times(agent, auditor, client, office_hours):
    case = log_case(agent, channel="regulator")
    html = _page(client, auditor, case).content.decode()
    # Logged at 10:00 in Shanghai (02:00 UTC), shown as the reader's zone has it.
    assert '<time datetime="2026-11-24T10:00:00+08:00">2026-11-24 10:00:00</time>' in html
    assert "<dt>Channel</dt><dd>Regulator / third-party body</dd>" in html
    assert "Times in Asia/Shanghai." in html


def test_every_registered_kind_has_a_group():
    assert {code: event_group(code) for code in event_kinds() if event_group(code) == "other"} == {}


def test_an_unknown_kind_or_page_is_refused_naming_the_parameter(agent, auditor, client):
    case = log_case(agent)
    for query, name in (("?kind=bogus", "kind"), ("?kind=letters&kind=x", "kind"), ("?page=abc", "page"),
                        ("?page=0", "page"), ("?page=9", "page")):  # fmt: skip
        response = _page(client, auditor, case, query)
        assert response.status_code == 400, query
        problems = re.search(r'data-testid="problems">(.*?)</ul>', response.content.decode(), re.S).group(1)
        assert f"{name}: " in problems, query
    assert "steps, promises, deadlines" in _page(client, auditor, case, "?kind=bogus").content.decode()


def test_an_empty_filter_says_so(agent, auditor, client):
    case = log_case(agent)
    html = _page(client, auditor, case, "?kind=approvals").content.decode()
    assert 'data-testid="timeline-empty"' in html and "Nothing of these kinds on this case." in html


@pytest.mark.parametrize("who, status", [("auditor", 200), ("supervisor", 200), ("agent", 403), ("desk", 403)])
def test_only_auditors_and_supervisors_read_it(request, client, who, status, db):
    owner = request.getfixturevalue("other_agent")
    case = log_case(owner)
    assert _page(client, request.getfixturevalue(who), case).status_code == status


def test_it_only_reads(agent, auditor, client):
    case = log_case(agent)
    client.force_login(auditor)
    url = reverse("audit:timeline", args=[case.number])
    assert client.post(url).status_code == 405
    assert client.get(reverse("audit:timeline", args=["C-2026-999999"])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_chinese_readers_read_it_in_chinese(agent, auditor):
    case = log_case(agent)
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(auditor)
    html = chinese.get(reverse("audit:timeline", args=[case.number])).content.decode()
    assert "完整时间线" in html and "字段变更" in html


def _busy_case(agent, events, tags):
    case = case_in_state("agreed", owner=agent)
    for n in range(events):
        case_event_record(
            case=case,
            kind=PROMISE_MADE,
            actor=agent,
            payload={"promise": n, "promise_kind": "follow_up", "due_at": "2026-11-25T10:00:00+08:00",
                     "description": f"第{n}次回访", "phone": "", "customer_chose_time": False},
        )  # fmt: skip
        if n % 10 == 0:
            _letter_event(case, agent)
    types = list(CustomerType.objects.all())
    for n in range(tags):
        tag = CaseCustomerType.objects.create(case=case, customer_type=types[n % len(types)], tagged_by=agent)
        tag.removal_reason, tag.removed_by, tag.removed_at = "误标", agent, tag.tagged_at
        tag.save()
    return case


def _queries_of(case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        case_timeline(case)
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_events_or_history(agent, auditor, client, django_assert_max_num_queries):
    few = log_case(agent)
    many = _busy_case(agent, events=120, tags=20)
    assert CaseEvent.objects.filter(case=many).count() > 120
    before = _queries_of(many)
    types = list(CustomerType.objects.all())
    for n in range(120):  # as many events again, and field changes with them
        case_event_record(case=many, kind=REJECT, actor=agent, payload={}, reason=f"第{n}次")
        if n % 6 == 0:
            tag = CaseCustomerType.objects.create(case=many, customer_type=types[n % len(types)], tagged_by=agent)
            tag.removal_reason, tag.removed_by, tag.removed_at = "误标", agent, tag.tagged_at
            tag.save()
    assert _queries_of(many) == before
    # The keys (one UNION), the events, one per history table with rows in view, the people named.
    assert _queries_of(few) <= before <= 1 + 1 + len(TRACKED) + 1
    assert len(case_timeline(many).entries) > 350
    client.force_login(auditor)
    for case in (few, many):
        with django_assert_max_num_queries(TIMELINE_QUERIES):
            assert client.get(reverse("audit:timeline", args=[case.number])).status_code == 200


def test_a_long_timeline_is_paged(agent, auditor, client):
    case = _busy_case(agent, events=130, tags=0)
    first = _page(client, auditor, case).content.decode()
    assert first.count("<li data-group=") == 100 and "Page 1 of 2" in first and 'rel="next"' in first
    second = _page(client, auditor, case, "?page=2").content.decode()
    assert 0 < second.count("<li data-group=") < 100 and 'rel="prev"' in second


def test_groups_are_the_ones_the_filter_offers(agent, auditor, client):
    html = _page(client, auditor, log_case(agent)).content.decode()
    assert re.findall(r'name="kind" value="(\w+)"', html) == list(GROUPS)
