"""`dvc repro` on a copy of the project with a small world: it runs, and a second run reruns nothing."""

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import REPO, repo_params, set_key

pytestmark = pytest.mark.skipif(shutil.which("dvc", path=os.path.dirname(sys.executable)) is None,
                                reason="dvc is not installed next to this Python")


def run(cmd, cwd):
    env = {**os.environ, "DVC_NO_ANALYTICS": "1",
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    for name in ("dvc.yaml", ".dvcignore"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / ".dvc", root / ".dvc", ignore=shutil.ignore_patterns("tmp", "cache"))
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(REPO / "expectations", root / "expectations")
    shutil.copytree(REPO / "data" / "extracts", root / "data" / "extracts")
    params = set_key(repo_params(), "generate.n_persons", 4000)
    # enough providers (133) that each period of the provider model holds investigated providers of both kinds
    params = set_key(params, "generate.providers.persons_per_provider", 30)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    assert run(["git", "init", "-q"], root).returncode == 0
    return root


def test_repro_runs_every_stage_then_reruns_nothing(project):
    stages = list(yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"])
    first = run(["dvc", "repro"], project)
    assert first.returncode == 0, first.stderr
    for stage in stages:
        assert f"Running stage '{stage}'" in first.stdout
    assert (project / "metrics" / "world.json").is_file()
    second = run(["dvc", "repro"], project)
    assert second.returncode == 0, second.stderr
    assert "Running stage" not in second.stdout
    for stage in stages:
        assert f"Stage '{stage}' didn't change, skipping" in second.stdout
    status = run(["dvc", "status"], project)
    assert "Data and pipelines are up to date." in status.stdout


def test_metrics_show_and_a_param_change_reruns_only_what_depends_on_it(project):
    shown = run(["dvc", "metrics", "show", "--json"], project)
    assert shown.returncode == 0 and "n_persons" in shown.stdout
    params = yaml.safe_load((project / "params.yaml").read_text())
    (project / "params.yaml").write_text(yaml.safe_dump(set_key(params, "describe.min_group_size", 20),
                                                        sort_keys=False))
    again = run(["dvc", "repro"], project)
    assert again.returncode == 0, again.stderr
    assert "Stage 'generate' didn't change, skipping" in again.stdout
    assert "Running stage 'describe'" in again.stdout
