"""What the audit does differently for care providers (issue 7): their groups and their own dilemmas.

The provider audit is the application audit (:mod:`risico.audit.stage`) run on
``data/processed_providers``: the same engine, funnel, proxies, trade-offs,
feedback simulation, clusters and report. This module holds only what is
specific to providers.

Groups
------
``size_band``, ``registration_age_band``, ``legal_form`` and ``district``
come from the provider-features stage as they are. The composition of a
provider's clients (the shares in ``protected.parquet``, over the clients
known before the quarter) becomes a group with one rule for every share:

=============  ==============================================
group          rule
=============  ==============================================
``mostly``     share >= 0.5
``partly``     0 < share < 0.5
``none``       share == 0
``no clients`` share unknown: the provider had no clients yet
=============  ==============================================

``clients_non_western`` is built from ``share_non_western``,
``clients_female`` from ``share_female`` and ``clients_age_67plus`` from
``share_age_67plus``. ``provider_audit.attributes`` in ``params.yaml`` names
the groups audited.

A unit is a provider, not a provider-quarter: groups with fewer than
``audit.min_group_size`` distinct providers are suppressed (four quarters of
three providers are still three providers).

Dilemmas
--------
* **Market access** (:func:`market_access_dilemma`): new (``<1y``), small
  (``1``, ``2-4`` staff) and sole-trader (``eenmanszaak``) providers selected
  more often than the reference group of their attribute. Legitimate risk, or
  "young company = suspicious"?
* **Clients' composition** (:func:`client_composition_dilemma`): providers
  whose clients *mostly* belong to a protected group selected more often, or
  more often without a violation: does the model pass the clients' origin,
  sex or age on to their provider?

>>> composition_band(pd.Series([0.6, 0.5, 0.2, 0.0, float("nan")])).tolist()
['mostly', 'mostly', 'partly', 'none', 'no clients']
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risico.errors import RisicoError
from risico.params import SectionReader
from risico.target import Target
from risico.texts import Language
from risico.texts.audit import text

__all__ = ["PROVIDER_ATTRIBUTES", "CLIENT_SHARES", "ENTRANT_GROUPS", "MOSTLY", "SECTION", "composition_band",
           "parse_provider_audit_params", "market_access_dilemma", "client_composition_dilemma", "AuditProfile",
           "PROFILES", "profile_of", "UNKNOWN_TARGET", "NETWORK_SHOWN", "NETWORK_TABLES", "top_networks"]

SECTION = "provider_audit"
#: Audit group -> the share column of ``protected.parquet`` it is built from.
CLIENT_SHARES: dict[str, str] = {"clients_non_western": "share_non_western", "clients_female": "share_female",
                                 "clients_age_67plus": "share_age_67plus"}
#: Every group ``provider_audit.attributes`` may name.
PROVIDER_ATTRIBUTES: tuple[str, ...] = ("size_band", "registration_age_band", "legal_form", "district",
                                        *CLIENT_SHARES)
#: A share at or above this makes the clients "mostly" of the group.
MOSTLY = 0.5
#: The groups of new entrants to the market, per attribute (the market-access dilemma).
ENTRANT_GROUPS: dict[str, tuple[str, ...]] = {"registration_age_band": ("<1y",), "size_band": ("1", "2-4"),
                                              "legal_form": ("eenmanszaak",)}


def composition_band(share: pd.Series) -> pd.Series:
    """``mostly`` (>= 0.5), ``partly`` (> 0), ``none`` (0) or ``no clients`` (NaN), as text."""
    values = pd.to_numeric(share, errors="coerce").to_numpy(dtype=float)
    bands = np.select([np.isnan(values), values >= MOSTLY, values > 0], ["no clients", "mostly", "partly"],
                      default="none")
    return pd.Series(bands, index=share.index, dtype="str")


def parse_provider_audit_params(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``provider_audit`` section: ``attributes``, a non-empty list from :data:`PROVIDER_ATTRIBUTES`.

    >>> parse_provider_audit_params({"attributes": ["size_band", "clients_non_western"]})
    ('size_band', 'clients_non_western')
    """
    r = SectionReader(values, SECTION)
    attributes = r.subset("attributes", PROVIDER_ATTRIBUTES)
    if not attributes:
        raise r.fail("attributes", "a non-empty list", list(attributes))
    r.finish()
    return attributes


def _comparisons(groups: pd.DataFrame, disparities: pd.DataFrame, attribute: str,
                 wanted: tuple[str, ...]) -> list[dict]:
    """For each wanted group of ``attribute`` that is shown and not the reference: its ratios to the reference."""
    rows = disparities[(disparities["attribute"] == attribute) & disparities["group"].isin(wanted)
                       & ~disparities["suppressed"].astype(bool)]
    shown = groups[(groups["attribute"] == attribute) & ~groups["suppressed"].astype(bool)].set_index("group")
    out = []
    for group, part in rows.groupby("group", sort=True):
        by_metric = part.set_index("metric")
        if "selection_rate" not in by_metric.index:
            continue
        reference = str(by_metric["reference"].iloc[0])
        if group not in shown.index or reference not in shown.index:
            continue
        sel = by_metric.loc["selection_rate"]
        base, ref_base = float(shown.at[group, "base_rate"]), float(shown.at[reference, "base_rate"])
        out.append({"attribute": attribute, "group": str(group), "reference": reference,
                    "selection_ratio": _num(sel["ratio"]), "selection_ci": [_num(sel["ratio_lo"]),
                                                                            _num(sel["ratio_hi"])],
                    "verdict": str(sel["verdict"]),
                    "fpr_ratio": _num(by_metric.loc["fpr", "ratio"]) if "fpr" in by_metric.index else None,
                    "violation_ratio": _num(base / ref_base) if ref_base > 0 else None})
    return out


def _num(value: Any) -> float | None:
    value = float(value)
    return round(value, 4) if np.isfinite(value) else None


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _features(proxies: pd.DataFrame | None, pairs: list[tuple[str, str]], limit: int = 4) -> list[str]:
    """Model features that predict the given (attribute, group) pairs at least at the proxy threshold."""
    if proxies is None or proxies.empty:
        return []
    keys = pd.MultiIndex.from_frame(proxies[["attribute", "group"]].astype("str"))
    hit = proxies[keys.isin(pairs) & proxies["is_proxy"].astype(bool)].sort_values("auc", ascending=False,
                                                                                   kind="stable")
    return list(dict.fromkeys(hit["feature"].astype("str")))[:limit]


def market_access_dilemma(groups: pd.DataFrame, disparities: pd.DataFrame, proxies: pd.DataFrame | None,
                          language: Language, tolerance: tuple[float, float]) -> list[dict]:
    """New, small and sole-trader providers selected more often than their reference: legitimate risk, or
    "young company = suspicious"? Raised when one of them is selected more than ``tolerance[1]`` times as often.

    The evidence per entrant group: the selection-rate ratio with its interval and verdict, the ratio of true
    (or, without truth, observed) violation rates, and the false-positive-rate ratio; plus the model features
    that predict the entrant groups (they tell the model a provider's age, size or legal form).
    """
    compared = [c for attribute, wanted in ENTRANT_GROUPS.items()
                for c in _comparisons(groups, disparities, attribute, wanted)]
    flagged = [c for c in compared if c["selection_ratio"] is not None and c["selection_ratio"] > tolerance[1]]
    if not flagged:
        return []
    findings = "; ".join(text("dilemma.market_access.finding", language, attribute=c["attribute"], group=c["group"],
                              reference=c["reference"], selection=_x(c["selection_ratio"]),
                              violation=_x(c["violation_ratio"]), fpr=_x(c["fpr_ratio"])) for c in flagged)
    features = _features(proxies, [(a, g) for a, wanted in ENTRANT_GROUPS.items() for g in wanted])
    return [{"id": "market_access", "title": text("dilemma.market_access.title", language),
             "text": text("dilemma.market_access.text", language, findings=findings,
                          features=", ".join(features) if features else "-"),
             "evidence": {"groups": compared, "features": features}}]


def client_composition_dilemma(groups: pd.DataFrame, disparities: pd.DataFrame, proxies: pd.DataFrame | None,
                               language: Language, tolerance: tuple[float, float]) -> list[dict]:
    """Providers whose clients mostly belong to a protected group, selected more often (or more often without
    a violation) than the reference: one dilemma per audited composition attribute where the ratio of the
    selection rate or of the false-positive rate exceeds ``tolerance[1]``."""
    out = []
    for attribute in CLIENT_SHARES:
        compared = _comparisons(groups, disparities, attribute, ("mostly",))
        if not compared:
            continue
        c = compared[0]
        ratios = [r for r in (c["selection_ratio"], c["fpr_ratio"]) if r is not None]
        if not ratios or max(ratios) <= tolerance[1]:
            continue
        features = _features(proxies, [(attribute, "mostly")])
        out.append({"id": "client_composition", "title": text("dilemma.client_composition.title", language),
                    "text": text("dilemma.client_composition.text", language,
                                 clients=text(f"provider_audit.ground.{attribute}", language),
                                 reference=c["reference"], selection=_x(c["selection_ratio"]),
                                 fpr=_x(c["fpr_ratio"]), violation=_x(c["violation_ratio"]),
                                 features=", ".join(features) if features else "-"),
                    "evidence": {**c, "features": features}})
    return out


UNKNOWN_TARGET = "File {file} names target '{name}'; the audit knows: {known}."
#: Validated tables the audit reads from ``--interim`` for the data proxies and for the providers' networks.
DATA_PROXY_TABLES = ("households", "persons")
NETWORK_TABLES = ("providers", "applications", "declarations")


@dataclasses.dataclass(frozen=True)
class AuditProfile:
    """What differs between the units of analysis; everything else is one code path.

    Attributes
    ----------
    section : the params section whose ``attributes`` names the audited groups (``audit``: application groups;
        ``provider_audit``: :data:`PROVIDER_ATTRIBUTES`).
    unit : the meta column of the entity a row belongs to; groups are sized (and suppressed) in distinct
        entities. None: a row is the entity.
    unit_name : the entity in messages.
    size_hint : the params that make a generated world hold more of the entity.
    data_proxies : whether ``--interim`` columns the model does not use are checked as proxies.
    network : whether the report shows the career path of the highest-scored entities (:func:`top_networks`).
    skipped : parts of the audit that do not apply, each with a texts key ``audit.skipped.<part>`` giving why.
    dilemmas : the unit's own dilemmas, each ``f(groups, disparities, proxies, language, tolerance)``.
    """

    section: str
    unit: str | None
    unit_name: str
    size_hint: str
    data_proxies: bool
    network: bool = False
    skipped: tuple[str, ...] = ()
    dilemmas: tuple[Callable[..., list[dict]], ...] = ()

    @property
    def interim_tables(self) -> tuple[str, ...]:
        """The ``--interim`` tables this unit's audit reads."""
        return (DATA_PROXY_TABLES if self.data_proxies else ()) + (NETWORK_TABLES if self.network else ())


PROFILES: dict[str, AuditProfile] = {
    "applications": AuditProfile(section="audit", unit=None,
                                 unit_name="application", size_hint="generate.n_persons", data_proxies=True),
    "providers": AuditProfile(section="provider_audit", unit="provider_id",
                              unit_name="provider",
                              size_hint="generate.n_persons, or a lower generate.providers.persons_per_provider",
                              data_proxies=False, network=True, skipped=("data_proxies",),
                              dilemmas=(market_access_dilemma, client_composition_dilemma)),
}


def profile_of(target: Target, processed: Path) -> AuditProfile:
    """The audit profile of ``target``, or a one-line error naming the targets the audit knows."""
    if target.name not in PROFILES:
        raise RisicoError(UNKNOWN_TARGET.format(file=processed / "target.json", name=target.name,
                                                known=", ".join(PROFILES)))
    return PROFILES[target.name]


NETWORK_SHOWN = 5      # providers of the last test quarter's list whose network the report shows


def top_networks(meta: pd.DataFrame, score: np.ndarray, period: np.ndarray, capacity: int,
                 tables: Mapping[str, pd.DataFrame],
                 labels: Mapping[str, str]) -> list[tuple[str, pd.DataFrame, Path]]:
    """The career path (same director, same address) of the highest-scored providers of the last test quarter
    that have one, as the inspector's worklist shows it: up to :data:`NETWORK_SHOWN` of (provider, its career
    rows, its star figure drawn in a temporary folder)."""
    from risico.network import network_figure, provider_network

    last = np.flatnonzero(period == period.max()) if len(period) else np.array([], dtype=int)
    order = last[np.lexsort((meta["provider_id"].to_numpy()[last], -score[last]))][:capacity]
    as_of = pd.Timestamp(meta["as_of"].iloc[order[0]]).date() if len(order) else None
    tables = {name: tables[name] for name in NETWORK_TABLES}
    shown: list[tuple[str, pd.DataFrame, Path]] = []
    folder = Path(tempfile.mkdtemp(prefix="risico-network-"))
    for position in order:
        provider = str(meta["provider_id"].iloc[position])
        network = provider_network(provider, tables, as_of)
        career = network[network["relation"].isin(["same_director", "same_address"])]
        if career.empty:
            continue
        figure = folder / f"network_{provider}.png"
        network_figure(provider, career, figure, labels=labels)
        shown.append((provider, career, figure))
        if len(shown) == NETWORK_SHOWN:
            break
    return shown
