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


def run_stages(root: Path, stages: list[str] | None = None) -> None:
    """Run the commands of ``dvc.yaml`` (all, or the named stages) in ``root``, without DVC."""
    import os
    import shlex
    import subprocess
    import sys

    dvc = yaml.safe_load((REPO / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    for name, stage in dvc.items():
        if stages is None or name in stages:
            result = subprocess.run(shlex.split(stage["cmd"]), cwd=root, env=env, capture_output=True, text=True)
            assert result.returncode == 0, f"stage {name} failed:\n{result.stderr[-3000:]}"


def small_project(root: Path, n_persons: int) -> Path:
    """A copy of the project's pipeline files in ``root`` with a small world."""
    import shutil

    shutil.copy(REPO / "dvc.yaml", root / "dvc.yaml")
    shutil.copytree(REPO / "expectations", root / "expectations")
    shutil.copytree(REPO / "data" / "extracts", root / "data" / "extracts")
    params = set_key(repo_params(), "generate.n_persons", n_persons)
    # Small worlds keep 150 persons per provider (the default is 50: 600 providers at 30,000 persons). At 8,000
    # persons the application model learns from under 200 investigated rows, and the draw of the default would
    # leave it nothing to learn; tests that are about providers set their own, lower value.
    params = set_key(params, "generate.providers.persons_per_provider", 150)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def pipeline_project(tmp_path_factory) -> Path:
    """A small project on which every pipeline stage has run (shared by the slower end-to-end tests)."""
    root = small_project(tmp_path_factory.mktemp("pipeline"), 8000)
    run_stages(root)
    return root


@pytest.fixture(scope="session")
def fair_pipeline_project(tmp_path_factory) -> Path:
    """Like ``pipeline_project`` but generated with ``generate.fair_world: true``."""
    root = small_project(tmp_path_factory.mktemp("fair"), 12000)
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    params = set_key(set_key(params, "generate.fair_world", True), "train.families", ["ebm", "scorecard"])
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    run_stages(root)
    return root
