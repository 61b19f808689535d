"""Percentiles and timing for the benchmarks (no dependencies)."""

import math
import time
from contextlib import contextmanager


def percentile(samples, p):
    """Nearest-rank percentile (p in 0..100) of a list of numbers."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(samples_ms):
    """p50, p95, mean and count of latencies in milliseconds."""
    return {
        "n": len(samples_ms),
        "p50": percentile(samples_ms, 50),
        "p95": percentile(samples_ms, 95),
        "mean": sum(samples_ms) / len(samples_ms) if samples_ms else float("nan"),
    }


def summary_with_max(samples_ms):
    """n, p50, p95, max and mean of a list of milliseconds."""
    if not samples_ms:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "max": float("nan"), "mean": float("nan")}
    return {
        "n": len(samples_ms),
        "p50": percentile(samples_ms, 50),
        "p95": percentile(samples_ms, 95),
        "max": max(samples_ms),
        "mean": sum(samples_ms) / len(samples_ms),
    }


@contextmanager
def stopwatch(into: list):
    """Append the elapsed milliseconds of the block to `into`."""
    began = time.perf_counter()
    try:
        yield
    finally:
        into.append((time.perf_counter() - began) * 1000)


def timed(fn, samples, warmup):
    """`fn` called `warmup` times untimed, then `samples` times timed: summary() of the milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        with stopwatch(times):
            fn()
    return summary(times)


@contextmanager
def pushes_off():
    """The same request with live updates off, as in a deployment with no channel layer: the push
    sender finds no layer and hands nothing over (notifications/push.py)."""
    from unittest import mock

    with mock.patch("notifications.push.get_channel_layer", return_value=None):
        yield


def pushes_sent(drain_ms=None):
    """Wait, untimed, until the last request's pushes were sent, so they do not run into the next
    request's timing; `drain_ms` collects how long that took after the response."""
    from notifications.push import push_wait

    began = time.perf_counter()
    if not push_wait(10):
        raise RuntimeError("pushes were not sent within 10 s")
    if drain_ms is not None:
        drain_ms.append((time.perf_counter() - began) * 1000)
