"""Run a benchmark's measured work in a fresh child process: its JSON result, wall time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def run_child(script: str, *args: str) -> dict:
    """Run ``python script --child *args``; return the JSON it printed plus ``wall_s`` and ``peak_mb`` (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, script, "--child", *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"child {args} failed with status {status}")
    result = json.loads(out)
    result.update(wall_s=time.perf_counter() - start, peak_mb=usage.ru_maxrss / 1024)
    return result
