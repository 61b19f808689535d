"""Phase 2, latency (section 1 of the report): commit to browser, with every agent connected.

One WebSocket client per agent (--clients). A supervisor accepts a case of agent k, one case at a
time, ~--gap ms apart, agents in shuffled rounds; the transition notifies the owner
(`notification.new` to `user.<id>`). The time runs from the commit (the first `on_commit` callback,
which is notify's; see probe.py) to the moment agent k's client reads the `notification.new` frame.
A notification not read within --receive-timeout is missing; one read by another user's client is wrong.
"""

import asyncio
import random
import time

from bench.live import log
from bench.live.clients import Client, Hub, close_all, ensure_all, open_all, server_drops
from bench.live.driver import sync
from bench.stats import summary_with_max


async def measure(args, driver, agents, supervisor, ws_url, origin, cookie):
    a = args
    probe = driver.probe
    hub = Hub()
    owners = [u for u, _key in agents]
    total = a.samples + a.latency_warmup
    per_owner = -(-total // len(owners))
    log(f"Phase latency: logging {per_owner * len(owners)} cases (not timed)")
    cases = await sync(driver.make_cases)(owners, per_owner)
    rng = random.Random(11)
    schedule = []
    for r in range(per_owner):
        order = list(owners)
        rng.shuffle(order)
        schedule += [(cases[o.pk][r], o.pk) for o in order]
    schedule = schedule[:total]

    probe.reset()
    clients = [Client(hub, u.pk, key) for u, key in agents]
    by_user = {c.user_id: c for c in clients}
    phase_began = time.monotonic()
    log(f"Phase latency: opening {len(clients)} WebSocket clients")
    opened, handshakes = await asyncio.wait_for(open_all(clients, ws_url, origin, cookie), a.connect_timeout)
    log(f"    opened in {opened:.1f} s")
    try:
        await ensure_all(clients)
        rtts = [await c.ping() for c in clients]
        latencies, missing, wrong = [], 0, 0
        sent = 0
        log(f"Phase latency: {a.latency_warmup} warm-up + {a.samples} accepted cases, one at a time")
        for i, (case_id, owner_id) in enumerate(schedule):
            await by_user[owner_id].ensure_open()  # reconnect if the server ended it
            _number, notes = await sync(driver.accept)(case_id, supervisor)
            sent += len(notes)
            for nid, recipient, t_commit in notes:
                if recipient != owner_id:
                    wrong += 1
                if not await hub.wait_note(nid, a.receive_timeout):
                    missing += 1
                    continue
                t_recv, receiver = hub.notes[nid]
                if receiver != recipient:
                    wrong += 1
                if i >= a.latency_warmup:
                    latencies.append((t_recv - t_commit) * 1000)
            await asyncio.sleep(a.gap / 1000 * rng.uniform(0.5, 1.5))
        await asyncio.sleep(2)  # late or duplicate frames
        received = sum(1 for nid in probe.commits if nid in hub.notes)
        x = {
            "clients": len(clients),
            "opened_s": opened,
            "handshake": summary_with_max(handshakes),
            "rtt": summary_with_max(rtts),
            "latency": summary_with_max(latencies),
            "sent": sent,
            "received": received,
            "frames": hub.note_frames,
            "missing": missing,
            "wrong": wrong,
            "server_closed": server_drops(clients, phase_began),
            "push": summary_with_max([ms for _g, kind, ms in probe.pushes if kind == "notification.new"]),
        }
        log(
            f"    p50 {x['latency']['p50']:.1f} p95 {x['latency']['p95']:.1f} max {x['latency']['max']:.1f} ms; "
            f"sent {sent} received {received} (frames {hub.note_frames}), missing {missing}, wrong {wrong}"
        )
        return x
    finally:
        await close_all(clients)
