"""Choosing a model family by name: :data:`MODEL_NAMES` and :func:`make_model`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from risico.models.base import UNKNOWN_MODEL, UNKNOWN_OPTION, ModelError, RiskModel, known_options
from risico.models.boosting import HGBModel
from risico.models.ebm import EBMModel
from risico.models.scorecard import ScorecardModel

__all__ = ["MODEL_NAMES", "FAMILIES", "make_model"]

#: The families by name: the glass-box default first, the black-box comparator last.
FAMILIES: dict[str, type[RiskModel]] = {"ebm": EBMModel, "scorecard": ScorecardModel, "hgb": HGBModel}
MODEL_NAMES: tuple[str, ...] = tuple(FAMILIES)


def make_model(name: str, *, random_state: int, monotone: Mapping[str, int] | None = None,
               **options: Any) -> RiskModel:
    """An unfitted model of family ``name``, its options checked before any work starts.

    Parameters
    ----------
    name : {"ebm", "scorecard", "hgb"}
    random_state : int
        The seed; two fits with the same seed give identical probabilities.
    monotone : mapping of feature name to +1 or -1, optional
        Features whose effect on the risk may only rise (+1) or only fall (-1).
    **options
        ``calibration`` ("sigmoid" or "isotonic") and the family's own options
        (see each family's ``options``).

    Examples
    --------
    >>> make_model("scorecard", random_state=0, n_bins=4).get_params()["n_bins"]
    4
    >>> make_model("xgboost", random_state=0)
    Traceback (most recent call last):
    ...
    risico.models.base.ModelError: The 'model' parameter of train must be one of 'ebm', 'scorecard', 'hgb'. Got 'xgboost' instead.
    """
    if name not in FAMILIES:
        allowed = "one of " + ", ".join(f"'{n}'" for n in MODEL_NAMES)
        raise ModelError(UNKNOWN_MODEL.format(param="model", owner="train", allowed=allowed, got=name))
    family = FAMILIES[name]
    for option in options:
        if option not in family.options and option != "calibration":
            raise ModelError(UNKNOWN_OPTION.format(model=name, option=option, known=known_options(family)))
    model = family(random_state=random_state, monotone=dict(monotone) if monotone is not None else None, **options)
    model.check_options()
    return model

