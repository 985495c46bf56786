"""The tamper catalogue of the approved artifacts in use (issue 13, items 3 and 4).

What is checked is what is used: the worklist scores with the bytes the gate hashed, at the capacity and random
share the audit measured at. Governance writes are all or nothing: worklist folder, receipt, sealed route file and
log line appear together or not at all. Each attack runs through the real command line on a small pipeline run and
checks its exact one-line message and what is left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import types

import pandas as pd
import pytest

import risico.governance.worklist as worklist_module
from risico.cli import main
from risico.errors import RisicoError
from risico.governance.decisions import artifact_hashes, make_decision, write_decision
from risico.governance.keys import sign_record
from risico.governance.routes import StagedRoutes, read_routes

from tests.governance.conftest import committee_key  # noqa: F401 - a fixture
from tests.governance.test_worklist import BATCH, project, set_param  # noqa: F401 - project is a fixture

LOG = "governance/usage-log.jsonl"
ROUTES = "governance/routes"


def approve():
    assert main(["approve", "--decision", "approve", "--committee", "Ethische commissie", "--date", "2026-11-29",
                 "--conditions", "Alleen met 10% aselecte steekproef.", "--yes"]) == 0


def worklist(out="out"):
    return main(["worklist", "--batch", BATCH, "--out", out])


def scores(out):
    """The route file's cases of the run whose receipt is in ``out`` (scores by case)."""
    run_id = json.loads((out / "receipt.json").read_text())["run_id"]
    routes = read_routes(out.parent / ROUTES)
    return routes[routes["run_id"] == run_id].set_index("case_id")["score"].sort_index()


def left_behind(project):
    """Everything a worklist run may write: route files, the log, output folders, temporaries and locks."""
    found = [p for p in project.rglob("*") if p.name.endswith((".tmp", ".old", ".lock"))]
    found += [project / name for name in ("out", "b", LOG) if (project / name).exists()]
    return found + sorted((project / ROUTES).glob("*")) if (project / ROUTES).exists() else found


def fail(message):
    def raise_(*args, **kwargs):
        raise RisicoError(message)
    return raise_


# -- what is checked is what is used -----------------------------------------------------------------------------

def test_a_model_swapped_mid_run_is_never_used(project, monkeypatch):
    approve()
    assert worklist("a") == 0
    approved = artifact_hashes({"model": project / "models" / "ebm.pkl"})["model"]
    other = (project / "models" / "hgb.pkl").read_bytes()
    features = worklist_module._batch_features

    def swap_then_features(*args, **kwargs):       # after the gate hashed the model, before it is unpickled
        (project / "models" / "ebm.pkl").write_bytes(other)
        return features(*args, **kwargs)

    monkeypatch.setattr(worklist_module, "_batch_features", swap_then_features)
    assert worklist("b") == 0
    assert (project / "models" / "ebm.pkl").read_bytes() == other           # the swap did happen
    pd.testing.assert_series_equal(scores(project / "b"), scores(project / "a"))   # scored with the approved bytes
    line = json.loads((project / LOG).read_text().splitlines()[-1])
    assert line["model_hash"] == approved
    monkeypatch.setattr(worklist_module, "_batch_features", features)
    assert worklist("c") == 2                                                # the next run sees the swap
    assert not (project / "c").exists()


def test_training_data_swapped_after_the_gate_is_never_used(project, monkeypatch):
    approve()
    assert worklist("a") == 0
    gate = worklist_module.check_gate
    applications = project / "data" / "interim" / "applications.parquet"

    def gate_then_swap(*args, **kwargs):
        decision = gate(*args, **kwargs)
        pd.read_parquet(applications).head(10).to_parquet(applications)     # a history of ten applications
        return decision

    monkeypatch.setattr(worklist_module, "check_gate", gate_then_swap)
    assert worklist("b") == 0
    pd.testing.assert_series_equal(scores(project / "b"), scores(project / "a"))
    assert (project / "a" / "worklist.csv").read_bytes() == (project / "b" / "worklist.csv").read_bytes()


def test_a_capacity_raised_without_a_new_audit_is_refused(project, capsys):
    approve()
    decision = json.loads(next((project / "governance" / "decisions").glob("*.json")).read_text())
    set_param("worklist.capacity", 600)
    assert worklist() == 2
    assert capsys.readouterr().err == (
        f"risico worklist: error: The 'capacity' parameter of worklist is 600, but decision {decision['record_id']} "
        "approved the audit measured at 40. Set it back to 40, or re-run the audit at 600 (dvc repro) and record a "
        "new decision (python -m risico approve ...).\n")
    assert left_behind(project) == []


def test_approve_refuses_a_capacity_the_audit_did_not_measure(project, capsys):
    set_param("worklist.capacity", 600)
    assert main(["approve", "--decision", "approve", "--committee", "Ethische commissie", "--date", "2026-11-29",
                 "--conditions", "Zonder nieuwe audit.", "--yes"]) == 2
    assert capsys.readouterr().err == (
        "risico approve: error: The 'capacity' parameter of worklist is 600, but the audit reports/audit/audit.json "
        "was measured at 40. Re-run the audit at 600 (dvc repro) before the committee decides, or set it back to "
        "40.\n")
    assert not (project / "governance" / "decisions").exists()


def test_a_decision_that_binds_no_capacity_is_refused(project, capsys, committee_key):
    hashes = artifact_hashes({"model": project / "models" / "ebm.pkl", "audit": project / "reports/audit/audit.json",
                              "params": project / "params.yaml", "training_data": project / "data" / "interim"})
    record = make_decision(decision="approve", committee="Ethische commissie", date=dt.date(2026, 11, 29),
                           conditions="Vastgelegd voor de binding.", valid_until=None, hashes=hashes, verdict="ok",
                           dilemmas=[], previous=None)
    write_decision(sign_record(record, committee_key), project / "governance" / "decisions")
    assert worklist() == 2
    assert capsys.readouterr().err == (
        f"risico worklist: error: Decision {record['record_id']} binds no capacity and random share (it was recorded "
        "before they were bound): the worklist is refused until the committee records a new decision "
        "(python -m risico approve ...).\n")
    assert left_behind(project) == []


# -- governance writes: all or nothing ------------------------------------------------------------------------------

STEPS = {   # a failure at each step of the write phase, in order
    "worklist files": ("risico.governance.sheets.write_csv", None),
    "route file staged": ("risico.governance.routes.stage_routes", None),
    "log line": ("risico.governance.usage_log.append_usage", None),
    "receipt": ("risico.governance.worklist.write_json", None),
    "route file published": (StagedRoutes, "publish"),
    "marker": ("risico.io._write_marker", None),
    "rename into place": ("risico.io._swap", None),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_failure_at_any_step_leaves_nothing_behind(project, capsys, monkeypatch, step):
    approve()
    target, attribute = STEPS[step]
    if attribute:
        monkeypatch.setattr(target, attribute, fail(f"injected failure: {step}"))
    else:
        monkeypatch.setattr(target, fail(f"injected failure: {step}"))
    assert worklist() == 2
    assert capsys.readouterr().err == f"risico worklist: error: injected failure: {step}\n"
    assert left_behind(project) == []


def test_a_failure_after_earlier_runs_removes_only_its_own_line_and_route_file(project, monkeypatch):
    approve()
    assert worklist("a") == 0
    log, routes = (project / LOG).read_bytes(), sorted((project / ROUTES).iterdir())
    monkeypatch.setattr("risico.io._swap", fail("injected failure: rename into place"))
    assert worklist("b") == 2
    assert (project / LOG).read_bytes() == log and sorted((project / ROUTES).iterdir()) == routes
    assert not (project / "b").exists() and not [p for p in project.rglob("*") if p.name.endswith(".tmp")]
    assert main(["verify-log"]) == 0


def test_a_broken_log_refuses_the_run_and_leaves_no_route_file(project, capsys):
    approve()
    assert worklist("a") == 0
    (project / LOG).write_text((project / LOG).read_text().replace('"n_rejected":0', '"n_rejected":1'))
    log, routes = (project / LOG).read_bytes(), sorted((project / ROUTES).iterdir())
    capsys.readouterr()
    assert worklist("b") == 2
    assert capsys.readouterr().err == (
        f"risico worklist: error: Usage log {LOG} is broken, so nothing was appended: line 1 was altered: its content "
        f"no longer matches its hash (1 problem(s) in all). Check it with `python -m risico verify-log --log {LOG}` "
        "and restore it from a backup.\n")
    assert (project / LOG).read_bytes() == log and sorted((project / ROUTES).iterdir()) == routes
    assert not (project / "b").exists() and not [p for p in project.rglob("*") if p.name.endswith(".tmp")]


def test_a_symlinked_out_is_refused_before_anything_is_written(project, capsys):
    approve()
    (project / "elsewhere").mkdir()
    (project / "out").symlink_to(project / "elsewhere")
    assert worklist() == 2
    assert capsys.readouterr().err == (
        f"risico worklist: error: Option --out 'out' is a symbolic link (to '{project / 'elsewhere'}'); risico does "
        "not write through links. Allowed: a new folder, an empty folder, or an earlier output of 'risico "
        "worklist'.\n")
    assert list((project / "elsewhere").iterdir()) == []
    assert not (project / LOG).exists() and not (project / ROUTES).exists()
    assert not [p for p in project.rglob("*") if p.name.endswith(".tmp")]


def test_a_file_put_into_out_during_the_run_is_kept_and_nothing_is_logged(project, capsys, monkeypatch):
    approve()
    import risico.governance.sheets as sheets
    write_csv = sheets.write_csv

    def write_then_intrude(*args, **kwargs):
        write_csv(*args, **kwargs)
        (project / "out").mkdir(exist_ok=True)
        (project / "out" / "mine.txt").write_text("keep")

    monkeypatch.setattr(sheets, "write_csv", write_then_intrude)
    assert worklist() == 2
    assert capsys.readouterr().err == (
        "risico worklist: error: Option --out 'out' changed during the run (mine.txt); it was left untouched and "
        "nothing of this run was kept (no worklist, route file or log line). Choose a new --out folder and run "
        "again.\n")
    assert [p.name for p in (project / "out").iterdir()] == ["mine.txt"]
    assert (project / "out" / "mine.txt").read_text() == "keep"
    assert not (project / LOG).exists() and not (project / ROUTES).exists()
    assert not [p for p in project.rglob("*") if p.name.endswith((".tmp", ".lock"))]


def test_a_concurrent_run_is_refused_while_the_first_writes(project, capsys, monkeypatch):
    approve()
    import risico.governance.sheets as sheets
    write_csv, second = sheets.write_csv, []

    def write_and_start_another(*args, **kwargs):
        if not second:
            second.append(worklist())                 # the same --out, while the first holds the locks
            second.append(capsys.readouterr().err)
        write_csv(*args, **kwargs)

    monkeypatch.setattr(sheets, "write_csv", write_and_start_another)
    assert worklist() == 0
    assert second == [2, (
        f"risico worklist: error: The governance folder 'governance' is in use by 'risico worklist' (pid {os.getpid()} "
        f"on {socket.gethostname()}); wait until it has finished. Lock file: 'governance/.risico.lock'.\n")]
    assert len((project / LOG).read_text().splitlines()) == 1 and len(list((project / ROUTES).iterdir())) == 1


def test_a_second_run_on_the_same_out_never_replaces_the_first(project, capsys):
    approve()
    assert worklist() == 0
    first = (project / "out" / "worklist.csv").read_bytes()
    assert worklist() == 2
    assert capsys.readouterr().err == (
        "risico worklist: error: Folder out already holds files (.risico-output, receipt.json, worklist.csv). A worklist is never "
        "overwritten: choose a new --out folder.\n")
    assert (project / "out" / "worklist.csv").read_bytes() == first
    assert len((project / LOG).read_text().splitlines()) == 1 and len(list((project / ROUTES).iterdir())) == 1


def test_a_log_line_dated_before_its_predecessor_is_refused(project, capsys, monkeypatch):
    approve()
    assert worklist("a") == 0
    logged = json.loads((project / LOG).read_text())["timestamp"]
    earlier = dt.datetime.fromisoformat(logged) - dt.timedelta(hours=1)

    class Earlier(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return earlier

    monkeypatch.setattr(worklist_module, "dt", types.SimpleNamespace(datetime=Earlier, date=dt.date,
                                                                     timezone=dt.timezone))
    capsys.readouterr()
    assert worklist("b") == 2
    assert capsys.readouterr().err == (
        f"risico worklist: error: The usage entry is dated {earlier.isoformat()}, before line 1 of "
        f"{LOG} ({logged}). A line may not be dated before the line before it: check the computer's clock.\n")
    assert len(list((project / ROUTES).iterdir())) == 1 and not (project / "b").exists()


# -- verify-log: runs and route files match, and the log exists while route files do --------------------------

def test_verify_log_fails_on_a_deleted_log_while_route_files_exist(project, capsys):
    approve()
    assert worklist() == 0
    (project / LOG).unlink()
    route = next((project / ROUTES).iterdir()).name
    assert main(["verify-log"]) == 2
    assert capsys.readouterr().err == (
        f"risico verify-log: error: Usage log {LOG} does not exist, but {ROUTES} holds 1 sealed route file(s) "
        f"({route}): the log was deleted or moved. Restore it from a backup.\n")


def test_verify_log_reports_a_run_whose_route_file_is_gone(project, capsys):
    approve()
    assert worklist("a") == 0 and worklist("b") == 0
    run_id = json.loads((project / "b" / "receipt.json").read_text())["run_id"]
    (project / ROUTES / f"{run_id}.json").unlink()
    capsys.readouterr()
    assert main(["verify-log"]) == 2
    assert capsys.readouterr().err == (
        f"risico verify-log: error: Usage log {LOG} is not intact: line 2 (run {run_id}) has no route file "
        f"{ROUTES}/{run_id}.json: it was removed, or the run did not finish writing (1 problem(s) in all). Keep this "
        "copy as evidence and restore the log from a backup.\n")
