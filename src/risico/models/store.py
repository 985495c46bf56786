"""Saving and loading fitted models (pickle, protocol 5).

Only load model files this pipeline wrote: unpickling runs code. The approval
gate binds a model file by its hash; the worklist reads the file once, checks
the hash of those bytes and unpickles the same bytes
(:func:`load_model_bytes`), so a file swapped after the check is never used.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from risico.models.base import RiskModel

__all__ = ["save_model", "load_model", "load_model_bytes"]


def save_model(model: RiskModel, path: str | Path) -> None:
    with open(path, "wb") as handle:
        pickle.dump(model, handle, protocol=5)


def load_model(path: str | Path) -> RiskModel:
    with open(path, "rb") as handle:
        return load_model_bytes(handle.read(), source=str(path))


def load_model_bytes(data: bytes, *, source: str = "the model bytes") -> RiskModel:
    """The model pickled in ``data`` (bytes read and hashed by the caller)."""
    model = pickle.loads(data)  # noqa: S301 - files written by save_model only, checked against their hash
    if not isinstance(model, RiskModel):
        raise TypeError(f"{source} does not hold a risico model")
    return model
