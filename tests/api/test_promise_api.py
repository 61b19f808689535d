"""The promise endpoints (issue 8): make, call, reschedule, cancel, read, and the filtered list."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Promise
from cases.services import promise_make
from tests.factories import UserFactory, case_in_state, log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]


def client_for(user, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def later(**delta):
    return (timezone.now() + timedelta(**delta)).isoformat()


def make(case, actor, due_at, kind="progress_update", description="告知处理进展"):
    """A promise due at `due_at` (in the past too: made an hour before it)."""
    with time_machine.travel(due_at - timedelta(hours=1), tick=False):
        data = {"kind": kind, "due_at": due_at, "description": description, "customer_chose_time": True}
        return promise_make(case=case, actor=actor, data=data)


def test_make_a_promise_on_a_case(agent):
    case = log_case(agent)
    response = client_for(agent).post(
        f"/api/cases/{case.pk}/promises/",
        {"kind": "progress_update", "due_at": later(hours=3), "description": "告知进展"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "scheduled" and body["keeper"]["id"] == agent.pk and body["phone"] == case.customer_phone
    assert body["case"] == {"id": case.pk, "number": case.number, "customer_name": case.customer_name}
    assert body["is_overdue"] is False and body["promised_by"]["id"] == agent.pk
    case.refresh_from_db()
    assert case.next_callback_at.isoformat() == Promise.objects.get().due_at.isoformat()


def test_make_refuses_a_past_time_and_an_unknown_case(agent):
    case = log_case(agent)
    response = client_for(agent).post(
        f"/api/cases/{case.pk}/promises/",
        {"kind": "progress_update", "due_at": later(hours=-1), "description": "x"},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["fields"]) == ["due_at"]
    assert client_for(agent).post("/api/cases/999999/promises/", {}, format="json").status_code == 404
    assert not Promise.objects.exists()


def test_a_reached_call_keeps_the_promise(agent):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    response = client_for(agent).post(
        f"/api/promises/{promise.pk}/call/", {"reached": True, "outcome": "客户确认已退费"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["promise"]["state"] == "kept" and body["promise"]["reached"] is True and body["retry_message"] is None


def test_an_unreached_call_answers_the_retry_rule(agent):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    body = (
        client_for(agent)
        .post(f"/api/promises/{promise.pk}/call/", {"reached": False, "outcome": "无人接听"}, format="json")
        .json()
    )
    assert body["promise"]["state"] == "scheduled" and body["promise"]["attempts"] == 1
    assert body["retry_message"].startswith("Not reached: attempt 1 of ")


def test_a_call_on_a_closed_promise_is_a_409(agent):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    client = client_for(agent)
    client.post(f"/api/promises/{promise.pk}/cancel/", {"reason": "客户不需要回访"}, format="json")
    response = client.post(f"/api/promises/{promise.pk}/call/", {"reached": True, "outcome": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "conflict"


def test_reschedule_answers_the_successor(agent):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    due = later(days=3)
    response = client_for(agent).post(
        f"/api/promises/{promise.pk}/reschedule/",
        {"due_at": due, "by_customer": True, "reason": "客户出差"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] != promise.pk and body["rescheduled_from"] == promise.pk and body["state"] == "scheduled"
    promise.refresh_from_db()
    assert promise.state == "rescheduled" and promise.rescheduled_by_customer is True


def test_cancel_and_read_one(agent, auditor):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    response = client_for(agent).post(f"/api/promises/{promise.pk}/cancel/", {"reason": "客户撤诉"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    read = client_for(auditor).get(f"/api/promises/{promise.pk}/")
    assert read.status_code == 200 and read.json()["closed_reason"] == "客户撤诉"
    assert client_for(auditor).get("/api/promises/999999/").json()["code"] == "not_found"


def test_auditors_read_but_every_write_is_a_403(agent, auditor):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    client = client_for(auditor)
    writes = [
        (f"/api/cases/{case.pk}/promises/", {"kind": "follow_up", "due_at": later(hours=2), "description": "x"}),
        (f"/api/promises/{promise.pk}/call/", {"reached": True, "outcome": "x"}),
        (f"/api/promises/{promise.pk}/reschedule/", {"due_at": later(days=2), "by_customer": False, "reason": "x"}),
        (f"/api/promises/{promise.pk}/cancel/", {"reason": "x"}),
    ]
    for url, body in writes:
        response = client.post(url, body, format="json")
        assert response.status_code == 403 and response.json()["code"] == "forbidden", url
    assert client.get("/api/promises/").status_code == 200
    promise.refresh_from_db()
    assert promise.state == "scheduled"


def test_another_agents_promise_is_a_403(agent, other_agent):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    response = client_for(other_agent).post(f"/api/promises/{promise.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 403


def test_unauthenticated_is_a_401():
    assert APIClient().get("/api/promises/").status_code == 401


@pytest.fixture
def promises(agent, other_agent):
    now = timezone.now()
    mine, theirs = log_case(agent), log_case(other_agent, customer_phone="13900000009")
    return {
        "overdue": make(mine, agent, now - timedelta(hours=2)),
        "soon": make(mine, agent, now + timedelta(hours=2)),
        "later": make(mine, agent, now + timedelta(days=3), kind="commitment"),
        "theirs": make(theirs, other_agent, now - timedelta(hours=1)),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_my_overdue_callbacks(agent, promises):
    client = client_for(agent)
    assert ids(client.get("/api/promises/?keeper=me&overdue=true")) == [promises["overdue"].pk]
    assert ids(client.get("/api/promises/?keeper=me&overdue=false")) == [promises["soon"].pk, promises["later"].pk]
    assert ids(client.get("/api/promises/?overdue=true")) == [promises["overdue"].pk, promises["theirs"].pk]
    other = promises["theirs"].keeper_id
    assert ids(client.get(f"/api/promises/?keeper={other}")) == [promises["theirs"].pk]


def test_filters_by_state_case_and_due_window(agent, promises):
    client = client_for(agent)
    client.post(f"/api/promises/{promises['soon'].pk}/cancel/", {"reason": "不需要了"}, format="json")
    assert ids(client.get("/api/promises/?state=cancelled")) == [promises["soon"].pk]
    assert promises["soon"].pk not in ids(client.get("/api/promises/?state=open"))
    case = promises["theirs"].case_id
    assert ids(client.get(f"/api/promises/?case={case}")) == [promises["theirs"].pk]
    window = {"due_after": later(hours=-3), "due_before": later(days=1)}
    assert ids(client.get("/api/promises/", window)) == [promises[k].pk for k in ("overdue", "theirs", "soon")]
    naive = (timezone.localtime() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    assert promises["later"].pk not in ids(client.get("/api/promises/", {"due_before": naive}))


def test_the_list_pages_by_cursor(agent, promises):
    client = client_for(agent)
    first = client.get("/api/promises/?page_size=3").json()
    assert first["count"] == 4 and len(first["results"]) == 3 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [promises["later"].pk] and second["next"] is None
    back = client.get(second["previous"]).json()
    assert back["results"] == first["results"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("keeper=you", "keeper", "“me”, or a user id"),
        ("keeper=0", "keeper", "“me”, or a user id"),
        ("overdue=maybe", "overdue", "Use true or false"),
        ("state=late", "state", "Unknown value “late”; expected one of: open, scheduled, kept,"),
        ("case=²", "case", "A case id is required"),
        ("due_before=tomorrow", "due_before", "Enter a date and time"),
        ("due_after=2026-02-30T10:00", "due_after", "Enter a date and time"),
        ("due_after=2100-01-02T00:00Z", "due_after", "Enter a date and time between 1970 and 2099."),
        ("page_size=101", "page_size", "Between 1 and 100."),
        ("cursor=%%%garbage", "cursor", "This page link is no longer valid"),
    ],
)
def test_bad_list_parameters_are_400s_naming_them(supervisor, query, field, message):
    response = client_for(supervisor).get(f"/api/promises/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["fields"]) == [field]
    assert body["fields"][field][0].startswith(message)


def test_every_bad_parameter_is_named_at_once(supervisor):
    body = client_for(supervisor).get("/api/promises/?keeper=x&state=y&overdue=z").json()
    assert set(body["fields"]) == {"keeper", "state", "overdue"}


def test_the_list_runs_the_same_few_queries_whatever_the_page_size(agent, supervisor):
    case = log_case(agent)
    for i in range(12):
        make(case, agent, timezone.now() + timedelta(hours=i + 1))
    counts = []
    for size in (2, 12):
        cache.clear()
        client = client_for(type(supervisor).objects.get(pk=supervisor.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert len(ids(client.get(f"/api/promises/?keeper={agent.pk}&page_size={size}"))) == size
        counts.append(len(ctx.captured_queries))
    # roles, the page of promises (case and people joined), the bounded count
    assert counts == [3, 3]


def test_the_schema_documents_the_promise_endpoints(agent):
    schema = client_for(agent).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    call = paths["/api/promises/{id}/call/"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(call["responses"])
    assert call["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("PromiseCallInRequest")
    listing = paths["/api/promises/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"keeper", "overdue", "state", "case", "due_before"}
    assert "409" not in listing["responses"]
    assert {"/api/cases/{id}/promises/", "/api/promises/{id}/reschedule/", "/api/promises/{id}/cancel/"} <= set(paths)


def test_a_user_with_no_role_cannot_read():
    nobody = UserFactory(username="nobody")
    assert client_for(nobody).get("/api/promises/").status_code == 403


def test_logging_a_call_runs_a_fixed_number_of_queries(agent):
    case = case_in_state("agreed", owner=agent)
    promise = case.promises.get(kind="follow_up")
    client = client_for(agent)
    client.get("/api/promises/")  # roles cached, as on every request after the first
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            f"/api/promises/{promise.pk}/call/", {"reached": True, "outcome": "已回访"}, format="json"
        )
    assert response.status_code == 200
    # the promise read, then in one transaction: locked re-read, the promise and its history, the case's
    # next promise, the case and its history, the event and its chain link; then the answer read back
    assert len(ctx.captured_queries) == 12, [q["sql"][:80] for q in ctx.captured_queries]
