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
