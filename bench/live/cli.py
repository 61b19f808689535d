"""The command line: its flags and their defaults. Only 127.0.0.1 may be named for PostgreSQL and Redis."""

import argparse
import os
import re

import bench.live
from bench.live import ROOT
from bench.live.benchmark import LiveBenchmark

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def main(prog=None):
    parser = argparse.ArgumentParser(
        prog=prog, description=bench.live.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
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
    LiveBenchmark(args).run()
