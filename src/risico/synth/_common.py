"""Small vectorised building blocks shared by the generator's parts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from risico.synth import _portable

EPOCH = dt.date(1970, 1, 1)


def make_ids(prefix: str, n: int, width: int = 7) -> pd.Series:
    """Pseudonymous ids ``prefix`` + zero-padded counter, e.g. ``P0000001``.

    The letter prefix keeps ids from ever looking like a 9-digit BSN.
    """
    return prefix + pd.Series(np.arange(1, n + 1), dtype="int64").astype("str").str.zfill(width)


def day_number(date: dt.date) -> int:
    """Days since 1970-01-01."""
    return (date - EPOCH).days


def to_datetime(days: np.ndarray) -> np.ndarray:
    """Day numbers to ``datetime64[ms]`` (midnight)."""
    return days.astype("datetime64[D]").astype("datetime64[ms]")


def draw_categories(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix, or n draws from a k-vector."""
    probs = np.asarray(probs, dtype=float)
    if probs.ndim == 1:
        raise ValueError("use rng.choice for a single probability vector")
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(probs.shape[0])
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e**-x), the same bits on every processor (``_portable.exp``, not ``np.exp``)."""
    return 1.0 / (1.0 + _portable.exp(-np.asarray(x, dtype=float)))


def calibrate_intercept(logit_without_intercept: np.ndarray, target_mean: float) -> float:
    """The intercept that makes the mean of ``sigmoid(intercept + logit)`` equal ``target_mean``.

    Bisection: the mean is monotone in the intercept.
    """
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(mid + logit_without_intercept).mean() < target_mean:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def normalise(values: np.ndarray) -> np.ndarray:
    """Scale to mean 1 (a propensity's shape without its level)."""
    mean = values.mean()
    return values / mean if mean > 0 else np.ones_like(values, dtype=float)


def assign_routes(
    rng: np.random.Generator,
    intensities: dict[str, np.ndarray],
    mix: dict[str, float],
    rate: float,
    random_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Decide who is investigated and by which route.

    A share ``rate * random_share`` of all subjects is drawn uniformly at
    random (route ``random``). The rest are selected with probability
    proportional to a mix of route intensities (each scaled to mean 1), so
    that the expected investigation rate is ``rate`` and, within the
    non-random routes, a route's selection rate is proportional to its own
    intensity: a rate ratio planted in an intensity shows up unchanged.

    Returns
    -------
    route : ndarray of str, ``""`` where not investigated
    probability : ndarray of float, each subject's probability of investigation
    """
    n = next(iter(intensities.values())).shape[0]
    p_random = rate * random_share
    parts = {name: mix[name] * normalise(intensities[name]) for name in intensities}
    total = sum(parts.values())
    scale = rate * (1 - random_share) / (1 - p_random) if p_random < 1 else 0.0
    p_other = np.minimum(scale * total, 1.0)
    is_random = rng.random(n) < p_random
    is_other = ~is_random & (rng.random(n) < p_other)
    names = list(parts)
    share = np.column_stack([parts[name] for name in names])
    share = share / np.maximum(total, 1e-300)[:, None]
    picked = draw_categories(rng, share)
    route = np.full(n, "", dtype=object)
    route[is_other] = np.array(names, dtype=object)[picked[is_other]]
    route[is_random] = "random"
    probability = p_random + (1 - p_random) * p_other
    return route, probability
