"""No input reaches a 500, and every error under /api/ is the documented JSON shape."""

import base64
import json
from unittest import mock

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from complaints.models import Customer
from tests.factories import case_in_state, evidence, intake_data, log_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English here, so messages can be read as written in the code."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def client_for(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def raw_post(client, url, text):
    return client.post(url, text, content_type="application/json")


def assert_json_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    if code:
        assert body["code"] == code
    return body


def deep(levels):
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("url", ["/api/complaints/", "/api/auth/token/"])
@pytest.mark.parametrize("levels", [40, 1000, 100000])
def test_deeply_nested_bodies_are_a_400(agent, url, levels):
    client = client_for(agent if url != "/api/auth/token/" else None)
    body = '{"customer_name": ' + deep(levels) + "}"
    assert_json_error(raw_post(client, url, body), 400)
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"agent\\u0000a"', "Text cannot contain the NUL character."),
        ('"agent\\ud800"', "Text contains a character that is not valid Unicode."),
    ],
)
def test_unstorable_text_never_reaches_the_token_endpoint(agent, text, message):
    body = assert_json_error(
        raw_post(client_for(), "/api/auth/token/", '{"username": ' + text + ', "password": "x"}'), 400
    )
    assert body["fields"] == {"username": [message]}


def test_unstorable_text_in_a_key_or_a_nested_record_is_named(agent):
    case = case_in_state("analyzed", owner=agent)
    data = evidence("offer_alternatives")
    data["options"][1]["benefit"] = "\ud800"
    text = json.dumps(data, ensure_ascii=True)
    body = assert_json_error(
        raw_post(client_for(agent), f"/api/cases/{case.pk}/transitions/offer_alternatives/", text), 400
    )
    assert "options[1].benefit" in body["fields"]
    assert not case.options.exists()


@pytest.mark.parametrize(("field", "number"), [("chosen_option", "1" + "0" * 400), ("chosen_option", "1e999")])
def test_numbers_no_column_can_hold_are_a_400(agent, field, number):
    case = case_in_state("alternatives_offered", owner=agent)
    data = evidence("agree", case)
    text = json.dumps({**data, field: "PLACEHOLDER"}).replace('"PLACEHOLDER"', number)
    body = assert_json_error(raw_post(client_for(agent), f"/api/cases/{case.pk}/transitions/agree/", text), 400)
    assert body["fields"] == {field: ["This number is out of range."]}
    case.refresh_from_db()
    assert case.state == "alternatives_offered"


@pytest.mark.parametrize("path", ["/api/nope/", "/api/cases/abc/", "/api/cases/1/transitions/", "/api/cases/999999/"])
def test_unknown_paths_and_ids_under_api_are_json_404s(agent, path):
    assert_json_error(client_for(agent).get(path), 404, "not_found")


def test_an_unexpected_failure_under_api_is_a_json_500(agent):
    case = log_case(agent)
    with mock.patch("cases.api._case", side_effect=RuntimeError("a bug")):
        body = assert_json_error(client_for(agent).get(f"/api/cases/{case.pk}/"), 500, "server_error")
    assert "nothing was saved" in body["detail"]


def test_pages_outside_api_keep_their_html_404(agent, client):
    client.force_login(agent)
    response = client.get("/cases/NO-SUCH-CASE/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_nul_in_the_search_is_refused_by_the_api_and_the_page(agent, client):
    log_case(agent)
    body = assert_json_error(client_for(agent).get("/api/cases/", {"q": "王\x00"}), 400)
    assert body["fields"] == {"q": ["Text cannot contain the NUL character."]}
    client.force_login(agent)
    response = client.get("/cases/", {"q": "\x00"})
    assert response.status_code == 200
    assert "Text cannot contain the NUL character." in response.content.decode()


def cursor_of(values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "values",
    [[3, "2026-01-01T00:00:00+00:00", 10**30], [3, "0001-01-01T00:00:00+14:00", 1], "[1e999, 1, 1]", [3, "x", 1]],
)
def test_a_forged_cursor_is_a_400_naming_it(agent, values):
    log_case(agent)
    cursor = base64.urlsafe_b64encode(values.encode()).decode() if isinstance(values, str) else cursor_of(values)
    body = assert_json_error(client_for(agent).get("/api/cases/", {"cursor": cursor}), 400)
    assert "cursor" in body["fields"]
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


@pytest.mark.parametrize("text", ["[]", '["closing_note"]', "null", '"close"', "1", "true"])
def test_a_body_that_is_not_an_object_is_a_400_and_runs_no_step(agent, text):
    case = case_in_state("assured", owner=agent)
    body = assert_json_error(raw_post(client_for(agent), f"/api/cases/{case.pk}/transitions/close/", text), 400)
    assert body["fields"] == {"__all__": ["The JSON body must be an object of named fields."]}
    case.refresh_from_db()
    assert case.state == "assured"


@pytest.mark.parametrize("expected", [{}, [], 0, False, {"state": "assured"}])
def test_an_expected_state_that_is_not_text_is_a_400_not_ignored(agent, expected):
    case = case_in_state("assured", owner=agent)
    url = f"/api/cases/{case.pk}/transitions/close/"
    body = assert_json_error(raw_post(client_for(agent), url, json.dumps({"expected_state": expected})), 400)
    assert body["fields"] == {"expected_state": ["Enter text here."]}
    case.refresh_from_db()
    assert case.state == "assured"


def test_an_empty_list_where_text_is_expected_is_the_wrong_type_not_a_blank(agent):
    case = case_in_state("assured", owner=agent)
    text = json.dumps({"closing_note": []})
    body = assert_json_error(raw_post(client_for(agent), f"/api/cases/{case.pk}/transitions/close/", text), 400)
    assert body["fields"] == {"closing_note": ["Enter text here."]}
    case.refresh_from_db()
    assert case.state == "assured"


def test_a_digit_that_int_refuses_names_no_row_and_is_a_400(agent, supervisor):
    """ "²" passes str.isdigit() but not int(): wherever an id may be sent as text it is a 400."""
    case = case_in_state("acknowledged", owner=agent)
    client = client_for(supervisor)
    data = {**evidence("analyze"), "category": "²"}
    body = assert_json_error(client.post(f"/api/cases/{case.pk}/transitions/analyze/", data, format="json"), 400)
    assert set(body["fields"]) == {"category"}
    body = assert_json_error(client.post(f"/api/cases/{case.pk}/assign/", {"owner": "²"}, format="json"), 400)
    assert set(body["fields"]) == {"owner"}
    data = intake_data(attach_to_case="²")
    body = assert_json_error(client.post("/api/complaints/", data, format="json"), 400)
    assert body["fields"] == {"attach_to_case": ["This is not an open case of this customer."]}
    assert Case.objects.count() == 1
