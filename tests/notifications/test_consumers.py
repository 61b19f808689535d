"""The WebSocket: login required, and nobody hears another user's or another role's messages.

Runs on whatever channel layer the settings give: in-memory locally, Redis when REDIS_URL is set
(CI), so the real Redis layer is exercised there.
"""

import asyncio
import uuid

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from notifications.consumers import CLOSE_UNAUTHENTICATED
from notifications.groups import role_group, user_group
from tests.channel_layers import channel_layers_under_prefix
from tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture(autouse=True)
async def a_channel_layer_of_this_tests_own(settings):
    """Each test's event loop gets a layer of its own, closed before that loop closes.

    A channels-redis layer keeps per-loop connection pools and receive state; one left over from
    an earlier test's (closed) loop, or still being cleaned up when the loop shuts down, is how a
    test can wait forever.
    """
    # The change makes channels drop the layer it had built; the next use builds one in this loop.
    settings.CHANNEL_LAYERS = channel_layers_under_prefix(f"ws-test-{uuid.uuid4().hex[:12]}")
    yield
    await get_channel_layer().flush()  # its keys and its connections, while their loop still runs


async def test_anonymous_connections_are_refused():
    # Through the real ASGI stack: the session middleware finds no login.
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await communicator.connect()
    assert not connected and code == CLOSE_UNAUTHENTICATED
    await communicator.disconnect()  # the consumer ends now, not when the test's loop is torn down


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


IDLE_SECONDS = 12  # two of channels-redis' 5 s blocking reads, and then some


async def test_a_socket_left_idle_past_a_redis_read_timeout_still_hears_its_messages(settings):
    """A page left open hears the next message: its consumer outlives the blocking Redis reads it
    makes while nothing happens (redis-py's default read timeout equals their block time)."""
    if not settings.REDIS_URL:
        pytest.skip("only the Redis layer blocks on reads; CI runs this with REDIS_URL")
    user = await database_sync_to_async(UserFactory)(username="ws_idle", role="agent")
    communicator, connected, _code = await connect_authenticated(user)
    assert connected
    await asyncio.sleep(IDLE_SECONDS)
    await get_channel_layer().group_send(user_group(user.pk), {"type": "notification.new", "id": 7, "text": "later"})
    assert (await communicator.receive_json_from(timeout=2))["text"] == "later"
    await communicator.disconnect()
