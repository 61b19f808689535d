"""WebSocket pushes, sent off the request path.

A request never waits for a push. After commit, the messages are handed to a sender event loop and
the request goes on; the loop sends everything handed to it since its last turn as one batch of
concurrent `group_send`s over its own long-lived channel-layer connections:

- under an ASGI server (uvicorn, daphne) a view runs in a worker thread on behalf of the server's
  event loop; the messages go to that loop — where the in-memory layer's consumers live, and where
  channels-redis keeps one connection pool for the life of the process;
- anywhere else (the test client, WSGI, a Celery worker, a management command) one daemon thread per
  process runs a loop of its own, started on first use.

Either way the push is best effort and after commit only: a failure (Redis down) is logged and never
reaches the business action. The notification is in the inbox regardless, and the browser fetches
what it missed when it reconnects (`?since=`).
"""

import asyncio
import atexit
import logging
import os
import threading

from asgiref.sync import SyncToAsync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)
# Groups sent to at once in one batch (each group's own messages go one after another, in order).
MAX_CONCURRENT_GROUPS = 50


class PushSender:
    """Batches (group, message) pairs per event loop and sends them there, in hand-over order."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: dict[asyncio.AbstractEventLoop, list] = {}
        self._last_send: dict[asyncio.AbstractEventLoop, asyncio.Future] = {}
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._own_loop_pid = None

    def send(self, items) -> None:
        """Hand `items` over to a sender loop; returns at once."""
        items = list(items)
        if not items or get_channel_layer() is None:  # no layer configured: live updates are off
            return
        loop = self._loop()
        with self._lock:
            batch = self._pending.setdefault(loop, [])
            start_turn = not batch
            batch.extend(items)
        if start_turn:
            try:
                loop.call_soon_threadsafe(self._turn, loop)
            except RuntimeError:  # the loop closed meanwhile (a server shutting down)
                with self._lock:
                    self._pending.pop(loop, None)
                logger.warning("push of %d messages dropped: the event loop is closed", len(items))

    def wait(self, timeout: float = 5.0) -> bool:
        """Block until everything handed over so far was sent (tests, benchmarks, exit)."""
        with self._lock:
            loops = set(self._pending) | set(self._last_send)
        done = True
        for loop in loops:
            if loop.is_closed() or _running_loop() is loop:  # waiting on our own loop would block it
                continue
            try:
                asyncio.run_coroutine_threadsafe(self._drained(loop), loop).result(timeout)
            except Exception:  # timeout, or the loop stopped: report, never raise into the caller
                done = False
        return done

    # --- on the sender loop ---------------------------------------------------------------------

    def _turn(self, loop):
        with self._lock:
            batch = self._pending.pop(loop, [])
        if batch:
            previous = self._last_send.get(loop)
            task = loop.create_task(self._send_batch(batch, previous))
            self._last_send[loop] = task
            task.add_done_callback(lambda done: self._forget(loop, done))

    def _forget(self, loop, task):
        with self._lock:
            if self._last_send.get(loop) is task:
                del self._last_send[loop]

    async def _drained(self, loop):
        while True:
            with self._lock:
                last, pending = self._last_send.get(loop), bool(self._pending.get(loop))
            if last is None and not pending:
                return
            if last is not None:
                await asyncio.wait([last])
            else:
                await asyncio.sleep(0)  # a turn is scheduled; let it start

    @staticmethod
    async def _send_batch(batch, previous):
        if previous is not None:  # keep hand-over order between batches
            await asyncio.wait([previous])
        layer = get_channel_layer()
        if layer is None:
            return
        # One sender per group, in hand-over order; at most MAX_CONCURRENT_GROUPS groups at a time, so a
        # sweep that changes hundreds of cases in one commit does not open a connection per message
        # (channels-redis' pool refuses beyond its size: "Too many connections").
        by_group = {}
        for group, message in batch:
            by_group.setdefault(group, []).append(message)
        gate = asyncio.Semaphore(MAX_CONCURRENT_GROUPS)

        async def send_in_order(group, messages):
            async with gate:
                for message in messages:
                    try:
                        await layer.group_send(group, message)
                    except Exception as exc:  # logged; the inbox stays the truth
                        logger.error("push of %s to %s failed", message.get("type"), group, exc_info=exc)

        await asyncio.gather(*(send_in_order(group, messages) for group, messages in by_group.items()))

    # --- which loop -----------------------------------------------------------------------------

    def _loop(self) -> asyncio.AbstractEventLoop:
        server_loop = _server_loop()
        if server_loop is not None:
            return server_loop
        with self._lock:
            if self._own_loop is None or self._own_loop_pid != os.getpid() or self._own_loop.is_closed():
                self._own_loop = self._start_own_loop()
                self._own_loop_pid = os.getpid()
                self._pending.clear()  # after a fork, the parent's batches are not ours to send
                self._last_send.clear()
            return self._own_loop

    @staticmethod
    def _start_own_loop() -> asyncio.AbstractEventLoop:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="push-sender", daemon=True)
        thread.start()
        return loop


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's loop this thread works for, as asgiref's sync_to_async records it (the
    same lookup `async_to_sync` makes), if it is running in this process."""
    threadlocal = SyncToAsync.threadlocal
    if getattr(threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


sender = PushSender()
atexit.register(sender.wait, 2.0)


def push_many(items) -> None:
    """Send (group, message) pairs now, off the request path. Call only after commit."""
    sender.send(items)


def push_after_commit(items) -> None:
    """Send (group, message) pairs once the current transaction commits; nothing on rollback."""
    items = list(items)
    transaction.on_commit(lambda: sender.send(items))


def push_wait(timeout: float = 5.0) -> bool:
    """Wait until every push handed over so far was sent. For tests and benchmarks."""
    return sender.wait(timeout)
