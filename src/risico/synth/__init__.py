"""The synthetic municipal world: a seeded, vectorised generator with ground truth.

Public entry points: :func:`parse_generate_params` and :func:`generate_world`.
The stage itself (reading ``params.yaml``, writing Parquet) is
:func:`risico.synth.stage.run`.

The names below are imported on first use (PEP 562), so a stage that only needs
:mod:`risico.synth.params` (the contract's districts and schemes, and with it
ingest, validate and the features) does not load the whole generator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from risico.synth.params import GenerateParams, parse_generate_params
    from risico.synth.world import RAW_TABLES, TRUTH_TABLES, World, generate_world

__all__ = ["GenerateParams", "World", "generate_world", "parse_generate_params", "RAW_TABLES", "TRUTH_TABLES"]

_HOME = {"GenerateParams": "risico.synth.params", "parse_generate_params": "risico.synth.params",
         "World": "risico.synth.world", "generate_world": "risico.synth.world",
         "RAW_TABLES": "risico.synth.world", "TRUTH_TABLES": "risico.synth.world"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
