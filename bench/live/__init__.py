"""Live updates end to end: a real ASGI server, channels-redis, PostgreSQL, real WebSocket clients.

    .venv/bin/python bench/live.py            # ~7 minutes; writes docs/benchmarks-live.md
    .venv/bin/python bench/live.py --layer-socket-timeout 10 --layer-max-connections 1000 --output /tmp/x.md
                                              # the same with the channel layer's Redis pool tuned
    .venv/bin/python -m bench.live            # the same as bench/live.py

What it does, in order (each phase bounded in time; a watchdog ends the run whatever happens):

- empties the Redis database given by --redis (the channel layer and the cache), creates a dedicated
  PostgreSQL database (--db, dropped first and at the end unless --keep) and migrates it;
- starts uvicorn (`--ws websockets`, one worker process) on a free port on 127.0.0.1 with
  `config.settings.dev`, `DEBUG=0` and the same database and Redis;
- sets Django up in this process too, against the same database and channel layer (the driver);
- creates the users (bulk, no passwords) and one database session each (what the login view stores),
  and logs cases through the intake service (not timed).

Phases:

1. cost: `case_transition(name="accept")` by a supervisor on agents' cases (notifies the owner) versus
   the same transition by the owner (no notification), interleaved, in process, no clients connected;
2. latency: 200 WebSocket clients, one agent each (session cookie in the handshake); a supervisor
   accepts a case of agent k; the time runs from the commit (the first `on_commit` callback, which is
   notify's) to the moment agent k's client reads the `notification.new` frame;
3. fan-out: 500 clients whose users are on the escalation desk; a supervisor's transition broadcasts
   `case.changed` to `role.escalation_desk`; the time until every one of the 500 has it, and drops;
4. quiet periods: the same 500 clients idle for a while, then events a few seconds apart: how many
   connections the server ends (a client the server disconnected reconnects before the next action,
   as the page's script does, and is counted).

The business actions run in this process through asgiref's `sync_to_async` from the same event loop
that runs the WebSocket clients, as a view runs under an ASGI server (see driver.py). Both ends of every
latency use `time.monotonic()` in this process. Only 127.0.0.1 is contacted.

The parts, in the order a run uses them:

- cli.py: the command line; benchmark.py: one run from start to end (the watchdog, the users, the
  phases in order, what is recorded about the machine);
- server.py: the database, Redis and the uvicorn process, and reading the server's log;
- driver.py: Django in this process: users, sessions, cases and the timed transitions;
- probe.py: the clock readings wrapped around the project's push code, and channels-redis' warnings;
- clients.py: the WebSocket clients and what they received;
- cost.py, latency.py, fanout.py (fan-out and quiet periods): the phases;
- report.py: the markdown written to --output.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def log(*args):
    print(*args, flush=True)
