"""``python -m risico verify-log``: check that the usage log of worklist runs is intact and complete.

It recomputes the hash chain of ``governance/usage-log.jsonl`` (see
:mod:`risico.governance.usage_log`), checks that no line is dated before the
line before it, and matches every logged run with its sealed route file in
``governance/routes/`` (by ``run_id``). It prints one line when all holds::

    Usage log governance/usage-log.jsonl: 12 runs, chain intact, head 3f7a...

Otherwise it lists every problem and stops with the first one and their count
(exit status 2): an altered, removed, inserted or reordered line, a line dated
before its predecessor, a route file without a log line (a run that was not
logged), a log line without its route file, a route file other than the one
its line recorded, and a missing log while route files exist. A chain alone
does not reveal lines deleted from its end; ``--expect-head`` with the hash
from a worklist run's ``receipt.json`` (or a copy kept elsewhere) does.
Log lines without a ``run_id`` (not written by ``worklist``) are not matched.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from risico.errors import RisicoError
from risico.governance.usage_log import LogReport, verify_log

__all__ = ["HELP", "add_arguments", "run", "route_problems"]

HELP = "check the hash chain of the usage log of worklist runs (EU AI Act art. 12)"
INTACT = "Usage log {path}: {n} runs, chain intact, head {head}"
MISSING = "Usage log {path} does not exist: no worklist run has been logged yet (0 runs)."
MISSING_WITH_ROUTES = ("Usage log {path} does not exist, but {routes} holds {n} sealed route file(s) ({first}): "
                       "the log was deleted or moved. Restore it from a backup.")
BROKEN = ("Usage log {path} is not intact: {first} ({count} problem(s) in all). Keep this copy as evidence "
          "and restore the log from a backup.")
NO_ROUTE_FILE = ("line {number} (run {run}) has no route file {file}: it was removed, or the run did not finish "
                 "writing")
OTHER_ROUTE_FILE = ("route file {file} is not the one line {number} recorded (its SHA-256 differs): it was replaced "
                    "after the run")
NOT_LOGGED = "route file {file} has no line in the log: the run that sealed it was not logged (or its line was removed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log", type=Path, default=Path("governance/usage-log.jsonl"),
                        help="the usage log (default: governance/usage-log.jsonl)")
    parser.add_argument("--routes", type=Path,
                        help="the sealed route files of the logged runs (default: 'routes' beside the log)")
    parser.add_argument("--expect-head", metavar="HASH",
                        help="a line hash kept outside the log (e.g. from a run's receipt.json); "
                             "detects lines removed from the end")


def route_files(folder: Path) -> dict[str, Path]:
    """The sealed route files in ``folder`` by run id (their name)."""
    return {p.stem: p for p in sorted(folder.glob("*.json")) if p.is_file()} if folder.is_dir() else {}


def route_problems(report: LogReport, folder: Path) -> list[str]:
    """One line per logged run without its route file (or with another one), and per route file without a run."""
    files, logged, problems = route_files(folder), set(), []
    for number, record in report.records:
        run = record.get("run_id")
        if not isinstance(run, str):
            continue
        logged.add(run)
        path = files.get(run)
        if path is None:
            problems.append(NO_ROUTE_FILE.format(number=number, run=run, file=folder / f"{run}.json"))
        elif "routes_sha256" in record and hashlib.sha256(path.read_bytes()).hexdigest() != record["routes_sha256"]:
            problems.append(OTHER_ROUTE_FILE.format(file=path, number=number))
    problems += [NOT_LOGGED.format(file=path) for run, path in files.items() if run not in logged]
    return problems


def run(args: argparse.Namespace) -> None:
    routes = args.routes or args.log.parent / "routes"
    report = verify_log(args.log, expected_head=args.expect_head)
    if not report.exists:
        files = list(route_files(routes).values())
        if files:
            raise RisicoError(MISSING_WITH_ROUTES.format(path=args.log, routes=routes, n=len(files),
                                                         first=", ".join(p.name for p in files[:3])
                                                         + (", ..." if len(files) > 3 else "")))
    problems = report.problems + route_problems(report, routes)
    if problems:
        for problem in problems:
            print(f"  {problem}")
        raise RisicoError(BROKEN.format(path=args.log, first=problems[0], count=len(problems)))
    if not report.exists:
        print(MISSING.format(path=args.log))
        return
    print(INTACT.format(path=args.log, n=report.n_lines, head=report.head_hash))
