"""Pushes leave the request path: handed over after commit in one batch, sent on a long-lived loop."""

import asyncio
import json
import threading
from unittest import mock

import pytest
from rest_framework.test import APIClient

from cases.services import case_transition
from notifications.push import push_after_commit, push_wait, sender
from tests.factories import evidence, log_case

pytestmark = pytest.mark.django_db


class GatedLayer:
    """A channel layer whose sends hang until the test opens the gate (Redis stalled)."""

    def __init__(self):
        self.gate = threading.Event()
        self.started = threading.Event()
        self.sent = []
        self.loops = set()

    async def group_send(self, group, message):
        self.started.set()
        self.loops.add(asyncio.get_running_loop())
        while not self.gate.is_set():
            await asyncio.sleep(0.005)
        self.sent.append((group, message["type"]))


def test_a_request_answers_while_its_pushes_are_still_stuck(agent, supervisor, django_capture_on_commit_callbacks):
    case = log_case(agent)
    layer = GatedLayer()
    client = APIClient()
    client.force_authenticate(supervisor)
    with mock.patch("notifications.push.get_channel_layer", return_value=layer):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/cases/{case.pk}/transitions/accept/",
                json.dumps(evidence("accept")),
                content_type="application/json",
            )
        assert response.status_code == 200
        assert layer.started.wait(5)  # the sender is on it ...
        assert layer.sent == []  # ... and the answer did not wait for it
        layer.gate.set()
        assert push_wait()
    assert (f"user.{agent.pk}", "notification.new") in layer.sent
    assert (f"user.{agent.pk}", "case.changed") in layer.sent


def test_a_commit_hands_its_messages_over_in_batches_not_one_by_one(
    agent, supervisor, django_capture_on_commit_callbacks
):
    case = log_case(agent)

    with mock.patch.object(sender, "send") as send, django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, name="accept", actor=supervisor, data=evidence("accept"))
    # The owner's notification, then the live-page hint to the owner and the three all-cases roles.
    assert send.call_count == 2
    assert sum(len(call.args[0]) for call in send.call_args_list) == 5


def test_sends_keep_hand_over_order_on_one_long_lived_loop(django_capture_on_commit_callbacks):
    layer = GatedLayer()
    layer.gate.set()
    with mock.patch("notifications.push.get_channel_layer", return_value=layer):
        for n in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                push_after_commit([(f"user.{n}", {"type": f"t{n}"})])
        assert push_wait()
    assert layer.sent == [("user.0", "t0"), ("user.1", "t1"), ("user.2", "t2")]
    assert len(layer.loops) == 1 and next(iter(layer.loops)).is_running()


def test_nothing_is_handed_over_without_a_channel_layer(django_capture_on_commit_callbacks):
    with (
        mock.patch("notifications.push.get_channel_layer", return_value=None),
        mock.patch.object(sender, "_loop") as loop,
        django_capture_on_commit_callbacks(execute=True),
    ):
        push_after_commit([("user.1", {"type": "x"})])
    loop.assert_not_called()


class CountingLayer:
    """Records how many sends run at once, and the order each group receives its messages in."""

    def __init__(self):
        self.now = self.most = 0
        self.received = {}

    async def group_send(self, group, message):
        self.now += 1
        self.most = max(self.most, self.now)
        await asyncio.sleep(0.001)
        self.received.setdefault(group, []).append(message["n"])
        self.now -= 1


def test_a_large_batch_sends_each_group_in_order_with_bounded_concurrency(django_capture_on_commit_callbacks):
    """A sweep that changes hundreds of cases in one commit: a connection per message would exhaust
    channels-redis' pool ("Too many connections"), so groups are sent to a bounded number at a time."""
    from notifications.push import MAX_CONCURRENT_GROUPS

    layer = CountingLayer()
    groups = [f"user.{i}" for i in range(MAX_CONCURRENT_GROUPS * 2)]
    with mock.patch("notifications.push.get_channel_layer", return_value=layer):
        with django_capture_on_commit_callbacks(execute=True):
            push_after_commit([(group, {"type": "t", "n": n}) for n in range(5) for group in groups])
        assert push_wait()
    assert layer.most <= MAX_CONCURRENT_GROUPS
    assert all(layer.received[group] == [0, 1, 2, 3, 4] for group in groups)
