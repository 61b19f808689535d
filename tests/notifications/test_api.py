"""The notifications API: only one's own notifications, strict parameters, a validated body."""

import pytest
from rest_framework.test import APIClient

from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def api_for(user, language="en"):
    api = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    api.force_authenticate(user)
    return api


def test_someone_elses_notification_cannot_be_marked_read(agent, other_agent):
    theirs = notify("message", recipients=[other_agent], text="not yours", key="x")[0]
    assert api_for(agent).post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
