"""The usage log: a hash chain that shows every edit, removal, insertion and reordering of worklist runs."""

import argparse
import json

import pytest

from risico.errors import RisicoError
from risico.governance import verify_log as verify_command
from risico.governance.usage_log import (GENESIS, REQUIRED, UsageLogError, append_usage, line_hash, retract_usage,
                                        verify_log)


def entry(n: int = 1, **changes):
    base = {"timestamp": f"2026-11-{n:02d}T10:15:00+01:00", "user": "j.jansen", "decision_id": "D-20261129-0a1b2c3d",
            "model_hash": "a" * 64, "batch_hash": f"{n:064x}", "n_scored": 1000 + n,
            "n_selected": {"risk": 40, "random": 4}, "outputs": {"worklist.csv": "c" * 64}}
    return {**base, **changes}


@pytest.fixture()
def log(tmp_path):
    path = tmp_path / "governance" / "usage-log.jsonl"
    for n in (1, 2, 3):
        append_usage(path, entry(n))
    return path


def lines(path):
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def write(path, rows):
    path.write_text("".join(rows), encoding="utf-8")


def cli(path, expect_head=None, routes=None):
    verify_command.run(argparse.Namespace(log=path, expect_head=expect_head, routes=routes))


def test_three_appends_make_an_intact_chain(log):
    records = [json.loads(row) for row in lines(log)]
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[0]["prev_hash"] == GENESIS
    assert [r["prev_hash"] for r in records[1:]] == [r["hash"] for r in records[:2]]
    assert all(line_hash(r) == r["hash"] for r in records)
    assert all(row == json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
               for row, r in zip(lines(log), records, strict=True))
    report = verify_log(log)
    assert (report.exists, report.n_lines, report.head_hash, report.problems) == (True, 3, records[2]["hash"], [])


def test_append_returns_the_line_written(tmp_path):
    path = tmp_path / "usage-log.jsonl"
    written = append_usage(path, entry(1, note="extra fields are kept and hashed"))
    assert json.loads(path.read_text(encoding="utf-8")) == written
    assert written["note"] == "extra fields are kept and hashed" and written["seq"] == 1


def test_an_altered_field_in_line_2_is_detected(log):
    rows = lines(log)
    record = json.loads(rows[1])
    record["n_selected"]["risk"] = 39
    rows[1] = json.dumps(record, sort_keys=True) + "\n"
    write(log, rows)
    assert verify_log(log).problems == ["line 2 was altered: its content no longer matches its hash"]


def test_an_altered_and_rehashed_line_breaks_the_link_to_the_next(log):
    rows = lines(log)
    record = json.loads(rows[1])
    record["user"] = "someone.else"
    record["hash"] = line_hash(record)
    rows[1] = json.dumps(record, sort_keys=True) + "\n"
    write(log, rows)
    assert verify_log(log).problems == [
        "line 3: its prev_hash matches no line in the log, not line 2: the line before it was removed "
        "(or altered and re-hashed)"]


def test_a_removed_line_2_is_detected(log):
    rows = lines(log)
    write(log, [rows[0], rows[2]])
    assert verify_log(log).problems == [
        "line 2: its prev_hash matches no line in the log, not line 1: the line before it was removed "
        "(or altered and re-hashed)",
        "line 2 has seq 3, expected 2: lines were removed, inserted or reordered"]


def test_swapped_lines_are_detected(log):
    rows = lines(log)
    write(log, [rows[0], rows[2], rows[1]])
    problems = verify_log(log).problems
    assert problems[0] == ("line 2 follows line 3 in the chain, which comes after it in the file: "
                           "lines were reordered")
    assert "line 3 follows line 1 in the chain, not line 2: lines were inserted or moved between them" in problems
    assert problems[-1] == ("line 3 is dated 2026-11-02T10:15:00+01:00, before line 2 (2026-11-03T10:15:00+01:00): "
                            "lines were reordered or a clock was set back")
    assert len(problems) == 5  # a broken link and a wrong seq on each of the two lines, and line 3 dated back


def test_an_inserted_line_is_detected(log):
    rows = lines(log)
    forged = {**entry(9, timestamp="2026-11-01T12:00:00+01:00"), "seq": 2, "prev_hash": json.loads(rows[0])["hash"]}
    forged["hash"] = line_hash(forged)
    write(log, [rows[0], json.dumps(forged, sort_keys=True) + "\n", *rows[1:]])
    assert verify_log(log).problems == [
        "line 3 follows line 1 in the chain, not line 2: lines were inserted or moved between them",
        "line 3 has seq 2, expected 3: lines were removed, inserted or reordered"]


def test_a_line_that_is_not_json_is_detected(log):
    rows = lines(log)
    rows[1] = rows[1][:40] + "\n"
    write(log, rows)
    assert verify_log(log).problems == ["line 2 is not valid JSON (damaged, or an append was interrupted)"]


def test_a_truncated_tail_is_detected_only_against_an_expected_head(log):
    head = json.loads(lines(log)[2])["hash"]
    write(log, lines(log)[:2])
    # The chain alone cannot see it: a shorter chain is still a valid chain (see the module docstring).
    assert verify_log(log).problems == []
    assert verify_log(log, expected_head=head).problems == [
        f"the expected head {head} is not in the log: lines were removed from its end (truncated) "
        "or the whole chain was rewritten"]


def test_an_expected_head_further_back_in_an_intact_log_is_fine(log):
    first = json.loads(lines(log)[0])["hash"]
    assert verify_log(log, expected_head=first).problems == []


def test_a_missing_log_is_empty_and_says_so(tmp_path):
    report = verify_log(tmp_path / "none.jsonl")
    assert (report.exists, report.n_lines, report.head_hash, report.problems) == (False, 0, GENESIS, [])


def test_appending_to_a_broken_log_is_refused_and_writes_nothing(log):
    rows = lines(log)
    write(log, [rows[0], rows[2]])
    before = log.read_bytes()
    with pytest.raises(UsageLogError) as caught:
        append_usage(log, entry(4))
    assert str(caught.value) == (
        f"Usage log {log} is broken, so nothing was appended: line 2: its prev_hash matches no line in the log, "
        "not line 1: the line before it was removed (or altered and re-hashed) (2 problem(s) in all). "
        f"Check it with `python -m risico verify-log --log {log}` and restore it from a backup.")
    assert log.read_bytes() == before


def test_a_missing_required_field_is_refused(tmp_path):
    path = tmp_path / "usage-log.jsonl"
    incomplete = {k: v for k, v in entry().items() if k not in ("user", "outputs")}
    with pytest.raises(UsageLogError) as caught:
        append_usage(path, incomplete)
    assert str(caught.value) == ("The usage entry misses field(s) user, outputs. Required: " + ", ".join(REQUIRED)
                                 + ".")
    assert not path.exists()


@pytest.mark.parametrize(("field", "value", "allowed"), [
    ("timestamp", "2026-11-29T10:15:00",
     "an ISO 8601 date and time with a time zone, e.g. '2026-11-29T10:15:00+01:00'"),
    ("model_hash", "abc", "a SHA-256 hash (64 hex digits, lowercase)"),
    ("n_scored", -1, "an int >= 0"),
    ("n_selected", {"risk": True}, "a non-empty mapping of route names to ints >= 0, e.g. {'risk': 40, 'random': 4}"),
])
def test_a_malformed_field_is_refused(tmp_path, field, value, allowed):
    with pytest.raises(UsageLogError) as caught:
        append_usage(tmp_path / "usage-log.jsonl", entry(**{field: value}))
    assert str(caught.value) == f"The '{field}' of a usage entry must be {allowed}. Got {value!r} instead."


def test_chain_fields_and_impossible_counts_are_refused(tmp_path):
    with pytest.raises(UsageLogError, match=r"^The usage entry sets seq, hash, which append_usage computes itself"):
        append_usage(tmp_path / "log.jsonl", entry(seq=1, hash="0" * 64))
    with pytest.raises(UsageLogError) as caught:
        append_usage(tmp_path / "log.jsonl", entry(n_scored=10))
    assert str(caught.value) == ("The 'n_selected' of a usage entry adds up to 44, more than n_scored 10. "
                                 "Only scored applications can be selected.")


def test_verify_log_command_reports_an_intact_log(log, capsys):
    head = json.loads(lines(log)[2])["hash"]
    cli(log, expect_head=head)
    assert capsys.readouterr().out == f"Usage log {log}: 3 runs, chain intact, head {head}\n"


def test_verify_log_command_says_when_there_is_no_log(tmp_path, capsys):
    cli(tmp_path / "usage-log.jsonl")
    assert capsys.readouterr().out == (f"Usage log {tmp_path / 'usage-log.jsonl'} does not exist: "
                                       "no worklist run has been logged yet (0 runs).\n")


def test_verify_log_command_fails_with_exit_code_2_on_a_broken_log(log, capsys):
    rows = lines(log)
    write(log, [rows[0], rows[2], rows[1]])
    with pytest.raises(RisicoError) as caught:
        cli(log)
    assert str(caught.value) == (
        f"Usage log {log} is not intact: line 2 follows line 3 in the chain, which comes after it in the file: "
        "lines were reordered (5 problem(s) in all). Keep this copy as evidence and restore the log from a backup.")
    assert capsys.readouterr().out.splitlines() == [f"  {p}" for p in verify_log(log).problems]  # all listed


def test_verify_log_command_through_the_cli_exits_2(log, capsys, monkeypatch):
    import risico.cli

    monkeypatch.setitem(risico.cli.COMMANDS, "verify-log", "risico.governance.verify_log")
    head = json.loads(lines(log)[2])["hash"]
    assert risico.cli.main(["verify-log", "--log", str(log), "--expect-head", head]) == 0
    write(log, lines(log)[:2])
    assert risico.cli.main(["verify-log", "--log", str(log), "--expect-head", head]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"risico verify-log: error: Usage log {log} is not intact: the expected head {head}")
    assert risico.cli.main(["verify-log", "--log", str(log), "--expect-head", "xyz"]) == 2
    assert capsys.readouterr().err == ("risico verify-log: error: The expected head of a usage log must be a SHA-256 "
                                       "hash (64 hex digits, lowercase). Got 'xyz' instead.\n")


# -- dates in order, retracting a failed run's line, and matching runs with their route files ---------------------

def test_a_line_dated_before_its_predecessor_is_refused_when_appended_and_when_verified(log):
    before = log.read_bytes()
    with pytest.raises(UsageLogError) as caught:
        append_usage(log, entry(2))
    assert str(caught.value) == (f"The usage entry is dated 2026-11-02T10:15:00+01:00, before line 3 of {log} "
                                 "(2026-11-03T10:15:00+01:00). A line may not be dated before the line before it: "
                                 "check the computer's clock.")
    assert log.read_bytes() == before
    other = log.with_name("other.jsonl")     # the same dates, rehashed in the wrong order: a valid chain
    for n in (1, 3, 2):
        row = json.loads(lines(log)[n - 1])
        rewritten = {k: v for k, v in row.items() if k not in ("seq", "prev_hash", "hash")}
        report = verify_log(other) if other.exists() else None
        line = {**rewritten, "seq": (report.n_lines if report else 0) + 1,
                "prev_hash": report.head_hash if report else GENESIS}
        line["hash"] = line_hash(line)
        with other.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
    assert verify_log(other).problems == [
        "line 3 is dated 2026-11-02T10:15:00+01:00, before line 2 (2026-11-03T10:15:00+01:00): "
        "lines were reordered or a clock was set back"]


def test_retract_removes_only_the_last_line_and_only_when_it_is_that_line(log):
    before = log.read_bytes()
    line = append_usage(log, entry(4))
    retract_usage(log, line)
    assert log.read_bytes() == before
    first = json.loads(lines(log)[0])
    with pytest.raises(UsageLogError) as caught:
        retract_usage(log, first)
    assert str(caught.value) == (f"Usage log {log}: the line of run {first['hash']} is not its last line, so nothing "
                                 f"was removed. Check it with `python -m risico verify-log --log {log}`.")
    assert log.read_bytes() == before


def sealed(folder, run_id, case_id="A-1"):
    import pandas as pd

    from risico.governance.routes import seal_routes

    cases = pd.DataFrame({"case_id": [case_id], "route": ["risk"], "rank": [1], "score": [0.9]})
    return seal_routes(cases, run_id=run_id, decision_id="D-1", created="2026-11-01T10:00:00+00:00", folder=folder)


@pytest.fixture()
def runs(tmp_path):
    """A log of two worklist runs, each with its sealed route file in governance/routes."""
    path = tmp_path / "governance" / "usage-log.jsonl"
    for n in (1, 2):
        file, digest = sealed(path.parent / "routes", f"W-{n}")
        append_usage(path, entry(n, run_id=f"W-{n}", routes_file=file.as_posix(), routes_sha256=digest))
    return path


def test_verify_log_matches_every_run_with_its_route_file(runs, capsys):
    cli(runs)
    assert capsys.readouterr().out.startswith(f"Usage log {runs}: 2 runs, chain intact")


@pytest.mark.parametrize(("change", "problem"), [
    (lambda routes: sealed(routes, "W-9"),
     "route file {routes}/W-9.json has no line in the log: the run that sealed it was not logged (or its line was "
     "removed)"),
    (lambda routes: (routes / "W-2.json").unlink(),
     "line 2 (run W-2) has no route file {routes}/W-2.json: it was removed, or the run did not finish writing"),
    (lambda routes: ((routes / "W-1.json").unlink(), sealed(routes, "W-1", case_id="A-7")),
     "route file {routes}/W-1.json is not the one line 1 recorded (its SHA-256 differs): it was replaced after the "
     "run"),
])
def test_verify_log_reports_runs_and_route_files_that_do_not_match(runs, capsys, change, problem):
    routes = runs.parent / "routes"
    change(routes)
    with pytest.raises(RisicoError) as caught:
        cli(runs)
    assert str(caught.value) == (f"Usage log {runs} is not intact: {problem.format(routes=routes)} (1 problem(s) in "
                                 "all). Keep this copy as evidence and restore the log from a backup.")
    assert capsys.readouterr().out == f"  {problem.format(routes=routes)}\n"


def test_a_missing_log_while_route_files_exist_is_a_failure(runs, capsys):
    runs.unlink()
    routes = runs.parent / "routes"
    with pytest.raises(RisicoError) as caught:
        cli(runs)
    assert str(caught.value) == (f"Usage log {runs} does not exist, but {routes} holds 2 sealed route file(s) "
                                 "(W-1.json, W-2.json): the log was deleted or moved. Restore it from a backup.")
    assert capsys.readouterr().out == ""
