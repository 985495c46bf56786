"""Benchmark of the synthetic-world generator (figures, not a pass/fail test).

Each run is a fresh child process that generates the world from the
repository's params.yaml (with ``n_persons`` overridden) and writes all Parquet
tables; the parent reads the child's peak resident memory from ``wait4``.

    .venv/bin/python bench/bench_generate.py                    # 30,000 and 1,000,000 persons, 3 runs each
    .venv/bin/python bench/bench_generate.py --persons 200000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from _child import run_child  # noqa: E402 - a sibling module, run as a script

REPO = Path(__file__).resolve().parents[1]


def child(n_persons: int, out: Path) -> None:
    import yaml

    from risico.io import write_parquet
    from risico.synth import generate_world, parse_generate_params

    values = yaml.safe_load((REPO / "params.yaml").read_text())["generate"]
    values["n_persons"] = n_persons
    start = time.perf_counter()
    world = generate_world(parse_generate_params(values))
    generated = time.perf_counter()
    rows = 0
    for folder, tables in (("raw", world.raw), ("truth", world.truth)):
        (out / folder).mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            write_parquet(frame, out / folder / f"{name}.parquet")
            rows += len(frame)
    written = time.perf_counter()
    print(json.dumps({"generate_s": generated - start, "write_s": written - generated, "rows": rows,
                      "tables": {k: len(v) for k, v in {**world.raw, **world.truth}.items()}}))


def measure(n_persons: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return run_child(__file__, str(n_persons), tmp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[30_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), Path(args.child[1]))
        return
    print(f"# generator benchmark on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("persons     rows        generate_s  write_s  total_s(median)  rows/s      persons/s  peak_MB(max)")
    for n in args.persons:
        runs = [measure(n) for _ in range(args.repeat)]
        total = statistics.median(r["generate_s"] + r["write_s"] for r in runs)
        rows = runs[0]["rows"]
        print(f"{n:<11,} {rows:<11,} {statistics.median(r['generate_s'] for r in runs):<11.2f} "
              f"{statistics.median(r['write_s'] for r in runs):<8.2f} {total:<16.2f} {rows / total:<11,.0f} "
              f"{n / total:<10,.0f} {max(r['peak_mb'] for r in runs):,.0f}")
        print("  tables:", ", ".join(f"{k}={v:,}" for k, v in runs[0]["tables"].items()))


if __name__ == "__main__":
    main()
