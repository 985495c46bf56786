"""Shared fixtures: small generated worlds built from the repository's own params.yaml."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from risico.synth import GenerateParams, World, generate_world, parse_generate_params

REPO = Path(__file__).resolve().parents[1]


def repo_params() -> dict[str, Any]:
    """The whole params.yaml of the repository (a fresh copy)."""
    return yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))


def set_key(values: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``values`` with one dotted key set."""
    out = copy.deepcopy(values)
    node = out
    *parents, last = dotted.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    return out


@pytest.fixture(scope="session")
def make_params() -> Callable[..., GenerateParams]:
    """``make_params(n_persons=..., **{"investigation.rate": 0.2})`` -> checked GenerateParams."""

    def build(**overrides: Any) -> GenerateParams:
        values = repo_params()["generate"]
        for key, value in overrides.items():
            values = set_key(values, key, value)
        return parse_generate_params(values)

    return build


@pytest.fixture(scope="session")
def small_world(make_params) -> World:
    """A 3,000-person world with the default mechanisms."""
    return generate_world(make_params(n_persons=3000))
