"""``python -m risico audit-scores``: audit any scored table (a vendor's as readily as this project's).

The options are checked before any work starts, each error one line naming the option
(:data:`BAD_OPTION`, :data:`UNKNOWN_REFERENCE`, :data:`TOO_MANY_GROUPS`); the table's own
checks are in :mod:`risico.audit.io`.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import pandas as pd

from risico.audit.engine import SEPARATOR, AuditParams
from risico.audit.io import AuditInputError, ScoredTable, check_selection, read_scored_table
from risico.audit.report import render_report
from risico.audit.run import audit_table, by_group_csv
from risico.io import atomic_dir
from risico.tables import write_csv
from risico.texts import LANGUAGES

__all__ = ["add_arguments", "run", "audit_params", "check_groups", "BAD_OPTION", "UNKNOWN_REFERENCE",
           "TOO_MANY_GROUPS", "MIN_GROUP_SIZE", "MAX_GROUPS"]

HELP = "audit any scored table: group metrics with intervals, disparities, funnel, dilemmas, verdict"

#: Smallest allowed ``--min-group-size``; the default is 10, the statistics-office rule.
MIN_GROUP_SIZE = 5
#: Default ``--max-groups``: the groups (attributes and their intersections) a default run audits well
#: within 60 s on 2 shared cores: 3,000 groups of 100 rows took 26-38 s and 1.0 GB, 10,000 groups 104 s and
#: 2.9 GB (bench/bench_audit_groups.py).
MAX_GROUPS = 3000

BAD_OPTION = "Option {option} must be {allowed}. Got {value} instead."
UNKNOWN_REFERENCE = ("Option --reference: {value!r} is not a group of --sensitive {columns} with at least {min_size} "
                     "rows (--min-group-size). Allowed: {allowed}.")
TOO_MANY_GROUPS = "{count} groups in {what}; the audit's limit is {limit} (--max-groups raises it)."


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
    parser.add_argument("--min-group-size", type=int, default=10,
                        help=f"suppress groups below this size (default 10; at least {MIN_GROUP_SIZE})")
    parser.add_argument("--max-groups", type=int, default=MAX_GROUPS,
                        help=f"stop when the attributes and their intersections hold more groups (default {MAX_GROUPS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    parser.add_argument("--language", choices=LANGUAGES, default="nl", help="report language")


def run(args: argparse.Namespace) -> None:
    params = audit_params(args)
    sensitive = [c.strip() for c in args.sensitive.split(",") if c.strip()]
    table = read_scored_table(args.input, score=args.score, label=args.label, sensitive=sensitive,
                              route=args.route, truth=args.truth)
    check_selection(len(table.score), table.score, args.top_k, args.threshold)
    check_groups(table, params, args.reference, args.max_groups)
    result, groups, disparities = audit_table(table, params, top_k=args.top_k, threshold=args.threshold,
                                    reference=args.reference, random_value=args.random_value,
                                    language=args.language)
    page = render_report(result, language=args.language)
    with atomic_dir(args.out, option="--out", inputs={"--input": args.input}) as out:
        (out / "audit.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                                        encoding="utf-8")
        write_csv(by_group_csv(groups, params.min_group_size, disparities), out / "by_group.csv")
        (out / "report.html").write_text(page, encoding="utf-8")


def audit_params(args: argparse.Namespace) -> AuditParams:
    """The engine's parameters from the options; a bad value is one line naming its option."""
    checks = (("--min-group-size", args.min_group_size, MIN_GROUP_SIZE), ("--n-boot", args.n_boot, 1),
              ("--seed", args.seed, 0), ("--max-groups", args.max_groups, 1))
    for option, value, minimum in checks:
        if value < minimum:
            raise AuditInputError(BAD_OPTION.format(option=option, allowed=f"an int >= {minimum}", value=value))
    return AuditParams(min_group_size=args.min_group_size, n_boot=args.n_boot, seed=args.seed)


def check_groups(table: ScoredTable, params: AuditParams, reference: str | None, max_groups: int) -> None:
    """Refuse more than ``max_groups`` groups (before the bootstrap starts), and a ``reference`` that names no
    group of at least ``params.min_group_size`` rows."""
    sizes = _group_sizes(table.sensitive, params.max_depth)
    total = sum(len(counts) for counts in sizes.values())
    if total > max_groups:
        columns = list(table.sensitive.columns)
        what = (f"column '{columns[0]}'" if len(sizes) == 1
                else "columns " + ", ".join(f"'{c}'" for c in columns) + " and their intersections")
        raise AuditInputError(TOO_MANY_GROUPS.format(count=total, what=what, limit=max_groups))
    if reference is None:
        return
    allowed = sorted({str(g) for counts in sizes.values() for g, n in counts.items() if n >= params.min_group_size})
    if reference not in allowed:
        shown = ", ".join(f"'{g}'" for g in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        raise AuditInputError(UNKNOWN_REFERENCE.format(value=reference, columns=", ".join(f"'{c}'" for c in table.sensitive.columns),
                                                       min_size=params.min_group_size, allowed=shown or "none"))


def _group_sizes(sensitive: pd.DataFrame, max_depth: int) -> dict[str, pd.Series]:
    """Rows per group of each attribute and of each intersection the engine audits (up to ``max_depth``)."""
    names = [str(c) for c in sensitive.columns]
    sizes = {}
    for depth in range(1, min(max_depth, len(names)) + 1):
        for combo in itertools.combinations(names, depth):
            labels = sensitive[combo[0]].astype("str")
            for name in combo[1:]:
                labels = labels + SEPARATOR + sensitive[name].astype("str")
            sizes[SEPARATOR.join(combo)] = labels.value_counts()
    return sizes
