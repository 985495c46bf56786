"""The selection funnel and the label bias it leaves behind.

Per group: its share of the population, of the selected cases, and of the
cases where something was found; with a random route, its share among random
versus risk-selected cases and the hit rates of both (the random sample is
the only unbiased witness of over-selection); with the truth, the gap between
each group's observed and true violation rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta

__all__ = ["clopper_pearson", "funnel_table", "route_comparison", "truth_gap"]


def clopper_pearson(hits: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial interval for hits / n (NaN where n = 0).

    >>> lo, hi = clopper_pearson(np.array([5]), np.array([10]))
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (0.187, 0.813)
    """
    hits = np.asarray(hits, dtype=float)
    n = np.asarray(n, dtype=float)
    a = (1 - confidence) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(hits > 0, beta.ppf(a, hits, n - hits + 1), 0.0)
        hi = np.where(hits < n, beta.ppf(1 - a, hits + 1, n - hits), 1.0)
    empty = n == 0
    return np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)


def _shares(group: pd.Series, mask: np.ndarray) -> pd.DataFrame:
    counts = group[mask].value_counts()
    total = int(mask.sum())
    lo, hi = clopper_pearson(counts.to_numpy(), np.full(len(counts), total))
    return pd.DataFrame({"count": counts, "share": counts / max(total, 1), "lo": lo, "hi": hi})


def funnel_table(group: pd.Series, selected: np.ndarray, label: np.ndarray) -> pd.DataFrame:
    """Each group's share of the population, of the selected cases, and of the selected cases with a finding."""
    everyone = np.ones(len(group), dtype=bool)
    stages = {"population": everyone, "selected": selected, "found": selected & (label == 1)}
    frames = []
    for stage, mask in stages.items():
        shares = _shares(group, mask).add_prefix(f"{stage}_")
        frames.append(shares)
    out = pd.concat(frames, axis=1).fillna({f"{s}_count": 0 for s in stages})
    return out.rename_axis("group").reset_index()


def route_comparison(group: pd.Series, route: pd.Series, random_value: str, label: np.ndarray) -> dict:
    """Random versus other routes: hit rates, and each group's share in both, with intervals."""
    random = (route == random_value).to_numpy()
    if not random.any():
        return {"available": False, "reason": f"no rows with route '{random_value}'"}
    other = ~random
    rates = {}
    for name, mask in (("random", random), ("risk_selected", other)):
        hits, n = np.array([label[mask].sum()]), np.array([mask.sum()])
        lo, hi = clopper_pearson(hits, n)
        rates[name] = {"n": int(n[0]), "hit_rate": float(hits[0] / n[0]) if n[0] else float("nan"),
                       "ci": [float(lo[0]), float(hi[0])]}
    random_shares = _shares(group, random)
    other_shares = _shares(group, other)
    # a group absent from a sample has 0 of its n cases: exact interval [0, hi], not [0, 0]
    absent = {name: [0.0, float(clopper_pearson(np.array([0]), np.array([int(mask.sum())]))[1][0])]
              for name, mask in (("random", random), ("other", other))}
    groups = []
    for g in sorted(set(group.unique())):
        r = random_shares.loc[g] if g in random_shares.index else None
        o = other_shares.loc[g] if g in other_shares.index else None
        groups.append({
            "group": g,
            "share_random": float(r["share"]) if r is not None else 0.0,
            "share_random_ci": [float(r["lo"]), float(r["hi"])] if r is not None else absent["random"],
            "share_risk_selected": float(o["share"]) if o is not None else 0.0,
            "share_risk_selected_ci": [float(o["lo"]), float(o["hi"])] if o is not None else absent["other"],
            "n_random": int(r["count"]) if r is not None else 0,
            "n_risk_selected": int(o["count"]) if o is not None else 0,
        })
    for entry in groups:     # over-selected: its share among risk-selected lies above the random interval
        entry["over_selected"] = bool(entry["share_risk_selected_ci"][0] > entry["share_random_ci"][1])
        entry["under_selected"] = bool(entry["share_risk_selected_ci"][1] < entry["share_random_ci"][0])
    return {"available": True, "random_value": random_value, "hit_rates": rates, "groups": groups}


def truth_gap(group: pd.Series, label: np.ndarray, truth: np.ndarray) -> pd.DataFrame:
    """Per group: observed label rate, true violation rate, and their gap, with intervals."""
    frame = pd.DataFrame({"group": group.to_numpy(), "label": label, "truth": truth})
    agg = frame.groupby("group").agg(n=("label", "size"), observed=("label", "sum"), true=("truth", "sum"))
    lo_o, hi_o = clopper_pearson(agg["observed"].to_numpy(), agg["n"].to_numpy())
    lo_t, hi_t = clopper_pearson(agg["true"].to_numpy(), agg["n"].to_numpy())
    out = pd.DataFrame({
        "group": agg.index, "n": agg["n"].to_numpy(),
        "observed_rate": (agg["observed"] / agg["n"]).to_numpy(), "observed_lo": lo_o, "observed_hi": hi_o,
        "true_rate": (agg["true"] / agg["n"]).to_numpy(), "true_lo": lo_t, "true_hi": hi_t,
    })
    out["gap"] = out["observed_rate"] - out["true_rate"]
    return out.reset_index(drop=True)
