"""Plain-language reasons: the strongest contributions to one application's score, in Dutch or English.

Codes (the feature behind each reason) are computed for every row at once;
texts are rendered from ``risico.texts.model`` (key ``reason.<feature>``, or
``reason.<feature>.true`` / ``.false`` for yes/no features, or
``reason.<feature>.missing`` for a feature that may be empty) with the
application's own values, so an inspector can check each reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from risico.texts import Language
from risico.texts.model import TEXTS, text

__all__ = ["reason_codes", "render_reasons", "reason_table", "template_key", "MIN_CONTRIBUTION", "N_REASONS"]

N_REASONS = 3
#: Contributions at or below this (log-odds) are not reasons to look closer.
MIN_CONTRIBUTION = 0.0


def reason_codes(contributions: pd.DataFrame, k: int = N_REASONS) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the ``k`` features with the largest positive contribution (``""`` where fewer).

    Ties are broken by column order, so the result is deterministic.
    """
    values = contributions.to_numpy(dtype=float)
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(values, order, axis=1)
    names = np.array(contributions.columns, dtype=object)[order]
    names = np.where(top > MIN_CONTRIBUTION, names, "")
    return names, np.where(top > MIN_CONTRIBUTION, top, np.nan)


def template_key(feature: str, value: object) -> str:
    """The text key for a feature with this value; ``reason.<feature>.missing`` for an empty value when it exists.

    >>> template_key("absence_billing_share", float("nan"))
    'reason.absence_billing_share.missing'
    """
    if f"reason.{feature}.missing" in TEXTS and pd.isna(value):
        return f"reason.{feature}.missing"
    if f"reason.{feature}" in TEXTS:
        return f"reason.{feature}"
    return f"reason.{feature}.{'true' if bool(value) else 'false'}"


def render_reasons(codes: np.ndarray, X: pd.DataFrame, language: Language) -> np.ndarray:
    """Texts for the codes of each row of ``X`` (same order); ``""`` where there is no reason."""
    out = np.full(codes.shape, "", dtype=object)
    records = X.to_dict("records")
    for i, row in enumerate(records):
        for j, feature in enumerate(codes[i]):
            if feature:
                out[i, j] = text(template_key(feature, row[feature]), language, **row)
    return out


def reason_table(model, X: pd.DataFrame, *, language: Language, k: int = N_REASONS) -> pd.DataFrame:
    """Score, reason codes, contributions and texts for every row of ``X`` (index kept).

    A family without faithful local explanations (the gradient-boosting
    comparator) gets empty reasons rather than invented ones.
    """
    out = pd.DataFrame({"score": model.predict_risk(X)}, index=X.index)
    contributions = model.contributions(X)
    if contributions is None:
        codes = np.full((len(X), k), "", dtype=object)
        values = np.full((len(X), k), np.nan)
    else:
        codes, values = reason_codes(contributions, k)
    texts = render_reasons(codes, X, language)
    for j in range(k):
        out[f"code_{j + 1}"] = pd.Series(codes[:, j], index=X.index, dtype="str")
        out[f"contribution_{j + 1}"] = values[:, j]
        out[f"reason_{j + 1}"] = pd.Series(texts[:, j], index=X.index, dtype="str")
    return out
