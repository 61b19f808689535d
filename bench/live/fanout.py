"""Phases 3 and 4 (sections 2 and 4 of the report), with the same clients: the users of the escalation desk.

3. fan-out: one WebSocket client per desk user (--fanout), so the server holds that many consumers in
   `role.escalation_desk`. A supervisor accepts a case of an agent who is not connected; notify()
   broadcasts `case.changed` to the owner and three role groups after commit. Measured: the time from
   the commit until the first, half, and every client has the event, and drops (a client that did not
   get it within --fanout-timeout, +2 s at the end). Before each event every client answers a ping (one
   the server had ended is reconnected first), so all are connected at the commit.
4. quiet periods: the same clients stay open with no traffic for --idle seconds (who did the server
   drop?), then --spaced-events more events --spaced-gap seconds apart (a desk where something happens
   every few seconds): deliveries missed and connections the server ended.
"""

import asyncio
import random
import time

from bench.live import log
from bench.live.clients import Client, Hub, close_all, ensure_all, open_all, server_drops
from bench.live.driver import sync
from bench.stats import summary_with_max


async def measure(args, driver, desk, owner, supervisor, ws_url, origin, cookie):
    """Returns the report's "fanout" results, and "idle" and "spaced" unless they are skipped."""
    a = args
    hub = Hub()
    cases = (await sync(driver.make_cases)([owner], a.events + a.fanout_warmup + a.spaced_events))[owner.pk]
    driver.probe.reset()
    clients = [Client(hub, u.pk, key) for u, key in desk]
    phase_began = time.monotonic()
    log(f"Phase fan-out: opening {len(clients)} WebSocket clients (escalation desk)")
    opened, handshakes = await asyncio.wait_for(open_all(clients, ws_url, origin, cookie), a.connect_timeout)
    log(f"    opened in {opened:.1f} s")
    n = len(clients)
    try:
        log(f"Phase fan-out: {a.fanout_warmup} warm-up + {a.events} events to role.escalation_desk")
        events = await fanout_events(
            driver, hub, clients, cases[: a.fanout_warmup + a.events], supervisor,
            warmup=a.fanout_warmup, gap=a.fanout_gap / 1000, timeout=a.fanout_timeout,
        )  # fmt: skip
        expected = n * len(events)
        got = sum(min(e["final"], n) for e in events)
        x = {
            "clients": n,
            "opened_s": opened,
            "handshake": summary_with_max(handshakes),
            "events": events,
            "expected": expected,
            "received": got,
            "drops": expected - got,
            "duplicates": sum(max(0, e["final"] - n) for e in events),
            "last": summary_with_max([e["last"] for e in events]),
            "first": summary_with_max([e["first"] for e in events]),
            "median": summary_with_max([e["median"] for e in events]),
            "push_start": summary_with_max([e["push_start"] for e in events]),
            "push": summary_with_max([ms for g, _kind, ms in driver.probe.pushes if g == "role.escalation_desk"]),
            "server_closed": server_drops(clients, phase_began),
        }
        results = {"fanout": x}
        log(
            f"    all {n} got it: p50 {x['last']['p50']:.1f} p95 {x['last']['p95']:.1f} "
            f"max {x['last']['max']:.1f} ms; received {got}/{expected}, drops {x['drops']}"
        )
        if a.idle:
            results["idle"] = await idle_check(clients, a.idle)
        if a.spaced_events:
            results["spaced"] = await spaced_events(a, driver, hub, clients, cases[-a.spaced_events :], supervisor)
        return results
    finally:
        await close_all(clients)


async def fanout_events(driver, hub, clients, cases, supervisor, *, warmup, gap, timeout):
    """One event per case, `gap` seconds apart; every client connected (reconnected if the
    server had ended it) and answering before each. Returns the timed events."""
    n, events = len(clients), []
    for i, case_id in enumerate(cases):
        reopened = await ensure_all(clients)
        number, notes = await sync(driver.accept)(case_id, supervisor)
        t_commit = notes[0][2]  # the owner's notification: the first on_commit callback
        complete = await hub.wait_changes(number, n, timeout)
        times = sorted(hub.changes.get(number, []))
        if i >= warmup:
            events.append(
                {
                    "case": number,
                    "reopened": reopened,
                    "complete": complete,
                    "got": len(times),
                    "first": (times[0] - t_commit) * 1000 if times else float("nan"),
                    "median": (times[len(times) // 2] - t_commit) * 1000 if times else float("nan"),
                    "last": (times[-1] - t_commit) * 1000 if times else float("nan"),
                    "push_start": (driver.probe.push_starts[("role.escalation_desk", number)] - t_commit) * 1000,
                }
            )
        await asyncio.sleep(gap() if callable(gap) else gap)
    await asyncio.sleep(2)  # late or duplicate frames
    for e in events:
        e["final"] = len(hub.changes.get(e["case"], []))
    return events


async def idle_check(clients, seconds):
    """Keeps the clients open with no traffic at all, then counts who the server dropped."""
    await ensure_all(clients)
    log(f"Idle: {len(clients)} clients open, no traffic for {seconds:g} s")
    began = time.monotonic()
    await asyncio.sleep(seconds)
    dropped = [c for c in clients if c.closed_early is not None]
    alive = [c for c in clients if c.closed_early is None]

    async def answers(c):
        try:
            await c.ping(timeout=5)
            return True
        except Exception:
            return False

    answered = await asyncio.gather(*(answers(c) for c in alive))
    codes = {}
    for c in dropped:
        codes[c.close_code()] = codes.get(c.close_code(), 0) + 1
    log(f"    dropped by the server: {len(dropped)} {codes}; {sum(answered)} answered a ping afterwards")
    return {
        "clients": len(clients),
        "seconds": seconds,
        "dropped": len(dropped),
        "codes": codes,
        "at": sorted(round(c.closed_at - began, 1) for c in dropped),
        "answered": sum(answered),
    }


async def spaced_events(args, driver, hub, clients, cases, supervisor):
    """One event per case, a random --spaced-gap apart: what a desk where something happens every few
    seconds sees."""
    low, high = args.spaced_gap
    log(f"Spaced events: {len(cases)} events {low:g}–{high:g} s apart")
    began = time.monotonic()
    rng = random.Random(5)
    spaced = await fanout_events(
        driver, hub, clients, cases, supervisor,
        warmup=0, gap=lambda: rng.uniform(low, high), timeout=args.spaced_timeout,
    )  # fmt: skip
    n = len(clients)
    got = sum(min(e["final"], n) for e in spaced)
    result = {
        "events": spaced,
        "expected": n * len(spaced),
        "received": got,
        "drops": n * len(spaced) - got,
        "server_closed": server_drops(clients, began),
    }
    log(f"    received {got}/{n * len(spaced)}; server ended {len(result['server_closed'])}")
    return result
