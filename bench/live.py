#!/usr/bin/env python
"""Live updates end to end: a real ASGI server, channels-redis, PostgreSQL, real WebSocket clients.

    .venv/bin/python bench/live.py            # ~7 minutes; writes docs/benchmarks-live.md
    .venv/bin/python bench/live.py --layer-socket-timeout 10 --layer-max-connections 1000 --output /tmp/x.md
                                              # the same with the channel layer's Redis pool tuned

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
that runs the WebSocket clients, exactly as a view runs under an ASGI server: the `on_commit` push
(`async_to_sync(group_send)`) is then sent from that loop over its persistent Redis connections.
Both ends of every latency use `time.monotonic()` in this process. Only 127.0.0.1 is contacted.
"""

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import platform
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import cpu_and_ram  # noqa: E402
from bench.stats import summary_with_max  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
HOST = "127.0.0.1"
LATENCY_P95_MS = 100
PREFIX = "live"


def log(*args):
    print(*args, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def raise_open_files(want=8192):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


# --- instrumentation (this process only) -------------------------------------------------------


class Probe:
    """Wraps notifications.services' after-commit callback and push(): when each notification's
    commit was seen (the first thing the on_commit callback does) and how long each group_send took.
    The wrappers only read the clock; the project's code runs unchanged."""

    def __init__(self):
        self.current = None  # list the running action collects its notifications into
        self.commits = {}  # notification id -> (monotonic at commit, recipient id, case number)
        self.pushes = []  # (group, message type, ms)
        self.push_starts = {}  # (group, case number) -> monotonic when group_send began

    def reset(self):
        self.commits, self.pushes, self.push_starts = {}, [], {}

    def install(self):
        import notifications.services as services

        original_after_commit, original_push = services._after_commit, services.push

        def after_commit(notifications, delivery_ids):
            now = time.monotonic()
            for n in notifications:
                self.commits[n.pk] = (now, n.recipient_id, n.subject_ref)
                if self.current is not None:
                    self.current.append((n.pk, n.recipient_id, now))
            return original_after_commit(notifications, delivery_ids)

        def push(group, message):
            began = time.monotonic()
            self.push_starts[(group, message.get("case") or message.get("subject"))] = began
            try:
                return original_push(group, message)
            finally:
                self.pushes.append((group, message.get("type"), (time.monotonic() - began) * 1000))

        services._after_commit = after_commit
        services.push = push


class OverCapacity(logging.Handler):
    """Counts channels-redis' "channels over capacity" log lines (messages it did not deliver)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        if "over capacity" in record.getMessage():
            self.lines.append(record.getMessage())


# --- WebSocket clients ----------------------------------------------------------------------------


class Hub:
    """What every client received, and futures the driver waits on. Lives on the event loop."""

    def __init__(self):
        self.notes = {}  # notification id -> (monotonic, receiving user id)
        self.note_frames = 0
        self.wrong_recipient = 0
        self.changes = {}  # case number -> list of monotonic, one per receiving client
        self.change_frames = 0
        self.other_frames = 0
        self.note_waiters = {}
        self.change_waiters = {}  # case number -> (expected count, future)

    def on_message(self, client, msg, t):
        kind = msg.get("type")
        if kind == "notification.new":
            self.note_frames += 1
            nid = msg.get("id")
            if nid in self.notes:
                return
            self.notes[nid] = (t, client.user_id)
            fut = self.note_waiters.pop(nid, None)
            if fut is not None and not fut.done():
                fut.set_result(None)
        elif kind == "case.changed":
            self.change_frames += 1
            times = self.changes.setdefault(msg.get("case"), [])
            times.append(t)
            waiter = self.change_waiters.get(msg.get("case"))
            if waiter and len(times) >= waiter[0] and not waiter[1].done():
                waiter[1].set_result(None)
        elif kind == "pong":
            fut = client.pong
            if fut is not None and not fut.done():
                fut.set_result(t)
        else:
            self.other_frames += 1

    async def wait_note(self, nid, timeout):
        if nid in self.notes:
            return True
        fut = self.note_waiters.setdefault(nid, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait_for(asyncio.shield(fut), timeout)
            return True
        except TimeoutError:
            return False

    async def wait_changes(self, case, expected, timeout):
        fut = asyncio.get_running_loop().create_future()
        self.change_waiters[case] = (expected, fut)
        if len(self.changes.get(case, [])) >= expected:
            return True
        try:
            await asyncio.wait_for(asyncio.shield(fut), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self.change_waiters.pop(case, None)


class Client:
    def __init__(self, hub, user_id, session_key):
        self.hub, self.user_id, self.session_key = hub, user_id, session_key
        self.ws = None
        self.task = None
        self.pong = None
        self.closed_early = None  # the ConnectionClosed that ended read() before we closed
        self.closed_at = None
        self.closing = False
        self.drops = []  # (monotonic, close code) of every connection the server ended
        self.target = None

    async def open(self, url, origin, cookie_name):
        from websockets.asyncio.client import connect

        self.target = (url, origin, cookie_name)
        self.closed_early = self.closed_at = None
        self.ws = await connect(
            url,
            origin=origin,
            additional_headers={"Cookie": f"{cookie_name}={self.session_key}"},
            proxy=None,  # never a proxy from the environment: 127.0.0.1 only
            open_timeout=30,
            ping_interval=None,  # a browser sends no pings; the server's keepalive pings are answered
            close_timeout=5,
        )
        self.task = asyncio.create_task(self.read())

    async def read(self):
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                t = time.monotonic()
                self.hub.on_message(self, json.loads(raw), t)
        except ConnectionClosed as exc:
            if not self.closing:
                self.closed_early, self.closed_at = exc, time.monotonic()
                self.drops.append((self.closed_at, self.close_code()))

    def close_code(self):
        """How the server ended the connection: its close code, or 1006 if it just dropped TCP."""
        exc = self.closed_early
        return exc.rcvd.code if exc is not None and exc.rcvd is not None else 1006

    async def ensure_open(self):
        """What the browser's script does when the server ends its connection: connect again.
        Returns True if it had to."""
        if self.closed_early is None:
            return False
        await self.task
        await self.open(*self.target)
        await self.ping()
        return True

    async def ping(self, timeout=10):
        self.pong = asyncio.get_running_loop().create_future()
        began = time.monotonic()
        await self.ws.send(json.dumps({"type": "ping", "t": began}))
        got = await asyncio.wait_for(self.pong, timeout)
        return (got - began) * 1000

    async def close(self):
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, 5)
            except TimeoutError:
                self.task.cancel()


async def open_all(clients, url, origin, cookie_name, concurrency=50):
    """Opens every client (at most `concurrency` handshakes at once); then checks each with a
    ping round trip. Returns seconds to open them all and the handshake times."""
    sem = asyncio.Semaphore(concurrency)
    handshakes = []

    async def one(client):
        async with sem:
            began = time.monotonic()
            await client.open(url, origin, cookie_name)
            handshakes.append((time.monotonic() - began) * 1000)

    began = time.monotonic()
    await asyncio.gather(*(one(c) for c in clients))
    elapsed = time.monotonic() - began
    await ensure_all(clients)  # every consumer accepted, joined its groups and answers a ping
    return elapsed, handshakes


async def ensure_all(clients):
    """Reconnects the clients whose connection the server ended, pings every one; returns how
    many had to reconnect."""
    reopened = 0
    for c in clients:
        if await c.ensure_open():
            reopened += 1
            continue
        try:
            await c.ping()
        except Exception:  # closed between the check and the ping
            await asyncio.sleep(0.1)
            reopened += await c.ensure_open()
    return reopened


def server_drops(clients, since):
    return sorted((t - since, code) for c in clients for t, code in c.drops if t >= since)


async def close_all(clients):
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


# --- the benchmark ---------------------------------------------------------------------------------


class Live:
    def __init__(self, args):
        self.args = args
        self.server = args.server.rstrip("/")
        self.url = f"{self.server}/{args.db}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "0",
            "SECRET_KEY": "bench",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": args.redis,
            "LOG_LEVEL": "WARNING",
        }
        options = {}
        if args.layer_socket_timeout:
            options["socket_timeout"] = args.layer_socket_timeout
        if args.layer_max_connections:
            options["max_connections"] = args.layer_max_connections
        if options:
            # The project's settings with one change: options for the channel layer's Redis pool.
            folder = Path(tempfile.mkdtemp(prefix="live-bench-settings-"))
            (folder / "live_bench_settings.py").write_text(
                "from config.settings.dev import *  # noqa: F403\n"
                "CHANNEL_LAYERS['default']['CONFIG']['hosts'] = "
                f"[{{'address': REDIS_URL, **{options!r}}}]  # noqa: F405\n"
            )
            sys.path.insert(0, str(folder))
            self.env["DJANGO_SETTINGS_MODULE"] = "live_bench_settings"
            self.env["PYTHONPATH"] = os.pathsep.join([str(folder), str(ROOT)])
        self.r = {}
        self.proc = None
        self.server_log = None
        self.port = None
        self.probe = Probe()
        self.over_capacity = OverCapacity()
        self.db_created = False
        self.django_ready = False

    # --- database, Redis, server -------------------------------------------------------------

    def admin(self, sql):
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def flush_redis(self):
        import redis

        client = redis.Redis.from_url(self.args.redis, socket_timeout=10)
        client.flushdb()
        self.r["redis_version"] = client.info("server")["redis_version"]
        client.close()

    def create_db(self):
        log(f"Creating database {self.args.db}")
        self.admin(f'DROP DATABASE IF EXISTS "{self.args.db}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{self.args.db}"')
        self.db_created = True
        log("$ manage.py migrate")
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
            cwd=ROOT, env=self.env, check=True, timeout=300,
        )  # fmt: skip

    def drop_db(self):
        if not self.db_created:
            return
        if self.django_ready:
            from django.db import connections

            connections.close_all()
        self.admin(f'DROP DATABASE IF EXISTS "{self.args.db}" WITH (FORCE)')
        self.db_created = False
        log(f"Dropped database {self.args.db}")

    def server_command(self):
        return [
            sys.executable, "-m", "uvicorn", "config.asgi:application",
            "--host", HOST, "--port", str(self.port),
            "--ws", "websockets", "--workers", str(self.args.workers),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip

    def start_server(self):
        self.port = free_port()
        self.server_log = Path(tempfile.mkdtemp(prefix="live-bench-")) / "uvicorn.log"
        log(f"Starting uvicorn on {HOST}:{self.port} (log: {self.server_log})")
        with open(self.server_log, "wb") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                self.server_command(), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"uvicorn exited ({self.proc.returncode}); see {self.server_log}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("uvicorn did not start listening within 60 s")
        self.r["server_pid"] = self.proc.pid

    def stop_server(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def server_problems(self):
        if self.server_log is None:
            return []
        text = self.server_log.read_text(errors="replace")
        return [line for line in text.splitlines() if line.strip()]

    # --- Django in this process ------------------------------------------------------------------

    def setup_django(self):
        os.environ.update(self.env)
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        self.django_ready = True
        self.probe.install()
        logging.getLogger("channels_redis").addHandler(self.over_capacity)
        logging.getLogger("channels_redis").setLevel(logging.INFO)

    # sync helpers (run through sync_to_async on the driver's event loop)

    def make_users(self, kind, n, role):
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group
        from django.contrib.sessions.backends.db import SessionStore

        User = get_user_model()
        group = Group.objects.get(name=role)
        users = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}_{kind}_{i}", first_name=kind, last_name=str(i), password=make_password(None))
                for i in range(n)
            ]
        )
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
        backend = settings.AUTHENTICATION_BACKENDS[0]
        out = []
        for u in users:  # what django.contrib.auth.login() stores in the session
            session = SessionStore()
            session[SESSION_KEY] = u._meta.pk.value_to_string(u)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = u.get_session_auth_hash()
            session.create()
            out.append((u, session.session_key))
        return out

    def make_cases(self, owners, per_owner):
        """`per_owner` fresh "new" cases for each owner, logged by the owner through the intake
        service. Returns {owner id: [case ids]}."""
        from complaints.services import complaint_log

        out = {}
        for _round in range(per_owner):
            for owner in owners:
                self.seq = getattr(self, "seq", 0) + 1
                complaint, _new = complaint_log(
                    actor=owner,
                    data={
                        "customer_name": f"客户{self.seq}",
                        "customer_phone": f"139{self.seq:08d}",
                        "tier": "standard",
                        "preferred_language": "zh-hans",
                        "channel": "phone",
                        "summary": f"话费多扣两百元 #{self.seq}",
                        "what_happened": "本月账单比平时多了两百元，客户没有使用额外业务。",
                    },
                )
                out.setdefault(owner.pk, []).append(complaint.case_id)
        return out

    @staticmethod
    def evidence():
        from django.utils import timezone

        return {
            "first_contact_at": (timezone.now() - dt.timedelta(minutes=4)).isoformat(),
            "customer_words": "你们凭什么多扣我两百块！我要一个说法。",
        }

    def accept(self, case_id, actor):
        """Accept one case; returns the notifications it committed as (id, recipient, t_commit)."""
        from cases.models import Case
        from cases.services import case_transition

        case = Case.objects.select_related("owner").get(pk=case_id)
        self.probe.current = []
        try:
            case_transition(case=case, name="accept", actor=actor, data=self.evidence())
            return case.number, self.probe.current
        finally:
            self.probe.current = None

    def timed_accept(self, case_id, actor, count=False):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from cases.models import Case
        from cases.services import case_transition

        case = Case.objects.select_related("owner").get(pk=case_id)
        data = self.evidence()
        if count:
            with CaptureQueriesContext(connection) as ctx:
                case_transition(case=case, name="accept", actor=actor, data=data)
            return [q["sql"] for q in ctx.captured_queries]
        began = time.perf_counter()
        case_transition(case=case, name="accept", actor=actor, data=data)
        return (time.perf_counter() - began) * 1000

    @staticmethod
    def close_db():
        from django.db import connections

        connections.close_all()

    # --- phases ------------------------------------------------------------------------------------

    async def phase_cost(self, sync, agents, supervisor):
        """Supervisor versus owner on agents' cases, interleaved, no WebSocket clients connected."""
        a = self.args
        n, warm = a.transitions, a.warmup
        owners = [u for u, _key in agents]
        per_owner = -(-(n + warm + 1) // len(owners))
        log(f"Phase cost: logging {2 * per_owner * len(owners)} cases (not timed)")
        sup_cases = await sync(self.make_cases)(owners, per_owner)
        own_cases = await sync(self.make_cases)(owners, per_owner)
        sup_list = [(cid, supervisor) for r in range(per_owner) for o in owners for cid in [sup_cases[o.pk][r]]]
        own_list = [(cid, o) for r in range(per_owner) for o in owners for cid in [own_cases[o.pk][r]]]
        sup_ms, own_ms = [], []
        log(f"Phase cost: {warm} warm-up + {n} transitions per path, interleaved")
        for i in range(warm + n):
            s = await sync(self.timed_accept)(*sup_list[i])
            o = await sync(self.timed_accept)(*own_list[i])
            if i >= warm:
                sup_ms.append(s)
                own_ms.append(o)
        sup_sql = await sync(self.timed_accept)(*sup_list[warm + n], count=True)
        own_sql = await sync(self.timed_accept)(*own_list[warm + n], count=True)

        # The same from a plain thread (no event loop: what a Celery task or a management command
        # does): async_to_sync then starts an event loop, and channels-redis a Redis connection,
        # for every push.
        plain_n = min(a.plain, len(owners))
        sup_plain, own_plain = [], []
        if plain_n:
            extra_sup = await sync(self.make_cases)(owners[:plain_n], 1)
            extra_own = await sync(self.make_cases)(owners[:plain_n], 1)
            pairs = [((extra_sup[o.pk][0], supervisor), (extra_own[o.pk][0], o)) for o in owners[:plain_n]]
            log(f"Phase cost: {plain_n} more per path from a plain thread")

            def plain():
                try:
                    for (sc, su), (oc, ou) in pairs:
                        sup_plain.append(self.timed_accept(sc, su))
                        own_plain.append(self.timed_accept(oc, ou))
                finally:
                    self.close_db()

            with ThreadPoolExecutor(1, thread_name_prefix="plain") as pool:
                await asyncio.get_running_loop().run_in_executor(pool, plain)
        self.r["cost"] = {
            "supervisor": summary_with_max(sup_ms),
            "owner": summary_with_max(own_ms),
            "sup_sql": sup_sql,
            "own_sql": own_sql,
            "sup_plain": summary_with_max(sup_plain[5:]),
            "own_plain": summary_with_max(own_plain[5:]),
        }
        c = self.r["cost"]
        log(
            f"    supervisor p50 {c['supervisor']['p50']:.1f} p95 {c['supervisor']['p95']:.1f} ms "
            f"({len(sup_sql)} q); owner p50 {c['owner']['p50']:.1f} p95 {c['owner']['p95']:.1f} ms "
            f"({len(own_sql)} q); plain thread: supervisor p50 {c['sup_plain']['p50']:.1f}, "
            f"owner p50 {c['own_plain']['p50']:.1f} ms"
        )

    async def phase_latency(self, sync, agents, supervisor, ws_url, origin, cookie):
        a = self.args
        hub = Hub()
        owners = [u for u, _key in agents]
        total = a.samples + a.latency_warmup
        per_owner = -(-total // len(owners))
        log(f"Phase latency: logging {per_owner * len(owners)} cases (not timed)")
        cases = await sync(self.make_cases)(owners, per_owner)
        rng = random.Random(11)
        schedule = []
        for r in range(per_owner):
            order = list(owners)
            rng.shuffle(order)
            schedule += [(cases[o.pk][r], o.pk) for o in order]
        schedule = schedule[:total]

        self.probe.reset()
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
                _number, notes = await sync(self.accept)(case_id, supervisor)
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
            received = sum(1 for nid in self.probe.commits if nid in hub.notes)
            self.r["latency"] = {
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
                "push": summary_with_max([ms for _g, kind, ms in self.probe.pushes if kind == "notification.new"]),
            }
            x = self.r["latency"]
            log(
                f"    p50 {x['latency']['p50']:.1f} p95 {x['latency']['p95']:.1f} max {x['latency']['max']:.1f} ms; "
                f"sent {sent} received {received} (frames {hub.note_frames}), missing {missing}, wrong {wrong}"
            )
        finally:
            await close_all(clients)

    async def fanout_events(self, sync, hub, clients, cases, supervisor, *, warmup, gap, timeout):
        """One event per case, `gap` seconds apart; every client connected (reconnected if the
        server had ended it) and answering before each. Returns the timed events."""
        n, events = len(clients), []
        for i, case_id in enumerate(cases):
            reopened = await ensure_all(clients)
            number, notes = await sync(self.accept)(case_id, supervisor)
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
                        "push_start": (self.probe.push_starts[("role.escalation_desk", number)] - t_commit) * 1000,
                    }
                )
            await asyncio.sleep(gap() if callable(gap) else gap)
        await asyncio.sleep(2)  # late or duplicate frames
        for e in events:
            e["final"] = len(hub.changes.get(e["case"], []))
        return events

    async def phase_fanout(self, sync, desk, owner, supervisor, ws_url, origin, cookie):
        a = self.args
        hub = Hub()
        cases = (await sync(self.make_cases)([owner], a.events + a.fanout_warmup + a.spaced_events))[owner.pk]
        self.probe.reset()
        clients = [Client(hub, u.pk, key) for u, key in desk]
        phase_began = time.monotonic()
        log(f"Phase fan-out: opening {len(clients)} WebSocket clients (escalation desk)")
        opened, handshakes = await asyncio.wait_for(open_all(clients, ws_url, origin, cookie), a.connect_timeout)
        log(f"    opened in {opened:.1f} s")
        n = len(clients)
        try:
            log(f"Phase fan-out: {a.fanout_warmup} warm-up + {a.events} events to role.escalation_desk")
            events = await self.fanout_events(
                sync, hub, clients, cases[: a.fanout_warmup + a.events], supervisor,
                warmup=a.fanout_warmup, gap=a.fanout_gap / 1000, timeout=a.fanout_timeout,
            )  # fmt: skip
            expected = n * len(events)
            got = sum(min(e["final"], n) for e in events)
            self.r["fanout"] = {
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
                "push": summary_with_max([ms for g, _kind, ms in self.probe.pushes if g == "role.escalation_desk"]),
                "server_closed": server_drops(clients, phase_began),
            }
            x = self.r["fanout"]
            log(
                f"    all {n} got it: p50 {x['last']['p50']:.1f} p95 {x['last']['p95']:.1f} "
                f"max {x['last']['max']:.1f} ms; received {got}/{expected}, drops {x['drops']}"
            )
            if a.idle:
                await self.idle_check(clients, a.idle)
            if a.spaced_events:
                low, high = a.spaced_gap
                log(f"Spaced events: {a.spaced_events} events {low:g}–{high:g} s apart")
                began = time.monotonic()
                rng = random.Random(5)
                spaced = await self.fanout_events(
                    sync, hub, clients, cases[-a.spaced_events :], supervisor,
                    warmup=0, gap=lambda: rng.uniform(low, high), timeout=a.spaced_timeout,
                )  # fmt: skip
                got = sum(min(e["final"], n) for e in spaced)
                self.r["spaced"] = {
                    "events": spaced,
                    "expected": n * len(spaced),
                    "received": got,
                    "drops": n * len(spaced) - got,
                    "server_closed": server_drops(clients, began),
                }
                log(f"    received {got}/{n * len(spaced)}; server ended {len(self.r['spaced']['server_closed'])}")
        finally:
            await close_all(clients)

    async def idle_check(self, clients, seconds):
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
        self.r["idle"] = {
            "clients": len(clients),
            "seconds": seconds,
            "dropped": len(dropped),
            "codes": codes,
            "at": sorted(round(c.closed_at - began, 1) for c in dropped),
            "answered": sum(answered),
        }
        log(f"    dropped by the server: {len(dropped)} {codes}; {sum(answered)} answered a ping afterwards")

    async def main_async(self):
        from asgiref.sync import sync_to_async
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        def sync(fn):
            return sync_to_async(fn, thread_sensitive=True)

        a = self.args
        ws_url = f"ws://{HOST}:{self.port}/ws/notifications/"
        origin = f"http://{HOST}:{self.port}"
        cookie = settings.SESSION_COOKIE_NAME
        log(f"Creating {a.clients} agents, {a.fanout} escalation-desk users and their sessions")
        agents = await sync(self.make_users)("agent", a.clients, "agent")
        desk = await sync(self.make_users)("desk", a.fanout, "escalation_desk")
        [(supervisor, _key)] = await sync(self.make_users)("supervisor", 1, "supervisor")
        [(owner, _key)] = await sync(self.make_users)("owner", 1, "agent")

        def roles_check():
            names = set(Group.objects.filter(user=supervisor).values_list("name", flat=True))
            assert names == {"supervisor"}, names
            return get_user_model().objects.filter(username__startswith=PREFIX).count()

        self.r["users"] = await sync(roles_check)()

        await asyncio.wait_for(self.phase_cost(sync, agents, supervisor), a.phase_timeout)
        await asyncio.wait_for(self.phase_latency(sync, agents, supervisor, ws_url, origin, cookie), a.phase_timeout)
        await asyncio.wait_for(
            self.phase_fanout(sync, desk, owner, supervisor, ws_url, origin, cookie), a.phase_timeout
        )
        await sync(self.close_db)()

    def layer_config(self):
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        return {
            "backend": f"{type(layer).__module__}.{type(layer).__name__}",
            "hosts": layer.hosts,
            "capacity": layer.capacity,
            "expiry": layer.expiry,
            "group_expiry": layer.group_expiry,
        }

    def run(self):
        began = time.monotonic()
        a = self.args
        self.r["nofile"] = raise_open_files()
        self.r["load"] = [os.getloadavg()[0], None]
        log(f"Open files limit: {self.r['nofile'][0]} (hard {self.r['nofile'][1]})")
        watchdog = threading.Timer(a.deadline, self.abort)
        watchdog.daemon = True
        watchdog.start()
        try:
            self.flush_redis()
            log(f"Emptied Redis {a.redis}")
            self.create_db()
            self.start_server()
            self.setup_django()
            self.r["layer"] = self.layer_config()
            asyncio.run(self.main_async())
            self.r["elapsed"] = time.monotonic() - began
            self.r["load"][1] = os.getloadavg()[0]
            self.machine()
        finally:
            self.stop_server()
            watchdog.cancel()
            problems = self.server_problems()
            self.r["server_log"] = problems
            if not a.keep:
                self.drop_db()
        self.r["over_capacity"] = list(self.over_capacity.lines)
        if a.dump:
            Path(a.dump).write_text(json.dumps(self.r, indent=1, default=str))
        out = Path(a.output)
        out.write_text(render(self))
        log(f"Wrote {out} ({self.r['elapsed'] / 60:.1f} min)")
        if problems:
            log(f"Server log {self.server_log}: {len(problems)} lines; distinct:")
            for text, count in summarize_log(problems):
                log(f"  {count:5d}  {text[:150]}")

    def abort(self):
        log(f"Deadline of {self.args.deadline} s reached: stopping the server and dropping the database")
        try:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
            if not self.args.keep and self.db_created:
                self.admin(f'DROP DATABASE IF EXISTS "{self.args.db}" WITH (FORCE)')
        finally:
            os._exit(3)

    def machine(self):
        import channels
        import channels_redis
        import django
        import psycopg
        import uvicorn
        import websockets

        info = cpu_and_ram()
        with psycopg.connect(self.url, autocommit=True) as conn:
            info["pg"] = conn.execute("SHOW server_version").fetchone()[0]
        info["redis"] = self.r.get("redis_version", "?")
        info["python"] = platform.python_version()
        info["versions"] = (
            f"Django {django.get_version()}, Channels {channels.__version__}, channels-redis "
            f"{channels_redis.__version__}, uvicorn {uvicorn.__version__}, websockets {websockets.__version__}, "
            f"psycopg {psycopg.__version__}"
        )
        try:
            import uvloop  # noqa: F401

            info["loop"] = "uvloop"
        except ImportError:
            info["loop"] = "asyncio"
        info["os"] = platform.platform()
        try:
            info["commit"] = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            info["commit"] = "?"
        info["date"] = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        info["command"] = " ".join([".venv/bin/python bench/live.py", *sys.argv[1:]])
        info["server_cmd"] = " ".join(
            "python" if i == 0 else part for i, part in enumerate(self.server_command())
        ).replace(f"--port {self.port}", "--port <free port>")
        self.r["machine"] = info


# --- the report ------------------------------------------------------------------------------------


def ok(flag):
    return "PASS" if flag else "**FAIL**"


def f1(x):
    return f"{x:.1f}"


def row(name, s, extra=""):
    return f"| {name} | {s['n']} | {f1(s['p50'])} | {f1(s['p95'])} | {f1(s['max'])} |{extra}"


def render(live):
    r, a = live.r, live.args
    m = r["machine"]
    lat, fan, cost, layer = r["latency"], r["fanout"], r["cost"], r["layer"]
    lat_ok = lat["latency"]["p95"] <= LATENCY_P95_MS and lat["sent"] == lat["received"] and not lat["wrong"]
    fan_ok = fan["drops"] == 0
    diff50 = cost["supervisor"]["p50"] - cost["owner"]["p50"]
    diff95 = cost["supervisor"]["p95"] - cost["owner"]["p95"]
    lines = [
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
        "## How it is measured",
        "",
        "- One driver process (`bench/live.py`) holds the WebSocket clients (Python asyncio + the `websockets` "
        "library, one connection per user, `sessionid` cookie and `Origin` header in the handshake) **and** "
        "Django, set up against the same database and the same Redis channel layer as the server. The business "
        'actions run in the driver through the real service, `cases.services.case_transition(name="accept")`, '
        "called via asgiref's `sync_to_async` from the event loop that runs the clients, as a view runs under an "
        "ASGI server; notify()'s `on_commit` push (`async_to_sync(channel_layer.group_send)`) therefore goes out "
        "from that loop over its persistent Redis connections. The server (a separate process) receives it from "
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
            f"{cost['sup_plain']['n']} per path after 5 warm-up: `async_to_sync` then starts a new event loop for "
            "every push and channels-redis opens a new Redis connection for it.",
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
    if a.layer_socket_timeout or a.layer_max_connections:
        lines += [f"*This run changed the project's settings: channel layer hosts `{layer['hosts']}`.*", ""]
    lines += ["## Server log", ""]
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
    return "\n".join(lines).rstrip() + "\n"


SKIP = ("Traceback (most recent call last):", "During handling of the above exception", "The above exception was")


def summarize_log(lines):
    """Distinct unindented lines of the server log with their counts: the ERROR lines, each
    traceback's exception lines, warnings; in order of first appearance."""
    counts = {}
    for line in lines:
        if not line.strip() or line[0].isspace() or line.startswith(SKIP):
            continue
        text = line.replace(str(ROOT) + "/", "")
        counts[text] = counts.get(text, 0) + 1
    return list(counts.items())


def first_traceback(lines, limit=80):
    """From the first ERROR line to the next one, without the caret lines."""
    start = next((i for i, line in enumerate(lines) if line.startswith("ERROR:")), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("ERROR:")), len(lines))
    return [line for line in lines[start:end] if set(line.strip()) - set("^~ ")][:limit]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="complaints_live_bench", help="database to create (dropped first and after)")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER), help="PostgreSQL URL")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6", help="Redis database of its own (emptied)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks-live.md"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--dump", help="also write the raw results to this JSON file")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=200, help="connected agents for the latency phase")
    parser.add_argument("--samples", type=int, default=600, help="timed notifications in the latency phase")
    parser.add_argument("--latency-warmup", type=int, default=20)
    parser.add_argument("--gap", type=int, default=20, help="mean pause between notifications, ms")
    parser.add_argument("--receive-timeout", type=float, default=5.0, help="seconds to wait for one notification")
    parser.add_argument("--fanout", type=int, default=500, help="connected subscribers of the role group")
    parser.add_argument("--events", type=int, default=20, help="timed fan-out events")
    parser.add_argument("--fanout-warmup", type=int, default=2)
    parser.add_argument("--fanout-gap", type=int, default=500, help="pause between fan-out events, ms")
    parser.add_argument("--fanout-timeout", type=float, default=10.0, help="seconds to wait for all receipts")
    parser.add_argument("--spaced-events", type=int, default=10, help="fan-out events after the idle check (0: skip)")
    parser.add_argument(
        "--spaced-gap", type=float, nargs=2, default=(4.0, 7.0), metavar=("MIN", "MAX"), help="seconds between them"
    )
    parser.add_argument("--spaced-timeout", type=float, default=3.0, help="seconds to wait for all receipts")
    parser.add_argument("--idle", type=float, default=16, help="seconds the fan-out clients stay idle (0: skip)")
    parser.add_argument("--transitions", type=int, default=300, help="timed transitions per path (cost phase)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up transitions per path (cost phase)")
    parser.add_argument("--plain", type=int, default=60, help="transitions per path from a plain thread (0: skip)")
    parser.add_argument(
        "--layer-socket-timeout",
        type=float,
        default=0,
        help="run with the channel layer's Redis socket_timeout set to this (default: the project's settings)",
    )
    parser.add_argument(
        "--layer-max-connections",
        type=int,
        default=0,
        help="run with the channel layer's Redis max_connections set to this (default: the project's settings)",
    )
    parser.add_argument("--connect-timeout", type=float, default=180, help="seconds to open all clients")
    parser.add_argument("--phase-timeout", type=float, default=900, help="seconds per phase")
    parser.add_argument("--deadline", type=float, default=2400, help="seconds before the watchdog ends the run")
    args = parser.parse_args()
    for url in (args.server, args.redis):
        if not re.match(r"^[a-z]+://([^@/]*@)?(127\.0\.0\.1|localhost)(:\d+)?(/|$)", url):
            parser.error(f"{url}: only 127.0.0.1 is allowed")
    Live(args).run()


if __name__ == "__main__":
    main()
