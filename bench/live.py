#!/usr/bin/env python
"""Runs the live-update benchmark, the package bench/live/ (see its __init__.py); `python -m bench.live`
does the same. This file stays so that `bench/live.py`, the command in the Makefile and in
docs/benchmarks-live.md, keeps working. `import bench.live` finds the package, not this file."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live.cli import main

if __name__ == "__main__":
    main()
