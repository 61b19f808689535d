"""One run from start to end: the stack up, Django set up in this process, the users, the phases in
order (each bounded by --phase-timeout), everything torn down, the report written.

A watchdog thread ends the run after --deadline seconds whatever happens: it kills the server, drops
the database unless --keep, and exits with status 3. The results are one dict (what --dump writes) that
the report is rendered from.
"""

import asyncio
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.live import ROOT, cost, fanout, latency, log
from bench.live.driver import PREFIX, Driver, sync
from bench.live.report import render
from bench.live.server import HOST, Stack, summarize_log
from bench.machine import cpu_and_ram


def raise_open_files(want=8192):
    """The driver holds a socket per client: raise the soft limit on open files if it is below `want`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


class LiveBenchmark:
    def __init__(self, args):
        self.args = args
        self.stack = Stack(args)
        self.driver = Driver()
        self.r = {}

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
            self.r["redis_version"] = self.stack.flush_redis()
            log(f"Emptied Redis {a.redis}")
            self.stack.create_db()
            self.stack.start_server()
            self.r["server_pid"] = self.stack.proc.pid
            self.driver.setup(self.stack.env)
            self.r["layer"] = self.layer_config()
            asyncio.run(self.phases())
            self.r["elapsed"] = time.monotonic() - began
            self.r["load"][1] = os.getloadavg()[0]
            self.r["machine"] = self.machine()
        finally:
            self.stack.stop_server()
            watchdog.cancel()
            problems = self.stack.server_problems()
            self.r["server_log"] = problems
            if not a.keep:
                if self.stack.db_created and self.driver.ready:
                    self.driver.close_db()
                self.stack.drop_db()
        self.r["over_capacity"] = list(self.driver.over_capacity.lines)
        if a.dump:
            Path(a.dump).write_text(json.dumps(self.r, indent=1, default=str))
        out = Path(a.output)
        out.write_text(render(self.r, a))
        log(f"Wrote {out} ({self.r['elapsed'] / 60:.1f} min)")
        if problems:
            log(f"Server log {self.stack.server_log}: {len(problems)} lines; distinct:")
            for text, count in summarize_log(problems):
                log(f"  {count:5d}  {text[:150]}")

    def abort(self):
        log(f"Deadline of {self.args.deadline} s reached: stopping the server and dropping the database")
        try:
            self.stack.abandon()
        finally:
            os._exit(3)

    async def phases(self):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        a, driver = self.args, self.driver
        ws_url = f"ws://{HOST}:{self.stack.port}/ws/notifications/"
        origin = f"http://{HOST}:{self.stack.port}"
        cookie = settings.SESSION_COOKIE_NAME
        log(f"Creating {a.clients} agents, {a.fanout} escalation-desk users and their sessions")
        agents = await sync(driver.make_users)("agent", a.clients, "agent")
        desk = await sync(driver.make_users)("desk", a.fanout, "escalation_desk")
        [(supervisor, _key)] = await sync(driver.make_users)("supervisor", 1, "supervisor")
        [(owner, _key)] = await sync(driver.make_users)("owner", 1, "agent")

        def roles_check():
            names = set(Group.objects.filter(user=supervisor).values_list("name", flat=True))
            assert names == {"supervisor"}, names
            return get_user_model().objects.filter(username__startswith=PREFIX).count()

        self.r["users"] = await sync(roles_check)()

        self.r["cost"] = await asyncio.wait_for(cost.measure(a, driver, agents, supervisor), a.phase_timeout)
        self.r["latency"] = await asyncio.wait_for(
            latency.measure(a, driver, agents, supervisor, ws_url, origin, cookie), a.phase_timeout
        )
        self.r.update(
            await asyncio.wait_for(
                fanout.measure(a, driver, desk, owner, supervisor, ws_url, origin, cookie), a.phase_timeout
            )
        )
        await sync(driver.close_db)()

    @staticmethod
    def layer_config():
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        return {
            "backend": f"{type(layer).__module__}.{type(layer).__name__}",
            "hosts": layer.hosts,
            "capacity": layer.capacity,
            "expiry": layer.expiry,
            "group_expiry": layer.group_expiry,
        }

    def machine(self):
        """What the report states about the machine, the software and the commands of this run."""
        import channels
        import channels_redis
        import django
        import psycopg
        import uvicorn
        import websockets

        info = cpu_and_ram()
        with psycopg.connect(self.stack.url, autocommit=True) as conn:
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
            "python" if i == 0 else part for i, part in enumerate(self.stack.server_command())
        ).replace(f"--port {self.stack.port}", "--port <free port>")
        return info
