"""``dvc.yaml`` deps are correct by construction: every source file a stage runs is a dependency.

Each stage's command is ``python -m risico <command> ...``. The files that command executes are
``risico/__init__.py``, ``__main__.py``, ``cli.py`` and the static import closure of the command's
module (function-level imports included, as import-linter's graph sees them), together with the
``__init__.py`` of every package on the way. A stage whose ``deps`` miss one of those files would
not rerun when that file changes; a ``src/`` dependency that none of them needs reruns the stage
for nothing. Both fail here, naming the stage and the file.
"""

from __future__ import annotations

import functools
import shlex
from pathlib import Path

import grimp
import pytest
import yaml


from risico.cli import command_module

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ENTRY = ("risico", "risico.__main__", "risico.cli")


@functools.cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("risico", cache_dir=None)


def module_file(module: str) -> str:
    """``risico.audit.stage`` -> ``src/risico/audit/stage.py`` (a package -> its ``__init__.py``)."""
    base = SRC.joinpath(*module.split("."))
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    assert path.exists(), f"no file for module {module}"
    return path.relative_to(ROOT).as_posix()


def executed_modules(command_module_name: str) -> set[str]:
    """The modules that ``python -m risico <command>`` imports: closure plus parent packages, to a fixpoint."""
    todo, seen = [*ENTRY, command_module_name], set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(graph().find_upstream_modules(module))
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
    return {m for m in seen if m.split(".")[0] == "risico"}


def stages() -> dict[str, dict]:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def stage_command(stage: dict) -> str:
    words = shlex.split(stage["cmd"])
    assert words[:3] == ["python", "-m", "risico"], f"not a risico command: {stage['cmd']}"
    return words[3]


def covered(path: str, deps: list[str]) -> bool:
    return any(path == dep or path.startswith(dep.rstrip("/") + "/") for dep in deps)


def source_deps(stage: dict) -> list[str]:
    return [dep for dep in stage.get("deps", []) if dep.startswith("src/")]


@pytest.mark.parametrize("name", sorted(stages()))
def test_every_source_file_a_stage_runs_is_a_dependency(name):
    stage = stages()[name]
    files = {module_file(m) for m in executed_modules(command_module(stage_command(stage)))}
    missing = sorted(f for f in files if not covered(f, source_deps(stage)))
    assert not missing, f"dvc.yaml stage {name!r} misses deps: {missing}"


@pytest.mark.parametrize("name", sorted(stages()))
def test_no_source_dependency_a_stage_does_not_run(name):
    stage = stages()[name]
    files = {module_file(m) for m in executed_modules(command_module(stage_command(stage)))}
    unused = [dep for dep in source_deps(stage) if not any(covered(f, [dep]) for f in files)]
    assert not unused, f"dvc.yaml stage {name!r} depends on source it does not run: {unused}"


def test_the_check_finds_a_missing_dependency():
    """The check can fail: drop the audit stage's own package and it is reported."""
    stage = stages()["audit"]
    files = {module_file(m) for m in executed_modules(command_module(stage_command(stage)))}
    deps = [dep for dep in source_deps(stage) if dep != "src/risico/audit"]
    assert "src/risico/audit/stage.py" in files
    assert not covered("src/risico/audit/stage.py", deps)
