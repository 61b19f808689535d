"""The report: docs/benchmarks-live.md (or --output), rendered from one run's results.

Its sections are ordered for the reader, not as the phases ran: 1 latency, 2 fan-out, 3 cost, 4 quiet
periods; then what the server logged, with the known causes of its errors and warnings explained.
"""

from bench.live.server import first_traceback, summarize_log

LATENCY_P95_MS = 100  # the target: commit to browser, p95


def ok(flag):
    return "PASS" if flag else "**FAIL**"


def f1(x):
    return f"{x:.1f}"


def row(name, s, extra=""):
    return f"| {name} | {s['n']} | {f1(s['p50'])} | {f1(s['p95'])} | {f1(s['max'])} |{extra}"


def render(r, a):
    """The markdown of one run: `r` its results, `a` its command-line arguments."""
    lines = [
        *introduction(r, a),
        *targets(r),
        *method(),
        *latency_section(r, a),
        *fanout_section(r, a),
        *cost_section(r, a),
        *quiet_section(r, a),
    ]
    if a.layer_socket_timeout or a.layer_max_connections:
        lines += [f"*This run changed the project's settings: channel layer hosts `{r['layer']['hosts']}`.*", ""]
    lines += server_log_section(r)
    return "\n".join(lines).rstrip() + "\n"


def introduction(r, a):
    """The title, when and how it was measured, and the machine."""
    m, layer = r["machine"], r["layer"]
    return [
        "# Live-update benchmarks (WebSockets)",
        "",
        f"Measured {m['date']} with `{m['command']}` at commit `{m['commit']}`; the run took "
        f"{r['elapsed'] / 60:.1f} minutes. Regenerate with the same command (it creates, migrates and drops its "
        f"own database `{a.db}` and empties Redis database `{a.redis}`).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu']} |",
        f"| RAM | {m['ram']} |",
        f"| PostgreSQL | {m['pg']}, same machine, TCP to 127.0.0.1 |",
        f"| Redis | {m['redis']}, same machine, TCP to 127.0.0.1 (`{a.redis}`, emptied first) |",
        f"| Python | {m['python']}; {m['versions']} |",
        f"| OS | {m['os']} |",
        f"| ASGI server | uvicorn, {a.workers} worker process, `--ws websockets` (the websockets library's "
        f"protocol, permessage-deflate on as for browsers), {m['loop']} event loop: `{m['server_cmd']}` |",
        f"| Channel layer | `{layer['backend']}`, hosts `{layer['hosts']}`, capacity {layer['capacity']} messages "
        f"per channel, expiry {layer['expiry']} s, group expiry {layer['group_expiry']} s (channels-redis defaults) |",
        f"| Load average (1 min) | {r['load'][0]:.2f} before the run, {r['load'][1]:.2f} after |",
        "| Settings | `config.settings.dev`, `DEBUG=0`, `SECRET_KEY=bench`, `ALLOWED_HOSTS=127.0.0.1,localhost`, "
        "sessions in the database, persistent DB connections (`CONN_MAX_AGE=60`), Redis also the cache |",
        f"| Open files | soft limit {r['nofile'][0]} (raised by the script if below 8192 and the hard limit allows) |",
        "",
    ]


def targets(r):
    lat, fan = r["latency"], r["fanout"]
    lat_ok = lat["latency"]["p95"] <= LATENCY_P95_MS and lat["sent"] == lat["received"] and not lat["wrong"]
    fan_ok = fan["drops"] == 0
    return [
        "## Targets",
        "",
        "| Target | Measured | Result |",
        "|---|---|---|",
        f"| Commit-to-browser p95 ≤ {LATENCY_P95_MS} ms with {lat['clients']} connected clients, every "
        f"notification delivered | p95 {f1(lat['latency']['p95'])} ms; {lat['received']} of {lat['sent']} "
        f"received | {ok(lat_ok)} |",
        f"| One `case.changed` to {fan['clients']} subscribers of a role group, zero drops | {fan['drops']} "
        f"dropped of {fan['expected']:,} over {len(fan['events'])} events | {ok(fan_ok)} |",
        *(
            [
                f"| (not in the brief) Connections stay open through quiet periods | "
                f"{r['idle']['dropped']} of {r['idle']['clients']} ended by the server in {r['idle']['seconds']:g} "
                f"idle s; {len(r.get('spaced', {}).get('server_closed', []))} more during the spaced events "
                f"(section 4) | {ok(not r['idle']['dropped'] and not r.get('spaced', {}).get('server_closed'))} |"
            ]
            if r.get("idle")
            else []
        ),
        "",
    ]


def method():
    return [
        "## How it is measured",
        "",
        "- One driver process (`bench/live.py`) holds the WebSocket clients (Python asyncio + the `websockets` "
        "library, one connection per user, `sessionid` cookie and `Origin` header in the handshake) **and** "
        "Django, set up against the same database and the same Redis channel layer as the server. The business "
        'actions run in the driver through the real service, `cases.services.case_transition(name="accept")`, '
        "called via asgiref's `sync_to_async` from the event loop that runs the clients, as a view runs under an "
        "ASGI server; notify()'s `on_commit` push is therefore handed to that loop (notifications/push.py) and "
        "sent from it over its persistent Redis connections, the action not waiting for it. "
        "The server (a separate process) receives it from "
        "Redis and writes it to the client's socket.",
        "- Clock: `time.monotonic()` in the driver at both ends. Start = the first line of notify()'s `on_commit` "
        "callback (wrapped in the driver only to read the clock), i.e. right after PostgreSQL's COMMIT returned; "
        "end = when the client's reader coroutine gets the decoded frame.",
        "- Users are created in bulk, each with a database session holding what `django.contrib.auth.login()` "
        "stores (user id, backend, session auth hash); the consumer authenticates them with the project's "
        "`AuthMiddlewareStack`. Cases are logged by their owners through `complaint_log()` beforehand (not timed).",
        "- Clients are opened at most 50 handshakes at a time; after opening, each answers a "
        "`ping`/`pong` (so its consumer has joined its groups). A client whose connection the server ends is "
        "reconnected before the next action (as the page's script does) and counted.",
        "- Everything shares the machine's cores: the server process, the driver (Django and all the clients: "
        "the 500 clients' frames of a fan-out are decompressed and decoded in this one Python process, which is "
        "part of the time until all 500 have it), PostgreSQL and Redis.",
        "",
    ]


def latency_section(r, a):
    lat = r["latency"]
    return [
        f"## 1. Commit-to-browser latency, {lat['clients']} connected clients",
        "",
        f"{lat['clients']} agents, each with its own open WebSocket. A supervisor accepts a case of agent k "
        f"({a.latency_warmup} warm-up + {lat['latency']['n']} timed, one at a time, "
        f"~{a.gap} ms apart, agents in shuffled rounds so every agent gets ≈{lat['latency']['n'] // lat['clients']}); "
        "the transition notifies the owner (`notification.new` to `user.<id>`) and broadcasts `case.changed` to the "
        "owner and three role groups.",
        "",
        "| Measure | n | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        row("commit → agent's client has `notification.new`", lat["latency"]),
        row("`group_send` to `user.<id>` in the driver (part of the above)", lat["push"]),
        row("WebSocket ping → pong through the server (no channel layer)", lat["rtt"]),
        row("opening handshake (session + user lookup, 2 `group_add`)", lat["handshake"]),
        "",
        "| Notifications | |",
        "|---|---:|",
        f"| sent (committed, incl. warm-up) | {lat['sent']} |",
        f"| received by the right client | {lat['received']} |",
        f"| `notification.new` frames in all | {lat['frames']} |",
        f"| not received within {a.receive_timeout:g} s | {lat['missing']} |",
        f"| received by another user's client | {lat['wrong']} |",
        f"| connections the server ended during the phase (the client reconnected) | {len(lat['server_closed'])} |",
        f"| time to open all {lat['clients']} connections | {lat['opened_s']:.1f} s |",
        "",
    ]


def fanout_section(r, a):
    fan, layer = r["fanout"], r["layer"]
    return [
        f"## 2. Fan-out: one event to {fan['clients']} subscribers of `role.escalation_desk`",
        "",
        f"{fan['clients']} users of the escalation desk, each with its own open WebSocket (so the server holds "
        f"{fan['clients']} consumers in the group). The event is real: a supervisor accepts a case of an agent "
        "who is not connected; `cases/notify.py` notifies the owner and broadcasts `case.changed` to "
        "`user.<owner>`, `role.escalation_desk`, `role.supervisor` and `role.auditor`, in that order, after commit. "
        f"{a.fanout_warmup} warm-up + {len(fan['events'])} events, {a.fanout_gap} ms apart; times from commit. "
        f"Before each event every client is checked with a ping (one the server had ended is reconnected first, as "
        f"the page's script would), so all {fan['clients']} are connected at the commit; a drop is a client that "
        f"did not get the event within {a.fanout_timeout:g} s (+2 s at the end).",
        "",
        "| Per event | n | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        row(f"commit → **all {fan['clients']}** clients have it", fan["last"]),
        row("commit → the first client has it", fan["first"]),
        row("commit → half of the clients have it", fan["median"]),
        row("commit → `group_send` to the role group starts (after the owner's 2 pushes)", fan["push_start"]),
        row("`group_send` to the role group in the driver", fan["push"]),
        row("opening handshake", fan["handshake"]),
        "",
        "| Deliveries | |",
        "|---|---:|",
        f"| expected ({fan['clients']} × {len(fan['events'])}) | {fan['expected']:,} |",
        f"| received | {fan['received']:,} |",
        f"| **dropped** | **{fan['drops']}** |",
        f"| duplicates | {fan['duplicates']} |",
        f'| channels-redis "over capacity" log lines in the driver | {len(r["over_capacity"])} |',
        f"| connections the server ended during the phase (reconnected before the next event) | "
        f"{len(fan['server_closed'])} |",
        f"| time to open all {fan['clients']} connections | {fan['opened_s']:.1f} s |",
        "",
        "<details><summary>Each event</summary>",
        "",
        "| # | received | first ms | half ms | all ms | reconnected before |",
        "|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {i} | {e['final']} | {f1(e['first'])} | {f1(e['median'])} | {f1(e['last'])} | {e['reopened']} |"
            for i, e in enumerate(fan["events"], start=1)
        ],
        "",
        "</details>",
        "",
        "Where some events take ~200 ms longer than the rest (first client at ~200 ms instead of ~45 ms), the "
        "server process was running a full garbage collection: in separate trials with `gc.callbacks` logging in "
        "the server, generation-2 collections of 150–190 ms ran every ~2 s under this load and coincided with the "
        "slow events; `gc.freeze()` after loading the application cut them to 60–95 ms (fan-out p95 from ~245 to "
        "~170 ms in that trial).",
        "",
        "channels-redis stores a group message once per *process* of receivers, not once per consumer: all "
        f"{fan['clients']} consumers live in the one server process, whose channel names share one Redis list "
        "(`specific.<process>!`), so `group_send` writes one message naming the "
        f"{fan['clients']} channels, and the server's single receive loop hands it to each consumer's local "
        f"queue (capacity {layer['capacity']} each). The capacity check is per Redis key, so it counts messages "
        "waiting for the whole process, which the receive loop drains continuously; it would only bite if "
        f"more than {layer['capacity']} group messages were waiting at once.",
        "",
    ]


def cost_section(r, a):
    lat, cost = r["latency"], r["cost"]
    diff50 = cost["supervisor"]["p50"] - cost["owner"]["p50"]
    diff95 = cost["supervisor"]["p95"] - cost["owner"]["p95"]
    lines = [
        "## 3. What a notification adds to a transition",
        "",
        f'`case_transition(name="accept")` on fresh `new` cases of the {lat["clients"]} agents, in process '
        f"(no WebSocket clients connected; the server idle), {a.warmup} warm-up then {cost['supervisor']['n']} "
        "timed per path, interleaved; the case is loaded before the clock starts. A supervisor's accept "
        "notifies the owner (inbox row + `notification.new` push after commit); the owner's own accept "
        "notifies nobody. Both broadcast `case.changed` to four groups after commit. The `on_commit` pushes run "
        "inside `case_transition` (Django runs them at the COMMIT), so they are in the time.",
        "",
        "| Path | n | p50 ms | p95 ms | max ms | SQL queries |",
        "|---|---:|---:|---:|---:|---:|",
        row("supervisor on an agent's case (notifies)", cost["supervisor"], f" {len(cost['sup_sql'])} |"),
        row("owner on their own case (no notification)", cost["owner"], f" {len(cost['own_sql'])} |"),
        f"| **difference** | | **{diff50:+.1f}** | **{diff95:+.1f}** | | "
        f"**{len(cost['sup_sql']) - len(cost['own_sql']):+d}** |",
        "",
    ]
    if cost["sup_plain"]["n"]:
        lines += [
            f"The same from a plain thread with no event loop (as in a Celery task or a management command), "
            f"{cost['sup_plain']['n']} per path after 5 warm-up: the pushes then go to the push sender's own "
            "daemon loop, which keeps its Redis connections; the action does not wait for them.",
            "",
            "| Path (plain thread) | n | p50 ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|",
            row("supervisor (1 + 4 pushes)", cost["sup_plain"]),
            row("owner (4 pushes)", cost["own_plain"]),
            "",
        ]
    lines += [
        "<details><summary>The SQL of the supervisor's accept (the owner's is the same minus the "
        "notification's queries)</summary>",
        "",
        "```sql",
        *[q if len(q) <= 300 else q[:300] + " …" for q in cost["sup_sql"]],
        "```",
        "",
        "</details>",
        "",
    ]
    return lines


def quiet_section(r, a):
    """Section 4, and the defect behind any connection the server ended (in sections 1 and 2 too)."""
    lat, fan = r["latency"], r["fanout"]
    lines = []
    idle, spaced = r.get("idle"), r.get("spaced")
    if idle or spaced:
        lines += ["## 4. Quiet periods", ""]
    if idle:
        codes = ", ".join(f"{code} × {count}" for code, count in sorted(idle["codes"].items()))
        lines += [
            f"After the fan-out events the {idle['clients']} clients stay open with no traffic at all for "
            f"{idle['seconds']:g} s (a quiet moment on a real desk).",
            "",
            "| Idle connections | |",
            "|---|---:|",
            f"| open at the start | {idle['clients']} |",
            f"| ended by the server while idle | **{idle['dropped']}** |",
            f"| close codes seen by the client | {codes or '–'} |",
            f"| ended at (s after the quiet began) | {', '.join(f'{t:g}' for t in idle['at']) or '–'} |",
            f"| survivors answering a ping afterwards | {idle['answered']} of {idle['clients'] - idle['dropped']} |",
            "",
        ]
    if spaced:
        ended_s = spaced["server_closed"]
        lines += [
            f"Then {len(spaced['events'])} more events to the same {fan['clients']} clients, "
            f"{a.spaced_gap[0]:g}–{a.spaced_gap[1]:g} s apart (random; a desk where something happens every few "
            "seconds). As before, every client is connected and "
            "answering a ping just before each event (reconnected if the server had ended it); receipts are "
            f"awaited {a.spaced_timeout:g} s (+2 s at the end).",
            "",
            "| # | received | all ms | reconnected just before |",
            "|---:|---:|---:|---:|",
            *[
                f"| {i} | {e['final']} | {f1(e['last'])} | {e['reopened']} |"
                for i, e in enumerate(spaced["events"], start=1)
            ],
            f"| **missed** | **{spaced['drops']}** of {spaced['expected']:,} | | "
            f"{len(ended_s)} ended by the server in all |",
            "",
        ]
    if (idle and idle["dropped"]) or (spaced and (spaced["drops"] or spaced["server_closed"])):
        lines += [
            "**A defect, not a capacity limit.** redis-py 8 gives every connection `socket_timeout=5` s by "
            "default; channels-redis waits for the server process's messages with a blocking `BZPOPMIN` of "
            "5 s (`brpop_timeout`). When the process receives nothing for 5 s the socket read times out just "
            "before Redis answers, `redis.exceptions.TimeoutError` escapes from the consumer that is running "
            'the process\'s receive loop, that consumer dies ("Exception in ASGI application" below) and '
            "uvicorn drops its connection (the browser sees 1006 and has to reconnect): one connection per "
            "~5 quiet seconds per server process. If that coincides with an event, the dying consumer never "
            "forwards it: a missed delivery (the inbox still has the notification; a `case.changed` hint is simply "
            "lost); seen while developing this benchmark with events ~5 s apart: 8 of 6,000 deliveries to 500 "
            "clients missed. Known upstream: django/channels_redis#422, redis/redis-py#4091. Remedy: give the "
            "channel layer's Redis connections a socket timeout above 5 s, e.g. "
            '`"hosts": [{"address": REDIS_URL, "socket_timeout": 10}]` in `CHANNEL_LAYERS` '
            "(`config/settings/base.py`); `--layer-socket-timeout 10` runs this benchmark with that change.",
            "",
        ]
        ended = lat["server_closed"] + fan["server_closed"]
        if not ended:
            lines += [
                "Phases 1 and 2 were not affected: no connection was ended during them (messages kept the "
                "receive loop busy, never 5 s without one while clients were connected).",
                "",
            ]
        else:
            lines += [
                f"The same defect ended {len(ended)} connection(s) during phases 1 and 2 (at "
                f"{', '.join(f'{t:.1f} s' for t, _code in ended)} into the phase, e.g. while 500 clients were "
                "still being opened and no message had come for 5 s); each was reconnected before the next "
                "action, as the page's script would, so they are counted here and not as missed deliveries.",
                "",
            ]
    return lines


def server_log_section(r):
    """What uvicorn logged, the known causes explained; and the driver's channels-redis warnings."""
    lines = ["## Server log", ""]
    problems = summarize_log(r["server_log"])
    if problems:
        lines += [
            f"uvicorn (log level `warning`) wrote {len(r['server_log'])} lines; distinct messages (tracebacks "
            "reduced to their exception lines):",
            "",
            "| Count | Line |",
            "|---:|---|",
            *[f"| {count} | `{text.replace('|', '/').replace('`', chr(39))}` |" for text, count in problems],
            "",
        ]
        if any("MaxConnectionsError" in text for text, _n in problems):
            lines += [
                "**`MaxConnectionsError: Too many connections`** comes from the consumers' `disconnect()` "
                "(`group_discard`) when hundreds of clients leave at once (here: the end of each phase; in "
                "production: a deploy, a proxy restart, a network blip). redis-py 8 also lowered the asyncio "
                "pool's default `max_connections` from 2³¹ to 100, and that pool raises at once instead of "
                "waiting. The failed `group_discard` leaves the dead channel in its groups until the group "
                "expiry (1 day): later `group_send`s still name it and the server buffers messages for it. "
                'Remedy: a larger `max_connections` in the same hosts entry (e.g. `"max_connections": 1000`; '
                "`--layer-max-connections`) or `redis<8`, which restores both old defaults.",
                "",
            ]
        if any("No directory at" in text for text, _n in problems):
            lines += ["The UserWarning is WhiteNoise's (no `collectstatic` for a benchmark).", ""]
        if any("UvicornDeprecationWarning" in text for text, _n in problems):
            lines += [
                "uvicorn warns that `--ws websockets` (its legacy protocol on the websockets library) is "
                "deprecated in favour of `--ws websockets-sansio`.",
                "",
            ]
        first = first_traceback(r["server_log"])
        if first:
            lines += ["<details><summary>The first traceback</summary>", "", "```", *first, "```", "", "</details>", ""]
    else:
        lines += ["uvicorn (log level `warning`) wrote nothing during the run: no errors, no warnings.", ""]
    if r["over_capacity"]:
        lines += ["channels-redis over-capacity lines:", "", "```", *r["over_capacity"][:20], "```", ""]
    return lines
