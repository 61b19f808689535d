"""The notifications API: only one's own notifications, strict parameters, a validated body."""

import pytest
from rest_framework.test import APIClient

from notifications.models import Notification, Preference
from notifications.services import notify

pytestmark = pytest.mark.django_db


def api_for(user, language="en"):
    api = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    api.force_authenticate(user)
    return api


@pytest.fixture
def one_read_one_unread(agent):
    read, unread = (
        notify("message", recipients=[agent], text="old", key="a")[0],
        notify("message", recipients=[agent], text="new", key="b")[0],
    )
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00:00Z")
    return read, unread


@pytest.mark.parametrize(
    ("value", "only_unread"),
    [("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False), ("", False)],
)
def test_unread_takes_true_or_false(agent, one_read_one_unread, value, only_unread):
    read, unread = one_read_one_unread
    expected = [unread.pk] if only_unread else [unread.pk, read.pk]
    results = api_for(agent).get("/api/notifications/", {"unread": value}).json()["results"]
    assert [n["id"] for n in results] == expected


@pytest.mark.parametrize("value", ["yes", "no", "2", "maybe"])
def test_any_other_unread_value_is_a_400_naming_it(agent, one_read_one_unread, value):
    response = api_for(agent).get("/api/notifications/", {"unread": value})
    assert response.status_code == 400
    assert response.json()["fields"] == {"unread": ["Use true or false (or 1 or 0)."]}
    chinese = api_for(agent, "zh-hans").get("/api/notifications/", {"unread": value}).json()
    assert chinese["fields"] == {"unread": ["请使用 true 或 false（或 1、0）。"]}


def test_someone_elses_notification_cannot_be_marked_read(agent, other_agent):
    theirs = notify("message", recipients=[other_agent], text="not yours", key="x")[0]
    assert api_for(agent).post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "case_changed"}, "email", "Expected a list of event types."),
        ({"email": ["case_changed", "nope", "also_nope"]}, "email", "Unknown event types: also_nope, nope."),
        ({"email": [1]}, "email", "Unknown event types: 1."),
        ({}, "email", "This field is required."),
        ({"email": None}, "email", "This field may not be null."),
        ({"email": [{"code": "case_changed"}]}, "email.0", "Not a valid string."),
        (["case_changed"], "__all__", "The JSON body must be an object of named fields."),
    ],
)
def test_a_wrong_preferences_body_is_a_400_naming_the_field_and_changes_nothing(agent, body, field, message):
    Preference.objects.create(user=agent, event="case_assigned", email=True)
    response = api_for(agent).put("/api/notifications/preferences/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {field: [message]}
    assert list(Preference.objects.filter(email=True).values_list("event", flat=True)) == ["case_assigned"]


def test_an_empty_list_stops_every_email(agent):
    Preference.objects.create(user=agent, event="case_assigned", email=True)
    body = api_for(agent).put("/api/notifications/preferences/", {"email": []}, format="json").json()
    assert body["email"] == [] and not Preference.objects.filter(email=True).exists()


def test_the_preferences_body_is_documented_in_the_schema(agent):
    schema = api_for(agent).get("/api/schema/?format=json").json()
    put = schema["paths"]["/api/notifications/preferences/"]["put"]
    ref = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    body = schema["components"]["schemas"][ref]
    assert body["required"] == ["email"]
    assert body["properties"]["email"]["type"] == "array"
    assert body["properties"]["email"]["items"]["type"] == "string"
