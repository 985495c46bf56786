"""Benchmark of one whole ``audit-scores`` computation at scale (issue 14's performance figure; figures, not a test).

The child builds a synthetic scored table (``bench_audit.scored_table``: 3 protected attributes of 3, 4 and 5
groups, a planted score bias) and runs :func:`risico.audit.run.audit_table` on it exactly as ``audit-scores``
does after reading the file: top 10% selected, every attribute and the 3 pairwise intersections, ``--boot``
resamples, group metrics with intervals, disparities with ratio *and* difference intervals and verdicts, the
funnel, the impossibility conflict per attribute, dilemmas and the verdict. Reading the CSV and writing the
report are not included (``bench_startup`` and the I/O benchmarks cover them). Wall time and peak resident
memory of the child come from ``wait4``; run under ``/usr/bin/time -v`` for the same peak from the OS:

    /usr/bin/time -v .venv/bin/python bench/bench_audit_scale.py --rows 10000000     # issue 14: < 30 s, < 4 GB
    .venv/bin/python bench/bench_audit_scale.py --rows 1000000 --rows 3000000         # smaller sizes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from _child import run_child  # noqa: E402 - a sibling module, run as a script
from bench_audit import scored_table  # noqa: E402


def child_audit(rows: int, n_boot: int) -> dict:
    from risico.audit.engine import AuditParams
    from risico.audit.io import ScoredTable
    from risico.audit.run import audit_table

    score, label, sensitive = scored_table(rows)
    table = ScoredTable(score, label.astype(float), sensitive, None, None)
    start = time.perf_counter()
    result, groups, disparities = audit_table(table, AuditParams(n_boot=n_boot), top_k=rows // 10, language="en")
    done = time.perf_counter()
    return {"audit_s": done - start, "groups": len(groups), "disparities": len(disparities),
            "verdicts": disparities["verdict"].value_counts().to_dict(),
            "basis": disparities["basis"].value_counts().to_dict(),
            "dilemmas": [d["id"] for d in result["dilemmas"]], "verdict": result["verdict"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="table size (repeatable; default 10,000,000)")
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_audit(*map(int, args.child))))
        return
    print(f"# audit-scores at scale on {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}; {args.boot} resamples, 3 attributes + 3 pairwise "
          f"intersections, top 10% selected")
    for rows in args.rows or [10_000_000]:
        r = run_child(__file__, str(rows), str(args.boot))
        print(f"rows {rows:,}  audit_table_s {r['audit_s']:.1f}  wall_s(child, incl. imports and building the table) "
              f"{r['wall_s']:.1f}  peak_MB {r['peak_mb']:,.0f}  groups {r['groups']}  disparity rows "
              f"{r['disparities']}  verdicts {r['verdicts']}  basis {r['basis']}  dilemmas {r['dilemmas']}  "
              f"verdict {r['verdict']}")


if __name__ == "__main__":
    main()
