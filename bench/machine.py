"""What every benchmark report states about the machine it ran on."""

import os
import platform
import re
from pathlib import Path


def cpu_and_ram() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"MemTotal:\s*(\d+) kB", meminfo)
    return {
        "cpu": f"{model.group(1).strip() if model else platform.processor()}, {os.cpu_count()} cores",
        "ram": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
    }
