"""Unsupervised bias search: hierarchical bias-aware clustering (HBAC).

The group-by-group audit only sees the groups someone thought of. HBAC looks
for *any* region of the feature space where the model errs more often
(Misztal-Radecka & Indurkhya 2021; the variant of Algorithm Audit's
unsupervised bias detection tool, arXiv 2502.01713):

1. All rows start as one cluster.
2. Pick the open cluster with the highest error rate among those with at least
   ``2 * min_cluster_size`` rows; split it in two with ``KMeans`` on the
   standardised features.
3. Keep the split if both children have at least ``min_cluster_size`` rows and
   the larger child difference (rate of the child minus rate of all other rows)
   exceeds the parent's; otherwise the parent is final.
4. Stop after ``max_iterations`` attempts or when no cluster is left to split.

A search that picks the worst region and then measures it on the same rows
always finds "bias", even in noise. So, as in Algorithm Audit's tool, the
search runs on one part of the rows and the rates, differences and intervals
are measured on the rows held out from it. The intervals are simultaneous
(Bonferroni over the clusters), so the table can be read as a whole.
"""

from __future__ import annotations

import dataclasses
import logging
from statistics import NormalDist

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from risico.audit.proxies import MISSING_GROUP, AuditError, check_float, check_int, feature_kind
from risico.params import BAD_VALUE

__all__ = ["ClusterResult", "bias_clusters", "BAD_ERROR_VALUES", "ERROR_LENGTH", "MASK_LENGTH", "TOO_FEW_ROWS"]

log = logging.getLogger(__name__)

#: KMeans restarts per split.
N_INIT = 3
#: Characterising features reported per cluster.
TOP_FEATURES = 5
#: A text feature keeps at most this many categories as one-hot columns (the most frequent) ...
MAX_CATEGORIES = 20
#: ... each with at least this many rows in the search sample; the others share a column "(other)".
MIN_CATEGORY_COUNT = 10
#: Rows encoded and assigned at a time when labelling all rows.
CHUNK = 100_000
OTHER = "(other)"

ERROR_LENGTH = "error has {got} values but X has {expected} rows. Pass one value per row of X."
MASK_LENGTH = "mask has {got} values but X has {expected} rows. Pass one bool per row of X."
TOO_FEW_ROWS = ("bias_clusters needs at least 2 counted rows (error 0 or 1, inside mask): one to search and one to "
                "measure. Got {got}.")
BAD_ERROR_VALUES = ("error must hold 1 (wrongly selected), 0 (rightly not selected) or NaN (ignored). "
                    "Got {examples} instead.")


@dataclasses.dataclass(frozen=True, eq=False)
class ClusterResult:
    """What the bias search found.

    Attributes
    ----------
    table : DataFrame
        One row per cluster, most biased first (cluster 0): ``cluster, n,
        n_search, rate, rate_rest, difference, lo, hi, top_features``. ``n``,
        ``rate``, ``rate_rest``, ``difference`` and the interval ``[lo, hi]``
        are measured on the held-out rows; ``n_search`` counts the search rows.
        ``top_features`` lists the features that set the cluster apart, as
        ``"name (+1.23)"`` with the standardised mean difference, joined by ``"; "``.
    labels : ndarray of int
        Cluster of every input row; -1 for rows outside ``mask`` or with a
        missing ``error``.
    profiles : DataFrame
        Long form of the characterisation: ``cluster, feature, smd,
        mean_cluster, mean_rest`` for every encoded feature (a text feature as
        one column ``name=value`` per category), over all labelled rows.
    """

    table: pd.DataFrame
    labels: np.ndarray
    profiles: pd.DataFrame


@dataclasses.dataclass(frozen=True)
class _Encoding:
    """How to turn rows of ``X`` into numbers, learnt on the search rows."""

    names: list[str]
    numeric: list[str]
    medians: np.ndarray
    with_missing: list[str]
    categories: dict[str, list[str]]
    center: np.ndarray
    scale: np.ndarray


@dataclasses.dataclass(frozen=True)
class _Split:
    parent: int
    model: KMeans
    children: tuple[int, int]


def bias_clusters(X: pd.DataFrame, error: np.ndarray, *, mask: np.ndarray | None = None, min_cluster_size: int = 100,
                  max_iterations: int = 20, seed: int = 0, max_rows: int = 50_000, test_size: float = 0.3,
                  confidence: float = 0.95, n_threads: int = 1) -> ClusterResult:
    """Search the feature space for clusters where the error rate is unusually high.

    Parameters
    ----------
    X : DataFrame
        Features (numeric, bool or text). Text is one-hot encoded, missing
        numbers are filled with the median and flagged, then all is standardised.
    error : array of float
        Per row: 1 where a negative case was selected (a false positive), 0
        where a negative case was not selected, NaN where the row does not count
        (a positive case). The rate is then the false-positive rate; any other
        0/1 error indicator works the same way.
    mask : array of bool, optional
        Only these rows are searched and labelled (for example the test period).
    min_cluster_size : int, default 100
        Smallest cluster, in search rows.
    max_iterations : int, default 20
        Split attempts at most.
    seed : int, default 0
        Seed of the row split, the subsample and every ``KMeans``.
    max_rows : int, default 50_000
        At most this many rows are searched; all other counted rows are held out.
    test_size : float, default 0.3
        Share of the counted rows held out at least (0 < test_size < 1).
    confidence : float, default 0.95
        Simultaneous confidence of the intervals of all clusters together.
    n_threads : int, default 1
        OpenMP threads of ``KMeans`` (one: no stalls on a busy machine, same sums everywhere).

    Returns
    -------
    ClusterResult
        A cluster with ``lo > 0`` errs more often than the rest, beyond chance.
    """
    _check_cluster_args(X, error, mask, min_cluster_size, max_iterations, seed, max_rows, test_size, confidence)
    check_int("n_threads", n_threads, 1, "bias_clusters")
    error = np.asarray(error, dtype="float64")
    counted = ~np.isnan(error) if mask is None else np.asarray(mask, dtype=bool) & ~np.isnan(error)
    rows = np.flatnonzero(counted)
    if rows.size < 2:
        raise AuditError(TOO_FEW_ROWS.format(got=rows.size))
    shuffled = np.random.default_rng(seed).permutation(rows)
    n_search = min(max_rows, max(1, rows.size - max(1, int(np.ceil(test_size * rows.size)))))
    search = np.sort(shuffled[:n_search])
    encoding = _fit_encoding(X.iloc[search])
    labels = np.full(len(X), -1, dtype=np.int64)
    in_search = np.zeros(len(X), dtype=bool)
    in_search[search] = True
    with threadpool_limits(limits=n_threads, user_api="openmp"):
        splits, labels[search] = _search(_standardise(X.iloc[search], encoding), error[search], min_cluster_size,
                                         max_iterations, seed)
        sums = _label_rows(X, rows, in_search, encoding, splits, labels)
    log.info("Bias search: %s splits kept, %s search rows, %s held-out rows", len(splits), search.size,
             rows.size - search.size)
    parents = {split.parent for split in splits}
    leaves = [node for node in range(1 + 2 * len(splits)) if node not in parents]
    return _result(labels, error, in_search, sums, encoding, leaves, confidence)


# -- encoding ----------------------------------------------------------------------------------------------------

def _fit_encoding(X: pd.DataFrame) -> _Encoding:
    """Medians, kept categories and standardisation, from the search rows."""
    numeric, categories, medians, with_missing = [], {}, [], []
    for column in X.columns:
        if feature_kind(X[column]) == "numeric":
            x = X[column].to_numpy(dtype="float64", na_value=np.nan)
            numeric.append(column)
            medians.append(float(np.nanmedian(x)) if (~np.isnan(x)).any() else 0.0)
            if np.isnan(x).any():
                with_missing.append(column)
        else:
            categories[column] = _kept_categories(_as_text(X[column]))
    names = ([str(c) for c in numeric] + [f"{c}={MISSING_GROUP}" for c in with_missing]
             + [f"{c}={v}" for c, values in categories.items() for v in values])
    draft = _Encoding(names, numeric, np.array(medians), with_missing, categories, np.zeros(len(names)),
                      np.ones(len(names)))
    raw = _encode(X, draft)
    scale = raw.std(axis=0)
    # A text feature with k categories becomes k columns; dividing its block by sqrt(k) gives it the weight of one
    # numeric feature in the distances, instead of k.
    width = [1] * (len(numeric) + len(with_missing)) + [len(values) for values in categories.values() for _ in values]
    scale = np.where(scale > 0, scale, 1.0) * np.sqrt(np.array(width, dtype=float))
    return dataclasses.replace(draft, center=raw.mean(axis=0), scale=scale)


def _kept_categories(text: pd.Series) -> list[str]:
    counts = text.value_counts()
    frame = pd.DataFrame({"value": counts.index.astype(str), "n": counts.to_numpy()})
    frame = frame.sort_values(["n", "value"], ascending=[False, True], kind="mergesort")
    kept = frame.loc[frame["n"] >= MIN_CATEGORY_COUNT, "value"].head(MAX_CATEGORIES).tolist()
    return kept + [OTHER] if len(kept) < len(frame) else kept


def _encode(X: pd.DataFrame, encoding: _Encoding) -> np.ndarray:
    """The raw (unstandardised) encoded matrix of some rows."""
    parts = []
    if encoding.numeric:
        values = np.column_stack([X[c].to_numpy(dtype="float64", na_value=np.nan) for c in encoding.numeric])
        parts.append(np.where(np.isnan(values), encoding.medians, values))
    for column in encoding.with_missing:
        parts.append(X[column].isna().to_numpy(dtype="float64")[:, None])
    for column, kept in encoding.categories.items():
        codes = pd.Categorical(_as_text(X[column]), categories=kept).codes
        if OTHER in kept:
            codes = np.where(codes < 0, kept.index(OTHER), codes)
        onehot = np.zeros((len(X), len(kept)))
        known = codes >= 0
        onehot[np.flatnonzero(known), codes[known]] = 1.0
        parts.append(onehot)
    return np.hstack(parts) if parts else np.zeros((len(X), 0))


def _standardise(X: pd.DataFrame, encoding: _Encoding) -> np.ndarray:
    return (_encode(X, encoding) - encoding.center) / encoding.scale


def _as_text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), MISSING_GROUP).astype(str)


# -- search ------------------------------------------------------------------------------------------------------

def _search(Z: np.ndarray, error: np.ndarray, min_size: int, max_iterations: int,
            seed: int) -> tuple[list[_Split], np.ndarray]:
    """The accepted splits, in order, and the final cluster of every search row."""
    labels = np.zeros(error.size, dtype=np.int64)
    size, hits = {0: error.size}, {0: float(error.sum())}
    total, n_total = float(error.sum()), error.size
    open_clusters, splits = {0}, []
    for _ in range(max_iterations):
        candidates = [c for c in open_clusters if size[c] >= 2 * min_size]
        if not candidates:
            break
        parent = max(candidates, key=lambda c: (hits[c] / size[c], -c))
        members = np.flatnonzero(labels == parent)
        model = KMeans(n_clusters=2, random_state=seed, n_init=N_INIT).fit(Z[members])
        side = model.labels_
        child_size = [int((side == k).sum()) for k in (0, 1)]
        child_hits = [float(error[members[side == k]].sum()) for k in (0, 1)]
        open_clusters.discard(parent)
        if min(child_size) < min_size:
            continue
        gain = max(_difference(h, s, total, n_total) for h, s in zip(child_hits, child_size))
        if gain <= _difference(hits[parent], size[parent], total, n_total):
            continue
        children = (len(size), len(size) + 1)
        for k, child in enumerate(children):
            labels[members[side == k]] = child
            size[child], hits[child] = child_size[k], child_hits[k]
            open_clusters.add(child)
        splits.append(_Split(parent, model, children))
    return splits, labels


def _difference(hits: float, size: int, total: float, n_total: int) -> float:
    """Rate of a cluster minus the rate of all other rows (0 for the cluster of all rows)."""
    if size >= n_total:
        return 0.0
    return hits / size - (total - hits) / (n_total - size)


def _assign(Z: np.ndarray, splits: list[_Split]) -> np.ndarray:
    """Send rows down the tree of splits to their final cluster."""
    labels = np.zeros(Z.shape[0], dtype=np.int64)
    for split in splits:
        at = np.flatnonzero(labels == split.parent)
        if at.size:
            side = split.model.predict(Z[at])
            labels[at] = np.where(side == 0, split.children[0], split.children[1])
    return labels


def _label_rows(X: pd.DataFrame, rows: np.ndarray, in_search: np.ndarray, encoding: _Encoding,
                splits: list[_Split], labels: np.ndarray) -> dict[str, np.ndarray]:
    """Label the held-out ``rows`` in chunks (search rows keep their label); per cluster sums of standardised values."""
    n_nodes = 1 + 2 * len(splits)
    width = len(encoding.names)
    sums = {"n": np.zeros(n_nodes), "z": np.zeros((n_nodes, width)), "zz": np.zeros((n_nodes, width))}
    for start in range(0, rows.size, CHUNK):
        chunk = rows[start:start + CHUNK]
        Z = _standardise(X.iloc[chunk], encoding)
        found = np.where(in_search[chunk], labels[chunk], _assign(Z, splits))
        labels[chunk] = found
        member = np.zeros((n_nodes, chunk.size))
        member[found, np.arange(chunk.size)] = 1.0
        sums["n"] += member.sum(axis=1)
        sums["z"] += member @ Z
        sums["zz"] += member @ (Z * Z)
    return sums


# -- the report ----------------------------------------------------------------------------------------------------

def _result(labels: np.ndarray, error: np.ndarray, in_search: np.ndarray, sums: dict[str, np.ndarray],
            encoding: _Encoding, leaves: list[int], confidence: float) -> ClusterResult:
    """Measure every final cluster on the held-out rows, order them, and describe them."""
    n_nodes = sums["n"].size
    held = (labels >= 0) & ~in_search
    n = np.bincount(labels[held], minlength=n_nodes)[leaves].astype(float)
    hits = np.bincount(labels[held], weights=error[held], minlength=n_nodes)[leaves]
    n_search = np.bincount(labels[in_search], minlength=n_nodes)[leaves]
    z = NormalDist().inv_cdf(1 - (1 - confidence) / (2 * len(leaves)))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate, rate_rest = hits / n, (hits.sum() - hits) / (n.sum() - n)
    lo, hi = _newcombe(hits, n, hits.sum() - hits, n.sum() - n, z)
    smd, mean_in, mean_out = _profiles(sums, encoding, leaves)
    table = pd.DataFrame({"node": leaves, "n": n.astype(np.int64), "n_search": n_search.astype(np.int64),
                          "rate": rate, "rate_rest": rate_rest, "difference": rate - rate_rest, "lo": lo, "hi": hi,
                          "top_features": [_top_features(row, encoding.names) for row in smd]})
    table = table.sort_values(["difference", "n_search", "node"], ascending=[False, False, True],
                              na_position="last", kind="mergesort").reset_index(drop=True)
    renumber = np.full(n_nodes, -1, dtype=np.int64)
    renumber[table["node"].to_numpy()] = np.arange(len(table))
    out_labels = np.where(labels >= 0, renumber[np.maximum(labels, 0)], -1)
    table.insert(0, "cluster", np.arange(len(table)))
    position = {node: i for i, node in enumerate(leaves)}
    order = [position[node] for node in table.pop("node")]
    profiles = pd.DataFrame({
        "cluster": np.repeat(np.arange(len(table)), len(encoding.names)),
        "feature": np.tile(encoding.names, len(table)),
        "smd": smd[order].ravel(), "mean_cluster": mean_in[order].ravel(), "mean_rest": mean_out[order].ravel()})
    numbers = ["rate", "rate_rest", "difference", "lo", "hi"]
    return ClusterResult(table.round(dict.fromkeys(numbers, 6)), out_labels, profiles.round(6))


def _newcombe(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray,
              z: float) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of ``x1/n1 - x2/n2`` from two Wilson intervals."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = _wilson(p1, n1, z)
        l2, u2 = _wilson(p2, n2, z)
        d = p1 - p2
        return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def _wilson(p: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _profiles(sums: dict[str, np.ndarray], encoding: _Encoding,
              leaves: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardised mean difference (cluster vs rest) of every encoded feature, and both means in original units."""
    n = sums["n"][leaves][:, None]
    z, zz = sums["z"][leaves], sums["zz"][leaves]
    n_rest, z_rest, zz_rest = n.sum() - n, z.sum(axis=0) - z, zz.sum(axis=0) - zz
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_in, mean_out = z / n, z_rest / n_rest
        var_in = np.maximum(zz / n - mean_in ** 2, 0.0)
        var_out = np.maximum(zz_rest / n_rest - mean_out ** 2, 0.0)
        pooled = np.sqrt((var_in + var_out) / 2)
        smd = np.where(pooled > 0, (mean_in - mean_out) / pooled, 0.0)
    smd = np.where(np.isfinite(smd), smd, 0.0)
    return smd, mean_in * encoding.scale + encoding.center, mean_out * encoding.scale + encoding.center


def _top_features(smd: np.ndarray, names: list[str]) -> str:
    order = sorted(range(len(names)), key=lambda i: (-abs(smd[i]), i))[:TOP_FEATURES]
    return "; ".join(f"{names[i]} ({smd[i]:+.2f})" for i in order if smd[i] != 0)


# -- inputs ------------------------------------------------------------------------------------------------------

def _check_cluster_args(X: pd.DataFrame, error: np.ndarray, mask: np.ndarray | None, min_cluster_size: int,
                        max_iterations: int, seed: int, max_rows: int, test_size: float, confidence: float) -> None:
    check_int("min_cluster_size", min_cluster_size, 1, "bias_clusters")
    check_int("max_iterations", max_iterations, 0, "bias_clusters")
    check_int("seed", seed, 0, "bias_clusters")
    check_int("max_rows", max_rows, 2, "bias_clusters")
    _check_open("test_size", test_size)
    _check_open("confidence", confidence)
    values = np.asarray(error, dtype="float64").ravel()
    if values.size != len(X):
        raise AuditError(ERROR_LENGTH.format(got=values.size, expected=len(X)))
    if mask is not None and np.asarray(mask).size != len(X):
        raise AuditError(MASK_LENGTH.format(got=np.asarray(mask).size, expected=len(X)))
    wrong = values[~np.isnan(values) & (values != 0) & (values != 1)]
    if wrong.size:
        raise AuditError(BAD_ERROR_VALUES.format(examples=sorted(set(wrong.tolist()))[:3]))


def _check_open(key: str, value: float) -> None:
    check_float(key, value, 0.0, 1.0, "bias_clusters", "a number strictly between 0 and 1")
    if value in (0, 1):
        raise AuditError(BAD_VALUE.format(key=key, section="bias_clusters",
                                          allowed="a number strictly between 0 and 1", value=value))
