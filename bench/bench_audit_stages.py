"""Benchmark of ``audit-scores``' table audit with and without ``--stage`` (figures, not a pass/fail test).

Each measurement is a fresh child process on the scored table of ``bench_audit.py`` (3 attributes and their
pairwise intersections, top-10% selection): :func:`risico.audit.scores_cli.table_audit` without stages, then
with ``--stages`` stages (rows assigned to stages in turn), and without outcomes (``--label`` left out).

    .venv/bin/python bench/bench_audit_stages.py                      # 1,000,000 rows, 1,000 resamples
    .venv/bin/python bench/bench_audit_stages.py --rows 10000000      # the issue's figure

Figures (2 shared cores, 1,000 resamples; audit time without reading the file, peak memory of the child):
1,000,000 rows: 2.5 s / 468 MB without stages, 7.8 s / 493 MB with 4 stages, 3.0 s / 656 MB without outcomes;
10,000,000 rows: 24.0 s / 2.6 GB without stages, 46.1 s / 2.7 GB with 4 stages, 12.6 s / 2.2 GB without
outcomes (37.9 s / 3.6 GB before the score distributions grouped by categorical codes).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from _child import run_child  # noqa: E402 - a sibling module, run as a script
from bench_audit import scored_table  # noqa: E402


def child(rows: int, n_boot: int, stages: int, labelled: bool) -> dict:
    import pandas as pd

    from risico.audit.engine import AuditParams
    from risico.audit.io import ScoredTable
    from risico.audit.scores_cli import table_audit

    score, label, sensitive = scored_table(rows)
    stage = pd.Series(np.arange(rows) % stages, dtype="int64").astype("str") if stages else None
    table = ScoredTable(score, label.astype(float) if labelled else None, sensitive, None, None, stage=stage)
    start = time.perf_counter()
    result, _, _ = table_audit(table, AuditParams(n_boot=n_boot), top_k=rows // 10, threshold=None, reference=None,
                               stages=[str(s) for s in range(stages)] if stages else None)
    return {"audit_s": time.perf_counter() - start, "alarms": len(result.get("alarms", [])),
            "flip_dilemmas": sum(d["id"] in ("stage_flip", "direction_flip") for d in result["dilemmas"]),
            "disparities": len(result["disparities"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--stages", type=int, default=4)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--with-stages", type=int, default=0)
    parser.add_argument("--unlabelled", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rows, args.boot, args.with_stages, not args.unlabelled)))
        return
    common = ("--rows", str(args.rows), "--boot", str(args.boot))
    for name, extra in (("no stages", ()), (f"{args.stages} stages", ("--with-stages", str(args.stages))),
                        ("no outcomes", ("--unlabelled",))):
        figures = run_child(__file__, *common, *extra)
        print(f"{args.rows:,} rows, {args.boot} resamples, {name}: audit {figures['audit_s']:.1f} s, wall "
              f"{figures['wall_s']:.1f} s, peak {figures['peak_mb']:,.0f} MB, {figures['disparities']} disparities, "
              f"{figures['alarms']} alarms, {figures['flip_dilemmas']} flip dilemmas")


if __name__ == "__main__":
    main()
