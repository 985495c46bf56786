"""Features: one row per application at its decision date, only what was known then.

Public entry points: :func:`parse_feature_params` and
:func:`build_application_features`; the stage itself (reading
``data/interim`` and ``data/protected``, writing ``data/processed``) is
:func:`risico.features.stage.run`. Every feature is documented in
``docs/features.md``.
"""

from risico.features._groups import GROUP_BUILDERS
from risico.features.applications import (
    FEATURE_GROUPS,
    GROUPS,
    INPUT_TABLES,
    FeatureError,
    FeatureParams,
    FeatureSet,
    build_application_features,
    parse_feature_params,
)

__all__ = [
    "FEATURE_GROUPS",
    "GROUP_BUILDERS",
    "GROUPS",
    "INPUT_TABLES",
    "FeatureError",
    "FeatureParams",
    "FeatureSet",
    "build_application_features",
    "parse_feature_params",
]
