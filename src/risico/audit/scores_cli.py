"""``python -m risico audit-scores``: audit any scored table (a vendor's as readily as this project's)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from risico.audit.engine import AuditParams
from risico.audit.io import check_selection, read_scored_table
from risico.audit.report import render_report
from risico.audit.run import audit_table, by_group_csv
from risico.io import atomic_dir
from risico.texts import LANGUAGES

HELP = "audit any scored table: group metrics with intervals, disparities, funnel, dilemmas, verdict"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, type=Path, help="scored table (.csv or .parquet)")
    parser.add_argument("--score", required=True, help="score column (higher = more risk)")
    parser.add_argument("--label", required=True, help="outcome column (0/1, true/false, yes/no, ja/nee)")
    parser.add_argument("--sensitive", required=True, help="protected attribute column(s), comma-separated")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--top-k", type=int, help="select the K highest scores (the capacity)")
    how.add_argument("--threshold", type=float, help="select scores >= T")
    parser.add_argument("--route", help="column saying how each case was selected (for the random-sample check)")
    parser.add_argument("--random-value", help="value of --route that marks the random sample")
    parser.add_argument("--truth", help="column with the true outcome, if known (synthetic data)")
    parser.add_argument("--reference", help="reference group (default: each attribute's largest group)")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    parser.add_argument("--min-group-size", type=int, default=10, help="suppress groups below this size")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    parser.add_argument("--language", choices=LANGUAGES, default="nl", help="report language")


def run(args: argparse.Namespace) -> None:
    sensitive = [c.strip() for c in args.sensitive.split(",") if c.strip()]
    table = read_scored_table(args.input, score=args.score, label=args.label, sensitive=sensitive,
                              route=args.route, truth=args.truth)
    check_selection(len(table.score), table.score, args.top_k, args.threshold)
    params = AuditParams(min_group_size=args.min_group_size, n_boot=args.n_boot, seed=args.seed)
    result, groups, _ = audit_table(table, params, top_k=args.top_k, threshold=args.threshold,
                                    reference=args.reference, random_value=args.random_value,
                                    language=args.language)
    page = render_report(result, language=args.language)
    with atomic_dir(args.out, option="--out", inputs={"--input": args.input}) as out:
        (out / "audit.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                                        encoding="utf-8")
        by_group_csv(groups, params.min_group_size).to_csv(out / "by_group.csv", index=False, lineterminator="\n")
        (out / "report.html").write_text(page, encoding="utf-8")
