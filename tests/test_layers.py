"""The layer contract (``[tool.importlinter]`` in ``pyproject.toml``) holds, and it can fail.

import-linter reads every import in ``src/risico`` (function-level ones included) and checks the
layers described in ``docs/architecture.md``: the core imports no stage, each stage stands on the
core and the shared libraries alone, and only the operational commands (``governance``) combine
stages.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
                           " sys.exit(lint_imports_command())", "--no-cache"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_every_top_level_module_is_in_a_layer():
    """import-linter checks only the modules a layer names: a new module outside every layer would escape it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    named = {name for contract in config["contracts"] for layer in contract["layers"]
             for name in re.split(r"\s*[|:]\s*", layer.strip())}
    package = ROOT / "src" / "risico"
    modules = {f"risico.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {f"risico.{p.name}" for p in package.iterdir() if (p / "__init__.py").exists()}
    assert sorted(modules - named) == []
    assert sorted(named - modules) == []


def test_the_layer_contract_holds():
    done = lint_imports(ROOT / "src", ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and "KEPT" in done.stdout


@pytest.mark.parametrize(("planted", "importing", "importer"), [
    ("audit/_planted.py", "from risico.evaluate import stage", "risico.audit._planted"),         # stage -> stage
    ("vocabularies.py", "import risico.synth", "risico.vocabularies"),                           # core -> stage
    ("models/_planted.py", "from risico.train import split", "risico.models._planted"),          # library -> stage
    ("validate/_planted.py", "def f():\n    import risico.governance.worklist\n",              # stage -> acts,
     "risico.validate._planted"),                                                                 # even lazily
])
def test_a_planted_import_across_the_layers_breaks_the_contract(tmp_path, planted, importing, importer):
    shutil.copytree(ROOT / "src" / "risico", tmp_path / "src" / "risico",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "src" / "risico" / planted).open("a", encoding="utf-8") as file:
        file.write("\n" + importing + "\n")
    done = lint_imports(tmp_path / "src", tmp_path)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "Stages stand on the core alone BROKEN" in done.stdout
    assert f"- {importer} -> " in done.stdout
