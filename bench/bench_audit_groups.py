"""How ``audit-scores`` scales with the number of groups (figures, not a pass/fail test).

Each measurement is a fresh child process running ``audit-scores`` with its defaults (1,000 resamples) on a
table of ``--groups`` groups of ``--rows`` rows each, top 10% selected, ``--max-groups`` raised so that the run
goes through; the parent reads wall time and peak memory from ``wait4``. The figures set the default of
``--max-groups`` (``risico.audit.scores_cli.MAX_GROUPS``).

    .venv/bin/python bench/bench_audit_groups.py                     # 1,000, 3,000 and 10,000 groups (~3 min)
    .venv/bin/python bench/bench_audit_groups.py --groups 500 2000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from _child import run_child  # noqa: E402 - a sibling module, run as a script


def make_table(n_groups: int, rows: int, path: Path) -> None:
    rng = np.random.default_rng(0)
    n = n_groups * rows
    pd.DataFrame({"score": rng.random(n), "label": rng.integers(0, 2, n),
                  "group": np.repeat([f"g{i:05d}" for i in range(n_groups)], rows)}).to_csv(path, index=False)


def child(n_groups: int, rows: int) -> None:
    from risico.cli import main
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "scores.csv"
        make_table(n_groups, rows, table)
        status = main(["--quiet", "audit-scores", "--input", str(table), "--score", "score", "--label", "label",
                       "--sensitive", "group", "--top-k", str(n_groups * rows // 10),
                       "--max-groups", str(n_groups), "--out", str(Path(tmp) / "out")])
    print(json.dumps({"groups": n_groups, "rows": n_groups * rows, "status": status}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--rows", type=int, default=100, help="rows per group")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.groups[0], args.rows)
        return
    for n_groups in args.groups:
        result = run_child(sys.argv[0], "--groups", str(n_groups), "--rows", str(args.rows))
        print(f"{result['groups']:>6} groups x {args.rows} rows: {result['wall_s']:6.1f} s, "
              f"{result['peak_mb']:6.0f} MB peak (status {result['status']})")


if __name__ == "__main__":
    main()
