"""The audit's groups and the history of investigations: who was investigated, with what result, against the truth.

Numbers only; :mod:`risico.audit.verdict` decides which of them are findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from risico.audit.funnel import clopper_pearson
from risico.audit.providers import CLIENT_SHARES, composition_band
from risico.audit.proxies import proxy_table
from risico.errors import RisicoError
from risico.vocabularies import age_band

__all__ = ["RANDOM_ROUTE", "MISSING_PROTECTED", "CANDIDATE_COLUMNS", "sensitive_frame", "history_funnel",
           "unused_column_proxies"]

#: The route of the random sample (the unbiased witness).
RANDOM_ROUTE = "random"

MISSING_PROTECTED = ("Audit group '{attribute}' ({section}.attributes) needs column '{column}' of {file}, which has: "
                     "{columns}. Name only groups the features stage wrote.")

#: Columns of the validated tables that are not model features but could become one (or stand in for one).
CANDIDATE_COLUMNS = {"households": ("district", "postcode4", "household_type"),
                     "persons": ("language_proficiency", "education_level", "years_in_municipality")}


def sensitive_frame(protected: pd.DataFrame, attributes: tuple[str, ...], *, file: str | Path = "protected.parquet",
                    section: str = "audit") -> pd.DataFrame:
    """The audit's groups: protected columns as text, age as age bands, client shares as composition bands
    (:func:`risico.audit.providers.composition_band`)."""
    columns = {}
    for attribute in attributes:
        source = {"age_band": "age", **CLIENT_SHARES}.get(attribute, attribute)
        if source not in protected.columns:
            shown = ", ".join(c for c in protected.columns if c not in ("application_id", "case_id"))
            raise RisicoError(MISSING_PROTECTED.format(attribute=attribute, section=section, column=source,
                                                       file=file, columns=shown))
        if attribute == "age_band":
            columns[attribute] = age_band(protected["age"])
        elif attribute in CLIENT_SHARES:
            columns[attribute] = composition_band(protected[source])
        else:
            columns[attribute] = protected[attribute].astype("str")
    return pd.DataFrame(columns).reset_index(drop=True)


def history_funnel(sensitive: pd.DataFrame, labels: pd.DataFrame, truth: np.ndarray | None,
                   min_size: int, units: np.ndarray | None = None) -> dict:
    """Who was investigated in the past, what was found, and (synthetic) who really violated, per group.

    With the truth, each group also gets the share investigated among its cases *without* a violation
    (``no_violation_*``; an investigation there had no reason in the truth), in all and per route of
    selection (``no_violation_by_route``, the random route left out: it is the unbiased witness). ``units``
    (e.g. the provider of each provider-quarter) sizes the groups for suppression in distinct units
    instead of rows.
    """
    investigated = labels["investigated"].to_numpy(dtype=bool)
    found = (labels["observed"] == 1).to_numpy()
    route = labels["route"].astype("str").to_numpy()
    routes = sorted(set(route[investigated]) - {RANDOM_ROUTE, "nan", "None", "<NA>"})
    out = {}
    for attribute in sensitive.columns:
        rows = []
        for group, index in sensitive.groupby(attribute).groups.items():
            idx = np.asarray(index)
            n = idx.size
            size = n if units is None else int(pd.unique(units[idx]).size)
            if size < min_size:
                rows.append({"group": group, "suppressed": True})
                continue
            inv = int(investigated[idx].sum())
            hits = int(found[idx].sum())
            lo, hi = clopper_pearson(np.array([inv]), np.array([n]))
            row = {"group": group, "n": n, "investigated_rate": inv / n, "investigated_ci": [float(lo[0]), float(hi[0])],
                   "hit_rate": hits / inv if inv else None, "suppressed": False}
            if units is not None:
                row["n_units"] = size
            if truth is not None:
                t = int(truth[idx].sum())
                tlo, thi = clopper_pearson(np.array([t]), np.array([n]))
                row.update(true_rate=t / n, true_ci=[float(tlo[0]), float(thi[0])])
                checked = investigated[idx] & (truth[idx] == 1)       # investigated true violations
                detected = int((checked & found[idx]).sum())
                dlo, dhi = clopper_pearson(np.array([detected]), np.array([int(checked.sum())]))
                row.update(detection_rate=detected / checked.sum() if checked.any() else None,
                           detection_ci=[float(dlo[0]), float(dhi[0])], detection_n=int(checked.sum()))
                clean = truth[idx] == 0
                clean_n, clean_inv = int(clean.sum()), int((investigated[idx] & clean).sum())
                clo, chi = clopper_pearson(np.array([clean_inv]), np.array([clean_n]))
                row.update(no_violation_n=clean_n, no_violation_investigated=clean_inv,
                           no_violation_investigated_rate=clean_inv / clean_n if clean_n else None,
                           no_violation_investigated_ci=[float(clo[0]), float(chi[0])],
                           no_violation_by_route={r: int((investigated[idx] & clean & (route[idx] == r)).sum())
                                                  for r in routes})
            rows.append(row)
        out[attribute] = rows
    return out


def unused_column_proxies(tables: Mapping[str, pd.DataFrame], meta: pd.DataFrame, sensitive: pd.DataFrame, *,
                          threshold_auc: float, seed: int, min_size: int) -> pd.DataFrame:
    """How well columns the model does not use predict the protected groups (a warning for future features).

    ``tables``: the validated ``households`` and ``persons`` tables (:data:`CANDIDATE_COLUMNS` are read)."""
    households = tables["households"].loc[:, ["household_id", *CANDIDATE_COLUMNS["households"]]]
    persons = tables["persons"].loc[:, ["person_id", *CANDIDATE_COLUMNS["persons"]]]
    frame = meta[["household_id", "person_id"]].merge(households, on="household_id", how="left")
    frame = frame.merge(persons, on="person_id", how="left").drop(columns=["household_id", "person_id"])
    frame["postcode4"] = frame["postcode4"].astype("str")
    table = proxy_table(frame, sensitive, threshold_auc=threshold_auc, seed=seed)
    return table[table["n"] >= min_size].reset_index(drop=True)
