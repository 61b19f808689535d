"""The WebSocket clients the driver holds: one connection per user, as a browser tab would open it.

Each client sends its user's session cookie and an `Origin` header in the handshake and sends no
pings of its own (a browser does not); the server's keepalive pings are answered. A connection the
server ends is recorded (when, with which close code) and opened again before the next action, as
the page's script does. The Hub collects what every client received, with the time it was read.
"""

import asyncio
import json
import time


class Hub:
    """What every client received, and futures the driver waits on. Lives on the event loop."""

    def __init__(self):
        self.notes = {}  # notification id -> (monotonic, receiving user id)
        self.note_frames = 0
        self.wrong_recipient = 0
        self.changes = {}  # case number -> list of monotonic, one per receiving client
        self.change_frames = 0
        self.other_frames = 0
        self.note_waiters = {}
        self.change_waiters = {}  # case number -> (expected count, future)

    def on_message(self, client, msg, t):
        kind = msg.get("type")
        if kind == "notification.new":
            self.note_frames += 1
            nid = msg.get("id")
            if nid in self.notes:
                return
            self.notes[nid] = (t, client.user_id)
            fut = self.note_waiters.pop(nid, None)
            if fut is not None and not fut.done():
                fut.set_result(None)
        elif kind == "case.changed":
            self.change_frames += 1
            times = self.changes.setdefault(msg.get("case"), [])
            times.append(t)
            waiter = self.change_waiters.get(msg.get("case"))
            if waiter and len(times) >= waiter[0] and not waiter[1].done():
                waiter[1].set_result(None)
        elif kind == "pong":
            fut = client.pong
            if fut is not None and not fut.done():
                fut.set_result(t)
        else:
            self.other_frames += 1

    async def wait_note(self, nid, timeout):
        if nid in self.notes:
            return True
        fut = self.note_waiters.setdefault(nid, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait_for(asyncio.shield(fut), timeout)
            return True
        except TimeoutError:
            return False

    async def wait_changes(self, case, expected, timeout):
        fut = asyncio.get_running_loop().create_future()
        self.change_waiters[case] = (expected, fut)
        if len(self.changes.get(case, [])) >= expected:
            return True
        try:
            await asyncio.wait_for(asyncio.shield(fut), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self.change_waiters.pop(case, None)


class Client:
    def __init__(self, hub, user_id, session_key):
        self.hub, self.user_id, self.session_key = hub, user_id, session_key
        self.ws = None
        self.task = None
        self.pong = None
        self.closed_early = None  # the ConnectionClosed that ended read() before we closed
        self.closed_at = None
        self.closing = False
        self.drops = []  # (monotonic, close code) of every connection the server ended
        self.target = None

    async def open(self, url, origin, cookie_name):
        from websockets.asyncio.client import connect

        self.target = (url, origin, cookie_name)
        self.closed_early = self.closed_at = None
        self.ws = await connect(
            url,
            origin=origin,
            additional_headers={"Cookie": f"{cookie_name}={self.session_key}"},
            proxy=None,  # never a proxy from the environment: 127.0.0.1 only
            open_timeout=30,
            ping_interval=None,  # a browser sends no pings; the server's keepalive pings are answered
            close_timeout=5,
        )
        self.task = asyncio.create_task(self.read())

    async def read(self):
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                t = time.monotonic()
                self.hub.on_message(self, json.loads(raw), t)
        except ConnectionClosed as exc:
            if not self.closing:
                self.closed_early, self.closed_at = exc, time.monotonic()
                self.drops.append((self.closed_at, self.close_code()))

    def close_code(self):
        """How the server ended the connection: its close code, or 1006 if it just dropped TCP."""
        exc = self.closed_early
        return exc.rcvd.code if exc is not None and exc.rcvd is not None else 1006

    async def ensure_open(self):
        """What the browser's script does when the server ends its connection: connect again.
        Returns True if it had to."""
        if self.closed_early is None:
            return False
        await self.task
        await self.open(*self.target)
        await self.ping()
        return True

    async def ping(self, timeout=10):
        self.pong = asyncio.get_running_loop().create_future()
        began = time.monotonic()
        await self.ws.send(json.dumps({"type": "ping", "t": began}))
        got = await asyncio.wait_for(self.pong, timeout)
        return (got - began) * 1000

    async def close(self):
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, 5)
            except TimeoutError:
                self.task.cancel()


async def open_all(clients, url, origin, cookie_name, concurrency=50):
    """Opens every client (at most `concurrency` handshakes at once); then checks each with a
    ping round trip. Returns seconds to open them all and the handshake times."""
    sem = asyncio.Semaphore(concurrency)
    handshakes = []

    async def one(client):
        async with sem:
            began = time.monotonic()
            await client.open(url, origin, cookie_name)
            handshakes.append((time.monotonic() - began) * 1000)

    began = time.monotonic()
    await asyncio.gather(*(one(c) for c in clients))
    elapsed = time.monotonic() - began
    await ensure_all(clients)  # every consumer accepted, joined its groups and answers a ping
    return elapsed, handshakes


async def ensure_all(clients):
    """Reconnects the clients whose connection the server ended, pings every one; returns how
    many had to reconnect."""
    reopened = 0
    for c in clients:
        if await c.ensure_open():
            reopened += 1
            continue
        try:
            await c.ping()
        except Exception:  # closed between the check and the ping
            await asyncio.sleep(0.1)
            reopened += await c.ensure_open()
    return reopened


def server_drops(clients, since):
    return sorted((t - since, code) for c in clients for t, code in c.drops if t >= since)


async def close_all(clients):
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
