"""Instrumentation of this process (the driver) only: clock readings around the project's push code,
and channels-redis' warnings about messages it did not deliver.

The commit time of every latency is read here: the first thing notify()'s `on_commit` callback does,
i.e. right after PostgreSQL's COMMIT returned. The server process is not instrumented.
"""

import logging
import time


class Probe:
    """Wraps notifications.services' after-commit callback and the channel layer's group_send: when
    each notification's commit was seen (the first thing the on_commit callback does) and how long
    each group_send took on the push sender's loop (notifications/push.py; the request does not wait
    for it). The wrappers only read the clock; the project's code runs unchanged."""

    def __init__(self):
        self.current = None  # list the running action collects its notifications into
        self.commits = {}  # notification id -> (monotonic at commit, recipient id, case number)
        self.pushes = []  # (group, message type, ms)
        self.push_starts = {}  # (group, case number) -> monotonic when group_send began

    def reset(self):
        self.commits, self.pushes, self.push_starts = {}, [], {}

    def install(self):
        from channels.layers import get_channel_layer

        import notifications.services as services

        original_after_commit = services._after_commit
        layer = get_channel_layer()  # one instance per process: the sender uses this one
        original_group_send = layer.group_send

        def after_commit(notifications, delivery_ids):
            now = time.monotonic()
            for n in notifications:
                self.commits[n.pk] = (now, n.recipient_id, n.subject_ref)
                if self.current is not None:
                    self.current.append((n.pk, n.recipient_id, now))
            return original_after_commit(notifications, delivery_ids)

        async def group_send(group, message):
            began = time.monotonic()
            self.push_starts[(group, message.get("case") or message.get("subject"))] = began
            try:
                return await original_group_send(group, message)
            finally:
                self.pushes.append((group, message.get("type"), (time.monotonic() - began) * 1000))

        services._after_commit = after_commit
        layer.group_send = group_send


class OverCapacity(logging.Handler):
    """Counts channels-redis' "channels over capacity" log lines (messages it did not deliver)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        if "over capacity" in record.getMessage():
            self.lines.append(record.getMessage())
