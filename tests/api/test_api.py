import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from complaints.models import Complaint, Customer
from tests.factories import case_in_state, evidence, intake_data, log_case

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def test_token_login_then_log_a_complaint(agent):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "agent_a", "password": "pw-for-tests-123"}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    response = client.post("/api/complaints/", intake_data(), format="json")
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(pk=body["case_id"])
    assert body["case_number"] == case.number and body["case_state"] == "new" and body["customer_created"]
    assert case.owner == agent


def test_a_wrong_password_is_a_400_in_the_error_format(agent):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/auth/token/", {"username": "agent_a", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "__all__" in body["fields"]


def test_anonymous_requests_are_refused(db):
    response = APIClient().get("/api/cases/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "detail", "fields"}


def test_second_complaint_from_the_same_phone_reuses_the_customer(agent):
    client = client_for(agent)
    client.post("/api/complaints/", intake_data(), format="json")
    body = client.post("/api/complaints/", intake_data(summary="再次投诉"), format="json").json()
    assert body["customer_created"] is False
    assert Customer.objects.count() == 1 and Case.objects.count() == 2


def test_bad_intake_is_a_400_naming_each_field_and_saves_nothing(agent):
    response = client_for(agent).post(
        "/api/complaints/", intake_data(customer_phone="call me", channel="pigeon", disputed_amount="-1"), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"customer_phone", "channel", "disputed_amount"} <= set(body["fields"])
    assert not Customer.objects.exists() and not Complaint.objects.exists() and not Case.objects.exists()


def test_a_non_object_body_is_a_400_not_a_500(agent):
    response = client_for(agent).post("/api/complaints/", ["not", "an", "object"], format="json")
    assert response.status_code == 400


def test_auditors_cannot_log_complaints_over_the_api(auditor):
    response = client_for(auditor).post("/api/complaints/", intake_data(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_transition_returns_the_new_state(agent):
    case = log_case(agent)
    response = client_for(agent).post(f"/api/cases/{case.pk}/transitions/accept/", evidence("accept"), format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "accepted" and "apologize" in body["available_transitions"]


def test_transition_without_evidence_is_a_400_naming_it(agent):
    case = log_case(agent)
    response = client_for(agent).post(
        f"/api/cases/{case.pk}/transitions/accept/", {"customer_words": ""}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"first_contact_at", "customer_words"}
    assert "First contact" in body["detail"]


def test_errors_come_in_the_language_the_client_asks_for_chinese_by_default(agent):
    case = log_case(agent)
    url = f"/api/cases/{case.pk}/transitions/accept/"
    english = client_for(agent).post(url, {}, format="json").json()["detail"]
    chinese = client_for(agent, language="zh-hans").post(url, {}, format="json").json()["detail"]
    default = APIClient()
    default.force_authenticate(agent)
    assert english != chinese
    assert default.post(url, {}, format="json").json()["detail"] == chinese


def test_transition_by_a_role_that_may_not_is_a_403(agent, other_agent, auditor):
    case = log_case(agent)
    for user in (other_agent, auditor):
        response = client_for(user).post(f"/api/cases/{case.pk}/transitions/accept/", evidence("accept"), format="json")
        assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == "new"


def test_transition_from_the_wrong_state_is_a_409(agent):
    case = log_case(agent)
    response = client_for(agent).post(f"/api/cases/{case.pk}/transitions/close/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_a_stale_expected_state_is_a_409(agent):
    case = case_in_state("accepted", owner=agent)
    data = {**evidence("apologize"), "expected_state": "new"}
    response = client_for(agent).post(f"/api/cases/{case.pk}/transitions/apologize/", data, format="json")
    assert response.status_code == 409


def test_unknown_transition_or_case_is_a_404(agent):
    case = log_case(agent)
    client = client_for(agent)
    assert client.post(f"/api/cases/{case.pk}/transitions/teleport/", {}, format="json").status_code == 404
    assert client.get("/api/cases/999999/").status_code == 404


def test_options_with_errors_are_reported_per_option(agent):
    case = case_in_state("analyzed", owner=agent)
    data = {"options": [{"action": "退费", "benefit": "", "compensation": "x"}]}
    response = client_for(agent).post(f"/api/cases/{case.pk}/transitions/offer_alternatives/", data, format="json")
    assert response.status_code == 400
    messages = " ".join(response.json()["fields"]["options"])
    assert "Benefit to the customer" in messages and "Compensation" in messages


def test_events_and_history_show_who_did_what(agent):
    case = case_in_state("apologized", owner=agent)
    client = client_for(agent)
    events = client.get(f"/api/cases/{case.pk}/events/").json()
    assert [e["kind"] for e in events] == ["logged", "accept", "apologize"]
    assert {e["actor"] for e in events} == {"agent_a"}
    assert events[1]["from_state"] == "new" and events[1]["to_state"] == "accepted"
    history = client.get(f"/api/cases/{case.pk}/history/").json()
    assert [h["state"] for h in history] == ["apologized", "accepted", "new"]
    assert history[0]["history_user"] == "agent_a"
    assert history[0]["changes"]["state"] == {"old": "accepted", "new": "apologized"}


def test_case_list_filters_and_pages_with_a_cursor(agent, other_agent, supervisor):
    for i in range(7):
        log_case(agent, customer_phone=f"1380000000{i}", tier="vip" if i < 3 else "standard")
    log_case(other_agent, customer_phone="13911111111")
    client = client_for(supervisor)
    assert client.get("/api/cases/").json()["count"] == 8
    assert client.get(f"/api/cases/?owner={other_agent.pk}").json()["count"] == 1
    assert client.get("/api/cases/?tier=vip").json()["count"] == 3
    assert client.get("/api/cases/?priority=1").json()["count"] == 3
    assert client.get("/api/cases/?state=closed").json()["count"] == 0
    first = client.get("/api/cases/?page_size=3").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    seen = [c["number"] for page in (first, second, third) for c in page["results"]]
    assert len(seen) == 8 and len(set(seen)) == 8
    assert third["next"] is None
    # priority order: the three VIP (urgent) cases come first
    assert [c["priority"] for c in first["results"]] == [1, 1, 1]
    back = client.get(second["previous"]).json()
    assert [c["number"] for c in back["results"]] == [c["number"] for c in first["results"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=flying", "state"),
        ("priority=9", "priority"),
        ("cursor=%%%garbage", "cursor"),
        ("page_size=1000", "page_size"),
        ("owner=abc", "owner"),
    ],
)
def test_bad_list_parameters_are_400s_naming_them(supervisor, query, field):
    response = client_for(supervisor).get(f"/api/cases/?{query}")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_case_list_runs_the_same_few_queries_whatever_the_page_size(agent, supervisor):
    for i in range(30):
        log_case(agent, customer_phone=f"1370000{i:04d}")
    counts = []
    for size in (5, 30):
        cache.clear()  # both requests start cold: roles not yet cached
        client = client_for(type(supervisor).objects.get(pk=supervisor.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"/api/cases/?page_size={size}").json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 10


def test_case_detail_and_events_run_a_fixed_number_of_queries(agent, django_assert_max_num_queries):
    case = case_in_state("agreed", owner=agent)
    client = client_for(agent)
    with django_assert_max_num_queries(10):
        client.get(f"/api/cases/{case.pk}/")
    with django_assert_max_num_queries(5):
        client.get(f"/api/cases/{case.pk}/events/")
    with django_assert_max_num_queries(5):
        client.get(f"/api/cases/{case.pk}/history/")


def test_openapi_schema_and_docs_are_served(agent):
    client = client_for(agent)
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/complaints/", "/api/cases/", "/api/cases/{id}/transitions/accept/"} <= set(schema["paths"])
    assert client.get("/api/docs/").status_code == 200


def test_every_transition_leaves_an_event_and_a_history_row(agent):
    case = log_case(agent)
    client = client_for(agent)
    for step in ("accept", "apologize", "acknowledge", "analyze"):
        before_events = CaseEvent.objects.filter(case=case).count()
        before_history = case.history.count()
        assert (
            client.post(f"/api/cases/{case.pk}/transitions/{step}/", evidence(step), format="json").status_code == 200
        )
        assert CaseEvent.objects.filter(case=case).count() == before_events + 1
        assert case.history.count() == before_history + 1


def test_the_response_to_a_step_shows_the_rows_it_added(agent):
    case = case_in_state("analyzed", owner=agent)
    client = client_for(agent)
    body = client.post(
        f"/api/cases/{case.pk}/transitions/offer_alternatives/", evidence("offer_alternatives"), format="json"
    ).json()
    assert [o["position"] for o in body["options"]] == [1, 2]
    body = client.post(f"/api/cases/{case.pk}/transitions/agree/", evidence("agree"), format="json").json()
    assert body["chosen_option"] == 1
    assert sorted(p["kind"] for p in body["promises"]) == ["commitment", "follow_up"]


def token_client(user):
    from rest_framework.authtoken.models import Token

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_deleted_token_stops_working_at_once(agent):
    client = token_client(agent)
    assert client.get("/api/cases/").status_code == 200
    agent.auth_token.delete()
    assert client.get("/api/cases/").status_code == 401


def test_a_deactivated_user_is_refused_at_once(agent):
    client = token_client(agent)
    assert client.get("/api/cases/").status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get("/api/cases/").status_code == 401


def test_a_wrong_token_is_refused(agent):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/cases/").status_code == 401


def test_a_role_taken_away_applies_at_once_to_a_token_user(agent):
    from django.contrib.auth.models import Group

    client = token_client(agent)
    assert client.post("/api/complaints/", intake_data(), format="json").status_code == 201
    agent.groups.remove(Group.objects.get(name="agent"))
    assert client.post("/api/complaints/", intake_data(summary="again"), format="json").status_code == 403


def test_malformed_json_is_a_400_in_the_error_format(agent):
    response = client_for(agent).post("/api/complaints/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail", "fields"}
