"""What the benchmark runs against: its own PostgreSQL database, its own Redis database and one uvicorn
process, all on 127.0.0.1; and what the server wrote to its log.

The database (--db) is dropped first, created and migrated with `manage.py migrate`, and dropped at the
end unless --keep. The Redis database (--redis, the channel layer and the cache) is emptied first.
uvicorn serves `config.asgi:application` with `--ws websockets` on a free port, with
`config.settings.dev`, `DEBUG=0` and the same database and Redis. With --layer-socket-timeout or
--layer-max-connections the server (and the driver) use those settings with one change: those options
for the channel layer's Redis pool.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.live import ROOT, log

HOST = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Stack:
    """The database, Redis and the server of one run, and the environment they all share."""

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
        self.proc = None
        self.server_log = None
        self.port = None
        self.db_created = False

    # --- database and Redis ------------------------------------------------------------------------

    def admin(self, sql):
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def flush_redis(self):
        """Empties the Redis database; returns the Redis server's version."""
        import redis

        client = redis.Redis.from_url(self.args.redis, socket_timeout=10)
        client.flushdb()
        version = client.info("server")["redis_version"]
        client.close()
        return version

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
        """Drops the database if this run created it; Django's connections to it must be closed first."""
        if not self.db_created:
            return
        self.admin(f'DROP DATABASE IF EXISTS "{self.args.db}" WITH (FORCE)')
        self.db_created = False
        log(f"Dropped database {self.args.db}")

    # --- the server --------------------------------------------------------------------------------

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

    def stop_server(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def abandon(self):
        """What the watchdog does when the deadline is reached: kill the server at once and drop the
        database unless --keep, without waiting for anything else."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if not self.args.keep and self.db_created:
            self.admin(f'DROP DATABASE IF EXISTS "{self.args.db}" WITH (FORCE)')

    # --- the server's log --------------------------------------------------------------------------

    def server_problems(self):
        if self.server_log is None:
            return []
        text = self.server_log.read_text(errors="replace")
        return [line for line in text.splitlines() if line.strip()]


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
