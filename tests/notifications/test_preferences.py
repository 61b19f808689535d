import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Profile
from accounts.services import reminder_minutes_of
from notifications.models import Preference

pytestmark = pytest.mark.django_db


def test_choosing_which_events_come_by_email(client, agent):
    client.force_login(agent)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and 'value="case_assigned"' in page.content.decode()
    response = client.post("/notifications/settings/", {"email": ["case_assigned", "not_an_event"]})
    assert response.status_code == 302
    assert set(Preference.objects.filter(user=agent, email=True).values_list("event", flat=True)) == {"case_assigned"}


def test_the_preferences_api_names_unknown_event_types(agent):
    from rest_framework.test import APIClient

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(agent)
    assert api.put("/api/notifications/preferences/", {"email": ["nope"]}, format="json").status_code == 400
    body = api.put("/api/notifications/preferences/", {"email": ["case_changed"]}, format="json").json()
    assert body["email"] == ["case_changed"]


def test_the_inbox_api_catches_up_since_an_id_and_marks_read(agent):
    from rest_framework.test import APIClient

    from notifications.services import notify

    first = notify("message", recipients=[agent], text="one", key="a")[0]
    second = notify("message", recipients=[agent], text="two", key="b")[0]
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(agent)
    body = api.get(f"/api/notifications/?since={first.pk}").json()
    assert [n["id"] for n in body["results"]] == [second.pk] and body["unread_count"] == 2
    assert api.post(f"/api/notifications/{first.pk}/read/").json() == {"marked": 1}
    assert api.get("/api/notifications/?unread=true").json()["unread_count"] == 1
    assert api.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert api.post("/api/notifications/999999/read/").status_code == 404
    assert api.get("/api/notifications/?since=abc").status_code == 400


def test_the_reminder_lead_time_is_set_on_the_settings_page_and_a_wrong_one_saves_nothing(agent):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    page = client.get("/notifications/settings/").content.decode()
    assert 'name="reminder_minutes" value="15"' in page
    refused = client.post("/notifications/settings/", {"email": ["case_changed"], "reminder_minutes": "300"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Enter a whole number of minutes from 0 to 240." in html and 'value="300"' in html
    assert 'value="case_changed" checked' in html  # what they ticked is not lost
    assert not Preference.objects.filter(user=agent, email=True).exists()
    assert client.post("/notifications/settings/", {"reminder_minutes": "5"}).status_code == 302
    assert Profile.objects.get(user=agent).reminder_minutes == 5


@pytest.mark.parametrize("value", ["15", 15.5, -1, 241, True, [5]])
def test_the_api_takes_a_whole_number_of_minutes_and_names_the_field(agent, value):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.put("/api/notifications/preferences/", {"email": [], "reminder_minutes": value}, format="json")
    if value == "15":  # a number in a string, as the form sends it
        assert response.status_code == 200 and response.json()["reminder_minutes"] == 15
        return
    assert response.status_code == 400 and "reminder_minutes" in response.json()["fields"]
    assert reminder_minutes_of(agent) == 15
