"""Phase 1, cost (section 3 of the report): what a notification adds to a transition.

`case_transition(name="accept")` by a supervisor on agents' cases (notifies the owner) versus the same
transition by the owner on their own (notifies nobody), interleaved, in process, no WebSocket clients
connected. Both broadcast `case.changed` after commit; the `on_commit` pushes run inside
`case_transition`, so they are in the time. Then, with --plain, the same from a plain thread.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench.live import log
from bench.live.driver import sync
from bench.stats import summary_with_max


async def measure(args, driver, agents, supervisor):
    """Supervisor versus owner on agents' cases, interleaved, no WebSocket clients connected."""
    n, warm = args.transitions, args.warmup
    owners = [u for u, _key in agents]
    per_owner = -(-(n + warm + 1) // len(owners))
    log(f"Phase cost: logging {2 * per_owner * len(owners)} cases (not timed)")
    sup_cases = await sync(driver.make_cases)(owners, per_owner)
    own_cases = await sync(driver.make_cases)(owners, per_owner)
    sup_list = [(cid, supervisor) for r in range(per_owner) for o in owners for cid in [sup_cases[o.pk][r]]]
    own_list = [(cid, o) for r in range(per_owner) for o in owners for cid in [own_cases[o.pk][r]]]
    sup_ms, own_ms = [], []
    log(f"Phase cost: {warm} warm-up + {n} transitions per path, interleaved")
    for i in range(warm + n):
        s = await sync(driver.timed_accept)(*sup_list[i])
        o = await sync(driver.timed_accept)(*own_list[i])
        if i >= warm:
            sup_ms.append(s)
            own_ms.append(o)
    sup_sql = await sync(driver.timed_accept)(*sup_list[warm + n], count=True)
    own_sql = await sync(driver.timed_accept)(*own_list[warm + n], count=True)

    # The same from a plain thread (no event loop: what a Celery task or a management command
    # does): the pushes go to the push sender's own daemon loop (notifications/push.py), which
    # keeps its Redis connections; the action does not wait for them.
    plain_n = min(args.plain, len(owners))
    sup_plain, own_plain = [], []
    if plain_n:
        extra_sup = await sync(driver.make_cases)(owners[:plain_n], 1)
        extra_own = await sync(driver.make_cases)(owners[:plain_n], 1)
        pairs = [((extra_sup[o.pk][0], supervisor), (extra_own[o.pk][0], o)) for o in owners[:plain_n]]
        log(f"Phase cost: {plain_n} more per path from a plain thread")

        def plain():
            try:
                for (sc, su), (oc, ou) in pairs:
                    sup_plain.append(driver.timed_accept(sc, su))
                    own_plain.append(driver.timed_accept(oc, ou))
            finally:
                driver.close_db()

        with ThreadPoolExecutor(1, thread_name_prefix="plain") as pool:
            await asyncio.get_running_loop().run_in_executor(pool, plain)
    c = {
        "supervisor": summary_with_max(sup_ms),
        "owner": summary_with_max(own_ms),
        "sup_sql": sup_sql,
        "own_sql": own_sql,
        "sup_plain": summary_with_max(sup_plain[5:]),
        "own_plain": summary_with_max(own_plain[5:]),
    }
    log(
        f"    supervisor p50 {c['supervisor']['p50']:.1f} p95 {c['supervisor']['p95']:.1f} ms "
        f"({len(sup_sql)} q); owner p50 {c['owner']['p50']:.1f} p95 {c['owner']['p95']:.1f} ms "
        f"({len(own_sql)} q); plain thread: supervisor p50 {c['sup_plain']['p50']:.1f}, "
        f"owner p50 {c['own_plain']['p50']:.1f} ms"
    )
    return c
