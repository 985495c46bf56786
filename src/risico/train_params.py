"""The ``train`` section of ``params.yaml``: read by ``train`` and, for the scoring model and the
periods, by ``evaluate``; parsed once here so that both read it the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

from risico.params import SectionReader

__all__ = ["FAMILIES", "TrainParams", "parse_train_params"]

#: The model families ``train`` can fit (``train.families``; ``train.model`` is the one that scores).
FAMILIES = ("ebm", "scorecard", "hgb")


@dataclasses.dataclass(frozen=True)
class TrainParams:
    model: str
    families: tuple[str, ...]
    validation_start: Any
    test_start: Any
    label_source: Literal["investigated", "random_only"]
    ipw: bool
    seed: int
    ebm_interactions: int
    ebm_outer_bags: int
    monotone: Mapping[str, int]
    features: tuple[str, ...] | None


def parse_train_params(values: Mapping[str, Any]) -> TrainParams:
    r = SectionReader(values, "train")
    families = r.subset("families", FAMILIES)
    if not families:
        raise r.fail("families", "a non-empty list of distinct values from " + ", ".join(FAMILIES), families)
    model = r.choice("model", families)
    validation_start, test_start = r.date("validation_start"), r.date("test_start")
    if test_start <= validation_start:
        raise r.fail("test_start", f"a date after validation_start ({validation_start})", str(test_start))
    source = r.choice("label_source", ("investigated", "random_only"))
    ipw = r.bool("ipw")
    seed = r.int("seed", minimum=0)
    ebm = r.sub("ebm")
    interactions = ebm.int("interactions", 0, 100)
    outer_bags = ebm.int("outer_bags", 1, 50)
    ebm.finish()
    monotone = r.int_mapping("monotone", -1, 1)
    features = r.value("features", "'all' or a list of feature names")
    if features != "all" and (not isinstance(features, list) or not features
                              or not all(isinstance(f, str) for f in features)):
        raise r.fail("features", "'all' or a non-empty list of feature names", features)
    r.finish()
    return TrainParams(model, families, validation_start, test_start, source, ipw, seed, interactions, outer_bags,
                       monotone, None if features == "all" else tuple(features))  # type: ignore[arg-type]
