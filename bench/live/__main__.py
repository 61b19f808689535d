"""`python -m bench.live`: the same as `python bench/live.py`."""

from bench.live.cli import main

main(prog="python -m bench.live")
