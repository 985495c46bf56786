"""Vectorised stratified bootstrap for the audit: random streams, resampled counts, metrics, intervals.

Everything here works on counts, never on rows. A group's confusion matrix is
four cells in the order ``(tn, fn, fp, tp)`` (cell index ``2 * selected +
label``); a bootstrap replicate of the group is a multinomial draw of ``n``
persons over those cells with the observed cell shares. Score-based metrics
(AUC, calibration) use the same idea on the group's (score bin, label) cells.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from statistics import NormalDist

import numpy as np

__all__ = [
    "CELLS",
    "CONFUSION_METRICS",
    "RATE_PARTS",
    "MIN_TAIL",
    "ScoreBins",
    "score_resamples",
    "ratio_intervals",
    "difference_intervals",
    "newcombe_interval",
    "wilson_interval",
    "strictest_alpha",
    "safe_ratio",
    "stream",
    "resample_counts",
    "confusion_metrics",
    "auc_from_bins",
    "exact_auc",
    "percentile",
    "holm_alphas",
    "lognormal_interval",
    "outside_share",
]

logger = logging.getLogger(__name__)

CELLS = ("tn", "fn", "fp", "tp")
MIN_TAIL = 5
"""Replicates expected beyond each bound for a percentile interval; fewer and ratios use the log-normal form."""
_TN, _FN, _FP, _TP = range(4)


def safe_ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``scale * num / den`` as floats, NaN wherever the denominator is zero."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast_shapes(num.shape, den.shape), np.nan)
    np.divide(scale * num, den, out=out, where=den != 0)
    return out


def _n(c: np.ndarray) -> np.ndarray:
    return c.sum(axis=-1)


CONFUSION_METRICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "base_rate": lambda c: safe_ratio(c[..., _FN] + c[..., _TP], _n(c)),
    "selection_rate": lambda c: safe_ratio(c[..., _FP] + c[..., _TP], _n(c)),
    "fpr": lambda c: safe_ratio(c[..., _FP], c[..., _FP] + c[..., _TN]),
    "fnr": lambda c: safe_ratio(c[..., _FN], c[..., _FN] + c[..., _TP]),
    "ppv": lambda c: safe_ratio(c[..., _TP], c[..., _TP] + c[..., _FP]),
    "fdr": lambda c: safe_ratio(c[..., _FP], c[..., _TP] + c[..., _FP]),
    "fp_burden": lambda c: safe_ratio(c[..., _FP], _n(c), scale=1000.0),
}
"""Metric name -> function of a ``(..., 4)`` count array; NaN where a denominator is zero."""

#: Metric name -> (cells counted as events, cells counted as trials, scale) of the confusion-matrix rates:
#: the counts behind a rate, for score intervals (:func:`newcombe_interval`).
RATE_PARTS: dict[str, tuple[tuple[int, ...], tuple[int, ...], float]] = {
    "base_rate": ((_FN, _TP), (_TN, _FN, _FP, _TP), 1.0), "selection_rate": ((_FP, _TP), (_TN, _FN, _FP, _TP), 1.0),
    "fpr": ((_FP,), (_FP, _TN), 1.0), "fnr": ((_FN,), (_FN, _TP), 1.0), "ppv": ((_TP,), (_TP, _FP), 1.0),
    "fdr": ((_FP,), (_TP, _FP), 1.0), "fp_burden": ((_FP,), (_TN, _FN, _FP, _TP), 1000.0),
}


def confusion_metrics(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Every confusion-matrix metric of a ``(..., 4)`` array of ``(tn, fn, fp, tp)`` counts."""
    return {name: fn(counts) for name, fn in CONFUSION_METRICS.items()}


def stream(seed: int, *names: str) -> np.random.Generator:
    """An independent random stream for one group and purpose, the same whatever the group order.

    The names are hashed into the ``spawn_key`` of a :class:`numpy.random.SeedSequence`
    (what ``SeedSequence(seed).spawn`` does with a counter), so a group's
    resamples depend only on the seed and the group's own name.
    """
    digest = hashlib.blake2b("\x1f".join(names).encode("utf-8"), digest_size=16).digest()
    key = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def resample_counts(counts: np.ndarray, n_boot: int, rng: np.random.Generator, prior: float = 0.0,
                    weight: float = 1.0) -> np.ndarray:
    """``n_boot`` multinomial redraws of a group's cell counts, shape ``(n_boot, cells)``.

    The group size is fixed (stratified bootstrap). With ``prior = 0`` the cell
    shares are the observed ones; with ``prior > 0`` each replicate is
    ``n * Dirichlet(weight * counts + prior)`` (the Bayesian bootstrap with a
    Jeffreys-style prior; expected counts, so not integers), so a cell
    observed empty still varies and a small group never gets a zero-width
    interval. A group of size 0 gives all-zero replicates.

    ``weight`` < 1 says the rows are not independent: the shares vary as if
    the group held ``weight * n`` independent observations (e.g. distinct
    providers over their provider-quarter rows), which widens the intervals
    and leaves the point estimates alone. With ``weight = 1`` the draws are
    exactly those without it.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        return np.zeros((n_boot, counts.size), dtype=np.int64)
    if prior > 0:
        return n * rng.dirichlet((counts * weight if weight != 1.0 else counts) + prior, size=n_boot)
    if weight != 1.0:
        effective = max(1, round(n * weight))
        return rng.multinomial(effective, counts / n, size=n_boot) * (n / effective)
    return rng.multinomial(n, counts / n, size=n_boot)


def auc_from_bins(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """Mann-Whitney AUC from counts per score bin (ascending), ties within a bin counting 1/2.

    ``pos`` and ``neg`` have shape ``(..., bins)``; NaN where a class is absent.
    """
    pos = np.asarray(pos, dtype=float)
    neg = np.asarray(neg, dtype=float)
    below = np.cumsum(neg, axis=-1) - neg
    wins = (pos * (below + 0.5 * neg)).sum(axis=-1)
    return safe_ratio(wins, pos.sum(axis=-1) * neg.sum(axis=-1))


def exact_auc(score: np.ndarray, label: np.ndarray, codes: np.ndarray, n_groups: int,
              order: np.ndarray) -> np.ndarray:
    """Within-group ROC AUC (Mann-Whitney, ties 1/2) for every group code at once.

    ``order`` is a stable ascending argsort of ``score``; rows are re-sorted by
    group with a stable sort, so each group's scores stay ascending.
    """
    by_group = order[np.argsort(codes[order], kind="stable")]
    g = codes[by_group]
    s = score[by_group]
    y = label[by_group].astype(float)
    if g.size == 0:
        return np.full(n_groups, np.nan)
    new_block = np.r_[True, (g[1:] != g[:-1]) | (s[1:] != s[:-1])]
    block = np.cumsum(new_block) - 1
    pos = np.bincount(block, weights=y)
    neg = np.bincount(block, weights=1.0 - y)
    block_group = g[new_block]
    below_all = np.cumsum(neg) - neg
    first = np.r_[True, block_group[1:] != block_group[:-1]]
    offset = np.repeat(below_all[first], np.diff(np.r_[np.flatnonzero(first), block_group.size]))
    wins = np.bincount(block_group, weights=pos * (below_all - offset + 0.5 * neg), minlength=n_groups)
    n_pos = np.bincount(block_group, weights=pos, minlength=n_groups)
    n_neg = np.bincount(block_group, weights=neg, minlength=n_groups)
    return safe_ratio(wins, n_pos * n_neg)


def percentile(replicates: np.ndarray, q: np.ndarray | float) -> np.ndarray:
    """Column-wise quantile ``q`` of ``(n_boot, k)`` replicates, ignoring NaN, linear interpolation.

    Matches ``np.nanquantile`` (default method) on finite values and also
    handles infinite replicates (a ratio over a zero reference). ``q`` may
    differ per column. A column without defined replicates gives NaN.
    """
    x = np.sort(np.asarray(replicates, dtype=float), axis=0)  # NaN sorts last
    k = (~np.isnan(x)).sum(axis=0)
    q = np.broadcast_to(np.asarray(q, dtype=float), k.shape)
    k = np.where(np.isnan(q), 0, k)
    pos = np.nan_to_num(q) * np.maximum(k - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(k - 1, 0))
    frac = pos - lo
    cols = np.arange(x.shape[1])
    a, b = x[lo, cols], x[hi, cols]
    with np.errstate(invalid="ignore"):
        out = np.where((frac == 0) | (a == b), a, a + frac * (b - a))
    return np.where(k > 0, out, np.nan)


def outside_share(replicates: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """Two-sided tail share that the interval lies wholly outside ``band`` (a p-value-like number).

    ``2 * min(share <= upper edge, share >= lower edge)`` over the defined
    replicates, capped at 1: small when nearly all replicates sit beyond one edge.
    """
    x = np.asarray(replicates, dtype=float)
    ok = ~np.isnan(x)
    k = ok.sum(axis=0)
    below_hi = safe_ratio(((x <= band[1]) & ok).sum(axis=0), k)
    above_lo = safe_ratio(((x >= band[0]) & ok).sum(axis=0), k)
    return np.minimum(1.0, 2.0 * np.minimum(below_hi, above_lo))


def lognormal_interval(point: np.ndarray, replicates: np.ndarray, alpha: np.ndarray,
                       band: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normal interval on the log scale: ``exp(log(point) +- z * sd(log replicates))``.

    Used for ratios when the corrected tail is too small for the replicates to
    resolve. Returns ``(lo, hi, p_outside)``, all NaN for a column where the
    point or a defined replicate is 0 or infinite (no finite log).
    """
    x = np.asarray(replicates, dtype=float)
    defined = ~np.isnan(x)
    k = defined.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logs = np.log(np.where(defined, x, 1.0))
        centre = np.log(np.asarray(point, dtype=float))
        usable = np.isfinite(logs).all(axis=0) & (k >= 2) & np.isfinite(centre)
        logs = np.where(usable & defined, logs, 0.0)
        mean = logs.sum(axis=0) / np.maximum(k, 1)
        sd = np.sqrt(np.where(defined, (logs - mean) ** 2, 0.0).sum(axis=0) / np.maximum(k - 1, 1))
        sd = np.where(usable, sd, np.nan)
        centre = np.where(usable, centre, np.nan)
        z = _normal_quantile(1.0 - np.broadcast_to(np.asarray(alpha, dtype=float), sd.shape) / 2.0)
        lo, hi = np.exp(centre - z * sd), np.exp(centre + z * sd)
        above = _normal_cdf((np.log(band[1]) - centre) / sd)
        below = _normal_cdf((centre - np.log(band[0])) / sd)
    return lo, hi, np.minimum(1.0, 2.0 * np.minimum(above, below))


_NORMAL = NormalDist()
_normal_quantile = np.vectorize(lambda q: _NORMAL.inv_cdf(q) if 0.0 < q < 1.0 else np.nan, otypes=[float])
_normal_cdf = np.vectorize(lambda v: _NORMAL.cdf(v) if not np.isnan(v) else np.nan, otypes=[float])


def holm_alphas(p: np.ndarray, alpha: float) -> np.ndarray:
    """Per-test level of Holm's step-down procedure, consistent with its decisions.

    The i-th smallest p-value (0-based) is tested at ``alpha / (m - i)`` until
    the first one that is not rejected; that level then applies to every
    remaining test, so an interval at ``1 - level`` lies outside the band
    exactly for the rejected tests. NaN p-values are tested last.
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return np.empty(0)
    order = np.argsort(np.where(np.isnan(p), np.inf, p), kind="stable")
    levels = alpha / (m - np.arange(m))
    rejected = p[order] < levels
    stop = int(np.argmin(rejected)) if not rejected.all() else m
    out = np.empty(m)
    out[order] = np.where(np.arange(m) < stop, levels, levels[min(stop, m - 1)])
    return out


class ScoreBins:
    """Score order, quantile bins and per-row (bin, label) cell of a whole table, for AUC and calibration."""

    def __init__(self, score: np.ndarray, label: np.ndarray, bins: int) -> None:
        self.score, self.label = score, label
        self.order = np.argsort(score, kind="stable")
        edges = np.unique(np.quantile(score, np.linspace(0, 1, bins + 1)[1:-1])) if score.size else np.empty(0)
        self.n_bins = edges.size + 1
        self.cell = 2 * np.searchsorted(edges, score, side="right") + label  # (bin, label) flattened

    def per_group(self, codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact AUC per group, and counts and score sums per (bin, label) cell, shape ``(groups, 2 * bins)``."""
        width = 2 * self.n_bins
        index = codes * width + self.cell
        counts = np.bincount(index, minlength=n_groups * width).reshape(n_groups, width)
        sums = np.bincount(index, weights=self.score, minlength=n_groups * width).astype(float)
        auc = exact_auc(self.score, self.label, codes, n_groups, self.order)
        return auc, counts, sums.reshape(n_groups, width)


def score_resamples(cells: np.ndarray, sums: np.ndarray, n_boot: int,
                    streams: Sequence[np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    """Binned AUC and calibration of ``n_boot`` resamples per group, each shape ``(n_boot, groups)``.

    A resample redraws the group's persons over its (bin, label) cells; a
    cell's persons keep the cell's observed mean score.
    """
    cell_mean = np.divide(sums, cells, out=np.zeros_like(sums), where=cells > 0)
    auc = np.empty((n_boot, len(streams)))
    calibration = np.empty((n_boot, len(streams)))
    for j, rng in enumerate(streams):
        draw = resample_counts(cells[j], n_boot, rng)
        auc[:, j] = auc_from_bins(draw[:, 1::2], draw[:, 0::2])
        calibration[:, j] = safe_ratio(draw @ cell_mean[j], draw[:, 1::2].sum(axis=1))
    return auc, calibration


def ratio_intervals(ratio: np.ndarray, replicates: np.ndarray, tested: np.ndarray, *, confidence: float,
                    correction: str, band: tuple[float, float]) -> dict[str, np.ndarray]:
    """Corrected ratio intervals for all disparity rows at once (numbers only; the verdict is
    :func:`risico.audit.verdict.band_verdicts`).

    ``m`` = the number of tested rows. Bonferroni tests each at ``alpha / m``,
    Holm at its step-down level (:func:`holm_alphas` on the tail shares),
    none at ``alpha``. The interval is the percentile interval of the ratio
    resamples, or the log-normal form when fewer than :data:`MIN_TAIL`
    resamples are expected beyond a bound; untested rows get none (NaN).
    """
    n_boot = replicates.shape[0]
    m = int(tested.sum())
    alpha = 1.0 - confidence
    smallest = strictest_alpha(m, confidence, correction)
    _, _, normal_p = lognormal_interval(ratio, replicates, np.full(ratio.size, smallest), band)
    lognormal = tested & ~np.isnan(normal_p) & (n_boot * smallest / 2 < MIN_TAIL)
    if lognormal.any():
        logger.info("%d of %d disparity intervals use the log-normal form: a percentile interval at level %.6f "
                    "needs n_boot >= %d", int(lognormal.sum()), m, 1 - smallest, int(np.ceil(2 * MIN_TAIL / smallest)))
    tail_p = np.where(lognormal, normal_p, outside_share(replicates, band))
    level = np.full(ratio.size, np.nan)
    level[tested] = holm_alphas(tail_p[tested], alpha) if correction == "holm" else smallest
    normal_lo, normal_hi, _ = lognormal_interval(ratio, replicates, level, band)
    lo = np.where(lognormal, normal_lo, percentile(replicates, level / 2))
    hi = np.where(lognormal, normal_hi, percentile(replicates, 1 - level / 2))
    return {"ratio_lo": np.where(tested, lo, np.nan), "ratio_hi": np.where(tested, hi, np.nan),
            "level": np.where(tested, 1 - level, np.nan), "tail_p": np.where(tested, tail_p, np.nan),
            "interval": np.where(tested, np.where(lognormal, "lognormal", "percentile"), "")}


def strictest_alpha(m: int, confidence: float, correction: str) -> float:
    """The smallest per-test level of ``m`` tests: ``alpha / m`` (Bonferroni; Holm's first step), or ``alpha``."""
    alpha = 1.0 - confidence
    return alpha if correction == "none" else alpha / max(m, 1)


def difference_intervals(difference: np.ndarray, replicates: np.ndarray, tested: np.ndarray, level: np.ndarray,
                         counts: np.ndarray, scale: np.ndarray | float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Intervals of rate differences (group - reference) at each row's confidence ``level``.

    The percentile interval of the difference resamples. Where fewer than :data:`MIN_TAIL` resamples are
    expected beyond a bound, the resamples cannot place the bound, and a normal form around them fails
    exactly where the difference rule is used (a rate of 0 out of 4 has a skewed, bounded distribution); the
    interval is then Newcombe's hybrid score interval (:func:`newcombe_interval`) from ``counts``, the rows'
    ``(events, trials, reference events, reference trials)`` of shape ``(4, rows)``, at the same level, times
    ``scale``. Untested rows get NaN.

    >>> reps = np.array([[0.1, 0.0], [0.2, 0.0], [0.3, 0.0]])
    >>> counts = np.array([[2, 0], [10, 10], [0, 0], [10, 10]])
    >>> lo, hi = difference_intervals(np.array([0.2, 0.0]), reps, np.array([True, False]), np.array([0.5, np.nan]),
    ...                               counts)
    >>> [round(float(v), 3) for v in (lo[0], hi[0])], bool(np.isnan(lo[1]))   # 3 resamples: the score interval
    ([0.116, 0.298], True)
    """
    x = np.asarray(replicates, dtype=float)
    tested = np.asarray(tested, dtype=bool)
    alpha = np.where(tested, 1.0 - np.asarray(level, dtype=float), np.nan)
    score = tested & (x.shape[0] * alpha / 2 < MIN_TAIL)
    with np.errstate(invalid="ignore"):
        z = _normal_quantile(np.where(score, 1.0 - alpha / 2, np.nan))
        score_lo, score_hi = newcombe_interval(*np.asarray(counts, dtype=float), z)
    lo = np.where(score, score_lo * scale, percentile(x, alpha / 2))
    hi = np.where(score, score_hi * scale, percentile(x, 1 - alpha / 2))
    return np.where(tested, lo, np.nan), np.where(tested, hi, np.nan)


def wilson_interval(events: np.ndarray, trials: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval of a proportion at normal quantile ``z`` (NaN where ``trials`` is 0).

    >>> [round(float(v), 4) for v in wilson_interval(np.array(0.0), np.array(1800.0), np.array(1.96))]
    [0.0, 0.0021]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        p = events / trials
        centre = (p + z ** 2 / (2 * trials)) / (1 + z ** 2 / trials)
        half = z / (1 + z ** 2 / trials) * np.sqrt(p * (1 - p) / trials + z ** 2 / (4 * trials ** 2))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def newcombe_interval(events: np.ndarray, trials: np.ndarray, ref_events: np.ndarray, ref_trials: np.ndarray,
                      z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (method 10, 1998) of ``events/trials - ref_events/ref_trials``.

    It combines the two Wilson intervals, so it stays inside [-1, 1] and is wide where a rate rests on a few
    trials: 0 wrongful selections out of 4 is weak evidence of a rate of 0, 0 out of 1,800 is strong.

    >>> lo, hi = newcombe_interval(np.array(76.0), np.array(800.0), np.array(0.0), np.array(1800.0), np.array(1.96))
    >>> round(float(lo), 3), round(float(hi), 3)
    (0.076, 0.117)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = events / trials, ref_events / ref_trials
    l1, u1 = wilson_interval(events, trials, z)
    l2, u2 = wilson_interval(ref_events, ref_trials, z)
    d = p1 - p2
    with np.errstate(invalid="ignore"):
        return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
