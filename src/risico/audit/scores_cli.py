"""``python -m risico audit-scores``: audit any scored table (a vendor's as readily as this project's).

The options are checked before any work starts, each error one line naming the option
(:data:`BAD_OPTION`, :data:`UNKNOWN_REFERENCE`, :data:`UNKNOWN_REFERENCE_ATTRIBUTE`,
:data:`UNKNOWN_REFERENCE_VALUE`, :data:`PROTECTED_FEATURE`, :data:`TOO_MANY_GROUPS`, and for
``--stage-order`` :mod:`risico.audit.stages`); the table's own checks (columns, copies of a
column, labels) are in :mod:`risico.audit.io`. :func:`table_audit` is the audit of a read
table: with or without outcomes (:mod:`risico.audit.unlabelled`), per stage
(:mod:`risico.audit.stages`) and with the table's own columns as proxies.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from risico.audit import dilemmas as dl
from risico.audit.engine import SEPARATOR, AuditParams, select
from risico.audit.io import AuditInputError, ScoredTable, check_selection, read_scored_table
from risico.audit.proxies import joint_proxy_table, proxy_table
from risico.audit.report import render_report, table_sections
from risico.audit.run import assess_table, by_group_csv, conclude, impossibility_findings
from risico.audit.stages import stage_audits, stage_order
from risico.audit.unlabelled import assess_unlabelled, unlabelled_csv
from risico.io import atomic_dir
from risico.tables import write_csv
from risico.texts import LANGUAGES, Language

__all__ = ["add_arguments", "run", "table_audit", "audit_params", "check_groups", "BAD_OPTION", "UNKNOWN_REFERENCE",
           "UNKNOWN_REFERENCE_ATTRIBUTE", "UNKNOWN_REFERENCE_VALUE", "TWICE_REFERENCE", "PROTECTED_FEATURE",
           "ORDER_WITHOUT_STAGE", "NEEDS_LABEL", "TOO_MANY_GROUPS", "MIN_GROUP_SIZE", "MAX_GROUPS", "PROXY_AUC"]

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
UNKNOWN_REFERENCE_ATTRIBUTE = ("Option --reference: {attribute!r} (in {value!r}) is not a --sensitive attribute or "
                               "intersection. Allowed: {allowed}.")
UNKNOWN_REFERENCE_VALUE = ("Option --reference: {group!r} (in {value!r}) is not a group of {attribute!r} with at "
                           "least {min_size} rows (--min-group-size). Allowed: {allowed}.")
TWICE_REFERENCE = "Option --reference names attribute {attribute!r} twice. Give one reference per attribute."
PROTECTED_FEATURE = ("Option --features: column '{column}' is a --sensitive column; a protected attribute cannot be "
                     "checked as its own proxy. Allowed: the table's other columns.")
NEEDS_LABEL = ("Option {option} needs --label: without outcomes the audit cannot compare them. Leave {option} out, "
               "or give the outcome column as --label.")
ORDER_WITHOUT_STAGE = "Option --stage-order needs --stage COLUMN (the column that names each row's stage)."
#: A feature alone predicting a group at least this well (ROC AUC) is listed as a proxy (the pipeline's default).
PROXY_AUC = 0.6


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, type=Path, help="scored table (.csv or .parquet)")
    parser.add_argument("--score", required=True, help="score column (higher = more risk)")
    parser.add_argument("--label", help="outcome column (0/1, true/false, yes/no, ja/nee); without it the audit "
                        "judges what needs no outcomes and names what is missing")
    parser.add_argument("--sensitive", required=True, help="protected attribute column(s), comma-separated")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--top-k", type=int, help="select the K highest scores (the capacity)")
    how.add_argument("--threshold", type=float, help="select scores >= T")
    parser.add_argument("--route", help="column saying how each case was selected (for the random-sample check)")
    parser.add_argument("--random-value", help="value of --route that marks the random sample")
    parser.add_argument("--truth", help="column with the true outcome, if known (synthetic data)")
    parser.add_argument("--reference", action="append",
                        help="reference group as ATTRIBUTE=VALUE (repeatable), or one group name for every attribute "
                             "that has it (default: each attribute's largest group)")
    parser.add_argument("--stage", help="column naming each row's stage (e.g. training, pilot): each is audited "
                        "and a disparity that changes direction between consecutive stages raises an alarm")
    parser.add_argument("--stage-order", help="the stages in order, comma-separated (default: sorted by name)")
    parser.add_argument("--features", help="the table's own columns to check as proxies, comma-separated")
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
    sensitive, features = _names(args.sensitive), _names(args.features or "")
    order = _stage_order_option(args)
    for option, value in (("--truth", args.truth), ("--random-value", args.random_value)):
        if value is not None and args.label is None:
            raise AuditInputError(NEEDS_LABEL.format(option=option))
    for column in features:
        if column in sensitive:
            raise AuditInputError(PROTECTED_FEATURE.format(column=column))
    table = read_scored_table(args.input, score=args.score, label=args.label, sensitive=sensitive,
                              route=args.route, truth=args.truth, stage=args.stage, features=features)
    check_selection(len(table.score), table.score, args.top_k, args.threshold)
    reference = check_groups(table, params, args.reference, args.max_groups)
    order = stage_order(table.stage, args.stage, order) if table.stage is not None else None
    result, groups, csv = table_audit(table, params, top_k=args.top_k, threshold=args.threshold, reference=reference,
                                      random_value=args.random_value, stages=order, language=args.language)
    page = render_report(result, language=args.language, extra_sections=table_sections(result, args.language))
    with atomic_dir(args.out, option="--out", inputs={"--input": args.input}) as out:
        (out / "audit.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                                        encoding="utf-8")
        write_csv(csv, out / "by_group.csv")
        (out / "report.html").write_text(page, encoding="utf-8")


def table_audit(table: ScoredTable, params: AuditParams, *, top_k: int | None, threshold: float | None,
                reference: str | dict[str, str] | None, random_value: str | None = None,
                stages: list[str] | None = None, language: Language = "nl") -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The audit of a read table: with or without outcomes, per stage when ``stages`` is given, with proxies
    when the table holds ``features``. Returns (audit dict, group table, the ``by_group.csv`` frame)."""
    selected = select(table.score, top_k=top_k, threshold=threshold)
    if table.label is None:
        assess = assess_unlabelled
        audit = assess_unlabelled(table, params, top_k=top_k, threshold=threshold, selected=selected,
                                  reference=reference, language=language)
    else:
        assess = functools.partial(assess_table, random_value=random_value)
        audit = assess_table(table, params, top_k=top_k, threshold=threshold, selected=selected,
                             reference=reference, random_value=random_value, language=language)
    dilemmas, extra = list(audit.dilemmas), {}
    if table.label is not None:     # the conflict between calibration and equal error rates needs outcomes
        extra["impossibility"], found = impossibility_findings(table, selected, params, language)
        dilemmas += found
    if stages is not None:
        chosen = dict(zip(audit.disparities["attribute"], audit.disparities["reference"]))
        extra, found = stage_audits(table, params, selected, stages, chosen, assess, language)
        dilemmas += found
    if table.features is not None:
        proxies = proxy_table(table.features, table.sensitive, threshold_auc=PROXY_AUC, seed=params.seed)
        joint = joint_proxy_table(table.features, table.sensitive, seed=params.seed)
        extra["proxies"] = proxies[proxies["n"] >= params.min_group_size].to_dict("records")
        extra["joint_proxies"] = joint[joint["n"] >= params.min_group_size].to_dict("records")
        dilemmas += dl.proxy_dilemma(proxies, language)
    result = conclude(audit, dilemmas) | extra
    if table.duplicates:
        result["duplicates"] = [dict(d) for d in table.duplicates]
    csv = (by_group_csv(audit.groups, params.min_group_size, audit.disparities) if table.label is not None
           else unlabelled_csv(result["groups"], params.min_group_size))
    return result, audit.groups, csv


def _names(option: str) -> list[str]:
    return [c.strip() for c in option.split(",") if c.strip()]


def _stage_order_option(args: argparse.Namespace) -> list[str] | None:
    if args.stage_order is None:
        return None
    if args.stage is None:
        raise AuditInputError(ORDER_WITHOUT_STAGE)
    return _names(args.stage_order)


def audit_params(args: argparse.Namespace) -> AuditParams:
    """The engine's parameters from the options; a bad value is one line naming its option."""
    checks = (("--min-group-size", args.min_group_size, MIN_GROUP_SIZE), ("--n-boot", args.n_boot, 1),
              ("--seed", args.seed, 0), ("--max-groups", args.max_groups, 1))
    for option, value, minimum in checks:
        if value < minimum:
            raise AuditInputError(BAD_OPTION.format(option=option, allowed=f"an int >= {minimum}", value=value))
    return AuditParams(min_group_size=args.min_group_size, n_boot=args.n_boot, seed=args.seed)


def check_groups(table: ScoredTable, params: AuditParams, reference: Sequence[str] | str | None,
                 max_groups: int) -> str | dict[str, str] | None:
    """Refuse more than ``max_groups`` groups (before the bootstrap starts), and a ``reference`` that names no
    group of at least ``params.min_group_size`` rows. Returns the reference as the audit takes it: one group
    name for every attribute that has it, or ``{attribute: group}`` from ``ATTRIBUTE=VALUE`` options."""
    sizes = _group_sizes(table.sensitive, params.max_depth)
    total = sum(len(counts) for counts in sizes.values())
    if total > max_groups:
        columns = list(table.sensitive.columns)
        what = (f"column '{columns[0]}'" if len(sizes) == 1
                else "columns " + ", ".join(f"'{c}'" for c in columns) + " and their intersections")
        raise AuditInputError(TOO_MANY_GROUPS.format(count=total, what=what, limit=max_groups))
    if reference is None:
        return None
    values = [reference] if isinstance(reference, str) else list(reference)
    if len(values) == 1 and "=" not in values[0]:
        allowed = sorted({str(g) for counts in sizes.values() for g, n in counts.items()
                          if n >= params.min_group_size})
        if values[0] not in allowed:
            raise AuditInputError(UNKNOWN_REFERENCE.format(value=values[0], columns=", ".join(
                f"'{c}'" for c in table.sensitive.columns), min_size=params.min_group_size,
                allowed=_shown(allowed) or "none"))
        return values[0]
    return _attribute_references(values, sizes, params.min_group_size)


def _attribute_references(values: Sequence[str], sizes: dict[str, pd.Series], min_size: int) -> dict[str, str]:
    """``ATTRIBUTE=VALUE`` options as ``{attribute: group}``; an unknown attribute or group is one line."""
    chosen: dict[str, str] = {}
    for value in values:
        attribute, _, group = (part.strip() for part in value.partition("="))
        if attribute not in sizes:
            raise AuditInputError(UNKNOWN_REFERENCE_ATTRIBUTE.format(attribute=attribute, value=value,
                                                                     allowed=_shown(list(sizes))))
        allowed = sorted(str(g) for g, n in sizes[attribute].items() if n >= min_size)
        if group not in allowed:
            raise AuditInputError(UNKNOWN_REFERENCE_VALUE.format(group=group, value=value, attribute=attribute,
                                                                 min_size=min_size, allowed=_shown(allowed) or "none"))
        if attribute in chosen:
            raise AuditInputError(TWICE_REFERENCE.format(attribute=attribute))
        chosen[attribute] = group
    return chosen


def _shown(names: Sequence[str]) -> str:
    return ", ".join(f"'{g}'" for g in names[:12]) + (", ..." if len(names) > 12 else "")


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
