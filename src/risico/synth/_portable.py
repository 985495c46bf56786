"""``exp``, ``log`` and ``power`` that give the same bits on every processor.

NumPy computes ``np.exp``, ``np.log`` and ``np.power`` with vector code chosen at start-up for the processor
(AVX2, AVX-512, ...), and the C library chooses between its own variants (with or without FMA); their last bits
differ from one processor to the next. The world stores probabilities and draws with weights computed from these
functions, so a different processor would write different ``data/truth`` files.

The functions here use only ``+ - * /``, ``rint``, ``frexp`` and ``ldexp``: IEEE 754 rounds the first four
correctly and the last three are exact, so every processor gets the same result, whichever instructions carry it
out. Each NumPy call is one operation stored to memory, so no compiler can fuse a multiply and an add. Each
function is within a few units in the last place (ulp) of the exact value: ``exp`` 1, ``log`` 2, ``power`` 8
(``tests/synth/test_portable.py`` checks this against ``decimal`` at 40 digits).

>>> float(exp(0.5)), float(log(2.0))
(1.6487212707001282, 0.6931471805599453)
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["exp", "log", "power"]

#: ln 2 split in two: ``LN2_HI`` keeps the top 32 bits, so ``k * LN2_HI`` is exact for ``|k| < 2**20``.
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e+00
#: Below ``EXP_MIN`` exp is 0, above ``EXP_MAX`` infinite (in double precision).
EXP_MIN, EXP_MAX = -746.0, 710.0
#: 1/k! for k = 13 .. 0 (Python divides integers with correct rounding): the Taylor series of exp on
#: ``|r| <= ln2 / 2``, where the first term left out, r**14 / 14!, is below 5e-18.
EXP_COEFFICIENTS = tuple(1 / math.factorial(k) for k in range(13, -1, -1))
#: 1/(2k + 1) for k = 11 .. 1: atanh(s) = s + s * z * (1/3 + z/5 + ...), z = s*s <= 0.0295.
ATANH_COEFFICIENTS = tuple(1 / (2 * k + 1) for k in range(11, 0, -1))
SQRT_HALF = 0.70710678118654752440


def exp(x: np.ndarray | float) -> np.ndarray:
    """e**x elementwise, the same bits on every processor (NaN stays NaN).

    ``x = k ln2 + r`` with ``|r| <= ln2 / 2``; exp(r) by its Taylor polynomial (Horner), times ``2**k``.
    """
    x = np.asarray(x, dtype=float)
    nan = np.isnan(x)
    clipped = np.clip(np.where(nan, 0.0, x), EXP_MIN, EXP_MAX)
    k = np.rint(clipped * INV_LN2)
    r = (clipped - k * LN2_HI) - k * LN2_LO
    p = np.full_like(r, EXP_COEFFICIENTS[0])
    for c in EXP_COEFFICIENTS[1:]:
        p = p * r + c
    with np.errstate(over="ignore"):     # above EXP_MAX the result is meant to be inf
        return np.where(nan, np.nan, np.ldexp(p, k.astype(np.int32)))


def log(x: np.ndarray | float) -> np.ndarray:
    """The natural logarithm elementwise of positive finite values, the same bits on every processor.

    ``x = m 2**e`` with ``sqrt(1/2) <= m < sqrt(2)``; log(m) = 2 atanh((m - 1) / (m + 1)) by its series.
    """
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x) & (x > 0)):
        raise ValueError(f"log takes positive finite values; got {x[~(np.isfinite(x) & (x > 0))].flat[0]!r}")
    m, e = np.frexp(x)
    small = m < SQRT_HALF
    m = np.where(small, m * 2.0, m)
    e = (e - small).astype(float)
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    q = np.full_like(z, ATANH_COEFFICIENTS[0])
    for c in ATANH_COEFFICIENTS[1:]:
        q = q * z + c
    log_m = 2.0 * s + 2.0 * s * (z * q)
    return e * LN2_HI + (e * LN2_LO + log_m)


def power(x: np.ndarray | float, y: float) -> np.ndarray:
    """x**y for positive finite ``x``, as ``exp(y log x)``: the same bits on every processor."""
    return exp(y * log(x))
