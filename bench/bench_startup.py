"""Benchmark of CLI start-up: ``risico --help``, ``risico where`` and every command's ``--help`` (figures, not a test).

Each command runs ``--repeat`` times in a fresh ``python -m risico`` process
from the project folder; the table gives the median and the fastest wall time,
and how many modules one run imported (counted from ``-X importtime``). A
command's ``--help`` imports that command's module and everything it imports at
the top, so it is the start-up a ``dvc repro`` stage pays before its work.

    .venv/bin/python bench/bench_startup.py                 # 5 runs each
    .venv/bin/python bench/bench_startup.py --repeat 9 --only --help where features
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from risico.cli import COMMANDS  # noqa: E402  (the registry only: importing it loads no command module)


def risico(*args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    """Run ``python [-X importtime] -m risico *args`` in the project folder; fail loudly if it fails."""
    flags = ["-X", "importtime"] if importtime else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, *flags, "-m", "risico", *args], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"risico {' '.join(args)} failed with exit code {done.returncode}: {done.stderr.strip()}")
    return done


def measure(args: list[str], repeat: int) -> tuple[float, float, int]:
    """(median s, fastest s, modules imported) of ``risico *args`` over ``repeat`` fresh processes."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        risico(*args)
        times.append(time.perf_counter() - start)
    modules = sum(line.startswith("import time:") for line in risico(*args, importtime=True).stderr.splitlines())
    return statistics.median(times), min(times), modules - 1  # minus the header line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per command (default 5)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="only these: '--help', 'where', or command names (their --help)")
    args = parser.parse_args()
    cases = [["--help"], ["where"]] + [[name, "--help"] for name in COMMANDS]
    if args.only:
        cases = [case for case in cases if case[0] in args.only]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"{args.repeat} runs each")
    print(f"{'command':<32} {'median s':>9} {'min s':>7} {'modules':>8}")
    for case in cases:
        median, fastest, modules = measure(case, args.repeat)
        print(f"{'risico ' + ' '.join(case):<32} {median:>9.2f} {fastest:>7.2f} {modules:>8}")


if __name__ == "__main__":
    main()
