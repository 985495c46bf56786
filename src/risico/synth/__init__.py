"""The synthetic municipal world: a seeded, vectorised generator with ground truth.

Public entry points: :func:`parse_generate_params` and :func:`generate_world`.
The stage itself (reading ``params.yaml``, writing Parquet) is
:func:`risico.synth.stage.run`.
"""

from risico.synth.params import GenerateParams, parse_generate_params
from risico.synth.world import RAW_TABLES, TRUTH_TABLES, World, generate_world

__all__ = ["GenerateParams", "World", "generate_world", "parse_generate_params", "RAW_TABLES", "TRUTH_TABLES"]
