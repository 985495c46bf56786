"""Saving and loading fitted models (pickle, protocol 5).

Only load model files this pipeline wrote: unpickling runs code. The approval
gate binds a model file by its hash, so a swapped file is refused before use.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from risico.models.base import RiskModel

__all__ = ["save_model", "load_model"]


def save_model(model: RiskModel, path: str | Path) -> None:
    with open(path, "wb") as handle:
        pickle.dump(model, handle, protocol=5)


def load_model(path: str | Path) -> RiskModel:
    with open(path, "rb") as handle:
        model = pickle.load(handle)  # noqa: S301 - files written by save_model only
    if not isinstance(model, RiskModel):
        raise TypeError(f"{path} does not hold a risico model")
    return model
