"""``python -m risico verify-log``: check that the usage log of worklist runs is intact.

It recomputes the hash chain of ``governance/usage-log.jsonl`` (see
:mod:`risico.governance.usage_log`) and prints one line when it holds::

    Usage log governance/usage-log.jsonl: 12 runs, chain intact, head 3f7a...

Otherwise it lists every problem and stops with the first one and their count
(exit status 2). A chain alone does not reveal lines deleted from its end;
``--expect-head`` with the hash from a worklist run's ``receipt.json`` (or a
copy kept elsewhere) does.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from risico.errors import RisicoError
from risico.governance.usage_log import verify_log

HELP = "check the hash chain of the usage log of worklist runs (EU AI Act art. 12)"
INTACT = "Usage log {path}: {n} runs, chain intact, head {head}"
MISSING = "Usage log {path} does not exist: no worklist run has been logged yet (0 runs)."
BROKEN = ("Usage log {path} is not intact: {first} ({count} problem(s) in all). Keep this copy as evidence "
          "and restore the log from a backup.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log", type=Path, default=Path("governance/usage-log.jsonl"),
                        help="the usage log (default: governance/usage-log.jsonl)")
    parser.add_argument("--expect-head", metavar="HASH",
                        help="a line hash kept outside the log (e.g. from a run's receipt.json); "
                             "detects lines removed from the end")


def run(args: argparse.Namespace) -> None:
    report = verify_log(args.log, expected_head=args.expect_head)
    if report.problems:
        for problem in report.problems:
            print(f"  {problem}")
        raise RisicoError(BROKEN.format(path=args.log, first=report.problems[0], count=len(report.problems)))
    if not report.exists:
        print(MISSING.format(path=args.log))
        return
    print(INTACT.format(path=args.log, n=report.n_lines, head=report.head_hash))
