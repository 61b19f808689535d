"""Whatever a JSON body holds, a write answers a 400 naming the field and stores nothing: wrong types
are not stored as Python reprs, text is storable, dates lie in a window every later read handles."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, NoLetterReason
from complaints.models import Complaint, Customer
from tests.factories import case_in_state, evidence, intake_data, log_case, promises_keep

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English here, so messages can be read as written in the code."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


BAD_VALUES = {
    "a dict for text": ({"said": [1]}, "Enter text here."),
    "a list for text": (["a"], "Enter text here."),
    "a number for text": (12, "Enter text here."),
    "NUL in text": ("多扣\x00两百", "Text cannot contain the NUL character."),
    "a lone surrogate": ("多扣\ud800", "Text contains a character that is not valid Unicode."),
}
BAD_TIMES = {
    "year 1": "0001-01-01T00:00:00",
    "year 1 with an offset": "0001-01-01T00:00:00+14:00",
    "year 9999": "9999-12-31T23:59:59",
    "a number": 1700000000,
    "a dict": {"t": "2026-01-01"},
}


def client_for(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def post(client, url, body):
    # ensure_ascii keeps a lone surrogate as the \\ud800 escape a real client would send
    return client.post(url, json.dumps(body, ensure_ascii=True), content_type="application/json")


def counts():
    return (Case.objects.count(), CaseEvent.objects.count(), Complaint.objects.count(), Customer.objects.count())


def assert_refused(response, field, message=None):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"], body
    if message:
        assert message in body["fields"][field]


@pytest.mark.parametrize("bad", list(BAD_VALUES))
@pytest.mark.parametrize("field", ["customer_name", "summary", "what_happened", "desired_resolution"])
def test_intake_refuses_bad_text_and_stores_nothing(agent, field, bad):
    value, message = BAD_VALUES[bad]
    before = counts()
    assert_refused(post(client_for(agent), "/api/complaints/", intake_data(**{field: value})), field, message)
    assert counts() == before


@pytest.mark.parametrize("bad", list(BAD_TIMES))
def test_intake_refuses_times_outside_the_window(agent, bad):
    before = counts()
    response = post(client_for(agent), "/api/complaints/", intake_data(occurred_at=BAD_TIMES[bad]))
    assert_refused(response, "occurred_at")
    assert counts() == before


@pytest.mark.parametrize("bad", list(BAD_TIMES))
def test_accept_refuses_times_outside_the_window_and_the_case_stays_readable(agent, bad):
    case = log_case(agent)
    client = client_for(agent)
    response = post(
        client, f"/api/cases/{case.pk}/transitions/accept/", {**evidence("accept"), "first_contact_at": BAD_TIMES[bad]}
    )
    assert_refused(response, "first_contact_at")
    case.refresh_from_db()
    assert case.state == "new" and case.events.count() == 1
    assert client.get(f"/api/cases/{case.pk}/").status_code == 200


def test_agreement_in_year_9999_is_refused_and_every_queue_still_lists_the_case(agent):
    case = case_in_state("alternatives_offered", owner=agent)
    client = client_for(agent)
    data = evidence("agree", case)
    data["next_callback_at"] = "9999-12-31T23:59:59+08:00"
    assert_refused(post(client, f"/api/cases/{case.pk}/transitions/agree/", data), "next_callback_at")
    case.refresh_from_db()
    assert case.state == "alternatives_offered"
    assert client.get("/api/cases/").status_code == 200


@pytest.mark.parametrize(
    ("step", "field", "value", "message"),
    [
        ("accept", "customer_words", {"said": [1]}, "Enter text here."),
        ("acknowledge", "emotional_needs", "be_heard", "Enter a list of values."),
        ("acknowledge", "emotional_needs", [1, 2], "Enter a list of values."),
        ("agree", "customer_confirmed", "nope", "Enter true or false."),
        ("agree", "customer_confirmed", {"yes": True}, "Enter true or false."),
        ("agree", "chosen_option", True, "Enter a whole number."),
        ("agree", "chosen_option", [1], "Enter a whole number."),
        ("assure", "satisfaction", 4.5, "Enter a whole number."),
    ],
)
def test_each_field_type_is_checked(agent, step, field, value, message):
    before_state = {"accept": "new", "acknowledge": "apologized", "agree": "alternatives_offered", "assure": "agreed"}
    case = case_in_state(before_state[step], owner=agent)
    events = case.events.count()
    data = {**evidence(step, case), field: value}
    response = post(client_for(agent), f"/api/cases/{case.pk}/transitions/{step}/", data)
    assert_refused(response, field, message)
    case.refresh_from_db()
    assert case.state == before_state[step] and case.events.count() == events


def test_option_items_are_checked_too(agent):
    case = case_in_state("analyzed", owner=agent)
    data = evidence("offer_alternatives")
    data["options"][0]["compensation"] = "Infinity"
    data["options"][1]["action"] = {"do": "x"}
    response = post(client_for(agent), f"/api/cases/{case.pk}/transitions/offer_alternatives/", data)
    assert_refused(response, "options")
    assert not case.options.exists()


def test_html_posts_still_work_with_their_string_values(agent, client):
    client.force_login(agent)
    case = case_in_state("agreed", owner=agent)
    promises_keep(case, agent)
    response = client.post(
        f"/cases/{case.number}/steps/assure/",
        {
            "follow_up_done": "on",
            "satisfaction": "4",
            "thanked": "on",
            "no_letter_reason": str(NoLetterReason.objects.get(code="told_in_person").pk),
            "expected_state": "agreed",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "assured" and case.satisfaction == 4
