import argparse
import importlib
import json
import os
import subprocess
import sys

import pytest

from risico import cli
from risico.params import ParamError
from tests.conftest import REPO

HEAVY = ("great_expectations", "interpret", "sklearn", "fairlearn", "matplotlib", "dvc", "openpyxl", "scipy")

#: Run in a fresh interpreter: do ``steps``, then print the names of every module imported.
PROBE = """
import contextlib, io, json, sys
from risico import cli
with contextlib.redirect_stdout(io.StringIO()):
{steps}
print(json.dumps(sorted(sys.modules)))
"""


def imported_after(*steps: str) -> dict[str, list[str]]:
    """The command modules, heavy libraries and generator modules a fresh ``python`` has imported after ``steps``."""
    code = PROBE.format(steps="\n".join("    " + step for step in steps))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    modules = set(json.loads(done.stdout))
    return {"commands": sorted(set(cli.COMMANDS.values()) & modules),
            "heavy": sorted({name.split(".")[0] for name in modules} & set(HEAVY)),
            "generator": sorted(name for name in modules if name.startswith("risico.synth.") and name != "risico.synth.params")}


def test_the_registry_lists_each_command_once_in_pipeline_order():
    names = [command.name for command in cli.REGISTRY]
    assert len(names) == len(set(names))
    assert list(cli.COMMANDS) == names == list(cli.HELPS)
    assert names.index("generate") < names.index("ingest") < names.index("validate") < names.index("features")


@pytest.mark.parametrize("command", cli.REGISTRY, ids=lambda command: command.name)
def test_the_registry_help_is_the_module_help(command):
    module = importlib.import_module(command.module)
    assert command.help == module.HELP, f"copy {command.module}.HELP into cli.REGISTRY"
    assert callable(module.add_arguments) and callable(module.run)


def test_top_level_help_imports_no_command_and_no_heavy_library():
    found = imported_after("cli.build_parser()", "try: cli.main(['--help'])", "except SystemExit: pass")
    assert found == {"commands": [], "heavy": [], "generator": []}


def test_where_imports_its_own_module_only():
    found = imported_after("cli.main(['where'])")
    assert found == {"commands": ["risico.where"], "heavy": [], "generator": []}


def test_stages_after_generate_do_not_import_the_generator():
    found = imported_after("import risico.ingest.stage, risico.validate.stage, risico.features.provider_stage")
    assert found["generator"] == []


def test_top_level_help_lists_every_command_with_its_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "500")  # no wrapped lines
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    assert stop.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for command in cli.REGISTRY:
        assert f"{command.name} {command.help}" in out


@pytest.mark.parametrize("command", cli.REGISTRY, ids=lambda command: command.name)
def test_command_help_shows_the_full_options(command, capsys):
    own = argparse.ArgumentParser()
    importlib.import_module(command.module).add_arguments(own)
    options = [option for action in own._actions for option in action.option_strings if option != "-h"]
    with pytest.raises(SystemExit) as stop:
        cli.main([command.name, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: risico {command.name} ")
    assert options and all(option in out for option in options)


@pytest.mark.parametrize(("argv", "command"), [
    (["where"], "where"),
    (["--quiet", "--debug", "features", "--params", "p.yaml"], "features"),
    (["--help"], None),
    ([], None),
    (["nope", "where"], "nope"),
])
def test_the_command_is_the_first_word_that_is_not_an_option(argv, command):
    assert cli.command_in(argv) == command


def test_an_unknown_command_is_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["nope"])
    assert stop.value.code == 2
    assert "risico: error: argument <command>: invalid choice: 'nope' (choose from 'generate', " in capsys.readouterr().err


def test_a_risico_error_is_one_line_and_exit_code_2(tmp_path, capsys):
    missing = tmp_path / "dvc.yaml"
    assert cli.main(["where", "--dvc-yaml", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == f"risico where: error: {missing} is missing or has no 'stages'; run from the project folder.\n"


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(ParamError, match="is missing or has no 'stages'"):
        cli.main(["--debug", "where", "--dvc-yaml", str(tmp_path / "dvc.yaml")])
