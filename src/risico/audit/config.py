"""The audit stage's parameters: the ``audit`` section parsed once into a frozen dataclass.

The groups of a provider audit come from ``provider_audit.attributes`` (:mod:`risico.audit.providers`); the
target's profile says which section (:data:`risico.audit.providers.PROFILES`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from risico.audit.engine import AuditParams
from risico.audit.providers import AuditProfile, parse_provider_audit_params
from risico.params import SectionReader, load_section

__all__ = ["APPLICATION_ATTRIBUTES", "AuditStageParams", "parse_audit_params", "load_audit_params"]

#: The groups an application audit may name in ``audit.attributes``.
APPLICATION_ATTRIBUTES: tuple[str, ...] = ("migration_background", "gender", "age_band", "nationality_group")


@dataclasses.dataclass(frozen=True)
class AuditStageParams:
    engine: AuditParams
    attributes: tuple[str, ...]
    proxy_threshold_auc: float
    feedback_rounds: int
    feedback_random_share: float


def parse_audit_params(values: Mapping[str, Any]) -> AuditStageParams:
    r = SectionReader(values, "audit")
    engine = AuditParams(min_group_size=r.int("min_group_size", minimum=5), n_boot=r.int("n_boot", minimum=100),
                         seed=r.int("seed", minimum=0), tolerance=tuple(_pair(r)),
                         max_depth=r.int("max_depth", 1, 3), correction=r.choice("correction",
                                                                                ("bonferroni", "holm", "none")))
    attributes = r.subset("attributes", APPLICATION_ATTRIBUTES)
    if len(attributes) < 1:
        raise r.fail("attributes", "a non-empty list", list(attributes))
    out = AuditStageParams(engine, attributes, r.float("proxy_threshold_auc", 0.5, 1.0),
                           r.int("feedback_rounds", 1, 20), r.share("feedback_random_share"))
    r.finish()
    return out


def load_audit_params(path: str | Path, profile: AuditProfile) -> AuditStageParams:
    """The ``audit`` section, with the groups from the profile's own section (``provider_audit`` for providers)."""
    params = parse_audit_params(load_section(path, "audit"))
    if profile.section == "audit":
        return params
    return dataclasses.replace(params, attributes=parse_provider_audit_params(load_section(path, profile.section)))


def _pair(r: SectionReader) -> list[float]:
    value = r.value("tolerance", "a list [low, high] with 0 < low < 1 < high")
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, (int, float)) for v in value)
            or not 0 < value[0] < 1 < value[1]):
        raise r.fail("tolerance", "a list [low, high] with 0 < low < 1 < high", value)
    return [float(v) for v in value]
