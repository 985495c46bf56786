"""Benchmark of ingest + validate on a generated world (figures, not a pass/fail test).

Generates the world once (not timed), writes it as Parquet, then in a fresh
child process times: reading and typing every table, the privacy scan, the
Great Expectations suites, the row-level rules, referential integrity and
drift. Peak resident memory of the child comes from ``wait4``.

    .venv/bin/python bench/bench_validate.py                  # 1,000,000 persons
    .venv/bin/python bench/bench_validate.py --persons 30000 --csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path

from _child import run_child  # noqa: E402 - a sibling module, run as a script

REPO = Path(__file__).resolve().parents[1]


def child(folder: Path) -> None:
    import risico.validate.core as core
    from risico.contract import CONTRACT
    from risico.ingest.readers import find_table_file, read_table
    from risico.ingest.stage import _scannable
    from risico.privacy import check_frames
    from risico.validate.drift import drift_table
    from risico.validate.references import dangling, parent_first
    from risico.validate.stage import _id_columns
    from risico.validate.suites import load_suites, row_failures, run_suites

    times = {}
    t = time.perf_counter()
    results = {name: read_table(find_table_file(folder, table), table) for name, table in CONTRACT.items()}
    times["read_and_type"] = time.perf_counter() - t
    t = time.perf_counter()
    check_frames({name: _scannable(r) for name, r in results.items()})
    times["privacy_scan"] = time.perf_counter() - t
    frames = {name: r.frame for name, r in results.items()}
    clean = {name: f.drop(columns="_ingest_problem") for name, f in frames.items()}
    suites = load_suites(REPO / "expectations")
    today = dt.date.today()
    t = time.perf_counter()
    import great_expectations  # noqa: F401  (import cost measured on its own)
    times["gx_import"] = time.perf_counter() - t
    t = time.perf_counter()
    run_suites(clean, suites, today=today)
    times["gx_suites"] = time.perf_counter() - t
    t = time.perf_counter()
    for name in CONTRACT:
        row_failures(clean[name], suites[name], today=today)
    times["row_rules"] = time.perf_counter() - t
    t = time.perf_counter()
    accepted = {}
    for name in parent_first(CONTRACT):
        dangling(clean[name], CONTRACT[name], accepted)
        accepted[name] = clean[name]
    times["referential"] = time.perf_counter() - t
    t = time.perf_counter()
    params = core.parse_validate_params({"max_quarantine_share": 0.05, "max_dangling_share": 0.01,
                                         "drift_warn_psi": 0.25})
    validation = core.validate_tables(frames, suites, params, today=today)
    times["validate_tables_total"] = time.perf_counter() - t
    t = time.perf_counter()
    drift_table(clean, validation.accepted, skip=_id_columns())
    times["drift"] = time.perf_counter() - t
    rows = sum(len(f) for f in frames.values())
    print(json.dumps({"rows": rows, "times": times}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--csv", action="store_true", help="read Dutch-style CSV instead of Parquet")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    import yaml

    from risico.ingest.export import to_dutch_csv
    from risico.io import write_parquet
    from risico.synth import generate_world, parse_generate_params

    values = yaml.safe_load((REPO / "params.yaml").read_text())["generate"]
    values["n_persons"] = args.persons
    world = generate_world(parse_generate_params(values))
    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in world.raw.items():
            if args.csv:
                to_dutch_csv(frame, Path(tmp) / f"{name}.csv")
            else:
                write_parquet(frame, Path(tmp) / f"{name}.parquet")
        del world
        result = run_child(__file__, tmp)
    wall = result["wall_s"]
    print(f"# ingest + validate, {args.persons:,} persons ({result['rows']:,} rows), "
          f"{'CSV' if args.csv else 'Parquet'}, {os.cpu_count()} cores")
    for key, value in result["times"].items():
        print(f"{key:<24}{value:8.2f} s")
    print(f"{'child wall (incl. start)':<24}{wall:8.2f} s")
    print(f"{'peak memory':<24}{result['peak_mb']:8.0f} MB")
    print("pipeline figure = read_and_type + privacy_scan + gx_import + validate_tables_total + drift = "
          f"{sum(result['times'][k] for k in ('read_and_type', 'privacy_scan', 'gx_import', 'validate_tables_total', 'drift')):.2f} s")


if __name__ == "__main__":
    main()
