"""One audit: a scored table in; group metrics, disparities, funnel, dilemmas and a verdict out.

Used by ``python -m risico audit-scores`` on any scored table, and by the
pipeline's ``audit`` stage, which adds proxies, trade-offs, the feedback
simulation, bias clusters and the comparison between periods.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from risico.audit import dilemmas as dl
from risico.audit.engine import AuditParams, disparity_table, group_table, select
from risico.audit.funnel import funnel_table, route_comparison, truth_gap
from risico.audit.io import ScoredTable
from risico.audit.verdict import NEEDS_ATTENTION, impossibility_conflict, overall_verdict
from risico.texts import Language

__all__ = ["audit_table", "assess_table", "references", "conclude", "TableAudit", "params_record", "public_groups",
           "public_disparities", "group_units", "impossibility_findings", "GROUP_METRICS"]

GROUP_METRICS = ("base_rate", "selection_rate", "fpr", "fnr", "ppv", "fdr", "fp_burden", "auc", "calibration")


def references(groups: pd.DataFrame, reference: str | Mapping[str, str] | None) -> dict[str, str] | None:
    """``--reference GROUP`` applies to every attribute that has a group of that name; a mapping
    (``--reference attribute=value``) names the reference of each attribute it lists."""
    if reference is None:
        return None
    if isinstance(reference, Mapping):
        return dict(reference)
    chosen = groups.loc[(groups["group"] == reference) & ~groups["suppressed"], "attribute"]
    return {attribute: reference for attribute in chosen}


@dataclasses.dataclass(frozen=True)
class TableAudit:
    """One scored table audited, before the overall verdict (:func:`conclude` adds it).

    Attributes
    ----------
    numbers : the audit dict's ``n``, ``selection``, ``groups``, ``disparities`` and ``funnel``.
    groups, disparities : the group table and the judged disparity table.
    dilemmas : the table's own dilemmas (disparities, suppressed groups, label bias).
    params : the audit dict's ``params``.
    """

    numbers: dict[str, Any]
    groups: pd.DataFrame
    disparities: pd.DataFrame
    dilemmas: list[dict]
    params: dict[str, Any]


def assess_table(table: ScoredTable, params: AuditParams, *, top_k: int | None = None,
                 threshold: float | None = None, selected: np.ndarray | None = None,
                 reference: str | Mapping[str, str] | None = None, random_value: str | None = None,
                 language: Language = "nl") -> TableAudit:
    """Group metrics, judged disparities, funnel and dilemmas of one scored table; no overall verdict yet.

    The selection is the top ``top_k``, or ``score >= threshold``, or a mask
    given as ``selected`` (the pipeline selects per month at capacity).
    """
    if selected is None:
        selected = select(table.score, top_k=top_k, threshold=threshold)
    groups = group_table(selected, table.label, table.sensitive, params, score=table.score, units=table.units)
    disparities = disparity_table(groups, params, reference=references(groups, reference))
    numbers: dict[str, Any] = {
        "n": int(len(table.score)),
        "selection": {"rule": "top_k" if top_k is not None else "threshold", "top_k": top_k,
                      "threshold": threshold, "selected": int(selected.sum()),
                      "selection_rate": _num(selected.mean()),
                      "precision": _num(table.label[selected].mean()) if selected.any() else None},
        "groups": public_groups(groups),
        "disparities": public_disparities(disparities),
        "funnel": _funnel(table, selected, random_value, params),
    }
    found = dl.disparity_dilemmas(disparities, language, params.tolerance)
    found += dl.suppressed_dilemma(groups, params.min_group_size, language)
    for attribute in table.sensitive.columns:
        gap = pd.DataFrame(numbers["funnel"][attribute]["truth_gap"]) if table.truth is not None else None
        found += dl.label_bias_dilemma(numbers["funnel"][attribute].get("routes"), gap, attribute, language)
    return TableAudit(numbers, groups, disparities, found, params_record(params))


def params_record(params: AuditParams) -> dict[str, Any]:
    """The audit dict's ``params``: the engine parameters behind its numbers."""
    return {"min_group_size": params.min_group_size, "n_boot": params.n_boot, "seed": params.seed,
            "confidence": params.confidence, "tolerance": list(params.tolerance), "max_depth": params.max_depth,
            "correction": params.correction, "difference_tolerance": params.difference_tolerance,
            "burden_tolerance": params.burden_tolerance}


def conclude(audit: TableAudit, dilemmas: list[dict]) -> dict:
    """The audit dict: ``audit``'s numbers, all ``dilemmas`` (the table's own and any the caller found
    beside them) and the one overall verdict (:func:`risico.audit.verdict.overall_verdict`)."""
    return {**audit.numbers, "dilemmas": dilemmas, "verdict": overall_verdict(audit.disparities, dilemmas),
            "params": dict(audit.params)}


def audit_table(table: ScoredTable, params: AuditParams, *, top_k: int | None = None, threshold: float | None = None,
                selected: np.ndarray | None = None, reference: str | Mapping[str, str] | None = None,
                random_value: str | None = None, language: Language = "nl") -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The audit of one scored table (``audit-scores``); returns (audit dict, group table, disparity table).

    :func:`assess_table` then :func:`conclude` with the table's own dilemmas and the impossibility
    (:func:`impossibility_findings`).
    """
    if selected is None:
        selected = select(table.score, top_k=top_k, threshold=threshold)
    audit = assess_table(table, params, top_k=top_k, threshold=threshold, selected=selected, reference=reference,
                         random_value=random_value, language=language)
    numbers, found = impossibility_findings(table, selected, params, language)
    audit = dataclasses.replace(audit, numbers=audit.numbers | {"impossibility": numbers})
    return conclude(audit, audit.dilemmas + found), audit.groups, audit.disparities


def impossibility_findings(table: ScoredTable, selected: np.ndarray, params: AuditParams,
                           language: Language) -> tuple[dict[str, Any], list[dict]]:
    """The conflict between calibration and equal error rates for each attribute of the table
    (:func:`risico.audit.tradeoffs.impossibility` at the table's cut-off, the pipeline's computation) and an
    ``impossibility`` dilemma for each attribute whose table shows it
    (:func:`risico.audit.verdict.impossibility_conflict`). Returns (per attribute: the conflict, or why there is
    none; the dilemmas). Only groups of at least ``min_group_size`` rows appear."""
    from risico.audit.tradeoffs import impossibility  # pulls in fairlearn: loaded when an audit runs, not at start

    numbers: dict[str, Any] = {}
    found: list[dict] = []
    capacity = int(np.count_nonzero(selected))
    for attribute in table.sensitive.columns:
        try:
            impossible = impossibility(table.score, table.label, table.sensitive[attribute], capacity=capacity,
                                       selected=selected)
        except ValueError as exc:   # one group only, or nothing selected: nothing to weigh
            numbers[attribute] = {"conflict": False, "not_computed": str(exc)}
            continue
        conflict = impossibility_conflict(impossible, params.tolerance, params.min_group_size, str(attribute))
        numbers[attribute] = {"conflict": conflict is not None, "base_rates_differ": impossible["base_rates_differ"],
                              "p_value": _num(impossible["p_value"]), **(conflict or {})}
        if conflict:
            shown = {k: impossible[k] for k in ("capacity", "base_rates_differ", "p_value")}
            found += dl.impossibility_dilemma(shown | {"attribute": str(attribute)}, language, conflict)
    return numbers, found


def _funnel(table: ScoredTable, selected: np.ndarray, random_value: str | None, params: AuditParams) -> dict:
    out = {}
    for attribute in table.sensitive.columns:
        group = table.sensitive[attribute]
        units = group_units(group, table.units)
        entry: dict[str, Any] = {"stages": _suppress_rows(funnel_table(group, selected, table.label),
                                                          "population_count", params.min_group_size, units)}
        if table.route is not None and random_value is not None:
            routes = route_comparison(group, table.route, random_value, table.label)
            if routes.get("available"):
                routes["groups"] = [g if g["n_random"] + g["n_risk_selected"] >= params.min_group_size
                                    and units.get(str(g["group"]), params.min_group_size) >= params.min_group_size
                                    else {"group": g["group"], "suppressed": True} for g in routes["groups"]]
            entry["routes"] = routes
        if table.truth is not None:
            entry["truth_gap"] = _suppress_rows(truth_gap(group, table.label, table.truth), "n",
                                                params.min_group_size, units)
        out[attribute] = entry
    return out


def group_units(group: pd.Series, units: np.ndarray | None) -> dict[str, int]:
    """Distinct units per group (empty when rows are the units)."""
    if units is None:
        return {}
    frame = pd.DataFrame({"group": group.astype("str").to_numpy(), "unit": np.asarray(units, dtype=object)})
    return {str(k): int(v) for k, v in frame.groupby("group", sort=True)["unit"].nunique().items()}


def _suppress_rows(frame: pd.DataFrame, size_column: str, min_size: int,
                   units: Mapping[str, int] | None = None) -> list[dict]:
    """Rows as dicts; groups under ``min_size`` (rows, or distinct ``units`` where given) keep only their name
    and ``suppressed: true``."""
    rows = []
    units = units or {}
    for record in frame.to_dict("records"):
        if record[size_column] < min_size or units.get(str(record["group"]), min_size) < min_size:
            rows.append({"group": record["group"], "suppressed": True})
        else:
            rows.append({k: _plain(v) for k, v in record.items()} | {"suppressed": False})
    return rows


def public_groups(groups: pd.DataFrame) -> list[dict]:
    """Group rows for export: intervals under ``ci``; suppressed groups without any number."""
    rows = []
    for record in groups.to_dict("records"):
        base = {"attribute": record["attribute"], "group": record["group"], "suppressed": bool(record["suppressed"])}
        if record["suppressed"]:
            rows.append(base)
            continue
        base["n"] = int(record["n"])
        if "n_units" in record:
            base["n_units"] = int(record["n_units"])
        base.update({m: _plain(record[m]) for m in GROUP_METRICS})
        base["ci"] = {m: [_plain(record[f"{m}_lo"]), _plain(record[f"{m}_hi"])] for m in GROUP_METRICS}
        rows.append(base)
    return rows


def public_disparities(disparities: pd.DataFrame) -> list[dict]:
    """Disparity rows for export; rows involving a suppressed group keep no numbers."""
    rows = []
    for record in disparities.to_dict("records"):
        base = {"attribute": record["attribute"], "group": record["group"], "reference": record["reference"],
                "metric": record["metric"], "verdict": record["verdict"]}
        if record.get("suppressed"):
            rows.append(base | {"suppressed": True})
            continue
        base.update(ratio=_plain(record["ratio"]), difference=_plain(record["difference"]),
                    ci=[_plain(record["ratio_lo"]), _plain(record["ratio_hi"])], direction=int(record["direction"]),
                    suppressed=False, difference_ci=[_plain(record["difference_lo"]), _plain(record["difference_hi"])],
                    basis=record["basis"])
        rows.append(base)
    return rows


#: Per disparity metric, the columns ``by_group.csv`` gains from the disparity table (against the reference).
DISPARITY_CSV = ("ratio", "ratio_lo", "ratio_hi", "difference", "difference_lo", "difference_hi")


def by_group_csv(groups: pd.DataFrame, min_size: int, disparities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The group table for ``by_group.csv``: suppressed rows keep their name and a note, no numbers.

    With ``disparities``, each group also carries, per disparity metric, its ratio and difference against
    its attribute's reference with their intervals (``<metric>_ratio``, ``<metric>_difference_lo``, ...),
    empty for the reference itself and for suppressed comparisons."""
    columns = (["attribute", "group", "n"] + (["n_units"] if "n_units" in groups else [])
               + [c for m in GROUP_METRICS for c in (m, f"{m}_lo", f"{m}_hi")])
    out = groups[columns + ["suppressed"]].copy()
    numbers = [c for c in columns if c not in ("attribute", "group")]
    out[numbers] = out[numbers].astype(float).mask(out["suppressed"])
    shown = None if disparities is None else disparities[~disparities["suppressed"].astype(bool)]
    if shown is not None and not shown.empty:
        wide = shown.pivot_table(index=["attribute", "group"], columns="metric", values=list(DISPARITY_CSV),
                                 aggfunc="first", dropna=False)
        wide.columns = [f"{metric}_{value}" for value, metric in wide.columns]
        order = [f"{m}_{v}" for m in dict.fromkeys(shown["metric"]) for v in DISPARITY_CSV]
        out = out.merge(wide.reindex(columns=order).reset_index(), on=["attribute", "group"], how="left")
    out["note"] = np.where(out["suppressed"], f"suppressed (n < {min_size})", "")
    return out


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else round(float(value), 6)


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _evidence(disparity: Mapping) -> float:
    """How far (in log ratio) the interval lies from 1; 0 when it contains 1 or is missing."""
    lo, hi = disparity.get("ci") or (None, None)
    above = math.log(lo) if lo is not None and lo > 0 else 0.0      # the interval lies above 1
    below = -math.log(hi) if hi is not None and hi > 0 else 0.0     # ... or below it
    return max(above, below, 0.0)


def _signal(disparity: Mapping) -> float:
    """The log ratio's size over its interval's log width (0 without a ratio or a finite interval)."""
    ratio = disparity.get("ratio")
    lo, hi = disparity.get("ci") or (None, None)
    if not ratio or ratio <= 0 or lo is None or hi is None or lo <= 0 or hi <= lo:
        return 0.0
    return abs(math.log(ratio)) / math.log(hi / lo)


def summary_numbers(result: Mapping) -> dict:
    """The few numbers for the first page: the five disparities with the strongest evidence.

    Failing ones first; then by how far the interval lies from equal treatment (a ratio of 1), so that an
    interval such as 0.26-1202 (a handful of selections) does not head the page for its large point
    estimate; then by the size of the ratio relative to the width of its interval."""
    worst = [d for d in result["disparities"] if d["verdict"] in NEEDS_ATTENTION and not d.get("suppressed")]
    worst.sort(key=lambda d: (d["verdict"] != "fail", -_evidence(d), -_signal(d)))
    return {"n": result["n"], "selected": result["selection"]["selected"],
            "precision": result["selection"]["precision"], "worst": worst[:5]}
