"""The WebSocket: login required, and nobody hears another user's or another role's messages.

Runs on whatever channel layer the settings give: in-memory locally, Redis when REDIS_URL is set
(CI), so the real Redis layer is exercised there.
"""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from notifications.consumers import CLOSE_UNAUTHENTICATED
from notifications.groups import role_group, user_group
from tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_anonymous_connections_are_refused():
    # Through the real ASGI stack: the session middleware finds no login.
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await communicator.connect()
    assert not connected and code == CLOSE_UNAUTHENTICATED


async def test_a_user_hears_their_own_group_and_their_roles_only():
    agent = await database_sync_to_async(UserFactory)(username="ws_agent", role="agent")
    other = await database_sync_to_async(UserFactory)(username="ws_other", role="agent")
    supervisor = await database_sync_to_async(UserFactory)(username="ws_sup", role="supervisor")
    listeners = {}
    for user in (agent, other, supervisor):
        communicator, connected, _code = await connect_authenticated(user)
        assert connected
        listeners[user.username] = communicator
    layer = get_channel_layer()
    await layer.group_send(user_group(agent.pk), {"type": "notification.new", "id": 1, "text": "for the agent"})
    await layer.group_send(role_group("supervisor"), {"type": "case.changed", "case": "C-2026-000001"})
    assert (await listeners["ws_agent"].receive_json_from(timeout=2))["text"] == "for the agent"
    assert (await listeners["ws_sup"].receive_json_from(timeout=2))["case"] == "C-2026-000001"
    for name in ("ws_other",):
        assert await listeners[name].receive_nothing(timeout=0.3)
    assert await listeners["ws_agent"].receive_nothing(timeout=0.1)  # not a supervisor
    assert await listeners["ws_sup"].receive_nothing(timeout=0.1)  # not the agent
    for communicator in listeners.values():
        await communicator.disconnect()


async def connect_authenticated(user):
    """Connect with `user` in the scope, as the session middleware would place it."""
    from channels.routing import URLRouter

    from notifications.routing import websocket_urlpatterns

    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_ping_is_answered():
    user = await database_sync_to_async(UserFactory)(username="ws_ping", role="auditor")
    communicator, connected, _code = await connect_authenticated(user)
    assert connected
    await communicator.send_json_to({"type": "ping", "t": 1})
    assert await communicator.receive_json_from(timeout=2) == {"type": "pong", "t": 1}
    await communicator.disconnect()


async def test_a_jobs_progress_reaches_the_user_who_started_it_only():
    starter = await database_sync_to_async(UserFactory)(username="ws_starter", role="agent")
    other = await database_sync_to_async(UserFactory)(username="ws_bystander", role="agent")
    mine, connected, _code = await connect_authenticated(starter)
    theirs, connected_too, _code = await connect_authenticated(other)
    assert connected and connected_too
    message = {"type": "job.progress", "job": "letter-batch:4", "state": "running", "done": 1, "total": 3}
    await get_channel_layer().group_send(user_group(starter.pk), message)
    assert await mine.receive_json_from(timeout=2) == message
    assert await theirs.receive_nothing(timeout=0.3)
    for communicator in (mine, theirs):
        await communicator.disconnect()
