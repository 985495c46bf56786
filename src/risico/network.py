"""The network around a care provider: the "career path" an inspector needs to see.

For a flagged provider the white paper's pattern is a director who ran
providers that failed or were sanctioned, reappearing under a new name, often
at an address where an earlier provider sat, fed by an intermediary that
recruits clients. :func:`provider_network` lists, as of a date and from the
validated tables only, every provider linked to the flagged one:

* ``same_director``: other providers run by its director (earlier ones first);
* ``same_address``: other providers registered at its care location;
* ``intermediary``: each intermediary that filed applications of its clients
  (``provider_id`` holds the intermediary's id, ``shared`` the number of its
  clients that came through it);
* ``moved_together``: providers from which at least ``MIN_MOVED`` of its
  clients came, each client counted at the provider that billed them last
  before they were first billed here.

Each line names the linked provider, its director, its address, when it was
registered and ended, and why it ended. Nothing here reads protected data.

>>> providers = pd.DataFrame({"provider_id": ["Z1", "Z2", "Z3"], "director_id": ["D1", "D1", "D2"],
...     "location_address_id": ["A1", "A2", "A1"],
...     "kvk_registration_date": pd.to_datetime(["2020-01-01", "2015-01-01", "2016-01-01"]),
...     "end_date": pd.to_datetime([None, "2019-06-01", "2018-01-01"]), "end_reason": [None, "failed", "stopped"]})
>>> empty = pd.DataFrame({"provider_id": [], "application_id": [], "month": pd.to_datetime([])})
>>> apps = pd.DataFrame({"application_id": [], "person_id": [], "provider_id": [], "intermediary_id": [],
...                      "application_date": pd.to_datetime([])})
>>> provider_network("Z1", {"providers": providers, "declarations": empty, "applications": apps},
...                  dt.date(2024, 1, 1))[["relation", "provider_id", "end_reason"]].values.tolist()
[['same_director', 'Z2', 'failed'], ['same_address', 'Z3', 'stopped']]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from risico.errors import RisicoError

__all__ = ["RELATIONS", "provider_network", "network_figure", "relation_labels"]

RELATIONS = ("same_director", "same_address", "intermediary", "moved_together")
MIN_MOVED = 3
COLUMNS = ("relation", "provider_id", "director_id", "location_address_id", "registered", "ended", "end_reason",
           "shared")
UNKNOWN_PROVIDER = "Provider {provider!r} is not in table 'providers'; the network view needs a known provider."


def relation_labels(language: str) -> dict[str, str]:
    """The words for each relation (and the figure's ``title``) in ``language``, for tables and figures."""
    from risico.texts.network import text

    return {key: text(f"network.{key}", language) for key in (*RELATIONS, "title")}


def provider_network(provider_id: str, tables: Mapping[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """Providers linked to ``provider_id`` by what was known before ``as_of`` (see the module docstring).

    ``shared`` counts what links them: clients through the same intermediary, or clients moved over.
    """
    providers = tables["providers"]
    me = providers[providers["provider_id"] == provider_id]
    if me.empty:
        raise RisicoError(UNKNOWN_PROVIDER.format(provider=provider_id))
    cut = pd.Timestamp(as_of)
    known = providers[(providers["kvk_registration_date"] < cut) & (providers["provider_id"] != provider_id)]
    director, address = me["director_id"].iloc[0], me["location_address_id"].iloc[0]
    parts = [known[known["director_id"] == director].assign(relation="same_director", shared=np.nan),
             known[known["location_address_id"] == address].assign(relation="same_address", shared=np.nan)]
    apps = tables["applications"]
    apps = apps[(apps["application_date"] < cut) & apps["provider_id"].notna()]
    mine = apps[apps["provider_id"] == provider_id]
    via = mine["intermediary_id"].dropna().value_counts().sort_index()
    if len(via):
        parts.append(pd.DataFrame({"provider_id": via.index.astype("str"), "shared": via.to_numpy(dtype=float),
                                   "relation": "intermediary"}))
    parts.append(_moved_together(provider_id, tables["declarations"], apps, known, cut))
    if not any(len(p) for p in parts):
        dtypes = {"shared": "float", "registered": "datetime64[ns]", "ended": "datetime64[ns]"}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "str")) for c in COLUMNS})
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out = out.rename(columns={"kvk_registration_date": "registered", "end_date": "ended"})
    for column, dtype in (("registered", "datetime64[ns]"), ("ended", "datetime64[ns]"), ("director_id", "str"),
                          ("location_address_id", "str"), ("end_reason", "str")):
        if column not in out:                       # only intermediaries were found
            out[column] = pd.Series(pd.NA, index=out.index).astype(dtype)
    out["relation"] = pd.Categorical(out["relation"], categories=RELATIONS, ordered=True)
    out = out.sort_values(["relation", "registered", "provider_id"], kind="stable")
    out["relation"] = out["relation"].astype("str")
    out["ended"] = out["ended"].where(out["ended"] < cut)            # an end after as_of was not known yet
    out["end_reason"] = out["end_reason"].where(out["ended"].notna())
    return out[list(COLUMNS)].reset_index(drop=True)


def _moved_together(provider_id: str, declarations: pd.DataFrame, apps: pd.DataFrame, known: pd.DataFrame,
                    cut: pd.Timestamp) -> pd.DataFrame:
    """Providers that billed at least ``MIN_MOVED`` of this provider's clients last before they came here."""
    billed = declarations[declarations["month"] < cut].merge(apps[["application_id", "person_id"]],
                                                             on="application_id")
    here = billed[billed["provider_id"] == provider_id].groupby("person_id")["month"].min().rename("first_here")
    before = billed.merge(here, left_on="person_id", right_index=True)
    before = before[(before["month"] < before["first_here"]) & (before["provider_id"] != provider_id)]
    if before.empty:
        return known.iloc[0:0].assign(relation="moved_together", shared=np.nan)
    last = before.sort_values(["person_id", "month", "provider_id"]).groupby("person_id").tail(1)
    counts = last.groupby("provider_id").size().rename("shared").astype(float)
    counts = counts[counts >= MIN_MOVED]
    return known.merge(counts, left_on="provider_id", right_index=True).assign(relation="moved_together")


def network_figure(provider_id: str, network: pd.DataFrame, path, *, labels: Mapping[str, str]):
    """A small star figure: the provider in the middle, linked providers around it, failed or sanctioned ones in
    red with the year they ended; ``labels`` maps each relation (and ``title``) to its words. Returns ``path``.

    Drawn on a bare ``Figure`` (no pyplot), so it leaves the caller's plotting backend alone (a notebook keeps
    its inline plots)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 6))
    axis = figure.subplots()
    axis.set_axis_off()
    n = len(network)
    axis.scatter([0], [0], s=900, color="#1f4e79", zorder=3)
    axis.annotate(provider_id, (0, 0), ha="center", va="center", color="white", fontsize=8, zorder=4)
    for i, row in enumerate(network.itertuples(index=False)):
        angle = 2 * np.pi * i / max(n, 1)
        x, y = np.cos(angle), np.sin(angle)
        failed = row.end_reason in ("failed", "sanctioned")
        axis.plot([0, x], [0, y], color="#999999", zorder=1)
        axis.scatter([x], [y], s=500, color="#c00000" if failed else "#7f7f7f", zorder=3)
        ended = f"\n{row.end_reason} {row.ended:%Y}" if failed and pd.notna(row.ended) else ""
        axis.annotate(f"{row.provider_id}\n{labels.get(row.relation, row.relation)}{ended}", (1.62 * x, 1.62 * y),
                      ha="center", va="center", fontsize=8)
    axis.set_title(labels.get("title", ""), fontsize=9)
    axis.set_xlim(-2.1, 2.1)
    axis.set_ylim(-2.1, 2.1)
    figure.savefig(path, dpi=100, bbox_inches="tight", metadata={"Software": None})
    return path
