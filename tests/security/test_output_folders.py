"""The tamper catalogue of output folders (issue 13, item 1): no command deletes what it did not make.

Each attack runs through the real command line and checks the exact one-line message and that nothing under the
test's folder was written or removed (every file's bytes, every folder and link, before and after).

Layout, with ``HOME`` and the working folder inside ``tmp_path``::

    home/                 HOME
      etc/passwd          something to protect
      work/project/       the working folder
        data/raw/         the world's Parquet tables (input of export-csv, ingest, audit-scores' neighbour)
        data/extracts/    a municipality's file (input --files of ingest)
        data/scores.csv   a scored table (input of audit-scores)
        sub/              a subfolder to run from
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import risico
from risico import io as rio
from risico.cli import main
from risico.errors import RisicoError
from risico.io import MARKER, atomic_dir, atomic_file, governance_lock, write_parquet
from tests.conftest import repo_params, set_key

ALLOWED = "Allowed: a new folder, an empty folder, or an earlier output of 'risico {command}'."


@pytest.fixture(scope="module")
def world(make_params):
    from risico.synth import generate_world
    return generate_world(make_params(n_persons=300))


@pytest.fixture
def project(tmp_path, monkeypatch, world):
    home = tmp_path / "home"
    root = home / "work" / "project"
    (home / "etc").mkdir(parents=True)
    (home / "etc" / "passwd").write_text("root:x:0:0\n")
    (root / "data" / "raw").mkdir(parents=True)
    for name, frame in world.raw.items():
        write_parquet(frame, root / "data" / "raw" / f"{name}.parquet")
    (root / "data" / "extracts").mkdir()
    (root / "data" / "extracts" / "persons.csv").write_text("person_id;age\r\nP1;40\r\n", encoding="utf-8")
    rng = np.random.default_rng(0)
    pd.DataFrame({"score": rng.random(120), "label": rng.integers(0, 2, 120),
                  "group": rng.choice(["a", "b"], 120)}).to_csv(root / "data" / "scores.csv", index=False)
    (root / "sub").mkdir()
    params = set_key(repo_params(), "data.source", "synthetic")
    params = set_key(params, "generate.n_persons", 300)
    (root / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(root)
    return root


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry below ``folder``: file bytes, link targets, and folders."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        found[key] = (("link", os.readlink(path)) if path.is_symlink() else path.read_bytes() if path.is_file()
                      else "folder")
    return found


def export_csv(out: str) -> list[str]:
    return ["export-csv", "--raw", "data/raw", "--out", out]


def ingest(out: str, files: str = "data/extracts") -> list[str]:
    return ["ingest", "--params", "params.yaml", "--synthetic", "data/raw", "--files", files, "--out", out]


def audit_scores(out: str, table: str = "data/scores.csv") -> list[str]:
    return ["audit-scores", "--input", table, "--score", "score", "--label", "label", "--sensitive", "group",
            "--top-k", "20", "--n-boot", "20", "--min-group-size", "5", "--out", out]


def generate(raw: str) -> list[str]:
    return ["generate", "--params", "params.yaml", "--raw", raw, "--truth", "data/truth"]


def run(argv: list[str], capsys) -> tuple[int, str]:
    capsys.readouterr()
    status = main(["--quiet", *argv])
    return status, capsys.readouterr().err


def warnings(caplog) -> list[str]:
    found = [r.getMessage() for r in caplog.records if r.name == "risico.io"]
    caplog.clear()
    return found


# -- the catalogue: each attack is refused with its exact message, and nothing is written or removed --------------
def _setup_link(root: Path) -> None:
    (root / "link").symlink_to(root.parents[1] / "etc")


def _setup_file(root: Path) -> None:
    (root / "notes.txt").write_text("mine\n")


def _setup_unmarked(root: Path) -> None:
    (root / "mine").mkdir()
    (root / "mine" / "thesis.docx").write_bytes(b"years of work")


def _setup_forged_marker(root: Path) -> None:
    """A marker that lists only some of the files: the rest is not risico's."""
    (root / "old").mkdir()
    (root / "old" / "persons.csv").write_text("x\n")
    (root / "old" / "thesis.docx").write_bytes(b"years of work")
    (root / "old" / MARKER).write_text(json.dumps({"command": "export-csv", "files": ["persons.csv"]}))


def _setup_broken_marker(root: Path) -> None:
    (root / "old").mkdir()
    (root / "old" / MARKER).write_text("{not json")


def _setup_subfolder(root: Path) -> None:
    os.chdir(root / "sub")


ATTACKS = [
    # (id, argv, setup, message)
    ("dot", export_csv("."), None,
     "Option --out '.' is the working folder; risico never writes its output over it. " + ALLOWED),
    ("dotdot", export_csv(".."), None,
     "Option --out '..' is a folder that holds the working folder; risico never writes its output over it. "
     + ALLOWED),
    ("empty", export_csv(""), None, "Option --out is empty (an unset shell variable?). " + ALLOWED),
    ("blank", export_csv("  "), None, "Option --out is empty (an unset shell variable?). " + ALLOWED),
    ("root", export_csv("/"), None,
     "Option --out '/' is the root folder; risico never writes its output over it. " + ALLOWED),
    ("x-dotdot", export_csv("data/.."), None,
     "Option --out 'data/..' is the working folder; risico never writes its output over it. " + ALLOWED),
    ("home-relative", export_csv("../.."), None,
     "Option --out '../..' is the home folder; risico never writes its output over it. " + ALLOWED),
    ("above-home", export_csv("../../.."), None,
     "Option --out '../../..' is a folder that holds the working folder; risico never writes its output over it. "
     + ALLOWED),
    ("up-from-subfolder", export_csv("../../../etc"), _setup_subfolder,
     "Option --out '../../../etc' holds files risico did not write (passwd); risico never deletes them. " + ALLOWED),
    ("file-from-subfolder", export_csv("../../../etc/passwd"), _setup_subfolder,
     "Option --out '../../../etc/passwd' is a file, not a folder. " + ALLOWED),
    ("out-is-input", export_csv("data/raw"), None,
     "Option --out 'data/raw' is the input --raw 'data/raw'. Allowed: a folder apart from every input."),
    ("out-inside-input", export_csv("data/raw/csv"), None,
     "Option --out 'data/raw/csv' lies inside the input --raw 'data/raw'. Allowed: a folder apart from every input."),
    ("input-inside-out", export_csv("data"), None,
     "Option --out 'data' contains the input --raw 'data/raw'. Allowed: a folder apart from every input."),
    ("input-via-other-spelling", export_csv("sub/../data/raw"), None,
     "Option --out 'sub/../data/raw' is the input --raw 'data/raw'. Allowed: a folder apart from every input."),
    ("out-is-a-file", export_csv("notes.txt"), _setup_file,
     "Option --out 'notes.txt' is a file, not a folder. " + ALLOWED),
    ("out-below-a-file", export_csv("notes.txt/csv"), _setup_file,
     "Option --out 'notes.txt/csv' lies below a file, not a folder. " + ALLOWED),
    ("out-is-a-link", export_csv("link"), _setup_link,
     "Option --out 'link' is a symbolic link (to '{home}/etc'); risico does not write through links. " + ALLOWED),
    ("unmarked-folder", export_csv("mine"), _setup_unmarked,
     "Option --out 'mine' holds files risico did not write (thesis.docx); risico never deletes them. " + ALLOWED),
    ("forged-marker", export_csv("old"), _setup_forged_marker,
     "Option --out 'old' holds files risico did not write (thesis.docx); risico never deletes them. " + ALLOWED),
    ("broken-marker", export_csv("old"), _setup_broken_marker,
     "Option --out 'old' holds files risico did not write (.risico-output); risico never deletes them. " + ALLOWED),
    ("home-absolute", export_csv("{home}"), None,
     "Option --out '{home}' is the home folder; risico never writes its output over it. " + ALLOWED),
    ("ingest-out-is-files", ingest("data/extracts"), None,
     "Option --out 'data/extracts' is the input --files 'data/extracts'. Allowed: a folder apart from every input."),
    ("ingest-out-is-synthetic", ingest("data/raw"), None,
     "Option --out 'data/raw' is the input --synthetic 'data/raw'. Allowed: a folder apart from every input."),
    ("ingest-dot", ingest("."), None,
     "Option --out '.' is the working folder; risico never writes its output over it. "
     + ALLOWED.format(command="ingest")),
    ("audit-out-holds-input", audit_scores("data"), None,
     "Option --out 'data' contains the input --input 'data/scores.csv'. Allowed: a folder apart from every input."),
    # audit-scores reads --out as a Path, and Path("") is "." (left so: another helper owns its arguments)
    ("audit-empty", audit_scores(""), None,
     "Option --out '.' is the working folder; risico never writes its output over it. "
     + ALLOWED.format(command="audit-scores")),
    ("ingest-empty", ingest(""), None,
     "Option --out is empty (an unset shell variable?). " + ALLOWED.format(command="ingest")),
    ("audit-unmarked", audit_scores("../../../etc", table="../data/scores.csv"), _setup_subfolder,
     "Option --out '../../../etc' holds files risico did not write (passwd); risico never deletes them. "
     + ALLOWED.format(command="audit-scores")),
    ("generate-unmarked", generate("data/extracts"), None,
     "Output folder 'data/extracts' holds files risico did not write (persons.csv); risico never deletes them. "
     + ALLOWED.format(command="generate")),
]


@pytest.mark.parametrize(("argv", "setup", "message"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS])
def test_attack_is_refused_and_nothing_is_written_or_removed(project, capsys, argv, setup, message):
    home = project.parents[1]
    if setup is not None:
        setup(project)
    argv = [a.format(home=home) for a in argv]
    before = snapshot(home)
    status, err = run(argv, capsys)
    command = argv[0]
    assert (status, err) == (2, f"risico {command}: error: {message.format(home=home, command=command)}\n")
    assert snapshot(home) == before


def test_a_folder_without_write_permission_is_one_line(project, capsys, monkeypatch):
    (project / "locked").mkdir(mode=0o555)
    if os.geteuid() == 0:                     # root may write anywhere: let the check see what a user would
        real = os.access
        monkeypatch.setattr(rio.os, "access", lambda p, mode: False if Path(p).name == "locked" else real(p, mode))
    before = snapshot(project)
    assert run(export_csv("locked/csv"), capsys) == (2, "risico export-csv: error: Option --out 'locked/csv': no "
                                                        "permission to write in 'locked'. Allowed: a folder you may "
                                                        "write in.\n")
    assert snapshot(project) == before


# -- replacing an earlier output ----------------------------------------------------------------------------------
def test_an_earlier_output_of_the_same_command_is_replaced_and_says_so(project, capsys, caplog):
    assert run(export_csv("csv"), capsys) == (0, "") and warnings(caplog) == []
    first = snapshot(project / "csv")
    assert json.loads(first[MARKER])["command"] == "export-csv"
    (project / "csv" / "persons.csv").write_text("stale\n")          # risico's own file, changed: replaced
    assert run(export_csv("csv"), capsys) == (0, "")
    assert warnings(caplog) == ["Option --out 'csv': replacing the earlier output of 'risico export-csv'"]
    assert snapshot(project / "csv") == first
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == []   # no temporary, no lock


def test_the_marker_is_deterministic_and_lists_what_was_written(project, capsys):
    assert run(export_csv("a"), capsys)[0] == 0
    assert run(export_csv("b"), capsys)[0] == 0
    marker = (project / "a" / MARKER).read_bytes()
    assert marker == (project / "b" / MARKER).read_bytes()
    assert json.loads(marker) == {"command": "export-csv", "written_by": "risico",
                                  "files": sorted(p.name for p in (project / "a").iterdir() if p.name != MARKER)}


def test_an_empty_folder_is_used(project, capsys):
    (project / "empty").mkdir()
    assert run(export_csv("empty"), capsys) == (0, "")
    assert (project / "empty" / "persons.csv").is_file()


def test_another_commands_output_is_refused(project, capsys):
    assert run(export_csv("csv"), capsys)[0] == 0
    before = snapshot(project.parents[1])
    status, err = run(ingest("csv"), capsys)
    assert (status, err) == (2, "risico ingest: error: Option --out 'csv' holds the output of 'risico export-csv', "
                                "not of 'risico ingest'. " + ALLOWED.format(command="ingest") + "\n")
    assert snapshot(project.parents[1]) == before


def test_ingest_reads_an_export_csv_output_as_its_files(project, capsys, world, monkeypatch):
    """The marker in a folder of extracts does not trip the reader."""
    assert run(export_csv("extracts"), capsys)[0] == 0
    params = set_key(repo_params(), "data.source", "files")
    (project / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    assert run(ingest("ingested", files="extracts"), capsys)[0] == 0
    assert len(pd.read_parquet(project / "ingested" / "persons.parquet")) == len(world.raw["persons"])


def test_a_pipeline_stage_replaces_its_own_output_and_says_so_on_stderr(project):
    """Through ``python -m risico`` to see the real stderr."""
    env = {**os.environ, "PYTHONPATH": str(Path(risico.__file__).parents[1])}
    command = [sys.executable, "-m", "risico", "--quiet", *generate("data/world")]
    assert subprocess.run(command, env=env, capture_output=True, text=True).returncode == 0
    first = snapshot(project / "data" / "world")
    again = subprocess.run(command, env=env, capture_output=True, text=True)
    assert (again.returncode, again.stderr) == (0, (
        "WARNING risico.io: Output folder 'data/truth': replacing the earlier output of 'risico generate'\n"
        "WARNING risico.io: Output folder 'data/world': replacing the earlier output of 'risico generate'\n"))
    assert snapshot(project / "data" / "world") == first


def test_a_worklist_folder_is_never_replaced(tmp_path):
    with atomic_dir(tmp_path / "list", command="worklist", replace=False) as folder:
        (folder / "worklist.csv").write_text("a\n")
    before = snapshot(tmp_path)
    with pytest.raises(RisicoError) as caught:
        with atomic_dir(tmp_path / "list", command="worklist", option="--out", replace=False):
            pass
    assert str(caught.value) == (f"Option --out '{tmp_path / 'list'}' already holds the output of an earlier "
                                 "'risico worklist', which is never replaced. Allowed: a new or empty folder.")
    assert snapshot(tmp_path) == before


# -- failures during the run ----------------------------------------------------------------------------------------
def test_a_failure_mid_write_leaves_the_previous_output_and_no_temporary(project, capsys, monkeypatch):
    assert run(export_csv("csv"), capsys)[0] == 0
    before = snapshot(project)
    calls = []

    def failing(frame, path, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        path.write_text("partial\n")

    monkeypatch.setattr("risico.ingest.export.to_dutch_csv", failing)
    with pytest.raises(OSError, match="No space left"):
        main(["--quiet", *export_csv("csv")])
    assert snapshot(project) == before                      # old output intact, no .tmp sibling, no lock


def test_a_file_dropped_into_the_target_during_the_run_is_kept(project, capsys, monkeypatch):
    assert run(export_csv("csv"), capsys)[0] == 0
    from risico.ingest import export

    original = export.to_dutch_csv

    def dropping(frame, path, **kwargs):
        (project / "csv" / "notes.txt").write_text("mine\n")   # a person saves a file there meanwhile
        original(frame, path, **kwargs)

    monkeypatch.setattr(export, "to_dutch_csv", dropping)
    status, err = run(export_csv("csv"), capsys)
    kept = [p for p in project.iterdir() if p.name.startswith(".csv.")]
    assert len(kept) == 1 and (kept[0] / "persons.csv").is_file()
    assert (status, err) == (2, f"risico export-csv: error: Option --out 'csv' changed during the run (notes.txt); "
                                f"it was left untouched and the new output is in '{kept[0]}'.\n")
    assert (project / "csv" / "notes.txt").read_text() == "mine\n"
    assert (project / "csv" / MARKER).is_file()


def test_a_file_dropped_into_a_new_target_during_the_run_is_kept(project, capsys, monkeypatch):
    from risico.ingest import export

    original = export.to_dutch_csv

    def dropping(frame, path, **kwargs):
        (project / "csv").mkdir(exist_ok=True)
        (project / "csv" / "notes.txt").write_text("mine\n")
        original(frame, path, **kwargs)

    monkeypatch.setattr(export, "to_dutch_csv", dropping)
    status, err = run(export_csv("csv"), capsys)
    kept = [p for p in project.iterdir() if p.name.startswith(".csv.")]
    assert status == 2 and err == (f"risico export-csv: error: Option --out 'csv' changed during the run "
                                   f"(notes.txt); it was left untouched and the new output is in '{kept[0]}'.\n")
    assert sorted(p.name for p in (project / "csv").iterdir()) == ["notes.txt"]


def test_a_failed_rename_restores_the_previous_output(project, capsys, monkeypatch):
    assert run(export_csv("csv"), capsys)[0] == 0
    before = snapshot(project / "csv")
    real = os.rename

    def rename(src, dst):
        if Path(src).name.endswith(".tmp"):
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(rio.os, "rename", rename)
    with pytest.raises(OSError, match="Input/output"):
        main(["--quiet", *export_csv("csv")])
    assert snapshot(project / "csv") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".csv.") and p.name.endswith(".old")]


# -- locks ----------------------------------------------------------------------------------------------------------
HOLD = """
import sys
from risico.io import atomic_dir, governance_lock, running
with running(sys.argv[2]):
    lock = governance_lock(sys.argv[1]) if sys.argv[3] == "governance" else atomic_dir(sys.argv[1])
    with lock:
        print("held", flush=True)
        sys.stdin.readline()
        raise SystemExit(0)
"""


def _holder(cwd: Path, target: str, command: str, kind: str = "output") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(risico.__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, target, command, kind], cwd=cwd, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == "held\n"
    return proc


def test_a_second_concurrent_run_is_refused_naming_the_holder(project, capsys):
    proc = _holder(project, "csv", "export-csv")
    try:
        before = snapshot(project.parents[1])
        status, err = run(export_csv("csv"), capsys)
        assert (status, err) == (2, f"risico export-csv: error: Option --out 'csv' is in use by 'risico export-csv' "
                                    f"(pid {proc.pid} on {socket.gethostname()}); wait until it has finished. "
                                    f"Lock file: '.csv.lock'.\n")
        assert snapshot(project.parents[1]) == before
    finally:
        proc.communicate("\n", timeout=60)
    assert proc.returncode == 0
    assert run(export_csv("csv"), capsys) == (0, "")           # free again once the holder is done
    assert not (project / ".csv.lock").exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over(project, capsys, caplog):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (project / ".csv.lock").write_text(json.dumps({"command": "export-csv", "host": socket.gethostname(),
                                                   "pid": pid}))
    assert run(export_csv("csv"), capsys) == (0, "")
    assert warnings(caplog) == [f"taking over the stale lock '.csv.lock' of 'risico export-csv' "
                                f"(pid {pid} on {socket.gethostname()}, no longer running)"]
    assert (project / "csv" / "persons.csv").is_file() and not (project / ".csv.lock").exists()


def test_the_governance_folder_has_one_lock_for_all_its_writers(tmp_path):
    proc = _holder(tmp_path, "governance/decisions", "approve", "governance")
    try:
        with pytest.raises(RisicoError) as caught:
            with governance_lock(tmp_path / "governance" / "usage-log.jsonl", command="worklist"):
                pass
        assert str(caught.value) == (f"The governance folder '{tmp_path / 'governance'}' is in use by "
                                     f"'risico approve' (pid {proc.pid} on {socket.gethostname()}); wait until it "
                                     f"has finished. Lock file: '{tmp_path / 'governance' / '.risico.lock'}'.")
    finally:
        proc.communicate("\n", timeout=60)
    with governance_lock(tmp_path / "governance" / "routes", command="worklist"):
        assert (tmp_path / "governance" / ".risico.lock").is_file()
    assert sorted(p.name for p in (tmp_path / "governance").iterdir()) == []


# -- single files ---------------------------------------------------------------------------------------------------
def test_atomic_file_refuses_a_folder_and_a_link(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "target.txt").write_text("keep\n")
    (tmp_path / "link.json").symlink_to(tmp_path / "target.txt")
    before = snapshot(tmp_path)
    with pytest.raises(RisicoError, match=r"^Output file '.*folder' is a folder\. Allowed: a file path\.$"):
        with atomic_file(tmp_path / "folder"):
            pass
    with pytest.raises(RisicoError) as caught:
        with atomic_file(tmp_path / "link.json"):
            pass
    assert str(caught.value) == (f"Output file '{tmp_path / 'link.json'}' is a symbolic link (to "
                                 f"'{tmp_path / 'target.txt'}'); risico does not write through links.")
    assert snapshot(tmp_path) == before
